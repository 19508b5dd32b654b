/**
 * A finished bulk job is kept bulk.retentionDays, then deleted by the hourly housekeeping with its
 * items and their idempotency records, and its key is free again. A bulk-tool trial: the bulk
 * CLI's default key is a hash of the command and the file, so a renewal of the same portfolio file
 * run again later answered the old job's results ("5 done", exit 0) and renewed nothing, for good
 * (jobs were never deleted). Now, past the retention, the same key submits a new job whose items
 * run (their keys derive from the job's key: the old items' records go with the old job, or they
 * would answer the new items). Before the retention, the same key still answers the job.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { BulkStore } from '../../src/bulk/store.js';
import { BULK_RENEW, createDomains, waitFinished } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { capturedLog } from '../helpers/log-sink.js';

const log = capturedLog();
const PURGED = 'bulk: jobs finished more than bulk.retentionDays ago purged';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    logger: log.logger,
    configure: (c) => {
      c.poll.enabled = false;
      c.bulk = { ...c.bulk, retentionDays: 3 };
      // The housekeeping's round every 200 ms instead of hourly.
      c.idempotency = { ...c.idempotency, purgeIntervalMs: 200 };
    },
  });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

it('past bulk.retentionDays a finished job is deleted with its items and their records, and its key submits a new job that runs', async () => {
  const A = t.keys.NewRegistrar!;
  const sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-nomulus') as EppSandbox;
  const names = await createDomains(t, A, `ret${Date.now().toString(36)}`, 'tld', 3);
  const k = `portfolio-${randomUUID()}`;
  const renews = sandbox.applied('domain:renew');
  const submit = async () => {
    const r = await t.gql(A, BULK_RENEW, { k, domains: names.map((name) => ({ name })) });
    expect(r.errors).toBeUndefined();
    return r.data.bulkRenew as { replayed: boolean; job: { id: string } };
  };
  const first = await submit();
  await waitFinished(t, A, first.job.id);
  expect(sandbox.applied('domain:renew') - renews).toBe(3);
  const prisma = t.gateway.services.prisma;
  const itemRecords = () => prisma.idempotencyRecord.count({ where: { registrarId: 'NewRegistrar', idempotencyKey: { startsWith: 'bulk:' } } });
  const recordsBefore = await itemRecords();

  // Within the retention (finished 2 days ago, kept 3): a purge leaves it, and the same key
  // answers the job; nothing is sent.
  await prisma.$executeRaw`UPDATE bulk_jobs SET finished_at = now() - interval '2 days' WHERE id = ${first.job.id}`;
  expect(await new BulkStore(prisma).purgeFinished(3)).toEqual({ jobs: 0, items: 0 });
  const again = await submit();
  expect(again).toMatchObject({ replayed: true, job: { id: first.job.id } });
  expect(sandbox.applied('domain:renew') - renews).toBe(3);

  // Past it: the next housekeeping round deletes the job, its items and their records.
  const deleted = log.next(PURGED);
  await prisma.$executeRaw`UPDATE bulk_jobs SET finished_at = now() - interval '4 days' WHERE id = ${first.job.id}`;
  expect(await deleted).toMatchObject({ jobs: 1, items: 3 });
  expect(await prisma.bulkItem.count({ where: { jobId: first.job.id } })).toBe(0);
  expect(await itemRecords()).toBe(recordsBefore - 3);
  const gone = await t.gql(A, 'query($id: ID!) { bulkJob(id: $id) { id } }', { id: first.job.id });
  expect(gone.data?.bulkJob ?? null).toBeNull();

  // The same key now submits a new job, whose items run (a renewal a year later renews).
  const later = await submit();
  expect(later.replayed).toBe(false);
  expect(later.job.id).not.toBe(first.job.id);
  const done = await waitFinished(t, A, later.job.id);
  expect(done.counts).toMatchObject({ done: 3, failed: 0 });
  expect(sandbox.applied('domain:renew') - renews).toBe(6);
}, 120_000);
