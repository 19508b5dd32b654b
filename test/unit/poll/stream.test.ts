/**
 * The poll stream on its own, on a real database: a subscriber that falls too far behind is told
 * where to resume; when the fan-out may have lost events (Redis reconnect, failed publish) the
 * stream reads the store again and delivers exactly what it had not.
 */
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toEvent } from '../../../src/poll/poll.service.js';
import { pollStream } from '../../../src/poll/stream.js';
import { LocalPollEvents, RedisPollEvents, type PollEvent } from '../../../src/pubsub/poll-events.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

let db: TestDatabase;
let seq = 0;
beforeAll(async () => {
  db = await freshDatabase();
  await db.prisma.registrar.create({ data: { id: 'R', name: 'R' } });
});
afterAll(() => db?.close());

/** Stores a message as the ingester does; returns it as the event the ingester would publish. */
async function store(): Promise<PollEvent> {
  seq++;
  const row = await db.prisma.pollMessage.create({
    data: {
      registrarId: 'R',
      backend: 'sandbox-epp',
      accountId: 'R',
      upstreamId: `${seq}-${Date.now()}`,
      type: 'TRANSFER_REQUESTED',
      objectKind: 'domain',
      objectName: `d${seq}.example`,
      message: 'Transfer requested.',
      queuedAt: new Date(),
      receivedAt: new Date(),
      raw: '<epp/>',
    },
  });
  return toEvent(row);
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/** Reads what the stream has for us now (stops at the first wait longer than `idleMs`). */
async function drainNow(stream: AsyncIterator<PollEvent>, idleMs = 150): Promise<string[]> {
  const got: string[] = [];
  for (;;) {
    const next = pendingNext.get(stream) ?? stream.next();
    pendingNext.delete(stream);
    const r = await Promise.race([next, new Promise<'idle'>((res) => setTimeout(() => res('idle'), idleMs))]);
    if (r === 'idle') {
      pendingNext.set(stream, next);
      return got;
    }
    got.push(r.value!.id);
  }
}
const pendingNext = new WeakMap<object, Promise<IteratorResult<PollEvent>>>();
async function nextOf(stream: AsyncIterator<PollEvent>): Promise<string> {
  const waiting = pendingNext.get(stream);
  pendingNext.delete(stream);
  return (await (waiting ?? stream.next())).value!.id;
}

describe('pollStream', () => {
  it('delivers what waited, then ends with SUBSCRIBER_TOO_SLOW naming the cursor to resume from', async () => {
    const events = new LocalPollEvents();
    const stream = pollStream(db.prisma, events, { registrarId: 'R' }, 5);
    const first = stream.next(); // starts listening
    await new Promise((r) => setTimeout(r, 50));
    const published: string[] = [];
    for (let i = 0; i < 8; i++) {
      const e = await store();
      published.push(e.id);
      await events.publish(e);
    }
    const got = [(await first).value!.id];
    for (;;) {
      const r = await stream.next().catch((e: unknown) => e);
      if (r instanceof Error) {
        expect(r).toMatchObject({ code: 'SUBSCRIBER_TOO_SLOW', details: { retryable: true } });
        expect(r.message).toContain(`after: "${got.at(-1)}"`);
        break;
      }
      got.push((r as IteratorResult<PollEvent>).value!.id);
    }
    expect(got).toEqual(published.slice(0, got.length));
    expect(got.length).toBeGreaterThanOrEqual(5);
    expect(events.listeners('R')).toBe(0);
  });

  it('after a gap, reads the store and delivers exactly the messages that never arrived', async () => {
    const before = await store(); // stored before the subscription: not its to deliver
    const events = new LocalPollEvents();
    const stream = pollStream(db.prisma, events, { registrarId: 'R' });
    expect(await drainNow(stream)).toEqual([]);
    const a = await store();
    await events.publish(a);
    expect(await nextOf(stream)).toBe(a.id);
    const lost = [await store(), await store()]; // stored, but their events were lost on the way
    const c = await store();
    await events.publish(c); // arrives out of order, before the lost ones are found
    expect(await nextOf(stream)).toBe(c.id);
    events.signalGap('R');
    expect(await drainNow(stream)).toEqual(lost.map((e) => e.id));
    await events.publish(lost[1]!); // a late duplicate of a re-read message
    const d = await store();
    await events.publish(d);
    expect(await nextOf(stream)).toBe(d.id);
    expect(await drainNow(stream)).toEqual([]);
    expect(BigInt(before.id)).toBeLessThan(BigInt(a.id));
    await stream.return!();
  });

  it('a message published long after later ones still arrives when a gap re-read happens meanwhile', async () => {
    const events = new LocalPollEvents();
    const stream = pollStream(db.prisma, events, { registrarId: 'R' });
    expect(await drainNow(stream)).toEqual([]);
    const late = await store(); // its publish is held up somewhere
    const later: string[] = [];
    for (let i = 0; i < 40; i++) {
      const e = await store();
      later.push(e.id);
      await events.publish(e);
    }
    expect(await drainNow(stream)).toEqual(later);
    await events.publish(late);
    events.signalGap('R'); // both before the stream wakes
    expect(await drainNow(stream)).toEqual([late.id]);
    await stream.return!();
  });

  it('a gap before anything was delivered re-reads from the cursor the client gave', async () => {
    const cursor = await store();
    const missed = await store();
    const events = new LocalPollEvents();
    const stream = pollStream(db.prisma, events, { registrarId: 'R', after: BigInt(cursor.id) });
    expect(await drainNow(stream)).toEqual([missed.id]); // the replay
    const lost = await store();
    events.signalGap('R');
    expect(await drainNow(stream)).toEqual([lost.id]);
    await stream.return!();
  });
});

const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisUp = await new Redis(REDIS, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  .connect()
  .then(
    () => true,
    () => false,
  );

describe.skipIf(!redisUp)('Redis fan-out (needs Redis at TEST_REDIS_URL, default 127.0.0.1:6379)', () => {
  it('when the subscriber connection drops, a stream re-reads the store once reconnected and misses nothing', async () => {
    const logger = pino({ level: 'silent' });
    const events = new RedisPollEvents(REDIS, logger);
    const admin = new Redis(REDIS);
    try {
      const stream = pollStream(db.prisma, events, { registrarId: 'R' });
      expect(await drainNow(stream)).toEqual([]);
      const live = await store();
      await events.publish(live);
      expect(await nextOf(stream)).toBe(live.id);
      // Redis drops this instance's subscriber connection; a message is published meanwhile.
      await admin.client('KILL', 'TYPE', 'pubsub');
      const lost = await store();
      await admin.publish('rgw:poll:R', JSON.stringify(lost)); // nobody of ours hears it
      expect(await nextOf(stream)).toBe(lost.id); // found in the store after the reconnect
      const after = await store();
      await events.publish(after);
      expect(await nextOf(stream)).toBe(after.id);
      await stream.return!();
      expect(events.listeners('R')).toBe(0);
    } finally {
      admin.disconnect();
      await events.close();
    }
  });

  it("a failed publish reaches the other instances' streams once Redis takes a publish again: nothing is lost", async () => {
    const logger = pino({ level: 'silent' });
    const storing = new RedisPollEvents(REDIS, logger); // the instance that ingests
    const serving = new RedisPollEvents(REDIS, logger); // the instance its subscriber is on
    try {
      const stream = pollStream(db.prisma, serving, { registrarId: 'R' });
      expect(await drainNow(stream)).toEqual([]);
      // Redis refuses the ingesting instance's publish (the message is stored all the same).
      const pub = (storing as unknown as { pub: { publish: (...a: unknown[]) => Promise<number> } }).pub;
      const publish = pub.publish.bind(pub);
      pub.publish = () => Promise.reject(new Error('redis refused the publish'));
      const unsent = await store();
      await expect(storing.publish(unsent)).rejects.toThrow('redis refused the publish');
      expect(await drainNow(stream)).toEqual([]); // nobody on the serving instance knows yet
      pub.publish = publish;
      const next = await store();
      await storing.publish(next); // Redis is back: the event, then the gap notice it owed
      expect((await drainNow(stream, 500)).sort()).toEqual([unsent.id, next.id].sort());
      expect(await drainNow(stream)).toEqual([]);
      await stream.return!();
    } finally {
      await storing.close();
      await serving.close();
    }
  });
});
