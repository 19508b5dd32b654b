/**
 * Every request example of the REPP document (shared/upstream/002_13834b2b835d5bf6.txt) is sent to
 * the REPP sandbox over a real socket, as printed (method, path, headers, body), and the answer is
 * checked against the document's response example: the HTTP status, the result code, the message
 * and the shape of `data` (exactly equal where the seed holds the document's own objects).
 *
 * The document's examples are independent snapshots of a live registry, so some need an earlier
 * example first (kasskoer.ee is registered by "Register a new domain"), and a few are sent as
 * TheRegistrar (the sponsor of 666.ee and kotlet.ee); every substitution is named where it is made.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { ReppSandbox } from '../../../src/sandbox/repp/index.js';
import { REPP_EXAMPLES, example, exampleJson, shapeDiff, type ReppExample } from '../../helpers/repp-examples.js';

const clock = new FakeClock('2026-01-01T10:00:00Z');
const sandbox = new ReppSandbox({ clock });
let base: string;

/** TheRegistrar's API user (the document's own header is NewRegistrar's user test:test123). */
const THE = `Basic ${Buffer.from('theregistrar:password2').toString('base64')}`;

interface Sent {
  status: number;
  body: Record<string, unknown>;
}

interface Overrides {
  as?: string;
  path?: string;
  query?: Record<string, string>;
  body?: (text: string) => string;
}

/** Sends an example's request as printed, with the overrides named by the caller. */
async function send(e: ReppExample, o: Overrides = {}): Promise<Sent> {
  const headers = { ...e.request.headers, ...(o.as ? { Authorization: o.as } : {}) };
  const query = new URLSearchParams({ ...e.request.query, ...o.query }).toString();
  const body = e.request.body === null ? undefined : o.body ? o.body(e.request.body) : e.request.body;
  const res = await fetch(`${base}${o.path ?? e.request.path}${query ? `?${query}` : ''}`, { method: e.request.method, headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const run = (id: string, o?: Overrides) => send(example(id), o);

/** The answer has the document's status, code and message, and its data has the example's shape. */
function like(got: Sent, e: ReppExample, n = 0, status = 200): void {
  const doc = exampleJson(e.responses[n].text);
  expect(got.status).toBe(status);
  expect(got.body.code).toBe(doc.code);
  expect(got.body.message).toBe(doc.message);
  expect(shapeDiff(got.body.data, doc.data, 'data')).toEqual([]);
}

/** The answer is exactly the document's example. */
function same(got: Sent, e: ReppExample, n = 0, status = 200): void {
  expect(got.status).toBe(status);
  expect(got.body).toEqual(exampleJson(e.responses[n].text));
}

beforeAll(async () => {
  base = (await sandbox.start()).url;
});
afterAll(() => sandbox.stop());
beforeEach(() => {
  clock.set('2026-01-01T10:00:00Z');
  sandbox.reset();
});

const checked = new Set<string>();
/** The test's name: the example's id, title, endpoint and line in the document. */
const covers = (id: string) => {
  checked.add(id);
  const e = example(id);
  return `${id}: ${e.title ?? e.section} — ${e.endpoint ?? `${e.request.method} ${e.request.path}`} (line ${e.line})`;
};

describe('Billing', () => {
  it(covers('billing-1'), async () => {
    same(await run('billing-1'), example('billing-1'), 0);
    same(await run('billing-1', { query: { detailed: 'true' } }), example('billing-1'), 1); // "Command above with detailed=true"
  });
});

describe('Poll messages', () => {
  it(covers('poll-messages-1'), async () => {
    const got = await run('poll-messages-1');
    const doc = exampleJson(example('poll-messages-1').responses[0].text);
    expect(got.status).toBe(200);
    expect(got.body.code).toBe(1000);
    // The example prints one object under data although the endpoint lists "unread poll messages"
    // and its message counts them ("Returning 200 out of 500"): the sandbox answers the list.
    expect(got.body.message).toBe('Command completed successfully. Returning 2 out of 2. Use URL parameters :limit and :offset to list other messages if needed');
    expect(got.body.data).toEqual([doc.data, { id: 1398, text: 'Contact ATSAA:57C8A9CB has been updated by registrant', attached_obj_type: null, attached_obj_id: null }]);
  });
  it(covers('poll-messages-2'), async () => same(await run('poll-messages-2'), example('poll-messages-2')));
  it(covers('poll-messages-3'), async () => same(await run('poll-messages-3'), example('poll-messages-3')));
  it(covers('poll-messages-4'), async () => same(await run('poll-messages-4'), example('poll-messages-4')));
});

describe('Contacts', () => {
  it(covers('contacts-1'), async () => like(await run('contacts-1'), example('contacts-1')));
  it(covers('contacts-2'), async () => like(await run('contacts-2'), example('contacts-2')));
  it(covers('contacts-3'), async () => {
    same(await run('contacts-3'), example('contacts-3'), 1, 400); // ATSAA:KARL holds domains: "In case contact can not be destroyed"
    same(await run('contacts-3', { path: '/repp/v1/contacts/ATSAA:B839862D' }), example('contacts-3'), 0); // a contact without domains
  });
  it(covers('contacts-4'), async () => {
    // The example's "+372.xxx" and ident "xxx" are the document's redactions; the registry refuses them.
    expect((await run('contacts-4')).body.code).toBe(2005);
    const got = await run('contacts-4', { body: (b) => b.replace('+372.xxx', '+372.5551111').replace('"xxx"', '"38903110313"') });
    like(got, example('contacts-4'));
    expect(got.body.data).toEqual({ contact: { code: expect.stringMatching(/^ATSAA:[0-9A-F]{8}$/) } });
  });
  it(covers('contacts-5'), async () => same(await run('contacts-5'), example('contacts-5')));
  it(covers('contacts-6'), async () => same(await run('contacts-6'), example('contacts-6')));
});

describe('Domains', () => {
  it(covers('domains-1'), async () => {
    like(await run('domains-1'), example('domains-1'), 0);
    like(await run('domains-1', { query: { details: 'true' } }), example('domains-1'), 1); // "When ?details=true is appended"
  });
  it(covers('domains-2'), async () => like(await run('domains-2'), example('domains-2')));
  it(covers('domains-3'), async () => same(await run('domains-3'), example('domains-3')));
  it(covers('domains-4'), async () => {
    await run('domains-3');
    same(await run('domains-4'), example('domains-4'));
  });
  it(covers('domains-5'), async () => {
    await run('domains-3');
    like(await run('domains-5'), example('domains-5'));
  });
  it(covers('domains-6'), async () => {
    await run('domains-3');
    same(await run('domains-6'), example('domains-6'));
  });
  it(covers('domains-7'), async () => {
    await run('domains-3');
    await run('domains-6');
    same(await run('domains-7'), example('domains-7'));
  });
  it(covers('domains-8'), async () => {
    await run('domains-3');
    // The example's exp_date (2021-04-20) is not kasskoer.ee's expiry in the sandbox: refused, then sent with the right one.
    expect(await run('domains-8')).toMatchObject({ status: 400, body: { code: 2306 } });
    const exp = sandbox.domain('kasskoer.ee')!.expireDate;
    same(await run('domains-8', { body: (b) => b.replace('2021-04-20', exp) }), example('domains-8'));
  });
  it(covers('domains-9'), async () => same(await run('domains-9'), example('domains-9')));
});

describe('Nameservers', () => {
  it(covers('nameservers-1'), async () => same(await run('nameservers-1'), example('nameservers-1')));
  it(covers('nameservers-2'), async () => same(await run('nameservers-2', { as: THE }), example('nameservers-2')));
  // The example answers "666.ee" for a request on kotlet.ee; the sandbox names the domain it changed.
  it(covers('nameservers-3'), async () => like(await run('nameservers-3', { as: THE }), example('nameservers-3')));
});

describe('DNSSEC', () => {
  it(covers('dnssec-1'), async () => like(await run('dnssec-1', { as: THE }), example('dnssec-1')));
  it(covers('dnssec-2'), async () => same(await run('dnssec-2', { as: THE }), example('dnssec-2')));
  it(covers('dnssec-3'), async () => {
    await run('dnssec-2', { as: THE });
    same(await run('dnssec-3', { as: THE }), example('dnssec-3'));
  });
});

describe('Statuses', () => {
  it(covers('statuses-1'), async () => same(await run('statuses-1'), example('statuses-1')));
  it(covers('statuses-2'), async () => {
    await run('statuses-1');
    same(await run('statuses-2'), example('statuses-2'));
  });
});

describe('Transfers', () => {
  it(covers('transfers-1'), async () => like(await run('transfers-1'), example('transfers-1')));
  it(covers('transfers-2'), async () => same(await run('transfers-2'), example('transfers-2')));
});

describe('Bulk actions', () => {
  it(covers('bulk-actions-1'), async () => same(await run('bulk-actions-1'), example('bulk-actions-1')));
  it(covers('bulk-actions-2'), async () => same(await run('bulk-actions-2'), example('bulk-actions-2')));
  it(covers('bulk-actions-3'), async () => {
    const got = await run('bulk-actions-3');
    like(got, example('bulk-actions-3'));
    expect(got.body.data).toMatchObject({ id: 'ns1.ams1.domainer.ee', affected_domains: ['domainer.ee'], skipped_domains: [] });
  });
  it(covers('bulk-actions-4'), async () => {
    const got = await run('bulk-actions-4');
    like(got, example('bulk-actions-4'));
    const doc = exampleJson(example('bulk-actions-4').responses[0].text).data as Record<string, unknown>;
    expect(got.body.data).toMatchObject({ id: 'ns2.ams1.domainer.ee', affected_domains: doc.affected_domains, skipped_domains: [] });
  });
  it(covers('bulk-actions-5'), async () => {
    await run('domains-3', { as: THE }); // kasskoer.ee, registered by kotlet.ee's sponsor
    same(await run('bulk-actions-5', { as: THE }), example('bulk-actions-5'));
  });
});

describe('the document', () => {
  it('has 35 request examples, and every one is sent above', () => {
    expect(REPP_EXAMPLES).toHaveLength(35);
    expect(REPP_EXAMPLES.map((e) => e.id).filter((id) => !checked.has(id))).toEqual([]);
  });
});
