/**
 * SharedReads (src/db/shared-reads.ts): identical concurrent reads are done once, and a caller
 * never gets the answer of a read that started before it asked: one running when it asks is not
 * joined, the next one is, shared with everyone who asked meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { SameObjects, SharedReads } from '../../../src/db/shared-reads.js';

/** A read whose answer the test releases by hand; `starts` counts the reads that started. */
function manualReads() {
  const running: Array<(v: string) => void> = [];
  const failing: Array<(e: Error) => void> = [];
  let starts = 0;
  const read = () => {
    const n = ++starts;
    return new Promise<string>((resolve, reject) => {
      running.push(() => resolve(`read ${n}`));
      failing.push(reject);
    });
  };
  return { read, starts: () => starts, finish: (i: number) => running[i]!(''), fail: (i: number, e: Error) => failing[i]!(e) };
}
const turn = () => new Promise((r) => setImmediate(r));

describe('SharedReads', () => {
  it('callers asking at once share one read and one answer object', async () => {
    const shared = new SharedReads();
    const answer = { rows: [1, 2] };
    let starts = 0;
    const read = async () => (starts++, answer);
    const got = await Promise.all(Array.from({ length: 100 }, () => shared.read('k', read)));
    expect(starts).toBe(1);
    for (const g of got) expect(g).toBe(answer);
  });

  it('a caller never joins a read already running: it gets the next one, shared with everyone who asked meanwhile', async () => {
    const shared = new SharedReads();
    const m = manualReads();
    const first = shared.read('k', m.read);
    await turn();
    expect(m.starts()).toBe(1); // running
    const later = Array.from({ length: 50 }, () => shared.read('k', m.read));
    await turn();
    expect(m.starts()).toBe(1); // they wait for it to end, not for its answer
    m.finish(0);
    expect(await first).toBe('read 1');
    await turn();
    expect(m.starts()).toBe(2); // one more read for the 50
    m.finish(1);
    expect(new Set(await Promise.all(later))).toEqual(new Set(['read 2']));
    expect(shared.started).toBe(2);
  });

  it('different keys do not share', async () => {
    const shared = new SharedReads();
    let starts = 0;
    const read = async () => ++starts;
    expect(await Promise.all([shared.read('a', read), shared.read('b', read)])).toEqual([1, 2]);
  });

  it('an error reaches every caller of the read that failed; the next read is a new one', async () => {
    const shared = new SharedReads();
    const m = manualReads();
    const a = shared.read('k', m.read);
    const b = shared.read('k', m.read);
    await turn();
    const c = shared.read('k', m.read); // asked while the failing read runs
    m.fail(0, new Error('connection lost'));
    await expect(a).rejects.toThrow('connection lost');
    await expect(b).rejects.toThrow('connection lost');
    await turn();
    m.finish(1);
    expect(await c).toBe('read 2');
  });

  it('under random interleavings, every answer comes from a read started after its caller asked, and callers outnumber reads', async () => {
    const shared = new SharedReads();
    let clock = 0; // a logical clock: every ask and every start takes the next tick
    let reads = 0;
    const read = () => {
      const startedAt = ++clock;
      reads++;
      return new Promise<number>((r) => setTimeout(() => r(startedAt), Math.random() * 4));
    };
    const callers = Array.from({ length: 300 }, async () => {
      await new Promise((r) => setTimeout(r, Math.random() * 40));
      const askedAt = ++clock;
      const startedAt = await shared.read('k', read);
      return { askedAt, startedAt };
    });
    const got = await Promise.all(callers);
    for (const g of got) expect(g.startedAt).toBeGreaterThan(g.askedAt);
    expect(reads).toBeLessThan(300);
  });
});

describe('SameObjects', () => {
  it('answers one object for the same parts, a new one for other parts or another order', () => {
    const same = new SameObjects<{ n: number }>();
    const [a, b, c] = [{}, {}, {}];
    let made = 0;
    const make = () => ({ n: ++made });
    const ab = same.get([a, b], make);
    expect(same.get([a, b], make)).toBe(ab);
    expect(same.get([b, a], make)).not.toBe(ab);
    expect(same.get([a, b, c], make)).not.toBe(ab);
    expect(same.get([a], make)).not.toBe(ab);
    expect(made).toBe(4);
  });
});
