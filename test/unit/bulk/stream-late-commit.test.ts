/**
 * The bulkJob progress stream sends every item's outcome once, also one whose transaction
 * committed long after it began: such a row carries the time its transaction began
 * (updated_at = now()), older than the stream's last read by more than the margin the stream
 * re-reads, and the stream must still send it before it ends with the job. Nor does it show a job
 * RUNNING with items counted CANCELLED: a cancel commits the job's state with its items, and one
 * committed between the stream's read of the job and its read of the counts used to give one such
 * event (seen by a fresh-user trial: `state: "RUNNING"`, `pending 0, cancelled 36`, while
 * cancelBulkJob answered CANCELLED).
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

test('an outcome committed later than the stream re-reads is sent before the stream ends', async () => {
  const backend = `b-${randomUUID().slice(0, 8)}`;
  const items = Array.from({ length: 3 }, (_, i) => ({ name: `late${i}.example`, backend, input: null }));
  const job = await store.create({ registrarId: 'R', idempotencyKey: randomUUID(), kind: 'RENEW', fingerprint: 'f', params: {}, items });
  const claimed = await store.claim('A', backend, 10, 60_000);
  const settled = new EventEmitter();
  const stream = bulkJobStream({ prisma: db.prisma, store, settled, pollMs: 60_000 }, job.id);
  const sent: string[] = [];
  // The next event, the stream woken as this instance's runner wakes it after a write (poked until
  // the stream waits: a wake before it waits is not kept).
  const take = async () => {
    const poke = setInterval(() => settled.emit('settled', job.id), 10);
    const { value, done } = await stream.next().finally(() => clearInterval(poke));
    if (done) return null;
    for (const o of value.outcomes) sent.push(o.domainName);
    return value;
  };

  // The stream's first event: nothing finished yet. Then the first item finishes; the stream shows it.
  expect((await take())?.outcomes).toEqual([]);
  await store.settle('A', [{ id: claimed[0]!.id, state: 'SUCCEEDED', result: {} }]);
  expect((await take())?.outcomes.map((o) => o.domainName)).toEqual(['late0.example']);

  // The second item's outcome commits after the stream's read, stamped an hour earlier, as a
  // transaction that began then would stamp it; the third one is written normally and ends the job.
  await store.settle('A', [{ id: claimed[1]!.id, state: 'SUCCEEDED', result: {} }]);
  await db.prisma.bulkItem.update({ where: { id: claimed[1]!.id }, data: { updatedAt: new Date(Date.now() - 3_600_000) } });
  await store.settle('A', [{ id: claimed[2]!.id, state: 'FAILED', error: { code: 'X', message: 'no' } }]);
  let last = null;
  for (let e = await take(); e; e = await take()) last = e;
  expect(last?.job.state).toBe('COMPLETED');
  expect(sent.sort()).toEqual(['late0.example', 'late1.example', 'late2.example']);
});

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
