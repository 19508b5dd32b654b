/**
 * BulkStore.settle: one statement writes a flush's command log entries, idempotency records and
 * outcomes, and finishes the job when its last items are settled, also when two holders share it;
 * an item its holder no longer holds is left as its new holder settled it; an item settled to be
 * tried again after its job was cancelled is cancelled, even when the cancel commits while the
 * settle runs.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BulkStore, itemKey, type ItemOutcome } from '../../../src/bulk/store.js';
import type { LogEntry } from '../../../src/commandlog/command-log.js';
import type { DeferredRecord } from '../../../src/idempotency/deferred.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

describe('BulkStore.settle', () => {
  let db: TestDatabase;
  let store: BulkStore;
  beforeAll(async () => {
    db = await freshDatabase();
    store = new BulkStore(db.prisma);
  });
  afterAll(() => db?.close());

  const newJob = (n: number) => {
    const backend = `b-${randomUUID().slice(0, 8)}`;
    const items = Array.from({ length: n }, (_, i) => ({ name: `s${i}.example`, backend, input: null }));
    return store.create({ registrarId: 'R', idempotencyKey: randomUUID(), kind: 'RENEW', fingerprint: 'f', params: {}, items }).then((job) => ({ job, backend }));
  };
  const finished = async (jobId: string) => (await db.prisma.bulkJob.findUniqueOrThrow({ where: { id: jobId } })).finishedAt !== null;
  const done = (id: bigint, extra: Partial<ItemOutcome> = {}): ItemOutcome => ({ id, state: 'SUCCEEDED', result: { ok: String(id) }, ...extra });

  test("writes the items' command log entries and idempotency records with their outcomes; the job finishes with its last item", async () => {
    const { job, backend } = await newJob(2);
    const items = await store.claim('A', backend, 10, 60_000);
    expect(items.length).toBe(2);
    const key = `k-${randomUUID()}`;
    const now = new Date();
    const record: DeferredRecord = { registrarId: 'R', key, operation: 'renewDomain', fingerprint: 'fp', state: 'SUCCEEDED', request: { args: {}, noted: {} }, response: { r: 1 }, backend, createdAt: now, expiresAt: new Date(now.getTime() + 60_000) };
    const entry: LogEntry = { registrarId: 'R', backend, operation: 'renewDomain', command: 'domain:renew', objectName: 's0.example', idempotencyKey: key, clientTrid: `c-${key}`, serverTrid: 'sv', resultCode: 1000, message: 'ok', durationMs: 3, createdAt: now, sent: true };

    const first = await store.settle('A', [done(items[0]!.id, { records: [record], log: [entry] })]);
    expect(first.jobs).toEqual([job.id]);
    expect(first.states.get(job.id)).toBe('RUNNING');
    expect(await finished(job.id)).toBe(false); // its other item is still running
    expect((await db.prisma.idempotencyRecord.findFirstOrThrow({ where: { registrarId: 'R', idempotencyKey: key } })).state).toBe('SUCCEEDED');
    expect((await db.prisma.commandLog.findFirstOrThrow({ where: { clientTrid: `c-${key}` } })).resultCode).toBe(1000);

    await store.settle('A', [done(items[1]!.id)]);
    const row = await db.prisma.bulkJob.findUniqueOrThrow({ where: { id: job.id } });
    expect(row.state).toBe('COMPLETED');
    expect(row.finishedAt).not.toBeNull();
  });

  test('an item settled PENDING (to be tried again) keeps the job running until a later run settles it', async () => {
    const { job, backend } = await newJob(2);
    const items = await store.claim('A', backend, 10, 60_000);
    await store.settle('A', [done(items[0]!.id), { id: items[1]!.id, state: 'PENDING', error: { code: 'UPSTREAM_UNAVAILABLE', message: 'later' }, notBefore: new Date(0) }]);
    expect(await finished(job.id)).toBe(false);
    const again = await store.claim('A', backend, 10, 60_000);
    expect(again.map((i) => i.id)).toEqual([items[1]!.id]);
    await store.settle('A', [done(again[0]!.id)]);
    expect(await finished(job.id)).toBe(true);
  });

  test('two holders sharing a job: whichever settles last finishes it; an item taken over is left as its new holder settled it', async () => {
    const { job, backend } = await newJob(4);
    const a = await store.claim('A', backend, 2, 60_000);
    const b = await store.claim('B', backend, 2, 60_000);
    expect(a.length + b.length).toBe(4);
    await store.settle('B', b.map((i) => done(i.id)));
    expect(await finished(job.id)).toBe(false);

    // A's lease on its second item lapses; C takes it over (in doubt) and settles it first.
    await db.prisma.bulkItem.update({ where: { id: a[1]!.id }, data: { leaseUntil: new Date(Date.now() - 1000) } });
    const c = await store.claim('C', backend, 10, 60_000);
    expect(c.map((i) => i.id)).toEqual([a[1]!.id]);
    expect(c[0]!.inDoubt).not.toBeNull();
    await store.settle('C', [done(c[0]!.id, { result: { by: 'C' } })]);
    expect(await finished(job.id)).toBe(false); // A's first item is still running

    const last = await store.settle('A', [done(a[0]!.id), done(a[1]!.id, { result: { by: 'A' } })]);
    expect(last.jobs).toEqual([job.id]);
    expect(await finished(job.id)).toBe(true);
    expect((await db.prisma.bulkItem.findUniqueOrThrow({ where: { id: a[1]!.id } })).result).toEqual({ by: 'C' });
  });

  test("a holder settling an item it no longer holds writes its command log entries but not its idempotency record; the new holder's record is the key's", async () => {
    const { backend } = await newJob(1);
    const [a] = await store.claim('A', backend, 10, 60_000);
    // A stalls past its lease; B takes the item over in doubt.
    await db.prisma.bulkItem.update({ where: { id: a!.id }, data: { leaseUntil: new Date(Date.now() - 1000) } });
    const [b] = await store.claim('B', backend, 10, 60_000);
    expect(b!.id).toBe(a!.id);
    const key = `k-${randomUUID()}`;
    const now = new Date();
    const record = (state: DeferredRecord['state'], response: unknown): DeferredRecord => ({ registrarId: 'R', key, operation: 'renewDomain', fingerprint: 'fp', state, request: { args: {}, noted: {} }, response, backend, createdAt: now, expiresAt: new Date(now.getTime() + 60_000) });
    const entry = (clientTrid: string): LogEntry => ({ registrarId: 'R', backend, operation: 'renewDomain', command: 'domain:renew', objectName: 's0.example', idempotencyKey: key, clientTrid, serverTrid: 'sv', resultCode: 2304, message: 'prohibited', durationMs: 3, createdAt: now, sent: true });

    // A's late answer settles first: a refusal. Its command was sent (logged), but the key is B's now.
    await store.settle('A', [{ id: a!.id, state: 'FAILED', error: { code: 'STATUS_PROHIBITS_OPERATION', message: 'no' }, records: [record('FAILED', null)], log: [entry(`a-${key}`)] }]);
    expect(await db.prisma.idempotencyRecord.findFirst({ where: { registrarId: 'R', idempotencyKey: key } })).toBeNull();
    expect((await db.prisma.commandLog.findFirstOrThrow({ where: { clientTrid: `a-${key}` } })).resultCode).toBe(2304);
    expect((await db.prisma.bulkItem.findUniqueOrThrow({ where: { id: a!.id } })).state).toBe('RUNNING');

    await store.settle('B', [done(b!.id, { records: [record('SUCCEEDED', { by: 'B' })] })]);
    const stored = await db.prisma.idempotencyRecord.findFirstOrThrow({ where: { registrarId: 'R', idempotencyKey: key } });
    expect(stored).toMatchObject({ state: 'SUCCEEDED', response: { by: 'B' } });
    expect((await db.prisma.bulkItem.findUniqueOrThrow({ where: { id: a!.id } })).state).toBe('SUCCEEDED');
  });

  test('an outcome reached under an earlier claim of the same holder (it stalled past its lease and claimed the item again) settles nothing; the current claim does', async () => {
    const { backend } = await newJob(1);
    const [first] = await store.claim('A', backend, 10, 60_000);
    await db.prisma.bulkItem.update({ where: { id: first!.id }, data: { leaseUntil: new Date(Date.now() - 1000) } });
    const [again] = await store.claim('A', backend, 10, 60_000);
    expect(again).toMatchObject({ id: first!.id, attempts: first!.attempts + 1 });
    expect(again!.inDoubt).toMatchObject({ ownHolder: true });
    const key = `k-${randomUUID()}`;
    const now = new Date();
    const record = (state: DeferredRecord['state']): DeferredRecord => ({ registrarId: 'R', key, operation: 'renewDomain', fingerprint: 'fp', state, request: { args: {}, noted: {} }, response: state === 'SUCCEEDED' ? { by: 'again' } : undefined, backend, createdAt: now, expiresAt: new Date(now.getTime() + 60_000) });

    // The first run's late refusal: neither the item nor the key is settled by it.
    await store.settle('A', [{ id: first!.id, attempts: first!.attempts, state: 'FAILED', error: { code: 'STATUS_PROHIBITS_OPERATION', message: 'no' }, records: [record('FAILED')] }]);
    expect(await db.prisma.idempotencyRecord.findFirst({ where: { registrarId: 'R', idempotencyKey: key } })).toBeNull();
    expect((await db.prisma.bulkItem.findUniqueOrThrow({ where: { id: first!.id } })).state).toBe('RUNNING');

    await store.settle('A', [done(again!.id, { attempts: again!.attempts, records: [record('SUCCEEDED')] })]);
    expect((await db.prisma.idempotencyRecord.findFirstOrThrow({ where: { registrarId: 'R', idempotencyKey: key } })).state).toBe('SUCCEEDED');
    expect((await db.prisma.bulkItem.findUniqueOrThrow({ where: { id: first!.id } })).state).toBe('SUCCEEDED');
  });

  test("claims items taken over in doubt with whether their key has an idempotency record (read by the claim, not per item later)", async () => {
    const { job, backend } = await newJob(3);
    const first = await store.claim('A', backend, 10, 60_000);
    expect(first.map((i) => i.inDoubt)).toEqual([null, null, null]); // never ran: not in doubt
    // Item 1's earlier attempt wrote its record (an answer lost after a note); the others had none.
    const now = new Date();
    await db.prisma.idempotencyRecord.create({
      data: { registrarId: 'R', idempotencyKey: itemKey(job.idempotencyKey, first[1]!.position), operation: 'renewDomain', fingerprint: 'fp', state: 'OUTCOME_UNKNOWN', request: { args: {}, noted: {} }, backend, createdAt: now, updatedAt: now, expiresAt: new Date(now.getTime() + 60_000) },
    });
    // A record of another registrar under the same key is not the item's.
    await db.prisma.idempotencyRecord.create({
      data: { registrarId: 'S', idempotencyKey: itemKey(job.idempotencyKey, first[2]!.position), operation: 'renewDomain', fingerprint: 'fp', state: 'SUCCEEDED', request: { args: {}, noted: {} }, backend, createdAt: now, updatedAt: now, expiresAt: new Date(now.getTime() + 60_000) },
    });
    await db.prisma.bulkItem.updateMany({ where: { jobId: job.id }, data: { leaseUntil: new Date(Date.now() - 1000) } });
    const taken = await store.claim('B', backend, 10, 60_000);
    expect(taken.map((i) => [i.position, i.inDoubt?.recorded, i.inDoubt?.ownHolder])).toEqual([
      [0, false, false],
      [1, true, false],
      [2, false, false],
    ]);
  });
  test('items in flight when their job is cancelled: those to be tried again are cancelled, saying why, and the job finishes; a success stays', async () => {
    const { job, backend } = await newJob(4);
    const items = await store.claim('A', backend, 10, 60_000);
    expect(await store.cancel(job.id)).toBe(0); // all four were running: none cancelled yet
    await store.settle('A', [
      done(items[0]!.id),
      // A transient failure (its first attempt): it would be tried again.
      { id: items[1]!.id, state: 'PENDING', error: { code: 'UPSTREAM_UNAVAILABLE', message: 'connection reset', upstreamCode: 2400 }, notBefore: new Date(Date.now() + 60_000) },
      // A rate limit: no attempt (unclaimed), so nothing was counted against it.
      { id: items[2]!.id, state: 'PENDING', error: { code: 'RATE_LIMITED', message: 'slow down' }, unclaimed: true },
      // Given back by a stopping runner, not sent.
      { id: items[3]!.id, state: 'PENDING', givenBack: { inDoubtSince: null } },
    ]);
    const rows = await db.prisma.bulkItem.findMany({ where: { jobId: job.id }, orderBy: { position: 'asc' } });
    expect(rows.map((r) => r.state)).toEqual(['SUCCEEDED', 'CANCELLED', 'CANCELLED', 'CANCELLED']);
    expect(rows[1]!.error).toEqual({
      code: 'CANCELLED',
      message: 'the job was cancelled while this item waited to be tried again; it was not tried again. Its last attempt failed with UPSTREAM_UNAVAILABLE: connection reset',
      upstreamCode: 2400,
    });
    expect(rows[2]!.error).toEqual({ code: 'CANCELLED', message: 'the job was cancelled before this item ran; nothing was sent for it' });
    expect(rows[3]!.error).toEqual({ code: 'CANCELLED', message: 'the job was cancelled before this item ran; nothing was sent for it' });
    expect(rows.map((r) => r.attempts)).toEqual([1, 1, 0, 0]);
    expect(await store.counts(job.id)).toMatchObject({ pending: 0, running: 0, succeeded: 1, cancelled: 3 });
    const row = await db.prisma.bulkJob.findUniqueOrThrow({ where: { id: job.id } });
    expect(row.state).toBe('CANCELLED');
    expect(row.finishedAt).not.toBeNull();
  });

  test.skipIf(!process.env.TEST_DATABASE_URL)('a cancel that commits while a settle runs: the settle waits for it and cancels the item it would have left pending (PostgreSQL)', async () => {
    const { job, backend } = await newJob(2);
    const items = await store.claim('A', backend, 10, 60_000);
    const other = new pg.Client({ connectionString: db.url! });
    await other.connect();
    try {
      // Another instance's cancel, begun (the job's row changed, not committed).
      await other.query('BEGIN');
      await other.query(`UPDATE bulk_jobs SET state = 'CANCELLED' WHERE id = $1`, [job.id]);
      const settling = store.settle('A', [{ id: items[0]!.id, state: 'PENDING', error: { code: 'UPSTREAM_UNAVAILABLE', message: 'later' } }]);
      let returned = false;
      void settling.finally(() => (returned = true)).catch(() => {});
      // The settle waits on the job's row: wait until PostgreSQL shows it waiting for a lock (or
      // until it returns, having not waited: then it read the job as running).
      while (!returned) {
        const { rows } = await other.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        if (rows[0].n > 0) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await other.query(`UPDATE bulk_items SET state = 'CANCELLED' WHERE job_id = $1 AND state = 'PENDING'`, [job.id]);
      await other.query('COMMIT');
      await settling;
    } finally {
      await other.end();
    }
    const row = await db.prisma.bulkItem.findUniqueOrThrow({ where: { id: items[0]!.id } });
    expect(row.state).toBe('CANCELLED');
    expect((row.error as { message: string }).message).toMatch(/^the job was cancelled while this item waited to be tried again/);
  });
});
