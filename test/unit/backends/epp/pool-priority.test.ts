/**
 * The order in which an account's EPP session pool (src/backends/epp/session/pool.ts) hands a
 * freed session to the callers waiting: interactive ones first, in their order, then background
 * ones (a bulk job's items), except a background caller that has waited backgroundAgingMs, which
 * goes first so that interactive traffic keeping every session busy cannot starve a job into its
 * queue's time limit. One session here, whose commands are the test's own promises: the order is
 * the pool's alone. (The same over real sockets, with a held registry: test/e2e/fanout.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { EppSession } from '../../../../src/backends/epp/session/session.js';
import { SessionPool } from '../../../../src/backends/epp/session/pool.js';

/** A session as the pool sees one: open at once, one holder at a time, nothing handed ahead. */
class StubSession {
  state: 'new' | 'idle' | 'busy' | 'closed' = 'new';
  holders = 0;
  onAvailable = () => {};
  onGreeting = () => {};
  onClosed = (_s: unknown) => {};
  readonly reused = false;
  readonly takesNext = false;
  async open() {
    this.state = 'busy';
    return {} as never;
  }
  get isIdle() {
    return this.state === 'idle';
  }
  markBusy() {
    this.state = 'busy';
    this.holders++;
  }
  markReleased() {
    this.holders = Math.max(0, this.holders - 1);
    return this.holders > 0;
  }
  markIdle() {
    this.state = 'idle';
    this.holders = 0;
  }
  async close() {
    this.state = 'closed';
  }
}

/** A pool of one stub session whose waits are measured on `clock.now` (ms, moved by the test). */
function pool(clock = { now: 0 }) {
  return new SessionPool({ backend: 'stub', size: 1, maxQueue: 100, queueTimeoutMs: 60_000, backgroundAgingMs: 10_000, now: () => clock.now, create: () => new StubSession() as unknown as EppSession });
}

/** Holds the pool's one session until the returned release() is called. */
async function occupy(p: SessionPool): Promise<{ release: () => void; done: Promise<void> }> {
  let release!: () => void;
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  const done = p.run(() => {
    started();
    return new Promise<void>((r) => (release = r));
  });
  await running;
  return { release, done };
}

describe('an EPP session pool with callers waiting', () => {
  it('hands the freed session to the interactive callers first, each class in its order', async () => {
    const p = pool();
    const { release, done } = await occupy(p);
    const order: string[] = [];
    const call = (name: string, background: boolean) => p.run(async () => void order.push(name), { background });
    const all = [call('b1', true), call('b2', true), call('i1', false), call('b3', true), call('i2', false)];
    expect(p.waiting).toEqual({ interactive: 2, background: 3 });
    release();
    await Promise.all([done, ...all]);
    expect(order).toEqual(['i1', 'i2', 'b1', 'b2', 'b3']);
    await p.close();
  });

  it('a background caller that has waited backgroundAgingMs goes before the interactive ones', async () => {
    const clock = { now: 0 };
    const p = pool(clock);
    const { release, done } = await occupy(p);
    const order: string[] = [];
    const call = (name: string, background: boolean) => p.run(async () => void order.push(name), { background });
    const old = call('b1', true);
    clock.now += 10_000; // b1 has waited the aging time
    const rest = [call('i1', false), call('b2', true), call('i2', false)];
    release();
    await Promise.all([done, old, ...rest]);
    expect(order[0]).toBe('b1');
    // A background caller that has not waited that long still comes after the interactive ones.
    expect(order.slice(1)).toEqual(['i1', 'i2', 'b2']);
    await p.close();
  });
});
