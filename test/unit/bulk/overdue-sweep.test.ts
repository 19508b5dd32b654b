/**
 * The bulk runner's two sweeps of items awaiting the registry run one at a time: settleAwaiting's
 * (stored completions, every idleMs) and settleOverdue's (items waited for longer than
 * idempotency.awaitHours, every overdueCheckMs). An overdue sweep that comes while the other is
 * under way must run after it, not be taken as done: where the awaiting sweeps are slow enough
 * to be under way whenever the overdue timer fires (a loaded machine, the embedded database),
 * overdue items were otherwise never settled (bulk-joker-awaiting's OUTCOME_UNKNOWN test hung on
 * the embedded database under load).
 *
 * The interleaving is controlled, not timed: the awaiting sweep is held open by the test while
 * the overdue sweep is asked for. The sweeps themselves (src/bulk/awaiting.ts, which their own
 * tests and bulk-joker-awaiting cover against a database) are replaced by stand-ins that record
 * their calls; the runner's timers are never started.
 */
import { pino } from 'pino';
import { beforeEach, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ awaiting: 0, overdue: 0, release: (): void => undefined }));

vi.mock('../../../src/bulk/awaiting.js', async (original) => ({
  ...(await original<typeof import('../../../src/bulk/awaiting.js')>()),
  settleAwaiting: async () => {
    calls.awaiting++;
    await new Promise<void>((resolve) => (calls.release = resolve));
    return [];
  },
  settleOverdue: async () => {
    calls.overdue++;
    return [];
  },
}));

const { BulkRunner } = await import('../../../src/bulk/runner.js');

/** A runner whose sweeps can be started by hand (its private methods, which its timers call). */
function runner() {
  const env = { router: { backends: () => [{ name: 'sandbox-joker' }] } };
  const r = new BulkRunner(env as never, {} as never, {} as never, { idleMs: 100, overdueCheckMs: 100 } as never, pino({ level: 'silent' }));
  return r as unknown as { settleAwaiting(): Promise<void>; settleOverdue(): Promise<void>; stopped: boolean };
}

beforeEach(() => {
  calls.awaiting = 0;
  calls.overdue = 0;
});

it('an overdue sweep asked for while an awaiting sweep is under way runs once that one has ended', async () => {
  const r = runner();
  r.stopped = false; // as after start()
  const awaiting = r.settleAwaiting();
  expect(calls.awaiting).toBe(1);
  const overdue = r.settleOverdue(); // the overdue timer fires while the awaiting sweep is under way
  await Promise.resolve();
  expect(calls.overdue).toBe(0); // one sweep at a time
  calls.release();
  await awaiting;
  await overdue;
  expect(calls.overdue).toBe(1);
});

it('at most one overdue sweep waits; the awaiting sweeps go on after it', async () => {
  const r = runner();
  r.stopped = false;
  const first = r.settleAwaiting();
  const overdue = r.settleOverdue();
  expect(r.settleOverdue()).toBe(overdue); // at most one overdue sweep waits
  calls.release();
  await first;
  await overdue;
  expect([calls.awaiting, calls.overdue]).toEqual([1, 1]);
  const next = r.settleAwaiting();
  expect(calls.awaiting).toBe(2);
  calls.release();
  await next;
});
