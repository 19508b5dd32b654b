/**
 * Many followers of one bulk job (500 subscribers of one bulkJob, each woken by every settled
 * batch) read it once between them, not once each: before, every follower read the job, its
 * counts and its items on its own, 500 identical queries per event, and everyone else's requests
 * waited behind them (bench/subscribe-stall.mjs). Followers in step also yield the same event
 * objects, so graphql-ws executes an event once for identical subscriptions
 * (src/http/shared-subscribe.ts).
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BulkStore } from '../../../src/bulk/store.js';
import { followJob } from '../../../src/bulk/stream.js';
import type { ItemView } from '../../../src/bulk/views.js';
import type { PrismaClient } from '../../../src/db/generated/client.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

let db: TestDatabase;
beforeAll(async () => void (db = await freshDatabase()));
afterAll(() => db?.close());

/** A store that counts its reads of a job and its counts. */
class CountingStore extends BulkStore {
  reads = 0;
  override job(id: string) {
    this.reads++;
    return super.job(id);
  }
  override counts(id: string) {
    this.reads++;
    return super.counts(id);
  }
}

const FOLLOWERS = 50;

test('50 followers of one job read it a bounded number of times per event, and get the same event objects', async () => {
  const store = new CountingStore(db.prisma);
  let itemReads = 0;
  const bulkItem = new Proxy(db.prisma.bulkItem, {
    get: (t, p) => (p === 'findMany' ? (...a: Parameters<typeof t.findMany>) => (itemReads++, t.findMany(...a)) : Reflect.get(t, p)),
  });
  const prisma = new Proxy(db.prisma, { get: (t, p) => (p === 'bulkItem' ? bulkItem : Reflect.get(t, p)) }) as PrismaClient;
  const reads = () => store.reads + itemReads;
  const backend = `b-${randomUUID().slice(0, 8)}`;
  const items = Array.from({ length: 3 }, (_, i) => ({ name: `shared${i}.example`, backend, input: null }));
  const job = await store.create({ registrarId: 'R', idempotencyKey: randomUUID(), kind: 'RENEW', fingerprint: 'f', params: {}, items });
  const settled = new EventEmitter().setMaxListeners(0);
  const streams = Array.from({ length: FOLLOWERS }, () => followJob({ prisma, store, settled, pollMs: 600_000 }, job.id));
  try {
    // Every follower's first event: the counts, nothing finished.
    const firsts = await Promise.all(streams.map((s) => s.next()));
    expect(firsts[0]!.value!.job.counts).toMatchObject({ pending: 3, done: 0 });
    expect(reads()).toBeLessThanOrEqual(8); // 50 followers x (job twice, counts, items) = 200 each on their own
    expect(new Set(firsts.map((r) => r.value)).size).toBe(1);

    // One item finishes and the runner says so: every follower shows it.
    const nexts = streams.map((s) => s.next()); // each now waits for a change
    const [claimed] = await store.claim('A', backend, 1, 60_000);
    await store.settle('A', [{ id: claimed!.id, state: 'SUCCEEDED', result: {} }]);
    const beforeEvent = reads();
    settled.emit('settled', job.id);
    const seconds = await Promise.all(nexts);
    expect(seconds[0]!.value!.job.counts).toMatchObject({ pending: 2, done: 1 });
    expect(seconds[0]!.value!.outcomes.map((o: ItemView) => [o.domainName, o.state])).toEqual([[claimed!.name, 'SUCCEEDED']]);
    expect(reads() - beforeEvent).toBeLessThanOrEqual(6); // 150 on their own
    expect(new Set(seconds.map((r) => r.value)).size).toBe(1);
  } finally {
    await Promise.all(streams.map((s) => s.return!()));
  }
});
