/**
 * Poll events over a Redis shared with other deployments (issue 8, item 9): each deployment's
 * channels start with its own prefix, so a second deployment on the same Redis receives nothing
 * of the first's; and what crosses Redis is a message id, never registry data: every instance
 * reads the message from its own store, so a notice naming another registrar's (or another
 * deployment's) message delivers nothing.
 *
 * "Nothing arrived" is decided without a clock: Redis is single-threaded, so a message published
 * (and acknowledged) before another one reaches any subscriber of both before it; a listener
 * whose first event is the later message never got the earlier one.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextPollSeq, storedEvents, toEvent } from '../../../src/poll/poll.service.js';
import { pollStream } from '../../../src/poll/stream.js';
import { RedisPollEvents, type PollEvent, type PollEvents } from '../../../src/pubsub/poll-events.js';
import { createPollEvents, redisPrefix } from '../../../src/pubsub/prefix.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisUp = await new Redis(REDIS, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  .connect()
  .then(
    () => true,
    () => false,
  );
const logger = pino({ level: 'silent' });

/** Two deployments, each with its own database. */
let one: TestDatabase;
let two: TestDatabase;
beforeAll(async () => {
  [one, two] = await Promise.all([freshDatabase(), freshDatabase()]);
  for (const db of [one, two]) await db.prisma.registrar.createMany({ data: [{ id: 'R', name: 'R' }, { id: 'Q', name: 'Q' }] });
});
afterAll(async () => {
  await one?.close();
  await two?.close();
});

let seq = 0;
async function store(db: TestDatabase, registrarId = 'R', objectName = `d${++seq}.example`): Promise<PollEvent> {
  const row = await db.prisma.pollMessage.create({
    data: {
      registrarId, seq: await nextPollSeq(db.prisma, registrarId), backend: 'sandbox-epp', accountId: registrarId, upstreamId: `${++seq}-${randomUUID()}`, type: 'TRANSFER_REQUESTED',
      objectKind: 'domain', objectName, message: `Transfer requested for ${objectName}.`, queuedAt: new Date(), receivedAt: new Date(),
      raw: `<epp><msgQ/><domain:name>${objectName}</domain:name></epp>`, payload: { transfer: { name: objectName } },
    },
  });
  return toEvent(row);
}

/** The events a registrar's listener gets, in order, each awaited as it comes. */
function inbox(events: PollEvents, registrarId = 'R') {
  const got: PollEvent[] = [];
  const waiters: Array<() => void> = [];
  const ready = events.listen(registrarId, {
    event: (e) => {
      got.push(e);
      waiters.splice(0).forEach((w) => w());
    },
    gap: () => undefined,
  });
  return {
    ready,
    async next(): Promise<PollEvent> {
      while (got.length === 0) await new Promise<void>((r) => waiters.push(r));
      return got.shift()!;
    },
  };
}

describe.skipIf(!redisUp)('poll events on a Redis shared by two deployments (needs Redis at TEST_REDIS_URL, default 127.0.0.1:6379)', () => {
  const run = randomUUID().slice(0, 8); // this test run's own prefixes: parallel runs never meet
  const deploymentOne = () => new RedisPollEvents(REDIS, logger, { prefix: `rgw-test-${run}-one:`, load: storedEvents(one.prisma) });
  const deploymentTwo = () => new RedisPollEvents(REDIS, logger, { prefix: `rgw-test-${run}-two:`, load: storedEvents(two.prisma) });

  it("a second deployment on the same Redis receives none of the first's events; the first's other instance does", async () => {
    const [ingesting, serving, other] = [deploymentOne(), deploymentOne(), deploymentTwo()];
    try {
      const mine = inbox(serving);
      const theirs = inbox(other);
      await Promise.all([mine.ready, theirs.ready]);
      const e = await store(one);
      await ingesting.publish(e);
      expect(await mine.next()).toEqual(e); // the whole message, read from deployment one's store
      const own = await store(two);
      await other.publish(own); // published after deployment one's event was acknowledged
      expect((await theirs.next()).id).toBe(own.id); // so had that event reached deployment two, it would come first
    } finally {
      await Promise.all([ingesting, serving, other].map((x) => x.close()));
    }
  });

  it('a subscription made while the subscriber connection is still in its handshake keeps receiving', async () => {
    // A SUBSCRIBE sent in the handshake put the connection in subscriber mode before ioredis's
    // ready check (INFO), which then failed: the connection was dropped after the subscription
    // had been confirmed, and the first "ready" after that subscribed to nothing (a 30 s hang
    // of the Redis stream tests under load).
    // The cursor is taken before the deployments exist: the listener for 'connect' must be in
    // place before anything is awaited, or the connection may be made (and 'connect' missed)
    // while the test waits for the database.
    const from = BigInt((await store(one)).id);
    const ingesting = deploymentOne();
    const serving = deploymentOne();
    const sub = (serving as unknown as { sub: Redis }).sub;
    try {
      const [stream, first] = await new Promise<[AsyncIterableIterator<PollEvent>, Promise<IteratorResult<PollEvent>>]>((resolve) =>
        sub.once('connect', () => {
          const s = pollStream(one.prisma, serving, { registrarId: 'R', after: from });
          resolve([s, s.next()]); // with a cursor the stream subscribes at once: here, in the handshake
        }),
      );
      if (sub.status !== 'ready') await new Promise((r) => sub.once('ready', r));
      const warm = await store(one);
      await ingesting.publish(warm);
      expect((await first).value!.id).toBe(warm.id);
      const e = await store(one);
      const next = stream.next();
      await ingesting.publish(e);
      expect((await next).value!.id).toBe(e.id);
      await stream.return!();
    } finally {
      await Promise.all([ingesting, serving].map((x) => x.close()));
    }
  });

  it('what crosses Redis is a message id under the deployment prefix, never registry data', async () => {
    const [ingesting, serving] = [deploymentOne(), deploymentOne()];
    const spy = new Redis(REDIS);
    try {
      const seen: Array<{ channel: string; text: string }> = [];
      const arrived = new Promise<void>((resolve) =>
        spy.on('pmessage', (_p: string, channel: string, text: string) => {
          seen.push({ channel, text });
          resolve();
        }),
      );
      await spy.psubscribe(`rgw-test-${run}-one:*`);
      const mine = inbox(serving);
      await mine.ready;
      const e = await store(one, 'R', 'confidential-name.example');
      await ingesting.publish(e);
      await arrived;
      expect(seen).toEqual([{ channel: `rgw-test-${run}-one:poll:R`, text: JSON.stringify({ id: e.id }) }]);
      expect(await mine.next()).toEqual(e);
    } finally {
      spy.disconnect();
      await Promise.all([ingesting, serving].map((x) => x.close()));
    }
  });

  it("a notice naming another registrar's message, or no message, or garbage delivers nothing", async () => {
    const serving = deploymentOne();
    const forger = new Redis(REDIS);
    try {
      const mine = inbox(serving, 'R');
      await mine.ready;
      const channel = `rgw-test-${run}-one:poll:R`;
      const othersMessage = await store(one, 'Q', 'q-only.example');
      await forger.publish(channel, JSON.stringify({ id: othersMessage.id }));
      await forger.publish(channel, JSON.stringify({ id: '999999999' }));
      await forger.publish(channel, JSON.stringify({ id: 'DROP TABLE', registrarId: 'Q' }));
      await forger.publish(channel, JSON.stringify({ id: '9'.repeat(19) })); // beyond bigint
      await forger.publish(channel, 'x'.repeat(100_000));
      const real = await store(one, 'R');
      await forger.publish(channel, JSON.stringify({ id: real.id }));
      expect(await mine.next()).toEqual(real);
    } finally {
      forger.disconnect();
      await serving.close();
    }
  });
});

describe('the default channel prefix', () => {
  const key = (c: string) => ({ idempotency: { keySecret: c.repeat(64) }, dataDir: '/nonexistent', databaseUrl: 'postgresql://db/x' });

  it('is the same for every instance of a deployment (one key), differs between deployments, and reveals nothing of the key', () => {
    const a = redisPrefix(key('a'));
    expect(a).toMatch(/^rgw:[0-9a-f]{16}:$/);
    expect(redisPrefix(key('a'))).toBe(a);
    expect(redisPrefix(key('b'))).not.toBe(a);
    expect(a).not.toContain('aaaa');
  });

  it('REDIS_PREFIX (redisPrefix) is used as given; without redisUrl events stay in process', async () => {
    expect(redisPrefix({ ...key('a'), redisPrefix: 'acme-prod:' })).toBe('acme-prod:');
    const events = createPollEvents({ ...key('a') }, storedEvents(one.prisma), logger);
    expect(events).not.toBeInstanceOf(RedisPollEvents);
    await events.close();
  });
});
