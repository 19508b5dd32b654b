/**
 * A registrar's bulk limits (bulk.maxOpenJobs, bulk.maxPendingItems): a submission beyond is
 * refused whole with BULK_LIMIT_REACHED naming the limit, before anything is written (no job, no
 * item, the key still free); another registrar is not affected; the refused request goes through
 * under its own key once earlier work is gone. The runner is off, so submitted jobs stay open.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK_RENEW } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => ((c.poll.enabled = false), (c.bulk = { enabled: false, maxItems: 20, maxOpenJobs: 3, maxPendingItems: 25 })) });
}, 120_000);
afterAll(() => t?.close());

const domains = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${i}.tld` }));
/** What the database holds for the registrar: its jobs and items. */
const stored = async (registrarId: string) => ({
  jobs: await t.gateway.services.prisma.bulkJob.count({ where: { registrarId } }),
  items: await t.gateway.services.prisma.bulkItem.count({ where: { job: { registrarId } } }),
});

describe('bulk limits', () => {
  it('refuses a job past maxPendingItems or maxOpenJobs whole, writing nothing; the same request goes through once there is room', async () => {
    const owner = t.keys.NewRegistrar!;
    const submit = (k: string, d: { name: string }[], key = owner) => t.gql(key, BULK_RENEW, { k, domains: d });
    const a = await submit(randomUUID(), domains('a', 10));
    expect(a.errors).toBeUndefined();
    expect((await submit(randomUUID(), domains('b', 10))).errors).toBeUndefined();

    // 20 items not run yet and 10 more: past 25.
    const cKey = randomUUID();
    const c = await submit(cKey, domains('c', 10));
    expect(c.data?.bulkRenew ?? null).toBeNull();
    expect(c.errors?.[0]?.extensions).toMatchObject({ code: 'BULK_LIMIT_REACHED', limit: 'bulk.maxPendingItems', max: 25, field: 'domains', retryable: true });
    expect(c.errors?.[0]?.message).toContain('nothing was written');
    expect(await stored('NewRegistrar')).toEqual({ jobs: 2, items: 20 });

    // 5 fit (25), and make three open jobs: a fourth, of one domain, is refused.
    expect((await submit(randomUUID(), domains('d', 5))).errors).toBeUndefined();
    const e = await submit(randomUUID(), domains('e', 1));
    expect(e.errors?.[0]?.extensions).toMatchObject({ code: 'BULK_LIMIT_REACHED', limit: 'bulk.maxOpenJobs', max: 3 });
    expect(e.errors?.[0]?.extensions?.field).toBeUndefined();
    expect(await stored('NewRegistrar')).toEqual({ jobs: 3, items: 25 });

    // Another registrar's room is its own.
    expect((await submit(randomUUID(), domains('other', 20), t.keys.TheRegistrar!)).errors).toBeUndefined();

    // Cancelling the first job frees its 10 items and its place: the refused request, under its key, is written now.
    const cancel = await t.gql(owner, 'mutation($id: ID!, $k: String!) { cancelBulkJob(idempotencyKey: $k, id: $id) { state } }', { id: a.data.bulkRenew.job.id, k: randomUUID() });
    expect(cancel.data.cancelBulkJob.state).toBe('CANCELLED');
    const again = await submit(cKey, domains('c', 10));
    expect(again.errors).toBeUndefined();
    expect(again.data.bulkRenew).toMatchObject({ replayed: false, job: { total: 10 } });
    // A replay of a stored job is answered even with the registrar at its limits.
    const replay = await submit(cKey, domains('c', 10));
    expect(replay.data.bulkRenew).toMatchObject({ replayed: true, job: { id: again.data.bulkRenew.job.id } });
  });

  it('of two submissions sent at once under different keys with room for one, one is written and one refused', async () => {
    const key = t.keys.TheRegistrar!; // 20 items not run yet (above): room for 5
    const [x, y] = await Promise.all([t.gql(key, BULK_RENEW, { k: randomUUID(), domains: domains('x', 5) }), t.gql(key, BULK_RENEW, { k: randomUUID(), domains: domains('y', 5) })]);
    expect([x, y].filter((r) => r.errors === undefined)).toHaveLength(1);
    expect([x, y].find((r) => r.errors)?.errors?.[0]?.extensions).toMatchObject({ code: 'BULK_LIMIT_REACHED', limit: 'bulk.maxPendingItems' });
    expect(await stored('TheRegistrar')).toEqual({ jobs: 2, items: 25 });
  });
});
