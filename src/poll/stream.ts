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

/** Ids of the last messages delivered, remembered to skip them when a replay reads them again. */
const RECENT = 1024;
/** After a gap the store is re-read from before the oldest of this many last deliveries. */
const GAP_REREAD = 32;

/**
 * A registrar's poll messages as an async stream: stored messages after the cursor first, then
 * live ones, with no gap and no duplicate between the two. The live listener is attached (and,
 * with Redis, subscribed) before the replay query runs, so a message stored during the replay is
 * either in the query's result or arrives live; ids already delivered are skipped when they also
 * arrive live.
 *
 * When the fan-out says events may have been lost on the way (a Redis reconnect, a failed
 * publish), the stream reads the store again from just before the last messages it delivered
 * (or from where it started), and delivers what it had not.
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
  let gap = false;
  const stopListening = await events.listen(f.registrarId, {
    event: (e) => {
      if (overflow) return;
      if (pending.length >= maxPending) overflow = true;
      else pending.push(e);
      state.wake?.();
    },
    gap: () => {
      gap = true;
      state.wake?.();
    },
  });
  // What was delivered: the recent ids, the last of them the cursor a client resumes from.
  const recent: string[] = [];
  const delivered = new Set<string>();
  const deliver = (id: string) => {
    recent.push(id);
    delivered.add(id);
    if (recent.length > RECENT) delivered.delete(recent.shift()!);
  };
  try {
    // Where a re-read after a gap starts when nothing was delivered yet: the cursor, or the newest
    // message stored when the stream started listening (what came after is the stream's to deliver).
    const floor =
      f.after ??
      (await prisma.pollMessage.findFirst({ where: { registrarId: f.registrarId }, orderBy: { id: 'desc' }, select: { id: true } }))?.id ??
      0n;
    // Ids of a registrar's messages commit in order (see PollService.store), so a live event with
    // an id inside a range a replay read (above its start, up to the highest id it returned) was
    // in that replay: it is skipped. The last few ranges are kept (one per replay; gaps are rare).
    const covered: Array<{ from: bigint; to: bigint }> = [];
    const isCovered = (id: bigint) => covered.some((r) => id > r.from && id <= r.to);
    const replay = async function* (from: bigint): AsyncGenerator<PollEvent> {
      const range = { from, to: from };
      covered.push(range);
      if (covered.length > 8) covered.shift();
      let cursor = from;
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
          if (row.id > range.to) range.to = row.id;
          if (!delivered.has(row.id.toString())) yield toEvent(row);
        }
        if (rows.length < REPLAY_PAGE) return;
        cursor = rows[rows.length - 1]!.id;
      }
    };
    if (f.after !== undefined && f.after !== null) {
      for await (const e of replay(f.after)) {
        deliver(e.id);
        yield e;
      }
    }
    while (!state.stopped) {
      if (gap) {
        gap = false;
        // Live events can arrive a little out of id order (two instances publishing), so the
        // re-read starts before the oldest of the last few deliveries, not after the newest; few,
        // since every subscriber of the instance re-reads at once after a Redis reconnect.
        const last = recent.slice(-GAP_REREAD).map((id) => BigInt(id));
        const from = last.length > 0 ? last.reduce((min, id) => (id < min ? id : min)) - 1n : floor;
        for await (const e of replay(from)) {
          deliver(e.id);
          yield e;
        }
      }
      while (pending.length > 0) {
        const e = pending.shift()!;
        if (delivered.has(e.id) || isCovered(BigInt(e.id)) || !matches(e, f)) continue;
        deliver(e.id);
        yield e;
      }
      // What waited is delivered first, so resuming after the last id delivered loses nothing.
      if (overflow) throw new SlowSubscriberError(maxPending, recent.at(-1) ?? f.after?.toString() ?? null);
      if (state.stopped || gap) continue;
      await new Promise<void>((resolve) => (state.wake = resolve));
      state.wake = undefined;
    }
    return undefined;
  } finally {
    stopListening();
  }
}
