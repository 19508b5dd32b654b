/**
 * The Redis database REDIS_URL names (`redis://host:6379/<db>`), checked once at start.
 *
 * ioredis selects the URL's database on each connection; when the server has no such database
 * (`ERR DB index is out of range`: its `databases` setting, 16 by default) it logged the error and
 * carried on with database 0, which whatever else uses that Redis shares: the gateway reported
 * Redis unavailable, then back, then kept its rate-limit budgets and poll events where they were
 * never meant to be. A start with such a URL is refused instead, as any other config error.
 */
import { ConfigError } from '../config-error.js';

/** How long the start waits for Redis to answer the check (ms): a Redis out of reach is the degraded start's to meet, not this check's. */
export const REDIS_CHECK_TIMEOUT_MS = 2_000;

/**
 * Resolves when the Redis at `url` (a redis:// or rediss:// URL, already validated) has the
 * database the URL's path names (none: 0), or when it cannot be reached or does not answer within
 * `timeoutMs` (the gateway starts degraded then, README "Scaling out"). Throws ConfigError naming
 * REDIS_URL when the server refuses to select that database (Redis SELECT, its reply
 * `ERR DB index is out of range` or `ERR invalid DB index`). Sends SELECT only; leaves nothing open.
 */
export async function checkRedisDatabase(url: string, timeoutMs = REDIS_CHECK_TIMEOUT_MS): Promise<void> {
  const db = databaseOf(url);
  if (db === 0) return;
  const { Redis } = await import('ioredis');
  // Connected on database 0, so that the SELECT below is ours to see answered.
  const redis = new Redis(url, { db: 0, lazyConnect: true, connectTimeout: timeoutMs, commandTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => undefined); // an unreachable Redis is not this check's to report
  try {
    await redis.connect();
    await redis.select(db);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/DB index/i.test(message)) {
      throw new ConfigError(`config: redisUrl (REDIS_URL) names Redis database ${db}, which the Redis server does not have (it answered "${message.slice(0, 60)}"; its \`databases\` setting is 16 by default): use a database from 0 up`);
    }
  } finally {
    redis.disconnect();
  }
}

/** The database number of a redis:// URL's path ("/3" -> 3; none or "/" -> 0), as ioredis reads it; the path is a number or empty (isRedisUrl, src/config-settings.ts). */
function databaseOf(url: string): number {
  return Number(new URL(url).pathname.slice(1) || 0);
}
