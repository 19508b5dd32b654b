import type { PrismaClient } from '../db/generated/client.js';
import type { PollEvent, PollEvents } from '../pubsub/poll-events.js';
import { SlowSubscriberError } from '../core/errors.js';
import { toEvent } from './poll.service.js';
import { sharedReads } from '../db/shared-reads.js';

/** Which poll messages a subscription gets: one registrar's, after `after` (a stored message id), of `types` and `objects` when given (none: all). */
export interface StreamFilter {
  registrarId: string;
  /** Replay stored messages with a larger id first (a cursor from an earlier message). */
  after?: bigint | null;
  types?: string[] | null;
  objects?: string[] | null;
  /**
   * Pays for the rows each read of the store found (GatewayContext.payRows), before they are
   * delivered; resolves once paid or once `signal` aborts (the stream ended).
   */
  pay?: (rows: number, signal: AbortSignal) => Promise<void>;
}

const REPLAY_PAGE = 500;
/** Events waiting for a slow client; beyond this the subscription ends (SUBSCRIBER_TOO_SLOW) and the client resumes from its cursor. */
const MAX_PENDING = 10_000;

/** A stored row's event, one object per row: subscribers that shared a read of the store deliver the same event objects, so graphql-ws executes each once for identical subscriptions (src/http/shared-subscribe.ts). */
const eventOfRow = new WeakMap<object, PollEvent>();
function eventOf(row: Parameters<typeof toEvent>[0]): PollEvent {
  let e = eventOfRow.get(row);
  if (!e) eventOfRow.set(row, (e = toEvent(row)));
  return e;
}

/** The key of a filter's list (types, objects) in a shared read's key. */
const listKey = (xs: readonly string[] | null | undefined) => (xs?.length ? JSON.stringify(xs) : '');

function matches(e: PollEvent, f: StreamFilter): boolean {
  return (!f.types?.length || f.types.includes(e.type)) && (!f.objects?.length || (e.objectName !== null && f.objects.includes(e.objectName)));
}

/**
 * A registrar's poll messages as an async stream: stored messages after the cursor first (without
 * one, after the newest message stored when the subscription started), then live ones, each
 * exactly once and in increasing id order, so that a client which resumes after any id it was
 * given (its cursor) loses nothing.
 *
 * Live events do not arrive in id order: the ingester publishes a message after the database work
 * it does for it (PollService.drain), so a message ingested at the same time from another upstream
 * account, or by another instance over Redis, can overtake it; and an event can be lost (a Redis
 * reconnect, a failed publish). Delivered in arrival order, a later message would move the
 * client's cursor past an earlier one it never got. So the stream goes by each message's `seq`:
 * the registrar's messages are numbered 1, 2, 3, ... with no gap, drawn with the id under the
 * registrar's order lock (PollService.store), so seq order is id order and a message commits only
 * after every message with a lower seq. The stream keeps one watermark, the seq of the last
 * message it has dealt with (delivered, or left out by the filter): everything up to it is dealt
 * with, nothing above it is. A live event
 * - with the next seq is delivered at once (or left out, when the filter does not take it);
 * - with a higher seq (an earlier message's event is late or lost) makes the stream read the store
 *   from the watermark up to that seq, all committed, and deliver what it finds in order;
 * - with a lower seq (already read from the store, or a duplicate) is skipped.
 * Correctness decides on no clock, and the stream remembers no ids, however events fared.
 * The store is read so:
 * - once at the start, after listening (so a message stored meanwhile is read or arrives live);
 * - when a live event skips seqs, as above: at once, not after a wait for the late event;
 * - whenever the fan-out says events may have been lost on the way (a Redis reconnect, a failed
 *   publish), up to the registrar's newest message, since no later event may come to show the gap.
 *
 * Every read of the store goes through SharedReads (src/db/shared-reads.ts): subscribers of one
 * registrar that read the same rows at the same time (500 integrators starting a replay from one
 * cursor, or reading a gap after the same live event) cost one query, and never get rows read
 * before they asked (the rule there), so the watermark argument above holds for each of them.
 *
 * `return()` (the client completed or left) ends the stream at once, even while it waits for a
 * message: an async generator would queue the return behind that wait and keep the listener,
 * and everything it holds, until the registrar's next message, which for a quiet registrar may
 * never come.
 */
export function pollStream(prisma: PrismaClient, events: PollEvents, f: StreamFilter, maxPending = MAX_PENDING): AsyncIterableIterator<PollEvent> {
  const state: StreamState = { stopped: false, ended: new AbortController() };
  const inner = run(prisma, events, f, state, maxPending);
  return {
    next: () => inner.next(),
    return: async () => {
      state.stopped = true;
      state.ended.abort();
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
  /** Aborted when the stream ends: a payment waiting for the key's next window stops waiting. */
  readonly ended: AbortController;
}

async function* run(prisma: PrismaClient, events: PollEvents, f: StreamFilter, state: StreamState, maxPending: number): AsyncGenerator<PollEvent, undefined> {
  // The watermark: every message of the registrar with a seq up to `dealt` was delivered, left
  // out by the filter, or predates the stream (the cursor's seq: that of the newest message with
  // an id up to it, ids and seqs growing together; found through the (registrar_id, id) index).
  const shared = sharedReads(prisma);
  const start = await shared.read(`poll.start\u0000${f.registrarId}\u0000${f.after ?? ''}`, () =>
    prisma.pollMessage.findFirst({
      where: { registrarId: f.registrarId, ...(f.after != null ? { id: { lte: f.after } } : {}) },
      orderBy: { id: 'desc' },
      select: { seq: true },
    }),
  );
  let dealt = start?.seq ?? 0n;
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
  /** The last id delivered: the cursor a client resumes from. */
  let last: string | null = f.after?.toString() ?? null;
  const delivered = (e: PollEvent) => {
    last = e.id;
    return e;
  };
  /**
   * The matching messages stored with a seq above the watermark, up to `upTo` (a seq known to be
   * committed; without it, the registrar's newest), in seq (= id) order; the watermark follows.
   * A message commits only after every lower seq, so once `upTo` is committed the read sees every
   * message up to it.
   */
  const catchUp = async function* (upTo?: bigint): AsyncGenerator<PollEvent> {
    const top =
      upTo ??
      (await shared.read(`poll.top\u0000${f.registrarId}`, () => prisma.pollMessage.findFirst({ where: { registrarId: f.registrarId }, orderBy: { seq: 'desc' }, select: { seq: true } })))?.seq ??
      0n;
    while (!state.stopped && dealt < top) {
      const from = dealt;
      const rows = await shared.read(`poll.page\u0000${f.registrarId}\u0000${from}\u0000${top}\u0000${listKey(f.types)}\u0000${listKey(f.objects)}`, () =>
        prisma.pollMessage.findMany({
          where: {
            registrarId: f.registrarId,
            seq: { gt: from, lte: top },
            ...(f.types?.length ? { type: { in: f.types as never } } : {}),
            ...(f.objects?.length ? { objectName: { in: f.objects } } : {}),
          },
          orderBy: { seq: 'asc' },
          take: REPLAY_PAGE,
        }),
      );
      if (f.pay && rows.length > 0) await f.pay(rows.length, state.ended.signal);
      for (const row of rows) {
        if (state.stopped) return;
        dealt = row.seq;
        yield eventOf(row);
      }
      // A short page: nothing else matching up to `top`.
      if (rows.length < REPLAY_PAGE && !state.stopped) dealt = top;
    }
  };
  try {
    while (!state.stopped) {
      if (reread) {
        reread = false;
        for await (const e of catchUp()) yield delivered(e);
      }
      while (pending.length > 0 && !reread && !state.stopped) {
        const e = pending.shift()!;
        const seq = BigInt(e.seq);
        if (seq <= dealt) continue; // read from the store already, or a duplicate
        if (seq === dealt + 1n) {
          dealt = seq;
          if (matches(e, f)) yield delivered(e);
          continue;
        }
        // Messages between are stored (this one committed after them) but their events are late
        // or lost: read them, this one included, in order.
        for await (const m of catchUp(seq)) yield delivered(m);
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
