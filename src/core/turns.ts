/**
 * Turns: the process's one scheduler of CPU slices, for work that would otherwise run as one long
 * synchronous stretch (a list of 5,000 names normalised, routed, answered) and make every other
 * request on the process wait for it (the event loop serves nothing else meanwhile).
 *
 * A long loop works in slices of about SLICE_MS (3 ms) of CPU and, between two, waits its turn
 * (nextTurn). Turns are handed out in FIFO order, one per event-loop iteration, each through
 * setImmediate: between two slices the loop's poll phase runs, so a request that has arrived (its
 * socket readable) is read and started before the next slice; and two long loops (two requests,
 * or two fields of one) alternate slice by slice in the order they asked, so one big request
 * cannot starve another's. A loop's first slice runs when the loop is called; only its later
 * slices wait. Nothing here is per request: the queue is the process's.
 *
 * What a slice bounds is the time between two looks at the clock: a Slice looks every
 * `every` items (CLOCK_EVERY, 8 by default; a name costs 2-300 µs), so a slice overruns SLICE_MS
 * by at most `every - 1` items.
 */

/** CPU time a slice may hold the process, in milliseconds, before its loop waits for its next turn. */
export const SLICE_MS = 3;

/** Items a Slice handles between two looks at the clock (an ASCII name costs some 2-5 µs). */
export const CLOCK_EVERY = 8;

/** Resolvers of the loops waiting for a turn, oldest first. */
const waiting: Array<() => void> = [];
/** Whether a setImmediate that hands out the next turn is pending. */
let handing = false;

/**
 * Hands the oldest waiting loop its turn. The next one is scheduled first, from inside this
 * immediate, which puts it in the next event-loop iteration (Node runs an immediate queued by an
 * immediate only after the next poll phase): one slice per iteration, I/O between two.
 */
function handOut(): void {
  const next = waiting.shift();
  if (waiting.length > 0) setImmediate(handOut);
  else handing = false;
  next?.();
}

/**
 * Resolves when the caller's turn comes: after every loop that asked before it has had its turn
 * (FIFO), and after the event loop has polled for I/O at least once since the call. Never rejects.
 */
export function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    if (!handing) {
      handing = true;
      setImmediate(handOut);
    }
  });
}

/** Loops waiting for a turn now (for tests and metrics). */
export function turnsWaiting(): number {
  return waiting.length;
}

/** How a Slice measures its budget. */
export interface SliceOptions {
  /** CPU time per slice in milliseconds (default SLICE_MS). */
  ms?: number;
  /** Items between two looks at the clock (default CLOCK_EVERY); a slice overruns `ms` by at most `every - 1` items. */
  every?: number;
  /** The clock, in milliseconds (default performance.now). Tests pass a fake one. */
  clock?: () => number;
  /** A counted budget instead of a timed one: the slice is spent after this many items (tests; no clock is read). */
  items?: number;
}

/**
 * One loop's slices. After each item the loop asks `spent()`; when it answers true the loop
 * `await`s `next()` (its next turn, see nextTurn) and goes on with a fresh slice:
 *
 *     const slice = new Slice();
 *     for (let i = 0; i < xs.length; i++) { work(xs[i]); if (i < xs.length - 1 && slice.spent()) await slice.next(); }
 *
 * The slice begins when the Slice is made.
 */
export class Slice {
  private readonly ms: number;
  private readonly every: number;
  private readonly clock: () => number;
  private readonly items: number | undefined;
  private start: number;
  private count = 0;
  /** Turns this loop has waited for so far. */
  yields = 0;

  constructor(opts: SliceOptions = {}) {
    this.ms = opts.ms ?? SLICE_MS;
    this.every = Math.max(1, Math.floor(opts.every ?? CLOCK_EVERY));
    this.clock = opts.clock ?? (() => performance.now());
    this.items = opts.items;
    this.start = this.items === undefined ? this.clock() : 0;
  }

  /** Counts one item done; true when the slice's budget (time, or `items`) is spent and the loop should `await next()`. */
  spent(): boolean {
    this.count++;
    if (this.items !== undefined) return this.count >= this.items;
    return this.count % this.every === 0 && this.clock() - this.start >= this.ms;
  }

  /** Waits for the loop's next turn (nextTurn), then begins a new slice. */
  async next(): Promise<void> {
    this.yields++;
    await nextTurn();
    this.count = 0;
    if (this.items === undefined) this.start = this.clock();
  }
}

/**
 * Runs `each(item, i)` on every item of `items` in order, in slices (a Slice made with `opts`):
 * the same calls as a plain loop, with turns between (none after the last item). An exception
 * from `each` stops the loop and rejects with it. Resolves when every item is done.
 */
export async function inTurns<T>(items: readonly T[], each: (item: T, i: number) => void, opts?: SliceOptions): Promise<void> {
  const slice = new Slice(opts);
  for (let i = 0; i < items.length; i++) {
    each(items[i]!, i);
    if (i < items.length - 1 && slice.spent()) await slice.next();
  }
}
