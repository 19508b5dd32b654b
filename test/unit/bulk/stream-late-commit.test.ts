/**
 * The bulkJob progress stream sends every item's outcome once, also one whose transaction
 * committed long after it began: such a row carries the time its transaction began
 * (updated_at = now()), older than the stream's last read by more than the margin the stream
 * re-reads, and the stream must still send it before it ends with the job.
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
