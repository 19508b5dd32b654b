import type { PrismaClient } from '../db/generated/client.js';
import type { PollEvent, PollEvents } from '../pubsub/poll-events.js';
import { SlowSubscriberError } from '../core/errors.js';
import { toEvent } from './poll.service.js';

export interface StreamFilter {
  registrarId: string;
  /** Replay stored messages with a larger id first (a cursor from an earlier message). */
  after?: bigint | null;
  types?: string[] | null;
  objects?: string[] | null;
}

const REPLAY_PAGE = 500;
/** Events waiting for a slow client; beyond this the subscription ends (SUBSCRIBER_TOO_SLOW) and the client resumes from its cursor. */
const MAX_PENDING = 10_000;

function matches(e: PollEvent, f: StreamFilter): boolean {
  return (!f.types?.length || f.types.includes(e.type)) && (!f.objects?.length || (e.objectName !== null && f.objects.includes(e.objectName)));
}

/**
 * A registrar's poll messages as an async stream: stored messages after the cursor first, then
 * live ones, with no gap and no duplicate between the two. The live listener is attached (and,
 * with Redis, subscribed) before the replay query runs, so a message stored during the replay is
 * either in the query's result or arrives live; ids already replayed are skipped when they also
 * arrive live.
 *
 * `return()` (the client completed or left) ends the stream at once, even while it waits for a
 * message: an async generator would queue the return behind that wait and keep the listener,
 * and everything it holds, until the registrar's next message, which for a quiet registrar may
 * never come.
 */
export function pollStream(prisma: PrismaClient, events: PollEvents, f: StreamFilter, maxPending = MAX_PENDING): AsyncIterableIterator<PollEvent> {
  const state: StreamState = { stopped: false };
  const inner = run(prisma, events, f, state, maxPending);
  return {
    next: () => inner.next(),
    return: async () => {
      state.stopped = true;
      state.wake?.();
      return inner.return(undefined);
    },
    throw: (err?: unknown) => inner.throw(err),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

interface StreamState {
  stopped: boolean;
  wake?: () => void;
}

async function* run(prisma: PrismaClient, events: PollEvents, f: StreamFilter, state: StreamState, maxPending: number): AsyncGenerator<PollEvent, undefined> {
  const pending: PollEvent[] = [];
  let overflow = false;
  let lastId: string | null = f.after?.toString() ?? null;
  const stopListening = await events.listen(f.registrarId, (e) => {
    if (overflow) return;
    if (pending.length >= maxPending) overflow = true;
    else pending.push(e);
    state.wake?.();
  });
  try {
    const replayed = new Set<string>();
    if (f.after !== undefined && f.after !== null) {
      let cursor = f.after;
      while (!state.stopped) {
        const rows = await prisma.pollMessage.findMany({
          where: {
            registrarId: f.registrarId,
            id: { gt: cursor },
            ...(f.types?.length ? { type: { in: f.types as never } } : {}),
            ...(f.objects?.length ? { objectName: { in: f.objects } } : {}),
          },
          orderBy: { id: 'asc' },
          take: REPLAY_PAGE,
        });
        for (const row of rows) {
          replayed.add(row.id.toString());
          lastId = row.id.toString();
          yield toEvent(row);
        }
        if (rows.length < REPLAY_PAGE) break;
        cursor = rows[rows.length - 1]!.id;
      }
    }
    while (!state.stopped) {
      while (pending.length > 0) {
        const e = pending.shift()!;
        if (replayed.has(e.id) || !matches(e, f)) continue;
        lastId = e.id;
        yield e;
      }
      // What waited is delivered first, so resuming after the last id delivered loses nothing.
      if (overflow) throw new SlowSubscriberError(maxPending, lastId);
      if (state.stopped) break;
      await new Promise<void>((resolve) => (state.wake = resolve));
      state.wake = undefined;
    }
    return undefined;
  } finally {
    stopListening();
  }
}
