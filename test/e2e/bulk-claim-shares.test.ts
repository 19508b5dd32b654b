/**
 * Jobs at one registry share it. A bulk-tool trial: a registrar's 20,000-item bulkRenew held two
 * one-domain jobs at the same registry, its own and another registrar's, until every one of its
 * items had run (both finished 20.5 s later, with it): a claim took the backend's lowest item ids,
 * so the earliest job went first, whole. Now each claim shares its items between the registrars
 * with jobs to run, and a registrar's part between its jobs (BulkStore.claim): a small job
 * submitted behind a big one runs within the big one's next claims, while the big one goes on.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BULK_RENEW, createDomains, waitFinished } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
}, 120_000);
afterAll(() => t?.close());

it("a one-domain job, another registrar's or the same one's, finishes while an earlier 2,000-item job at the same registry still has items to run", async () => {
  const A = t.keys.NewRegistrar!;
  const B = t.keys.TheRegistrar!;
  const submit = async (key: string, domains: Array<{ name: string }>) => {
    const r = await t.gql(key, BULK_RENEW, { k: randomUUID(), domains });
    expect(r.errors).toBeUndefined();
    return r.data.bulkRenew.job.id as string;
  };
  const [ownSmall] = await createDomains(t, A, `share-a-${Date.now().toString(36)}`, 'tld', 1);
  const [otherSmall] = await createDomains(t, B, `share-b-${Date.now().toString(36)}`, 'tld', 1);
  // Names the registry does not hold: each item is one command (its expiry read, refused 2303), failed.
  const big = await submit(
    A,
    Array.from({ length: 2_000 }, (_, i) => ({ name: `absent-${i}-${randomUUID().slice(0, 8)}.tld` })),
  );
  const other = await submit(B, [{ name: otherSmall! }]);
  const own = await submit(A, [{ name: ownSmall! }]);
  const [otherDone, ownDone] = await Promise.all([waitFinished(t, B, other), waitFinished(t, A, own)]);
  expect(otherDone.counts).toMatchObject({ done: 1, failed: 0 });
  expect(ownDone.counts).toMatchObject({ done: 1, failed: 0 });
  // The big job has not finished: both small ones went ahead of its remaining items.
  const r = await t.gql(A, 'query($id: ID!) { bulkJob(id: $id) { finishedAt counts { pending } } }', { id: big });
  expect(r.data.bulkJob.finishedAt).toBeNull();
  expect(r.data.bulkJob.counts.pending).toBeGreaterThan(0);
  const bigDone = await waitFinished(t, A, big);
  expect(bigDone.counts).toMatchObject({ done: 0, failed: 2_000 });
}, 180_000);
