/**
 * The per-key rate limit: a key's window is spent by cost, refused with RATE_LIMITED and the
 * seconds until it starts again, and with Redis shared by every instance.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../src/limits/rate-limit.js';
import { createLogger } from '../../../src/logger.js';
import { REDIS, redisUp } from '../../helpers/redis.js';

const logger = createLogger('silent');

const refusal = (p: Promise<unknown>) => p.then(() => 'served', (e: { extensions?: Record<string, unknown> }) => e.extensions);

describe('per-key rate limit', () => {
  it('spends cost points per key and refuses past the window with RATE_LIMITED and retryAfter', async () => {
    const limiter = createRateLimiter({ rateLimit: { points: 10, durationSec: 60 } }, undefined, logger);
    await limiter.spend('a', 6);
    await limiter.spend('a', 4);
    expect(await refusal(limiter.spend('a', 1))).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number), http: { status: 429 } });
    expect(await refusal(limiter.spend('b', 10))).toBe('served');
    // An operation dearer than a whole window still passes in an empty one.
    expect(await refusal(limiter.spend('c', 50))).toBe('served');
    await limiter.close();
  });

  it('off (rateLimit: false) refuses nothing', async () => {
    const limiter = createRateLimiter({ rateLimit: false }, undefined, logger);
    for (let i = 0; i < 100; i++) await limiter.spend('a', 1000);
    await limiter.close();
  });

  it.skipIf(!redisUp)('with Redis, is one budget across instances (needs Redis at TEST_REDIS_URL, default 127.0.0.1:6379)', async () => {
    const one = createRateLimiter({ rateLimit: { points: 10, durationSec: 60 } }, REDIS, logger);
    const two = createRateLimiter({ rateLimit: { points: 10, durationSec: 60 } }, REDIS, logger);
    const key = randomUUID();
    await Promise.all([one.ready(), two.ready()]);
    expect(await refusal(one.spend(key, 5))).toBe('served');
    expect(await refusal(two.spend(key, 5))).toBe('served');
    expect(await refusal(two.spend(key, 1))).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await refusal(one.spend(key, 1))).toMatchObject({ code: 'RATE_LIMITED' });
    await Promise.all([one.close(), two.close()]);
  });
});
