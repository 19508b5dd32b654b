/**
 * A client that leaves a bulkJob subscription ends its stream at once. graphql-ws calls the
 * stream's return() while it waits for a change; an async generator takes a return() only at its
 * next yield, and the stream yields only on a change, so a stream whose job waited on a registry
 * (a Joker item: hours) went on reading the database every pollMs for nobody, and the return()
 * itself did not resolve until the job moved.
 */
import { EventEmitter, getEventListeners } from 'node:events';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BulkStore } from '../../../src/bulk/store.js';
import { bulkJobStream, followJob } from '../../../src/bulk/stream.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

let db: TestDatabase;
beforeAll(async () => void (db = await freshDatabase()));
afterAll(() => db?.close());

/** A store that counts the stream's reads of the job. */
class CountingStore extends BulkStore {
  reads = 0;
  override job(id: string) {
    this.reads++;
    return super.job(id);
  }
}

test("return() while the stream waits for a change ends it: the pending next() is done, return() resolves, and the job is not read again", async () => {
  const store = new CountingStore(db.prisma);
  const backend = `b-${randomUUID().slice(0, 8)}`;
  const job = await store.create({ registrarId: 'R', idempotencyKey: randomUUID(), kind: 'RENEW', fingerprint: 'f', params: {}, items: [{ name: 'waits.example', backend, input: null }] });
  const settled = new EventEmitter();
  // Looking every 5 ms: the stream reads the unchanged job over and over while it waits.
  const stream = followJob({ prisma: db.prisma, store, settled, pollMs: 5 }, job.id);
  expect((await stream.next()).value?.job.counts.pending).toBe(1);
  const waiting = stream.next(); // nothing changes: this waits for ever
  const readsBefore = store.reads;
  while (store.reads < readsBefore + 3) await new Promise((r) => setTimeout(r, 5)); // it is looking
  expect(await stream.return!()).toEqual({ done: true, value: undefined });
  expect(await waiting).toEqual({ done: true, value: undefined });
  const readsAtEnd = store.reads;
  // The job changes and the runner says so: nobody reads it for the stream that was left.
  const [claimed] = await store.claim('A', backend, 1, 60_000);
  await store.settle('A', [{ id: claimed!.id, state: 'SUCCEEDED', result: {} }]);
  settled.emit('settled', job.id);
  expect(settled.listenerCount('settled')).toBe(0);
  expect(store.reads).toBe(readsAtEnd);
});

test('a stream that waits and looks again and again keeps one abort listener, not one per look', async () => {
  const store = new CountingStore(db.prisma);
  const job = await store.create({ registrarId: 'R', idempotencyKey: randomUUID(), kind: 'RENEW', fingerprint: 'f', params: {}, items: [{ name: 'looks.example', backend: 'b', input: null }] });
  const stop = new AbortController();
  const stream = bulkJobStream({ prisma: db.prisma, store, settled: new EventEmitter(), pollMs: 1 }, job.id, stop.signal);
  await stream.next();
  const waiting = stream.next();
  const readsBefore = store.reads;
  while (store.reads < readsBefore + 20) await new Promise((r) => setTimeout(r, 5)); // twenty looks at the unchanged job
  expect(getEventListeners(stop.signal, 'abort').length).toBeLessThanOrEqual(1);
  stop.abort();
  expect(await waiting).toEqual({ done: true, value: undefined });
  expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
});
