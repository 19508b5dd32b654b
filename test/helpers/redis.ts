/**
 * The Redis the tests that share state through Redis use: TEST_REDIS_URL, default the machine's
 * redis://127.0.0.1:6379. `redisUp` is whether it answered a connect at import (no retries), so a
 * test can `it.skipIf(!redisUp)` with the reason in its name instead of failing on a machine
 * without Redis.
 */
import { Redis } from 'ioredis';

export const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const probe = new Redis(REDIS, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
export const redisUp: boolean = await probe.connect().then(
  () => true,
  () => false,
);
probe.disconnect();
