/**
 * The poll stream on its own, on a real database: a subscriber that falls too far behind is told
 * where to resume; messages come in id order, once, however their events arrive (late, twice, in
 * reverse, never); when the fan-out may have lost events (Redis reconnect, failed publish) the
 * stream reads the store again and delivers exactly what it had not.
 *
 * No assertion here depends on time: a test waits for the messages it expects (the test timeout
 * is the only clock), and proves that nothing else came by publishing a sentinel message and
 * expecting it next.
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { nextPollSeq, storedEvents, toEvent } from '../../../src/poll/poll.service.js';
import { pollStream } from '../../../src/poll/stream.js';
import { LocalPollEvents, RedisPollEvents, type PollEvent, type PollEvents } from '../../../src/pubsub/poll-events.js';
import type { Logger } from '../../../src/logger.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';
import { storePollMessage } from '../../helpers/poll-store.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
  await db.prisma.registrar.create({ data: { id: 'R', name: 'R' } });
});
afterAll(() => db?.close());

/** Stores a message as the ingester does; returns the event the ingester would publish. */
const store = (): Promise<PollEvent> => storePollMessage(db.prisma, 'd');

/** A cursor at the newest stored message: a stream opened after it owes everything stored later. */
async function cursor(): Promise<bigint> {
  return BigInt((await store()).id);
}

/** The ids of the stream's next `n` messages, waiting for them however long they take. */
async function take(stream: AsyncIterator<PollEvent>, n = 1): Promise<string[]> {
  const ids: string[] = [];
  while (ids.length < n) ids.push((await stream.next()).value!.id);
  return ids;
}

/**
 * Stores and publishes a sentinel message (through `by`), and returns the ids the stream delivers
 * before it: what the stream still owed, in order, without waiting on any clock.
 */
async function beforeSentinel(stream: AsyncIterator<PollEvent>, by: PollEvents): Promise<string[]> {
  const sentinel = await store();
  const next = stream.next();
  await by.publish(sentinel);
  const ids = [(await next).value!.id];
  while (ids.at(-1) !== sentinel.id) ids.push(...(await take(stream)));
  return ids.slice(0, -1);
}

/** Nothing more (no duplicate, nothing stray) comes before a new message. */
async function expectNothingBefore(events: PollEvents, stream: AsyncIterator<PollEvent>, by: PollEvents = events): Promise<void> {
  expect(await beforeSentinel(stream, by)).toEqual([]);
}

/**
 * A stream of R's messages after the newest one, once live: a first message (published through
 * `by`) has come, so the stream listens and its first read of the store is behind it.
 */
async function open(events: PollEvents, by: PollEvents = events, maxPending?: number): Promise<AsyncIterableIterator<PollEvent>> {
  const stream = pollStream(db.prisma, events, { registrarId: 'R', after: await cursor() }, maxPending);
  const next = stream.next();
  const first = await store();
  await by.publish(first);
  expect((await next).value!.id).toBe(first.id);
  return stream;
}

/** Resolves once the stream listens (and, with Redis, is subscribed): events published from then on reach it. */
function listening(events: PollEvents): Promise<void> {
  const listen = events.listen.bind(events);
  return new Promise((resolve) => {
    events.listen = async (...args) => {
      const stop = await listen(...args);
      resolve();
      return stop;
    };
  });
}

describe('pollStream', () => {
  it('delivers what waited, then ends with SUBSCRIBER_TOO_SLOW naming the cursor to resume from', async () => {
    const events = new LocalPollEvents();
    const stream = await open(events, events, 5);
    const first = stream.next();
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

  it('without a cursor, delivers a message stored as it started even when its event went out before it listened', async () => {
    const events = new LocalPollEvents();
    const listen = events.listen.bind(events);
    let raced!: PollEvent;
    let listened!: () => void;
    const listening = new Promise<void>((r) => (listened = r));
    events.listen = async (...args) => {
      raced = await store(); // stored once the subscription began, its event published to nobody yet
      await events.publish(raced);
      const stop = await listen(...args);
      listened();
      return stop;
    };
    const stream = pollStream(db.prisma, events, { registrarId: 'R' });
    const first = stream.next();
    await listening;
    const sentinel = await store();
    await events.publish(sentinel);
    const ids = [(await first).value!.id];
    if (ids[0] !== sentinel.id) ids.push(...(await take(stream)));
    expect(ids).toEqual([raced.id, sentinel.id]);
    await expectNothingBefore(events, stream);
    await stream.return!();
  });

  it('after a gap, reads the store and delivers exactly the messages that never arrived', async () => {
    const events = new LocalPollEvents();
    const stream = await open(events);
    const a = await store();
    await events.publish(a);
    expect(await take(stream)).toEqual([a.id]);
    const lost = [await store(), await store()]; // stored, but their events were lost on the way
    events.signalGap('R'); // and no later event comes to show it
    expect(await take(stream, 2)).toEqual(lost.map((e) => e.id));
    await events.publish(lost[1]!); // a late duplicate of a re-read message
    await expectNothingBefore(events, stream);
    await stream.return!();
  });

  it('a live event that overtakes earlier ones: the earlier ones are read from the store and everything comes in id order, once', async () => {
    const events = new LocalPollEvents();
    const stream = await open(events);
    const earlier = [await store(), await store()]; // their events are late, or lost
    const c = await store();
    await events.publish(c); // arrives first
    expect(await take(stream, 3)).toEqual([...earlier, c].map((e) => e.id));
    await events.publish(earlier[1]!); // the late events, skipped
    await events.publish(earlier[0]!);
    events.signalGap('R'); // and a gap notice finds nothing more
    await expectNothingBefore(events, stream);
    await stream.return!();
  });

  it('a lost message older than the live ones after it comes before them, once, without a gap notice', async () => {
    const events = new LocalPollEvents();
    const stream = await open(events);
    const lost = await store(); // its publish failed
    const later: string[] = [];
    for (let i = 0; i < 40; i++) {
      const e = await store(); // these arrive before anyone learns of the failure
      later.push(e.id);
      await events.publish(e);
    }
    expect(await take(stream, 41)).toEqual([lost.id, ...later]);
    events.signalGap('R');
    await expectNothingBefore(events, stream);
    await stream.return!();
  });

  it('a message whose event is held up long after later ones still comes first; its late event is skipped', async () => {
    const events = new LocalPollEvents();
    const stream = await open(events);
    const late = await store(); // its publish is held up somewhere
    const later: string[] = [];
    for (let i = 0; i < 40; i++) {
      const e = await store();
      later.push(e.id);
      await events.publish(e);
    }
    expect(await take(stream, 41)).toEqual([late.id, ...later]);
    await events.publish(late);
    events.signalGap('R'); // both before the stream wakes
    await expectNothingBefore(events, stream);
    await stream.return!();
  });

  it('with a filter: messages it leaves out move it on, and one it takes is delivered in order even when its event overtook', async () => {
    const events = new LocalPollEvents();
    const stream = pollStream(db.prisma, events, { registrarId: 'R', after: await cursor(), types: ['TRANSFER_REQUESTED'] });
    const next = stream.next();
    const other = await db.prisma.pollMessage.create({
      data: {
        registrarId: 'R', seq: await nextPollSeq(db.prisma, 'R'), backend: 'sandbox-epp', accountId: 'R', upstreamId: `other-${randomUUID()}`, type: 'AUTORENEWED',
        objectKind: 'domain', objectName: 'renewed.example', message: 'Auto-renewed.', queuedAt: new Date(), receivedAt: new Date(), raw: '<epp/>',
      },
    });
    const taken = await store();
    const last = await store();
    await events.publish(last); // overtakes both
    await events.publish(toEvent(other));
    await events.publish(taken);
    expect([(await next).value!.id, ...(await take(stream))]).toEqual([taken.id, last.id]);
    await expectNothingBefore(events, stream);
    await stream.return!();
  });

  it('a gap before anything was delivered re-reads from the cursor the client gave', async () => {
    const from = await cursor();
    const missed = await store();
    const events = new LocalPollEvents();
    const stream = pollStream(db.prisma, events, { registrarId: 'R', after: from });
    expect(await take(stream)).toEqual([missed.id]); // the replay
    const lost = await store();
    events.signalGap('R');
    expect(await take(stream)).toEqual([lost.id]);
    await expectNothingBefore(events, stream);
    await stream.return!();
  });

  it('a cursor far behind: the replay pages through the store in order, then live ones; late events of replayed ones are skipped', async () => {
    const from = await cursor();
    const first = await nextPollSeq(db.prisma, 'R');
    await db.prisma.pollMessage.createMany({
      data: Array.from({ length: 1100 }, (_, i) => ({
        registrarId: 'R', seq: first + BigInt(i), backend: 'sandbox-epp', accountId: 'R', upstreamId: `bulk-${from}-${i}`, type: 'TRANSFER_REQUESTED' as const,
        objectKind: 'domain', objectName: `bulk${i}.example`, message: 'Transfer requested.', queuedAt: new Date(), receivedAt: new Date(), raw: '<epp/>',
      })),
    });
    const stored = (await db.prisma.pollMessage.findMany({ where: { registrarId: 'R', id: { gt: from } }, orderBy: { id: 'asc' }, select: { id: true } })).map((r) => r.id.toString());
    const events = new LocalPollEvents();
    const stream = pollStream(db.prisma, events, { registrarId: 'R', after: from });
    expect(await take(stream, stored.length)).toEqual(stored);
    const replayed = await db.prisma.pollMessage.findUniqueOrThrow({ where: { id: BigInt(stored[3]!) } });
    await events.publish(toEvent(replayed)); // its live event, late
    await expectNothingBefore(events, stream);
    await stream.return!();
  });

  it('a message whose event vanished without any gap notice arrives before the hundreds after it, once', async () => {
    const events = new LocalPollEvents();
    const stream = await open(events);
    const vanished = await store();
    const later: PollEvent[] = [];
    for (let i = 0; i < 300; i++) later.push(await store());
    for (const e of later) await events.publish(e);
    const ids = await beforeSentinel(stream, events);
    expect(ids).toEqual([vanished, ...later].map((e) => e.id));
    await events.publish(vanished); // its event turns up after all
    await events.publish(later[0]!);
    await expectNothingBefore(events, stream);
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

type Publish = (channel: string, message: string) => Promise<number>;
/** The publishing connection of an instance, to make Redis refuse or hold its publishes. */
const publisherOf = (events: RedisPollEvents) => (events as unknown as { pub: { publish: Publish } }).pub;

describe.skipIf(!redisUp)('Redis fan-out (needs Redis at TEST_REDIS_URL, default 127.0.0.1:6379)', () => {
  /** One deployment per test (its own channel prefix), so runs sharing the Redis never meet. */
  let deployment: { prefix: string; load: ReturnType<typeof storedEvents> };
  /** The instances' log (reconnects, failed publishes), shown only when a test fails. */
  let logger: Logger;
  beforeEach(() => {
    deployment = { prefix: `test:${randomUUID()}:`, load: storedEvents(db.prisma) };
    const lines: string[] = [];
    logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }) as unknown as Logger;
    onTestFailed(() => console.error(`the instances' log:\n${lines.join('')}`));
  });

  it('when the subscriber connection drops, a stream re-reads the store once reconnected and misses nothing', async () => {
    const events = new RedisPollEvents(REDIS, logger, deployment);
    const admin = new Redis(REDIS);
    try {
      const stream = await open(events);
      const first = stream.next();
      const live = await store();
      await events.publish(live);
      expect((await first).value!.id).toBe(live.id);
      // Redis drops this instance's subscriber connection; a message is stored meanwhile, and
      // its event is published while nobody of ours listens.
      const kill = await admin.client('KILL', 'TYPE', 'pubsub');
      expect(kill).toBeGreaterThan(0);
      const lost = await store();
      await events.publish(lost).catch(() => undefined);
      expect(await take(stream)).toEqual([lost.id]); // found in the store after the reconnect
      await expectNothingBefore(events, stream);
      await stream.return!();
      expect(events.listeners('R')).toBe(0);
    } finally {
      admin.disconnect();
      await events.close();
    }
  });

  it("a failed publish reaches the other instances' streams once Redis takes a publish again: nothing is lost", async () => {
    const storing = new RedisPollEvents(REDIS, logger, deployment); // the instance that ingests
    const serving = new RedisPollEvents(REDIS, logger, deployment); // the instance its subscriber is on
    try {
      const stream = await open(serving, storing);
      const first = stream.next();
      // Redis refuses the ingesting instance's publish (the message is stored all the same).
      const pub = publisherOf(storing);
      const publish = pub.publish.bind(pub);
      pub.publish = () => Promise.reject(new Error('redis refused the publish'));
      const unsent = await store();
      await expect(storing.publish(unsent)).rejects.toThrow('redis refused the publish');
      pub.publish = publish;
      const next = await store();
      await storing.publish(next); // Redis is back: the event, then the gap notice it owed
      const got = [(await first).value!.id, ...(await take(stream))];
      expect(got.sort()).toEqual([unsent.id, next.id].sort());
      await expectNothingBefore(serving, stream, storing);
      await stream.return!();
    } finally {
      await storing.close();
      await serving.close();
    }
  });

  it("events published through Redis in reverse id order (two instances ingesting at once) reach another instance's stream in id order", async () => {
    const first = new RedisPollEvents(REDIS, logger, deployment); // ingests one upstream account
    const second = new RedisPollEvents(REDIS, logger, deployment); // ingests another
    const serving = new RedisPollEvents(REDIS, logger, deployment); // the subscriber's
    try {
      const stream = await open(serving, first);
      const a = await store(); // stored first by the first instance, its publish held up
      const b = await store(); // stored next by the second, published at once
      await second.publish(b);
      await first.publish(a);
      expect(await take(stream, 2)).toEqual([a.id, b.id]);
      await expectNothingBefore(serving, stream, second);
      await stream.return!();
    } finally {
      await Promise.all([first.close(), second.close(), serving.close()]);
    }
  });

  it('a failed publish is found even when the next event reaches the stream before the owed gap notice (issue 8, item 13)', async () => {
    const storing = new RedisPollEvents(REDIS, logger, deployment);
    const serving = new RedisPollEvents(REDIS, logger, deployment);
    try {
      const ready = listening(serving);
      const stream = pollStream(db.prisma, serving, { registrarId: 'R' }); // nothing delivered yet, as in the report
      const first = stream.next();
      await ready;
      const pub = publisherOf(storing);
      const publish = pub.publish.bind(pub);
      pub.publish = () => Promise.reject(new Error('redis refused the publish'));
      const unsent = await store();
      await expect(storing.publish(unsent)).rejects.toThrow('redis refused the publish');
      // Redis takes publishes again, but the owed gap notice comes late (a loaded machine): the
      // next event reaches the subscriber first.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      pub.publish = (ch, text) => (text.includes('"gap"') ? held.then(() => publish(ch, text)) : publish(ch, text));
      const next = await store();
      const published = storing.publish(next);
      const got = [(await first).value!.id];
      release();
      await published;
      pub.publish = publish;
      got.push(...(await beforeSentinel(stream, storing)));
      expect(got.sort()).toEqual([unsent.id, next.id].sort());
      await expectNothingBefore(serving, stream, storing);
      await stream.return!();
    } finally {
      await storing.close();
      await serving.close();
    }
  });
});
