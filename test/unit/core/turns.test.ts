/**
 * The process's FIFO of CPU slices (src/core/turns.ts): long loops alternate slice by slice in
 * the order they asked, other event-loop work (an immediate, as a request read from a socket
 * is) runs between two slices, and a loop waits for a turn once its slice's budget is spent.
 * Counted, never timed: slices are counted budgets or a fake clock the loop itself advances.
 */
import { describe, expect, it } from 'vitest';
import { Slice, inTurns, nextTurn, turnsWaiting } from '../../../src/core/turns.js';

describe('turns', () => {
  it('two long loops started together alternate slice by slice, in the order they asked', async () => {
    const log: string[] = [];
    const loop = (name: string) => inTurns(Array.from({ length: 12 }, (_, i) => i), (i) => void log.push(`${name}${i}`), { items: 4 });
    await Promise.all([loop('A'), loop('B')]);
    const slices = (from: string, i: number) => Array.from({ length: 4 }, (_, k) => `${from}${i + k}`);
    expect(log).toEqual([...slices('A', 0), ...slices('B', 0), ...slices('A', 4), ...slices('B', 4), ...slices('A', 8), ...slices('B', 8)]);
  });

  it('a third loop that asks later waits behind those that asked before it, then takes its place in the rotation', async () => {
    const log: string[] = [];
    const loop = (name: string, n: number) => inTurns(Array.from({ length: n }, (_, i) => i), () => void log.push(name), { items: 2 });
    const a = loop('A', 8);
    const b = loop('B', 8);
    await nextTurn(); // A's and B's second slices asked first; this turn comes after A's
    const c = loop('C', 4);
    await Promise.all([a, b, c]);
    expect(log.join('')).toBe('AABBAA' + 'BBCC' + 'AABBCC' + 'AABB');
  });

  it('other work queued on the event loop runs between two slices of a long loop, not after the whole loop', async () => {
    const log: string[] = [];
    setImmediate(() => log.push('other'));
    await inTurns(Array.from({ length: 9 }, (_, i) => i), (i) => void log.push(String(i)), { items: 3 });
    expect(log).toEqual(['0', '1', '2', 'other', '3', '4', '5', '6', '7', '8']);
  });

  it('a loop on the clock waits for a turn as soon as a slice of its budget is spent (fake clock, 1 ms an item, 3 ms slices)', async () => {
    let now = 0;
    const slice = new Slice({ ms: 3, every: 1, clock: () => now });
    const turnsAt: number[] = [];
    for (let i = 0; i < 10; i++) {
      now += 1; // the item's work
      if (i < 9 && slice.spent()) {
        turnsAt.push(i);
        await slice.next();
      }
    }
    expect(turnsAt).toEqual([2, 5, 8]);
    expect(slice.yields).toBe(3);
  });

  it('looks at the clock every `every` items: a slice overruns its budget by fewer than `every` items', async () => {
    let now = 0;
    let looks = 0;
    const slice = new Slice({ ms: 3, every: 4, clock: () => (looks++, now) });
    const turnsAt: number[] = [];
    for (let i = 0; i < 20; i++) {
      now += 1;
      if (i < 19 && slice.spent()) {
        turnsAt.push(i);
        await slice.next();
      }
    }
    expect(turnsAt).toEqual([3, 7, 11, 15]); // 4 ms slices: the 3 ms budget seen at the 4th item
    expect(looks).toBe(1 + 4 + 4); // at the start, at each 4th item asked (3, 7, 11, 15), at each new slice
  });

  it('an error from an item stops the loop and rejects with it; the queue is left empty', async () => {
    const boom = new Error('names[5]');
    const seen: number[] = [];
    const out = await inTurns([0, 1, 2, 3, 4, 5, 6, 7], (i) => {
      seen.push(i);
      if (i === 5) throw boom;
    }, { items: 2 }).catch((e: unknown) => e);
    expect(out).toBe(boom);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(turnsWaiting()).toBe(0);
  });
});
