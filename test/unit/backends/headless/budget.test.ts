/**
 * The HeadlessDomains rate-limit shares (src/backends/headless/budget.ts) on a hand-moved clock:
 * the split, the registry's window alignment from GET /status's reset time, the poller's pacing,
 * and counts that survive a change of limit.
 */
import { describe, expect, it } from 'vitest';
import { HeadlessRateBudget } from '../../../../src/backends/headless/budget.js';

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
