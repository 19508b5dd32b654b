/**
 * The HeadlessDomains rate-limit shares (src/backends/headless/budget.ts) on a hand-moved clock:
 * the split, the registry's window alignment from GET /status's reset time, the poller's pacing,
 * and counts that survive a change of limit; with Redis, one count for two instances.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HeadlessRateBudget, SharedRateCounts } from '../../../../src/backends/headless/budget.js';
import { createLogger } from '../../../../src/logger.js';
import { REDIS, redisUp } from '../../../helpers/redis.js';

function clockAt(ms: number) {
  const c = { t: ms, now: () => c.t };
  return c;
}

async function spendAll(b: HeadlessRateBudget, lane: 'requests' | 'poller'): Promise<{ granted: number; waitMs: number }> {
  let granted = 0;
  for (;;) {
    const wait = await b.take(lane);
    if (wait > 0) return { granted, waitMs: wait };
    granted++;
  }
}

describe('HeadlessRateBudget', () => {
  it('reserves pollerShare of the limit for the poller (at least 1, at most half) and leaves the rest to requests', () => {
    expect(new HeadlessRateBudget().shares).toEqual({ requests: 540, poller: 60 });
    expect(new HeadlessRateBudget({ limit: 3 }).shares).toEqual({ requests: 2, poller: 1 });
    expect(new HeadlessRateBudget({ limit: 100, pollerShare: 0.9 }).shares).toEqual({ requests: 50, poller: 50 });
  });

  it("counts requests on the registry's windows (aligned to the reset time GET /status gave) and says when the next one starts", async () => {
    const clock = clockAt(1_000_000_007_000);
    const b = new HeadlessRateBudget({}, clock.now);
    await b.adopt({ limit: 40, windowSeconds: 30, resetAt: new Date(clock.t + 12_000) }); // the registry's window ends in 12 s
    expect(await spendAll(b, 'requests')).toEqual({ granted: 36, waitMs: 12_000 });
    clock.t += 11_999;
    expect(await b.take('requests')).toBe(1);
    clock.t += 1;
    expect(await spendAll(b, 'requests')).toEqual({ granted: 36, waitMs: 30_000 });
  });

  it('paces the poller: one request per window / share, whatever the requests spent', async () => {
    const clock = clockAt(1_000_000_040_000); // 20 s into a window (no reset known: windows start at multiples of 30 s)
    const b = new HeadlessRateBudget({ limit: 40, windowSeconds: 30 }, clock.now);
    await spendAll(b, 'requests');
    expect(await spendAll(b, 'poller')).toEqual({ granted: 1, waitMs: 2_500 }); // steps of 7.5 s: 20 s is in the third, which ends at 22.5 s
    clock.t += 2_500;
    expect(await spendAll(b, 'poller')).toEqual({ granted: 1, waitMs: 7_500 });
  });

  it('what a lane spent stays spent when GET /status changes the limit mid-window', async () => {
    const clock = clockAt(1_000_000_020_000);
    const b = new HeadlessRateBudget({ limit: 600, windowSeconds: 60 }, clock.now);
    for (let i = 0; i < 30; i++) expect(await b.take('requests')).toBe(0);
    await b.adopt({ limit: 40, windowSeconds: 60 });
    expect((await spendAll(b, 'requests')).granted).toBe(36 - 30);
  });
});


describe('HeadlessRateBudget shared through Redis', () => {
  it.skipIf(!redisUp)('(needs Redis at TEST_REDIS_URL, default 127.0.0.1:6379) two instances spend one share per window; what each spent counts once when GET /status changes the limit or moves the windows', async () => {
    const clock = clockAt(1_000_000_020_000);
    // Two instances of one deployment: the same prefix, a connection each.
    const prefix = `rgw-test:${randomUUID()}:`;
    const [one, two] = [0, 1].map(() => new SharedRateCounts(REDIS, prefix, 'hd', createLogger('silent')));
    const pair = (account: string) => [one, two].map((counts) => new HeadlessRateBudget({ limit: 600, windowSeconds: 60 }, clock.now, { counts, account }));
    try {
      // The limit changes, the window does not: Redis already holds both instances' 15.
      const [a, b] = pair('acme');
      for (let i = 0; i < 10; i++) expect(await a.take('requests')).toBe(0);
      for (let i = 0; i < 5; i++) expect(await b.take('requests')).toBe(0);
      await a.adopt({ limit: 40 });
      await b.adopt({ limit: 40 });
      expect((await spendAll(a, 'requests')).granted + (await spendAll(b, 'requests')).granted).toBe(36 - 15);
      // The windows move (GET /status: they end 12 s from now): each carries its own spends over.
      const [c, d] = pair('rival');
      for (let i = 0; i < 10; i++) expect(await c.take('requests')).toBe(0);
      for (let i = 0; i < 5; i++) expect(await d.take('requests')).toBe(0);
      const status = { limit: 40, windowSeconds: 60, resetAt: new Date(clock.t + 12_000) };
      await c.adopt(status);
      await d.adopt(status);
      expect((await spendAll(c, 'requests')).granted + (await spendAll(d, 'requests')).granted).toBe(36 - 15);
    } finally {
      one.close();
      two.close();
    }
  });
});
