/**
 * Per-API-key rate limit (rate-limiter-flexible): each key may spend `points` cost points per
 * window of `durationSec` seconds (fixed windows). An operation spends its estimated cost
 * (src/limits/cost.ts), at least 1, in all: one point when it arrives, before it is even
 * parsed, and the rest (cost - 1) once its cost is known (src/limits/gate.ts), so refused documents are paid for too (over graphql-ws, every subscribe message, even
 * one refused for its id or the connection's subscription limit: src/http/websocket.ts). With REDIS_URL the windows are kept in Redis
 * and shared by every instance; while Redis does not answer, each instance keeps its own
 * (an insurance limiter) rather than refuse or admit everything.
 */
import type { Redis } from 'ioredis';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { ioredis, rateLimiterFlexible } from '../core/lazy-modules.js';
import type { Logger } from '../logger.js';
import { logRedisAvailability, REDIS_COMMAND_TIMEOUT_MS } from '../pubsub/redis-availability.js';
import { rateLimited } from './errors.js';
import type { Limits } from './limits.js';

/** The per-key limiter (above): points spent per key per fixed window of `durationSec` seconds. */
export interface KeyRateLimiter {
  /** Spends `points` of the key's window; throws RATE_LIMITED (with retryAfter) when they are not there. */
  spend(keyId: string, points: number): Promise<void>;
  /** Resolves once the shared store (Redis) is connected; at once without one. Until then spends are counted per instance. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `keyPrefix` starts the Redis keys (the deployment's Redis prefix, so deployments sharing one
 * Redis keep their own budgets).
 */
export function createRateLimiter(limits: Pick<Limits, 'rateLimit'>, redisUrl: string | undefined, logger: Logger, keyPrefix = 'rgw:'): KeyRateLimiter {
  const rl = limits.rateLimit;
  if (!rl) return { spend: async () => undefined, ready: async () => undefined, close: async () => undefined };
  // Loaded here, not with the module: ioredis only with REDIS_URL (src/core/lazy-modules.ts).
  const { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } = rateLimiterFlexible();
  const options = { points: rl.points, duration: rl.durationSec, keyPrefix: `${keyPrefix}ratelimit` };
  let redis: Redis | undefined;
  let limiter: RateLimiterAbstract;
  if (redisUrl) {
    // No offline queue: while Redis is away a spend fails at once and the insurance limiter answers;
    // nor while it hangs, after REDIS_COMMAND_TIMEOUT_MS.
    redis = new (ioredis().Redis)(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: REDIS_COMMAND_TIMEOUT_MS });
    logRedisAvailability([redis], logger, {
      down: "rate limit: Redis unavailable, each instance counts API keys' budgets on its own until it is back",
      back: 'rate limit: Redis is back, budgets are shared across instances again',
    });
    limiter = new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) });
  } else {
    limiter = new RateLimiterMemory(options);
  }
  return {
    async spend(keyId, points) {
      if (points <= 0) return;
      try {
        // An operation dearer than a whole window still passes in an empty one.
        await limiter.consume(keyId, Math.min(points, rl.points));
      } catch (res) {
        if (res instanceof RateLimiterRes) throw rateLimited(res.msBeforeNext / 1000);
        throw res;
      }
    },
    ready: () => (!redis || redis.status === 'ready' ? Promise.resolve() : new Promise<void>((resolve) => redis!.once('ready', () => resolve()))),
    async close() {
      redis?.disconnect();
    },
  };
}
