/**
 * OperationLimits.payRows (src/limits/gate.ts): a subscription pays for the rows it reads from the
 * store, ROW points each, from its key's budget, in spends of at most the window's points; a spend
 * the key has no points for waits for the window's end (the refusal's retryAfter) and is made
 * again; an aborted signal (the client left) ends the wait at once, paying nothing more.
 */
import type { GraphQLSchema } from 'graphql';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { OperationLimits } from '../../../src/limits/gate.js';
import { rateLimited } from '../../../src/limits/errors.js';
import { resolveLimits } from '../../../src/limits/limits.js';
import type { KeyRateLimiter } from '../../../src/limits/rate-limit.js';

afterEach(() => vi.useRealTimers());

/** A key's budget of `points` a window, refilled only by `refill()`; every spend recorded. */
function budget(points: number) {
  let left = points;
  const spends: number[] = [];
  const limiter: KeyRateLimiter = {
    spend: async (_key, n) => {
      if (n > left) throw rateLimited(2);
      left -= n;
      spends.push(n);
    },
    ready: async () => undefined,
    close: async () => undefined,
  };
  const gate = new OperationLimits({} as GraphQLSchema, resolveLimits({ limits: { maxDepth: 12, maxBatch: 1, maxCost: points, rateLimit: { points, durationSec: 10 } } }), limiter);
  return { gate, spends, refill: () => (left = points) };
}

describe('OperationLimits.payRows', () => {
  test('10 points a row, in one spend when the window holds them', async () => {
    const b = budget(1_000);
    await b.gate.payRows('k', 25, new AbortController().signal);
    expect(b.spends).toEqual([250]);
  });

  test("in spends of at most the window's points; a spend the key's budget cannot take waits for the window's end (retryAfter), then is made: nothing is skipped", async () => {
    vi.useFakeTimers({ now: 0 });
    const b = budget(100);
    let paid = false;
    const paying = b.gate.payRows('k', 15, new AbortController().signal).then(() => (paid = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(b.spends).toEqual([100]); // the first 10 rows; the other 5 find the window spent
    expect(paid).toBe(false);
    b.refill();
    await vi.advanceTimersByTimeAsync(2_000); // the refusal's retryAfter
    await paying;
    expect(b.spends).toEqual([100, 50]);
  });

  test('a wait ends at once, paying nothing more, when the stream ends (its signal aborted)', async () => {
    vi.useFakeTimers({ now: 0 });
    const b = budget(100);
    const ended = new AbortController();
    let done = false;
    const paying = b.gate.payRows('k', 30, ended.signal).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false);
    ended.abort();
    await paying;
    expect(b.spends).toEqual([100]);
    expect(vi.getTimerCount()).toBe(0); // the wait's timer cleared
  });
});
