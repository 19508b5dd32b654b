/**
 * The `domains` connection's and a bulk job's read of a registry's own domain list
 * (src/domains/registry-lists.ts): a list cut at the gateway's bound (most names read per
 * registry) is not the whole list, so index entries beyond it are kept, not removed as if the
 * registry no longer had them; a whole list still removes what it does not name.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../../../src/core/model/index.js';
import type { RegistryPort } from '../../../src/core/port.js';
import { DomainIndex } from '../../../src/domains/domain-index.js';
import { syncRegistryLists } from '../../../src/domains/registry-lists.js';
import type { Logger } from '../../../src/logger.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

let db: TestDatabase;
let index: DomainIndex;
const R = 'NewRegistrar';
const call: CallContext = { registrarId: R };

beforeAll(async () => {
  db = await freshDatabase();
  await db.prisma.registrar.create({ data: { id: R, name: 'New' } });
  index = new DomainIndex(db.prisma);
});
afterAll(() => db?.close());
beforeEach(() => db.prisma.domainIndex.deleteMany({}));

/** A registry listing `names` page by page with total `total` (default: exact); past the end of `names` it lists them again. Counts the pages read. */
function registry(names: string[], total = names.length) {
  const r = {
    pages: 0,
    port: {
      name: 'b',
      hasAccount: () => true,
      capabilities: async () => ({ listDomains: true }),
      listDomains: async (_c: CallContext, p: { limit: number; offset: number }) => {
        r.pages++;
        const from = p.offset >= total ? total : p.offset % names.length;
        const page = p.offset >= total ? [] : names.slice(from, from + p.limit);
        return { data: { names: page, total }, trid: { client: 'c', server: null }, code: 1000 };
      },
    } as unknown as RegistryPort,
  };
  return r;
}

function logger() {
  const warned: string[] = [];
  return { warned, log: { warn: (_o: unknown, msg: string) => warned.push(msg) } as unknown as Logger };
}

const indexed = async () => (await db.prisma.domainIndex.findMany({ where: { registrarId: R }, orderBy: { name: 'asc' } })).map((d) => d.name);
const old = new Date(Date.now() - 60_000);

describe('syncRegistryLists', () => {
  it('a list longer than the 100,000 names read: entries beyond them are kept (not removed as gone), with a warning', async () => {
    // 200 names a page, 500 pages (100,000 names) of a list of 150,000; the index already has the
    // names read (so the sync writes none) and one further on.
    const page = Array.from({ length: 200 }, (_, i) => `d${String(i).padStart(3, '0')}.test`);
    await db.prisma.domainIndex.createMany({ data: [...page, 'zz-beyond.test'].map((name) => ({ registrarId: R, name, backend: 'b', updatedAt: old })) });
    const reg = registry(page, 150_000);
    const l = logger();
    await syncRegistryLists(index, [reg.port], call, l.log);
    expect(reg.pages).toBe(500);
    expect(await indexed()).toContain('zz-beyond.test');
    expect(await indexed()).toHaveLength(201);
    expect(l.warned).toEqual([expect.stringContaining('longer than the gateway reads')]);
  });

  it('a whole list: an old entry the registry does not name is removed, no warning', async () => {
    await db.prisma.domainIndex.create({ data: { registrarId: R, name: 'x.test', backend: 'b', updatedAt: old } });
    const reg = registry(['a.test', 'b.test', 'c.test']);
    const l = logger();
    await syncRegistryLists(index, [reg.port], call, l.log);
    expect(await indexed()).toEqual(['a.test', 'b.test', 'c.test']);
    expect(l.warned).toEqual([]);
  });
});
