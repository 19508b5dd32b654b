/** The bulk CLI's progress line (src/bulk/cli/progress.ts): its rate and time left, from the job as the CLI got it. */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { Progress, ProgressDisplay } from '../../../src/bulk/cli/progress.js';

const counts = (done: number, pending: number) => ({ done, failed: 0, pending, running: 0, awaiting: 0, cancelled: 0 });

describe('Progress', () => {
  test('a job that finishes before the first progress event shows its real rate and nothing left, not 0.0/s and --:--', () => {
    const p = new Progress(5, { finished: 0, at: 1_000 }); // the submission's answer: nothing finished
    expect(p.line(counts(5, 0), 3_000)).toBe('[##############################] 5/5  done 5  failed 0  cancelled 0  2.5/s  left 00:00');
  });

  test('counts from the job as the CLI got it: an attach to a job half done counts only what finished since', () => {
    const p = new Progress(100, { finished: 50, at: 0 });
    expect(p.line(counts(70, 30), 10_000)).toMatch(/ 70\/100 .* 2\.0\/s {2}left 00:15$/);
    expect(p.line(counts(50, 50), 10_000)).toMatch(/ 0\.0\/s {2}left --:--$/); // nothing moved yet: no estimate
  });

  test('an item awaiting the registry: the bar is not full and the time left is unknown until it is done, not 00:00', () => {
    const p = new Progress(62, { finished: 0, at: 0 });
    const awaiting = { done: 61, failed: 0, pending: 0, running: 0, awaiting: 1, cancelled: 0 };
    expect(p.line(awaiting, 1_000)).toBe('[#############################.] 61/62  done 61  failed 0  cancelled 0  awaiting 1  61/s  left --:--');
    // Others still to run: their time at the rate.
    expect(p.line({ ...awaiting, done: 31, pending: 30 }, 1_000)).toMatch(/ 31\/62 .* awaiting 1 {2}31\/s {2}left 00:01$/);
    expect(p.line({ ...awaiting, done: 62, awaiting: 0 }, 1_000)).toMatch(/^\[#{30}\] 62\/62 .* left 00:00$/);
  });

  test("a job that had finished when the CLI got it: the job's own rate, createdAt to finishedAt", () => {
    const p = new Progress(40, { finished: 0, at: 0 }, 8_000);
    expect(p.line(counts(40, 0), 99_999_999)).toMatch(/ 40\/40 .* 5\.0\/s {2}left 00:00$/);
  });
});

describe('ProgressDisplay', () => {
  afterEach(() => void vi.useRealTimers());
  const job = (awaiting: number, done: number) => ({ done, failed: 0, pending: 2 - done - awaiting, running: 0, awaiting, cancelled: 0 });

  test('off a terminal, a line held back within the second is written when the second is up: a job left awaiting the registry says so in the log', () => {
    vi.useFakeTimers({ now: 0 });
    const lines: string[] = [];
    const d = new ProgressDisplay(new Progress(2, { finished: 0, at: 0 }), (s) => lines.push(s), false, () => Date.now());
    d.show(job(0, 0));
    vi.advanceTimersByTime(300);
    d.show(job(2, 0)); // the registry queued both: held back, 300 ms after the last line
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(700);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/ 0\/2 .* awaiting 2 .*\n$/);
    vi.advanceTimersByTime(9_000); // nothing new, for less than QUIET_FIRST_MS: nothing more written
    expect(lines).toHaveLength(2);
    d.show(job(0, 2));
    d.end();
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/ 2\/2 {2}done 2 /);
  });

  test('off a terminal, counts that stand still are written again after 10 s, then 20, 40 ... up to 10 min, the rate and time left as of then; new counts start it over (a stalled job said nothing in a log)', () => {
    vi.useFakeTimers({ now: 0 });
    const lines: string[] = [];
    const d = new ProgressDisplay(new Progress(100, { finished: 0, at: 0 }), (s) => lines.push(s), false, () => Date.now());
    vi.advanceTimersByTime(1_000);
    d.show(counts(10, 90));
    expect(lines.at(-1)).toMatch(/ 10\/s {2}left 00:09\n$/);
    const at = () => lines.length;
    vi.advanceTimersByTime(9_000);
    expect(at()).toBe(1);
    vi.advanceTimersByTime(1_000); // 10 s without news
    expect(at()).toBe(2);
    expect(lines.at(-1)).toMatch(/ 10\/100 .* 0\.9\/s {2}left 01:39\n$/);
    vi.advanceTimersByTime(19_000);
    expect(at()).toBe(2);
    vi.advanceTimersByTime(1_000); // 20 s after that one
    expect(at()).toBe(3);
    // Then 40, 80, 160, 320 and 600 s apart (at most 10 min), the next due a second from now.
    vi.advanceTimersByTime(40_000 + 80_000 + 160_000 + 320_000 + 600_000 * 2 - 1_000);
    expect(at()).toBe(8);
    d.show(counts(20, 80)); // news: written, and the next quiet line 10 s after it again
    expect(at()).toBe(9);
    vi.advanceTimersByTime(10_000);
    expect(at()).toBe(10);
    d.end();
    vi.advanceTimersByTime(3_600_000);
    expect(at()).toBe(10);
  });

  test('held lines collapse into the newest; end() writes the newest once, and nothing is written after it', () => {
    vi.useFakeTimers({ now: 0 });
    const lines: string[] = [];
    const d = new ProgressDisplay(new Progress(2, { finished: 0, at: 0 }), (s) => lines.push(s), false, () => Date.now());
    d.show(job(0, 0));
    d.show(job(1, 0));
    d.show(job(2, 0));
    d.end();
    expect(lines.map((l) => /awaiting (\d)/.exec(l)?.[1] ?? '0')).toEqual(['0', '2']);
    vi.advanceTimersByTime(5_000);
    expect(lines).toHaveLength(2);
  });

  test('on a terminal the rate and the time left go on moving while nothing finishes (items backing off), not frozen at the last event', () => {
    vi.useFakeTimers({ now: 0 });
    const writes: string[] = [];
    const d = new ProgressDisplay(new Progress(100, { finished: 0, at: 0 }), (s) => writes.push(s), true, () => Date.now());
    vi.advanceTimersByTime(1_000);
    d.show({ done: 10, failed: 0, pending: 90, running: 0, awaiting: 0, cancelled: 0 });
    expect(writes.at(-1)).toMatch(/ 10\/s {2}left 00:09/);
    vi.advanceTimersByTime(9_000); // nothing finishes: no event
    expect(writes.at(-1)).toMatch(/ 1\.0\/s {2}left 01:30/);
    d.end();
    const n = writes.length;
    vi.advanceTimersByTime(5_000);
    expect(writes).toHaveLength(n);
  });

  test('a message below the line (a lost connection): the counts held back come before it, and the line is not drawn again until new counts', () => {
    vi.useFakeTimers({ now: 0 });
    for (const tty of [false, true]) {
      const out: string[] = [];
      const d = new ProgressDisplay(new Progress(2, { finished: 0, at: 0 }), (s) => out.push(s), tty, () => Date.now());
      d.show(job(0, 0));
      vi.advanceTimersByTime(300);
      d.show(job(0, 1)); // off a terminal: held back
      d.pause();
      out.push('lost the connection\n');
      vi.advanceTimersByTime(10_000);
      expect(out.at(-1)).toBe('lost the connection\n');
      expect(out.at(-2)).toMatch(/ 1\/2 {2}done 1 /);
      d.show(job(0, 2));
      expect(out.at(-1)).toMatch(/ 2\/2 {2}done 2 /);
      d.end();
    }
  });

  test('on a terminal every event redraws the line in place', () => {
    const lines: string[] = [];
    const d = new ProgressDisplay(new Progress(2, { finished: 0, at: 0 }), (s) => lines.push(s), true);
    d.show(job(0, 0));
    d.show(job(2, 0));
    d.end();
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.startsWith('\r') && !l.endsWith('\n'))).toBe(true);
  });

  test('on a terminal a shorter line leaves nothing of the longer one before it (left 24:59:50, then 2:46:29)', () => {
    const writes: string[] = [];
    const now = { t: 0 };
    const d = new ProgressDisplay(new Progress(90_000, { finished: 0, at: 0 }), (s) => writes.push(s), true, () => now.t);
    now.t = 10_000;
    d.show({ done: 10, failed: 0, pending: 89_990, running: 0, awaiting: 0, cancelled: 0 }); // 1.0/s: left 24:59:50
    now.t = 11_000;
    d.show({ done: 99, failed: 0, pending: 89_901, running: 0, awaiting: 0, cancelled: 0 }); // 9.0/s: left 2:46:29, a character shorter
    d.end();
    // What a terminal shows: \r back to the line's start, ESC [ K erases to its end.
    let screen = '';
    let col = 0;
    for (const w of writes) {
      for (let i = 0; i < w.length; i++) {
        if (w[i] === '\r') col = 0;
        else if (w.startsWith('\x1b[K', i)) (screen = screen.slice(0, col)), (i += 2);
        else (screen = screen.slice(0, col) + w[i] + screen.slice(col + 1)), col++;
      }
    }
    expect(screen).toMatch(/ 99\/90000 .* 9\.0\/s {2}left 2:46:29$/);
  });

  test('on an 80-column terminal the line keeps to one row (the bar narrower), so a redraw never leaves a row behind', () => {
    const writes: string[] = [];
    const d = new ProgressDisplay(new Progress(10_000, { finished: 0, at: 0 }), (s) => writes.push(s), true, () => 10_000, () => 80);
    d.show({ done: 5_000, failed: 30, pending: 4_958, running: 0, awaiting: 12, cancelled: 0 });
    const visible = writes[0]!.replace(/^\r/, '').replace(/\x1b\[K$/, '');
    expect(visible.length).toBeLessThanOrEqual(79);
    expect(visible).toMatch(/^\[#+\.+\] 5030\/10000 {2}done 5000 {2}failed 30 {2}awaiting 12 {2}503\/s {2}left 00:10$/); // cancelled 0 left out
    // Narrower still: no bar, then whole fields from the end, never a number cut at the edge (a fresh
    // user's 20 columns showed `1200/1200  done 120` of a finished job; 0 columns, a single `1`).
    const at = (columns: number, c = { done: 5_000, failed: 30, pending: 4_958, running: 0, awaiting: 12, cancelled: 0 }, total = 10_000) => {
      const w: string[] = [];
      new ProgressDisplay(new Progress(total, { finished: 0, at: 0 }), (s) => w.push(s), true, () => 10_000, () => columns).show(c);
      return w[0]!.replace(/^\r/, '').replace(/\x1b\[K$/, '');
    };
    expect(at(60)).toBe('5030/10000  done 5000  failed 30  awaiting 12  503/s');
    expect(at(40)).toBe('5030/10000  done 5000  failed 30');
    const finished = { done: 1_200, failed: 0, pending: 0, running: 0, awaiting: 0, cancelled: 0 };
    expect(at(20, finished, 1_200)).toBe('1200/1200');
    expect(at(5, finished, 1_200)).toBe('');
    // No width known (0): the whole line.
    expect(at(0, finished, 1_200)).toMatch(/^\[#{30}\] 1200\/1200 {2}done 1200 {2}failed 0 {2}cancelled 0 {2}120\/s {2}left 00:00$/);
  });
});
