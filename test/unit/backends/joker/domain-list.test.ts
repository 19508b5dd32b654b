/**
 * The reseller's domain list read page by page (DMAPI document, "query-domain-list": "from: Start
 * from this item in list", "to: End by this"), against the Joker sandbox over HTTPS, as the
 * `domains` connection and a bulk job over every domain read it (src/domains/registry-lists.ts:
 * 200 names a page until a short page or `total`). Before, every page asked for the whole list and
 * cut it in memory: a portfolio of N domains cost N lines per page, N²/200 in all.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { JokerDriver } from '../../../../src/backends/joker/index.js';
import { PortableBackend } from '../../../../src/backends/portable.js';
import { FakeClock } from '../../../../src/core/clock.js';
import type { CallContext } from '../../../../src/core/model/index.js';
import { JOKER_SANDBOX_ACCOUNTS, JokerSandbox } from '../../../../src/sandbox/joker/index.js';

const clock = new FakeClock('2026-03-01T12:00:00Z');
const sandbox = new JokerSandbox({ clock });
const [a] = JOKER_SANDBOX_ACCOUNTS;
const acme: CallContext = { registrarId: 'acme' };
const PAGE = 200;
let url = '';
let ca = '';
let port: PortableBackend;

beforeAll(async () => {
  ({ url, ca } = await sandbox.start());
});
afterAll(() => sandbox.stop());
beforeEach(() => {
  sandbox.reset();
  port = new PortableBackend(new JokerDriver({ name: 'jk', kind: 'joker', url, tls: { ca, servername: 'localhost' }, accounts: { acme: { uid: a.uid, password: a.apiKey, transferContact: a.contact } } }, { clock }), { clock });
});
afterEach(() => port.close());

/** Every name, read as registry-lists.ts reads them; with the number of pages asked for. */
async function readAll(): Promise<{ names: string[]; pages: number; totals: number[] }> {
  const names: string[] = [];
  const totals: number[] = [];
  let pages = 0;
  for (let offset = 0; ; offset += PAGE) {
    const { data } = await port.listDomains(acme, { limit: PAGE, offset });
    pages++;
    names.push(...data.names);
    totals.push(data.total);
    if (data.names.length < PAGE || names.length >= data.total) break;
  }
  return { names, pages, totals };
}

describe('Joker domain list', () => {
  test('a portfolio of 1,000+ domains: every name once, each page one bounded reply (at most 201 lines), not the whole list per page', async () => {
    const seeded = (await port.listDomains(acme, { limit: PAGE, offset: 0 })).data.names;
    const added = sandbox.addDomains(a.uid, 1_000);
    const all = [...seeded, ...added].sort();
    const before = sandbox.rowsAnswered('query-domain-list');
    const { names, pages, totals } = await readAll();
    expect([...names].sort()).toEqual(all);
    expect(new Set(names).size).toBe(all.length);
    expect(pages).toBe(Math.ceil((all.length + 1) / PAGE));
    expect(totals.at(-1)).toBe(all.length);
    // One extra line a page says whether more follow.
    expect(sandbox.rowsAnswered('query-domain-list') - before).toBeLessThanOrEqual(all.length + pages);
  });

  test('a portfolio of exactly two pages: the second page ends the list (total exact), no third request', async () => {
    const seeded = (await port.listDomains(acme, { limit: PAGE, offset: 0 })).data.names.length;
    sandbox.addDomains(a.uid, 2 * PAGE - seeded);
    const { names, pages, totals } = await readAll();
    expect(names).toHaveLength(2 * PAGE);
    expect(pages).toBe(2);
    expect(totals).toEqual([PAGE + 1, 2 * PAGE]);
  });

  test('an offset past the end: no names (a reader paging forward stops there), one request of at most 201 lines', async () => {
    const before = sandbox.rowsAnswered('query-domain-list');
    expect((await port.listDomains(acme, { limit: PAGE, offset: 5_000 })).data.names).toEqual([]);
    expect(sandbox.rowsAnswered('query-domain-list') - before).toBe(0);
  });
});
