/**
 * A bulk mutation costs 2 a domain (src/limits/cost.ts BULK_ITEM) on top of its 25, over HTTP and
 * graphql-ws alike: 49 aliases of `bulkRenew(domains: $d)` with 20,000 IDNs, which cost 1,250
 * points and held the process 17.5 s while their names were checked 49 times, are refused by cost
 * naming the first alias's list before any name is checked, anything written or sent; the largest
 * job (bulk.maxItems, 20,000 domains) is still accepted.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { noBackgroundWork, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { overBoth } from '../helpers/ws.js';

/** Lists of names checked by checkItemNames (the bulk parse steps' work), counted. */
const checked = vi.hoisted(() => ({ lists: [] as number[] }));
vi.mock('../../src/bulk/submit.js', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../src/bulk/submit.js')>();
  return {
    ...orig,
    checkItemNames: (...a: Parameters<typeof orig.checkItemNames>) => {
      checked.lists.push(a[1].length);
      return orig.checkItemNames(...a);
    },
  };
});

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ configure: noBackgroundWork }); // jobs stay as written; every command in the log is a request's
});
afterAll(() => t?.close());

const send = overBoth(() => t, () => t.keys.NewRegistrar!);
const stored = async () => ({
  jobs: await t.gateway.services.prisma.bulkJob.count({ where: { registrarId: 'NewRegistrar' } }),
  items: await t.gateway.services.prisma.bulkItem.count({ where: { job: { registrarId: 'NewRegistrar' } } }),
  commands: await t.upstreamCommands(),
});

/** 20,000 Arabic IDNs (0.75 MB), as the tester sent them. */
const IDNS = Array.from({ length: 20_000 }, (_, i) => ({ name: `ا${i}${'ب'.repeat(12)}.example` }));
const ALIASES = `mutation($d: [BulkRenewItemInput!]!) {
  ${Array.from({ length: 49 }, (_, i) => `a${i}: bulkRenew(idempotencyKey: "${randomUUID()}", domains: $d) { job { id } }`).join('\n  ')}
  z: deleteDomain(name: "bad_name.example", idempotencyKey: "${randomUUID()}") { replayed }
}`;

describe.each(['http', 'ws'] as const)('bulk mutations are priced by their domains, over %s', (transport) => {
  it('49 aliases of a 20,000-domain bulkRenew are refused by cost, naming the first one\'s domains, before any name is checked or anything written or sent', async () => {
    const before = await stored();
    checked.lists.length = 0;
    const r = await send[transport](ALIASES, { d: IDNS });
    expect(r.data ?? null).toBeNull();
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxCost', max: 60_000, field: 'a0.domains' });
    expect(r.errors![0].message).toContain('a0.domains (20000 items) costs 40025');
    expect(checked.lists).toEqual([]);
    expect(await stored()).toEqual(before);
  });

  it('the largest job, bulk.maxItems (20,000) domains, is accepted and written whole', async () => {
    const before = await stored();
    const prefix = randomUUID().slice(0, 8);
    const d = Array.from({ length: 20_000 }, (_, i) => ({ name: `${prefix}-${i}.example` }));
    const r = await send[transport]('mutation($k: String!, $d: [BulkRenewItemInput!]!) { bulkRenew(idempotencyKey: $k, domains: $d) { replayed job { total } } }', { k: randomUUID(), d });
    expect(r.errors).toBeUndefined();
    expect(r.data.bulkRenew).toEqual({ replayed: false, job: { total: 20_000 } });
    expect(await stored()).toEqual({ jobs: before.jobs + 1, items: before.items + 20_000, commands: before.commands });
  });

});
