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
 *
 * Several gateway instances on one key: with Redis (REDIS_URL) the counts are kept there
 * (rate-limiter-flexible RateLimiterRedis, keys `<REDIS_PREFIX>hdrate:<backend>:<account>:<lane>:
 * <window>`: the gateway's backend and registrar ids, never the bearer token), so the instances
 * together spend each share once per window, on the same windows (the registry's reset time, on
 * the epoch clock every instance reads). While Redis does not answer, each instance counts on its
 * own (an in-memory insurance limiter, logged once as a warning) rather than refuse or admit
 * everything; N instances then together may spend N times each share, and meet the registry's 429
 * (waited out within the budget, http.ts). Without Redis the counts are per instance likewise.
 *
 * The poller's share with N instances: only one instance polls an account at a time (src/poll/
 * ingester.ts: the holder of the account's `poll_leases` row in PostgreSQL, renewed every round;
 * another takes it over once the holder stops renewing for `poll.leaseMs`). So the poller's share
 * is normally spent by that one instance alone, with or without Redis. With Redis it is also
 * counted across instances, so when two briefly poll the same account (a holder that stalled past
 * its lease still finishing a drain while the next holder starts) they still send one GET /poll
 * per step between them; without Redis such an overlap may send two.
 */
import type { Redis } from 'ioredis';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { ioredis, rateLimiterFlexible } from '../../core/lazy-modules.js';
import { logRedisAvailability, REDIS_COMMAND_TIMEOUT_MS } from '../../pubsub/redis-availability.js';
import type { Logger } from '../../logger.js';

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

/**
 * Where one backend's shares are counted across gateway instances: one Redis connection (no
 * offline queue: while Redis is away a count fails at once and the in-memory insurance limiter
 * answers) and the deployment's key prefix (REDIS_PREFIX, src/pubsub/prefix.ts). Logs one warning
 * when Redis stops answering and one line when it is back; the Redis URL is never logged.
 */
export class SharedRateCounts {
  readonly redis: Redis;
  /** Resolves once the first connection attempt has ended (connected or failed), or after `connectWaitMs`. */
  readonly settled: Promise<void>;

  /**
   * @param url Redis URL (REDIS_URL)
   * @param keyPrefix start of every key (the deployment's REDIS_PREFIX)
   * @param backend the gateway's backend name, in keys and log lines
   * @param connectWaitMs how long a first take() waits for the first connection before counting per instance (ms)
   */
  constructor(
    url: string,
    readonly keyPrefix: string,
    readonly backend: string,
    private readonly logger: Logger,
    connectWaitMs = 2_000,
  ) {
    this.redis = new (ioredis().Redis)(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: REDIS_COMMAND_TIMEOUT_MS });
    this.settled = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, connectWaitMs);
      t.unref();
      const done = () => (clearTimeout(t), resolve());
      this.redis.once('ready', done);
      this.redis.once('error', done);
      this.redis.once('end', done);
    });
    logRedisAvailability([this.redis], this.logger, {
      down: "HeadlessDomains rate-limit shares: Redis unavailable, each instance counts the registry's limit on its own until it is back (instances on one key may together meet the registry's 429)",
      back: 'HeadlessDomains rate-limit shares: Redis is back, counted across instances again',
      fields: { backend },
    });
  }

  /** The key prefix of one account's lane: `<prefix>hdrate:<backend>:<registrar id>:<lane>` (ids URI-encoded; never a token). */
  lanePrefix(account: string, lane: RateLane): string {
    return `${this.keyPrefix}hdrate:${encodeURIComponent(this.backend)}:${encodeURIComponent(account)}:${lane}`;
  }

  close(): void {
    this.redis.disconnect();
  }
}

/**
 * One account's share-out of the registry's per-key rate limit (GET /status `rate_limit`) between the poller and requests lanes, windows aligned on the
 * registry's reset time (ms since the epoch); take() answers 0 or the ms to wait, nothing spent. Counts in memory, or in Redis across instances.
 */
export class HeadlessRateBudget {
  private shape: RateLimitShape;
  /** Where the registry's windows start (ms since epoch modulo the window). */
  private offsetMs = 0;
  /** Counts per window (requests) and per poller step; keys name the window or step (start and length). */
  private counters!: Record<RateLane, RateLimiterAbstract>;
  /** What this instance spent in its lane's current window or step, carried over when the shape changes. */
  private readonly mine: Record<RateLane, { key: string; count: number }> = { requests: { key: '', count: 0 }, poller: { key: '', count: 0 } };

  /**
   * @param shape the limit and poller share until GET /status reports the key's own (adopt())
   * @param now ms since the epoch (the registry's windows are aligned on its reset time)
   * @param shared with Redis: the backend's shared counts and the gateway registrar id of this account
   */
  constructor(
    shape: Partial<RateLimitShape> = {},
    private readonly now: () => number = Date.now,
    private readonly shared?: { counts: SharedRateCounts; account: string },
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
   * resets). Values that are missing or not positive leave the current ones. What this instance
   * spent in each lane's current window (or step) so far stays spent under the new shape (with
   * Redis, each instance carries its own spends over, so the shared count is their sum).
   */
  async adopt(reported: { limit?: number; windowSeconds?: number; resetAt?: Date | null } | null): Promise<void> {
    if (!reported) return;
    const limit = reported.limit && reported.limit > 0 ? reported.limit : this.shape.limit;
    const windowSeconds = reported.windowSeconds && reported.windowSeconds > 0 ? reported.windowSeconds : this.shape.windowSeconds;
    const windowMs = windowSeconds * 1000;
    const offsetMs = reported.resetAt ? ((reported.resetAt.getTime() % windowMs) + windowMs) % windowMs : this.offsetMs;
    if (limit === this.shape.limit && windowSeconds === this.shape.windowSeconds && offsetMs === this.offsetMs) return;
    const before = { requests: this.step('requests').key, poller: this.step('poller').key };
    const spent = { requests: this.spent('requests'), poller: this.spent('poller') };
    this.shape = { ...this.shape, limit, windowSeconds };
    this.offsetMs = offsetMs;
    this.rebuild();
    for (const lane of ['requests', 'poller'] as const) {
      const { key } = this.step(lane);
      // In Redis, a window whose key did not change already holds what every instance spent.
      if (spent[lane] === 0 || (this.shared && key === before[lane])) continue;
      await this.counters[lane].penalty(key, spent[lane]);
      this.mine[lane] = { key, count: spent[lane] };
    }
  }

  /**
   * Spends one request of the lane's share: 0 when granted (the request may go), else the ms
   * until the lane's next window or step, when it may try again (nothing was spent).
   */
  async take(lane: RateLane): Promise<number> {
    if (this.shared) await this.shared.counts.settled;
    const { key, msLeft } = this.step(lane);
    try {
      await this.counters[lane].consume(key, 1);
    } catch (res) {
      if (!(res instanceof rateLimiterFlexible().RateLimiterRes)) throw res;
      return msLeft;
    }
    const mine = this.mine[lane];
    if (mine.key === key) mine.count++;
    else this.mine[lane] = { key, count: 1 };
    return 0;
  }

  /**
   * The lane's current window (requests) or step (poller: the window split into one step per
   * request), named by its start and length in ms (the same on every instance), and the ms until the next.
   */
  private step(lane: RateLane): { key: string; msLeft: number } {
    const windowMs = this.shape.windowSeconds * 1000;
    const stepMs = lane === 'poller' ? windowMs / this.shares.poller : windowMs;
    const since = this.now() - this.offsetMs;
    const n = Math.floor(since / stepMs);
    return { key: `${Math.round(this.offsetMs + n * stepMs)}+${Math.round(stepMs)}`, msLeft: Math.max(1, Math.ceil((n + 1) * stepMs - since)) };
  }

  /** Requests this instance spent in the lane's current window or step. */
  private spent(lane: RateLane): number {
    const mine = this.mine[lane];
    return mine.key === this.step(lane).key ? mine.count : 0;
  }

  private rebuild(): void {
    const { requests, poller } = this.shares;
    this.counters = { requests: this.counter('requests', requests), poller: this.counter('poller', 1) };
  }

  /** A counter of `points` per key; each key is one window (or poller step), kept a window long, then forgotten. */
  private counter(lane: RateLane, points: number): RateLimiterAbstract {
    const duration = this.shape.windowSeconds;
    const { RateLimiterMemory, RateLimiterRedis } = rateLimiterFlexible();
    const memory = new RateLimiterMemory({ points, duration });
    if (!this.shared) return memory;
    const { counts, account } = this.shared;
    return new RateLimiterRedis({ storeClient: counts.redis, points, duration, keyPrefix: counts.lanePrefix(account, lane), insuranceLimiter: memory, rejectIfRedisNotReady: true });
  }
}
