/**
 * A claim's cost does not grow with the finished items a deployment keeps: BulkStore.claim's
 * statement reads about the rows it takes (the partial index over PENDING and RUNNING items,
 * migration 20261205030000), not every finished item of the backend before them. Before it, with
 * 20,000 finished items a claim passed all of them (10-14 ms each on PostgreSQL, a job's hundred
 * claims a second of the database's CPU, growing with the history kept).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { BulkStore, claimStatement } from '../../../src/bulk/store.js';
import { rawQuery } from '../../../src/db/raw.js';
import { openDatabase, type Database } from '../../../src/db/client.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

type PlanNode = { 'Node Type': string; 'Index Name'?: string; 'Actual Rows'?: number; 'Rows Removed by Filter'?: number; Plans?: PlanNode[] };
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/** Rows the claim's scans read (returned or removed by a filter), from EXPLAIN (ANALYZE, FORMAT JSON); its plan's nodes for a failure's message. */
async function claimReads(prisma: TestDatabase['prisma'], backend: string, limit: number): Promise<{ read: number; taken: number; nodes: string }> {
  const statement = claimStatement('A', backend, limit, 60_000);
  const [row] = await rawQuery<{ 'QUERY PLAN': unknown }>(prisma, `EXPLAIN (ANALYZE, FORMAT JSON) ${statement.text}`, statement.values);
  const raw = row!['QUERY PLAN'];
  const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ Plan: PlanNode }>;
  const all = nodes(plan[0]!.Plan);
  return {
    taken: all.find((n) => n['Node Type'] === 'ModifyTable')?.['Actual Rows'] ?? all[0]!['Actual Rows'] ?? 0,
    read: all.filter((n) => n['Node Type'].includes('Scan') && !n['Node Type'].startsWith('Subquery')).reduce((sum, n) => sum + (n['Actual Rows'] ?? 0) + (n['Rows Removed by Filter'] ?? 0), 0),
    nodes: JSON.stringify(all.map((n) => [n['Node Type'], n['Index Name'], n['Actual Rows'], n['Rows Removed by Filter']])),
  };
}

describe('BulkStore.claim over a long history', () => {
  let db: TestDatabase;
  let store: BulkStore;
  const backend = `b-${randomUUID().slice(0, 8)}`;
  const FINISHED = 20_000;
  const PENDING = 300;

  beforeAll(async () => {
    db = await freshDatabase();
    store = new BulkStore(db.prisma);
    const items = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}.example`, backend, input: null }));
    // An earlier job, every item finished (ids below the pending ones: a scan by id meets them first).
    const old = await store.create({ registrarId: 'R', idempotencyKey: randomUUID(), kind: 'RENEW', fingerprint: 'f', params: {}, items: items(FINISHED, 'old') });
    await db.prisma.$executeRawUnsafe(`UPDATE bulk_items SET state = 'SUCCEEDED' WHERE job_id = $1`, old.id);
    await store.finishIfDone(old.id);
    await store.create({ registrarId: 'R', idempotencyKey: randomUUID(), kind: 'RENEW', fingerprint: 'f', params: {}, items: items(PENDING, 'new') });
    // As autovacuum would have by then: dead row versions gone, the table's statistics known.
    await db.prisma.$executeRawUnsafe('VACUUM ANALYZE bulk_items');
  }, 120_000);
  afterAll(() => db?.close());

  test('takes the lowest pending items, reading about as many rows as it takes', async () => {
    const { read, taken, nodes: plan } = await claimReads(db.prisma, backend, 96);
    expect(taken).toBe(96);
    expect(read, plan).toBeLessThan(1000);
    // The claim itself, as the runner makes it: the next items in order.
    const next = await store.claim('A', backend, 10, 60_000);
    expect(next.map((i) => i.name)).toEqual(Array.from({ length: 10 }, (_, i) => `new${96 + i}.example`));
  });
});

/**
 * The embedded database between two vacuums: PGlite's single-user PostgreSQL has no autovacuum, so
 * its tables' statistics are as old as the last idle look (src/db/pglite-vacuum.ts), often none,
 * and the dead versions of earlier jobs' items (claimed, then settled) are still in the claim's
 * index. There the planner took a bitmap scan of every entry of the index, sorted, at each claim
 * (a job's claims 2.5 times slower by the sixth job back to back); the embedded database's
 * settings turn bitmap scans off (src/db/client.ts, EMBEDDED_SETTINGS). In memory: nothing vacuums
 * or analyzes it meanwhile.
 */
describe.skipIf(inject('testDb').kind !== 'pglite')('BulkStore.claim on the embedded database, statistics stale, dead rows kept', () => {
  let db: Database;
  let store: BulkStore;
  const backend = 'sandbox-bulk';

  beforeAll(async () => {
    db = await openDatabase({ dataDir: 'memory://' });
    store = new BulkStore(db.prisma);
    const items = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}.example`, backend, input: null }));
    // Three earlier jobs run as the runner runs them: each item claimed (RUNNING), then settled,
    // and the job finished with its last item (BulkStore.finishIfDone).
    for (let j = 0; j < 3; j++) {
      const job = await store.create({ registrarId: 'R', idempotencyKey: randomUUID(), kind: 'RENEW', fingerprint: 'f', params: {}, items: items(10_000, `j${j}-`) });
      await db.prisma.$executeRawUnsafe(`UPDATE bulk_items SET state = 'RUNNING', holder = 'A', lease_until = now() + interval '1 minute' WHERE job_id = $1`, job.id);
      await db.prisma.$executeRawUnsafe(`UPDATE bulk_items SET state = 'SUCCEEDED', holder = NULL, lease_until = NULL WHERE job_id = $1`, job.id);
      await store.finishIfDone(job.id);
    }
    await store.create({ registrarId: 'R', idempotencyKey: randomUUID(), kind: 'RENEW', fingerprint: 'f', params: {}, items: items(10_000, 'new') });
  }, 180_000);
  afterAll(() => db?.close());

  test('a claim still reads about the rows it takes, in order', async () => {
    const { read, taken, nodes: plan } = await claimReads(db.prisma, backend, 96);
    expect(taken).toBe(96);
    expect(read, plan).toBeLessThan(1000);
    const next = await store.claim('A', backend, 10, 60_000);
    expect(next.map((i) => i.name)).toEqual(Array.from({ length: 10 }, (_, i) => `new${96 + i}.example`));
  });
});
