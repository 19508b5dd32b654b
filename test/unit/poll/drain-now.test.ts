/**
 * `pollMessages` first moves what waits in the registrar's upstream queues into the store
 * (PollIngester.drainNow), so a message queued upstream before the query is in its answer. A
 * round already in flight when the query comes may have read the queue before the message was
 * there: the query must not take that round's result for its own.
 *
 * The interleaving is controlled, not timed: the upstream answers the in-flight round's poll
 * request from the queue as it was (empty) and holds that answer until the test lets it go.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import type { RegistryPort } from '../../../src/core/port.js';
import { PollIngester } from '../../../src/poll/ingester.js';
import { PollService } from '../../../src/poll/poll.service.js';
import { LocalPollEvents } from '../../../src/pubsub/poll-events.js';
import type { Router } from '../../../src/routing/router.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
  await db.prisma.registrar.create({ data: { id: 'R', name: 'R' } });
});
afterAll(() => db?.close());

/** An upstream poll queue whose next poll answer can be held after the queue was read. */
function queueBackend() {
  const queue: string[] = [];
  let hold: { read: () => void; release: Promise<void> } | null = null;
  const backend = {
    name: 'upstream',
    hasAccount: (r: string) => r === 'R',
    upstreamId: (r: string) => r,
    capabilities: async () => ({ poll: true }),
    pollRequest: async () => {
      const head = queue[0]; // the queue as it is when the request arrives
      const h = hold;
      hold = null;
      if (h) {
        h.read();
        await h.release;
      }
      return {
        data: { count: queue.length, message: head ? { id: head, queuedAt: new Date(), text: 'Transfer requested.', raw: '<x/>' } : null },
        trid: { client: 'c' },
        code: head ? 1301 : 1300,
      };
    },
    pollAck: async (_ctx: unknown, id: string) => {
      queue.splice(queue.indexOf(id), 1);
      return { data: { count: queue.length }, trid: { client: 'c' }, code: 1000 };
    },
  } as unknown as RegistryPort;
  return {
    backend,
    queue,
    /** Holds the next poll answer once the queue is read; resolves `read` then, and answers when `release()` is called. */
    holdNext() {
      let read!: () => void;
      let release!: () => void;
      const wasRead = new Promise<void>((r) => (read = r));
      hold = { read, release: new Promise<void>((r) => (release = r)) };
      return { wasRead, release };
    },
  };
}

it('a message queued while a round is in flight is in the store once drainNow resolves', async () => {
  const up = queueBackend();
  const router = { backends: () => [up.backend] } as unknown as Router;
  const polls = new PollService(db.prisma, new LocalPollEvents(), systemClock, pino({ level: 'silent' }));
  const ingester = new PollIngester(db.prisma, router, polls, ['R'], pino({ level: 'silent' }), { intervalMs: 3_600_000, leaseMs: 10_800_000, maxBackoffMs: 3_600_000 });
  ingester.start(); // its first round starts at once
  try {
    const held = up.holdNext();
    await held.wasRead; // the start-up round found the queue empty; its answer is on the way
    up.queue.push('m1'); // a message is queued upstream now
    const asked = ingester.drainNow('R'); // and then pollMessages asks for the queue
    held.release();
    await asked;
    const rows = await db.prisma.pollMessage.findMany({ where: { registrarId: 'R' } });
    expect(rows.map((r) => r.upstreamId)).toEqual(['m1']);
    expect(up.queue).toEqual([]);
  } finally {
    await ingester.stop();
  }
});
