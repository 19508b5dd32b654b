/**
 * One HeadlessDomains account's share-out of the registry's per-key rate limit between the
 * gateway's two kinds of traffic, so that neither starves the other and the key as a whole stays
 * within the limit: the registry counts `limit` requests per fixed window of `windowSeconds` per
 * key (GET /status `rate_limit`: limit, remaining, window_seconds, reset_at) and answers 429 past it.
 *
 * - The poller (GET /poll) has a reserved share, `pollerShare` of the limit (at least 1 request),
 *   paced: one request per window / share, so a poller asked to poll more often waits its turn
 *   instead of spending its share in a burst and then going dark for the rest of the window.
 * - Requests (everything else: checks, reads, mutations, GET /status) have the rest, per window,
 *   in bursts (a 200-name checkDomains may use it at once).
 *
 * The windows are the registry's: counted on the driver's timer, aligned to the reset time GET
 * /status reported (or to multiples of the window when none was), each window (or poller step) one
 * key of a rate-limiter-flexible memory limiter. A lane whose share of the current window is spent
 * is refused before anything is sent; take() says how long until its next window starts.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** Which share a request spends. */
export type RateLane = 'requests' | 'poller';

/** The registry's limit for one key and the share reserved for the poller. */
export interface RateLimitShape {
  /** Requests per window the registry allows the key (GET /status `rate_limit.limit`). */
  limit: number;
  /** The window, in seconds (GET /status `rate_limit.window_seconds`). */
  windowSeconds: number;
  /** Fraction of `limit` reserved for the poller, 0 to 0.5 (at least one request per window). */
  pollerShare: number;
}

/** The sandbox's limit (600 a minute) until GET /status says otherwise; a tenth for the poller. */
export const DEFAULT_RATE_LIMIT: RateLimitShape = { limit: 600, windowSeconds: 60, pollerShare: 0.1 };

export class HeadlessRateBudget {
  private shape: RateLimitShape;
  /** Where the registry's windows start (ms since epoch modulo the window). */
  private offsetMs = 0;
  /** Counts per window (requests) and per poller step; keys are the window or step numbers. */
  private counters!: Record<RateLane, RateLimiterMemory>;

  constructor(
    shape: Partial<RateLimitShape> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.shape = { ...DEFAULT_RATE_LIMIT, ...shape };
    this.rebuild();
  }

  /** Requests per window for each lane: the poller's reserve (at least 1) and the rest. */
  get shares(): { requests: number; poller: number } {
    const { limit, pollerShare } = this.shape;
    const poller = Math.max(1, Math.min(Math.floor(limit / 2), Math.round(limit * pollerShare)));
    return { requests: Math.max(1, limit - poller), poller };
  }

  /**
   * Adopts the limit GET /status reported (limit, window in seconds, when the current window
   * resets). Values that are missing or not positive leave the current ones. What each lane has
   * spent in its current window (or step) so far stays spent under the new shape.
   */
  async adopt(reported: { limit?: number; windowSeconds?: number; resetAt?: Date | null } | null): Promise<void> {
    if (!reported) return;
    const limit = reported.limit && reported.limit > 0 ? reported.limit : this.shape.limit;
    const windowSeconds = reported.windowSeconds && reported.windowSeconds > 0 ? reported.windowSeconds : this.shape.windowSeconds;
    const windowMs = windowSeconds * 1000;
    const offsetMs = reported.resetAt ? ((reported.resetAt.getTime() % windowMs) + windowMs) % windowMs : this.offsetMs;
    if (limit === this.shape.limit && windowSeconds === this.shape.windowSeconds && offsetMs === this.offsetMs) return;
    const spent = { requests: await this.spent('requests'), poller: await this.spent('poller') };
    this.shape = { ...this.shape, limit, windowSeconds };
    this.offsetMs = offsetMs;
    this.rebuild();
    for (const lane of ['requests', 'poller'] as const) if (spent[lane] > 0) await this.counters[lane].penalty(this.step(lane).key, spent[lane]);
  }

  /**
   * Spends one request of the lane's share: 0 when granted (the request may go), else the ms
   * until the lane's next window or step, when it may try again (nothing was spent).
   */
  async take(lane: RateLane): Promise<number> {
    const { key, msLeft } = this.step(lane);
    try {
      await this.counters[lane].consume(key, 1);
      return 0;
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      return msLeft;
    }
  }

  /** The lane's current window (requests) or step (poller: the window split into one step per request), and the ms until the next. */
  private step(lane: RateLane): { key: string; msLeft: number } {
    const windowMs = this.shape.windowSeconds * 1000;
    const stepMs = lane === 'poller' ? windowMs / this.shares.poller : windowMs;
    const since = this.now() - this.offsetMs;
    const n = Math.floor(since / stepMs);
    return { key: String(n), msLeft: Math.max(1, Math.ceil((n + 1) * stepMs - since)) };
  }

  /** Requests the lane has spent in its current window or step. */
  private async spent(lane: RateLane): Promise<number> {
    return (await this.counters[lane].get(this.step(lane).key))?.consumedPoints ?? 0;
  }

  private rebuild(): void {
    const { requests, poller } = this.shares;
    // Each key is one window (or poller step) number; it is kept a window long, then forgotten.
    const duration = this.shape.windowSeconds;
    this.counters = { requests: new RateLimiterMemory({ points: requests, duration }), poller: new RateLimiterMemory({ points: 1, duration }) };
  }
}
