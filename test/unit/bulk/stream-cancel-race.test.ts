/**
 * The bulkJob progress stream never shows a job RUNNING with items counted CANCELLED: a cancel
 * commits the job's state with its items, and one committed between the stream's read of the job
 * and its read of the counts used to give one such event (seen by a fresh-user trial: `state:
 * "RUNNING"`, `pending 0, cancelled 36`, while cancelBulkJob answered CANCELLED).
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BulkStore } from '../../../src/bulk/store.js';
import { bulkJobStream } from '../../../src/bulk/stream.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

let db: TestDatabase;
let store: BulkStore;
beforeAll(async () => {
  db = await freshDatabase();
  store = new BulkStore(db.prisma);
});
afterAll(() => db?.close());

test('a cancel committed between the reads of the job and of its counts shows the job CANCELLED', async () => {
  const backend = `b-${randomUUID().slice(0, 8)}`;
  const items = Array.from({ length: 4 }, (_, i) => ({ name: `race${i}.example`, backend, input: null }));
  const job = await store.create({ registrarId: 'R', idempotencyKey: randomUUID(), kind: 'RENEW', fingerprint: 'f', params: {}, items });
  // One item running when the cancel comes (it finishes with its real outcome), the rest cancelled.
  const [running] = await store.claim('A', backend, 1, 60_000);
  let cancelAfterRead = false;
  // The store as the stream sees it, the cancel slipped in right after a read of the job.
  const racing = {
    jobShared: async (id: string) => {
      const read = await store.jobShared(id);
      if (cancelAfterRead) {
        cancelAfterRead = false;
        await store.cancel(id);
      }
      return read;
    },
    countsShared: (id: string) => store.countsShared(id),
  } as unknown as BulkStore;
  const settled = new EventEmitter();
  const stream = bulkJobStream({ prisma: db.prisma, store: racing, settled, pollMs: 60_000 }, job.id);
  const first = await stream.next();
  expect(first.value?.job).toMatchObject({ state: 'RUNNING', counts: { pending: 3, running: 1, cancelled: 0 } });
  cancelAfterRead = true;
  const poke = setInterval(() => settled.emit('settled', job.id), 10);
  const events = [];
  try {
    const afterCancel = await stream.next();
    events.push(afterCancel.value!);
    expect(afterCancel.value?.job.counts).toMatchObject({ running: 1, cancelled: 3 });
    await store.settle('A', [{ id: running!.id, state: 'SUCCEEDED', result: {} }]);
    for (let e = await stream.next(); !e.done; e = await stream.next()) events.push(e.value);
  } finally {
    clearInterval(poke);
  }
  expect(events.length).toBeGreaterThan(0);
  for (const e of events) if (e.job.counts.cancelled > 0) expect(e.job.state).toBe('CANCELLED');
  expect(events.at(-1)?.job).toMatchObject({ state: 'CANCELLED', counts: { done: 1, cancelled: 3 } });
});
