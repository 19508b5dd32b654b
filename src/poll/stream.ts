import type { PrismaClient } from '../db/generated/client.js';
import type { PollEvent, PollEvents } from '../pubsub/poll-events.js';
import { SlowSubscriberError } from '../core/errors.js';
import { toEvent } from './poll.service.js';

/** Which poll messages a subscription gets: one registrar's, after `after` (a stored message id), of `types` and `objects` when given (none: all). */
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
/**
 * Live deliveries after which the stream reads the store once to confirm it missed nothing, so
 * the ids it remembers (and what a later gap re-reads) stay at most this many.
 */
const CHECKPOINT = 256;

function matches(e: PollEvent, f: StreamFilter): boolean {
  return (!f.types?.length || f.types.includes(e.type)) && (!f.objects?.length || (e.objectName !== null && f.objects.includes(e.objectName)));
}

/**
 * A registrar's poll messages as an async stream: stored messages after the cursor first (without
 * one, after the newest message stored when the subscription started), then live ones, each
 * exactly once.
 *
 * Ids of a registrar's messages commit in id order (see PollService.store), so the stream keeps
 * one watermark: every matching message with an id up to it was delivered, and it remembers the
 * ids it delivered above it. A read of the store from the watermark therefore finds exactly what
 * was not delivered, whatever order live events came in and however old a lost one is; afterwards
 * the watermark moves up to the highest id known delivered. The store is read so:
 * - once at the start, after listening (so a message stored meanwhile is read or arrives live);
 * - whenever the fan-out says events may have been lost on the way (a Redis reconnect, a failed
 *   publish);
 * - after every CHECKPOINT live deliveries, which bounds the remembered ids and a re-read's work.
 * A live event at or below the watermark, or already delivered, is skipped.
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
  // Every matching message with an id up to `confirmed` was delivered, or predates the stream.
  let confirmed =
    f.after ??
    (await prisma.pollMessage.findFirst({ where: { registrarId: f.registrarId }, orderBy: { id: 'desc' }, select: { id: true } }))?.id ??
    0n;
  const pending: PollEvent[] = [];
  let overflow = false;
  let reread = true; // the first read of the store, after listening
  const stopListening = await events.listen(f.registrarId, {
    event: (e) => {
      if (overflow) return;
      if (pending.length >= maxPending) overflow = true;
      else pending.push(e);
      state.wake?.();
    },
    gap: () => {
      reread = true;
      state.wake?.();
    },
  });
  /** Ids delivered above `confirmed`. */
  const above = new Set<bigint>();
  /** The last id delivered: the cursor a client resumes from. */
  let last: string | null = f.after?.toString() ?? null;
  const delivered = (e: PollEvent) => {
    above.add(BigInt(e.id));
    last = e.id;
    return e;
  };
  /** Everything matching up to `upTo` is delivered: the watermark moves up and forgets the ids below. */
  const confirm = (upTo: bigint) => {
    if (upTo <= confirmed) return;
    confirmed = upTo;
    for (const id of above) if (id <= confirmed) above.delete(id);
  };
  /** What the store holds above `confirmed` that was not delivered, in id order; then moves `confirmed` up. */
  const catchUp = async function* (): AsyncGenerator<PollEvent> {
    let top = confirmed;
    for (const id of above) if (id > top) top = id;
    let cursor = confirmed;
    while (!state.stopped) {
      const rows = await prisma.pollMessage.findMany({
        where: {
          registrarId: f.registrarId,
          id: { gt: cursor, notIn: [...above].filter((id) => id > cursor) },
          ...(f.types?.length ? { type: { in: f.types as never } } : {}),
          ...(f.objects?.length ? { objectName: { in: f.objects } } : {}),
        },
        orderBy: { id: 'asc' },
        take: REPLAY_PAGE,
      });
      for (const row of rows) {
        if (row.id > top) top = row.id;
        if (!above.has(row.id)) yield toEvent(row);
      }
      if (rows.length < REPLAY_PAGE) break;
      cursor = rows[rows.length - 1]!.id;
      // A full page: everything up to its last id is delivered now (a long replay keeps few ids).
      if (!state.stopped) confirm(cursor);
    }
    // Every delivered id was committed before the read began, and ids commit in order, so the
    // read saw every message up to `top`: each was delivered before, or just now.
    if (!state.stopped) confirm(top);
  };
  try {
    while (!state.stopped) {
      if (reread) {
        reread = false;
        for await (const e of catchUp()) yield delivered(e);
      }
      while (pending.length > 0 && !reread) {
        const e = pending.shift()!;
        const id = BigInt(e.id);
        if (id <= confirmed || above.has(id) || !matches(e, f)) continue;
        yield delivered(e);
        if (above.size >= CHECKPOINT) reread = true;
      }
      // What waited is delivered first, so resuming after the last id delivered loses nothing.
      if (overflow && pending.length === 0) throw new SlowSubscriberError(maxPending, last);
      if (state.stopped || reread || pending.length > 0) continue;
      await new Promise<void>((resolve) => (state.wake = resolve));
      state.wake = undefined;
    }
    return undefined;
  } finally {
    stopListening();
  }
}
