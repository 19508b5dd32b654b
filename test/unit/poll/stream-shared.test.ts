/**
 * Many subscribers of one registrar replaying from the same cursor (500 integrators reconnecting
 * at once) read the store once between them, not once each: before, every stream read its start,
 * the registrar's newest message and the replay on its own, and everyone else's requests waited
 * behind those identical queries (bench/subscribe-stall.mjs). A gap after a live event (its
 * predecessor's event late or lost) is read once too. Streams in step deliver the same event
 * objects, so graphql-ws executes each once for identical subscriptions (src/http/shared-subscribe.ts).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { checkPollCursor } from '../../../src/poll/cursor.js';
import { pollStream } from '../../../src/poll/stream.js';
import { LocalPollEvents, type PollEvent } from '../../../src/pubsub/poll-events.js';
import type { PrismaClient } from '../../../src/db/generated/client.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';
import { storePollMessage } from '../../helpers/poll-store.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
  await db.prisma.registrar.create({ data: { id: 'R', name: 'R' } });
});
afterAll(() => db?.close());

/** Stores a message as the ingester does; returns the event the ingester would publish. */
const store = (): Promise<PollEvent> => storePollMessage(db.prisma, 's');

const SUBSCRIBERS = 50;

test('50 streams from one cursor read the store a bounded number of times, and deliver the same event objects', async () => {
  let reads = 0;
  const pollMessage = new Proxy(db.prisma.pollMessage, {
    get: (t, p) => {
      const f = Reflect.get(t, p);
      return p === 'findFirst' || p === 'findMany' ? (...a: unknown[]) => (reads++, (f as (...x: unknown[]) => unknown).apply(t, a)) : f;
    },
  });
  const prisma = new Proxy(db.prisma, { get: (t, p) => (p === 'pollMessage' ? pollMessage : Reflect.get(t, p)) }) as PrismaClient;
  const events = new LocalPollEvents();
  const cursor = BigInt((await store()).id);
  const stored: string[] = [];
  for (let i = 0; i < 4; i++) stored.push((await store()).id);

  // Each checks the cursor, then replays the 4 messages after it.
  await Promise.all(Array.from({ length: SUBSCRIBERS }, () => checkPollCursor(prisma, 'R', cursor)));
  const streams = Array.from({ length: SUBSCRIBERS }, () => pollStream(prisma, events, { registrarId: 'R', after: cursor }));
  try {
    const replayed: PollEvent[][] = await Promise.all(
      streams.map(async (s) => {
        const got: PollEvent[] = [];
        while (got.length < 4) got.push((await s.next()).value!);
        return got;
      }),
    );
    for (const r of replayed) expect(r.map((e) => e.id)).toEqual(stored);
    expect(reads).toBeLessThanOrEqual(8); // 50 x (cursor, start, newest, replay) = 200 each on its own
    for (let i = 0; i < 4; i++) expect(new Set(replayed.map((r) => r[i])).size).toBe(1);

    // Two messages stored, only the second's event arrives: every stream reads the first from the store.
    const nexts = streams.map((s) => s.next());
    const [late, live] = [await store(), await store()];
    const before = reads;
    await events.publish(live);
    const firsts = await Promise.all(nexts);
    expect(firsts.map((r) => r.value!.id)).toEqual(Array(SUBSCRIBERS).fill(late.id));
    expect(new Set(firsts.map((r) => r.value)).size).toBe(1);
    const seconds = await Promise.all(streams.map((s) => s.next()));
    expect(seconds.map((r) => r.value!.id)).toEqual(Array(SUBSCRIBERS).fill(live.id));
    expect(reads - before).toBeLessThanOrEqual(3); // 50 on their own
  } finally {
    await Promise.all(streams.map((s) => s.return!()));
  }
});
