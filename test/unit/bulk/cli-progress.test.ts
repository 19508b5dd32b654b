/** The bulk CLI's progress line (src/bulk/cli/progress.ts): its rate and time left, from the job as the CLI got it. */
import { describe, expect, test } from 'vitest';
import { Progress } from '../../../src/bulk/cli/progress.js';

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

  test("a job that had finished when the CLI got it: the job's own rate, createdAt to finishedAt", () => {
    const p = new Progress(40, { finished: 0, at: 0 }, 8_000);
    expect(p.line(counts(40, 0), 99_999_999)).toMatch(/ 40\/40 .* 5\.0\/s {2}left 00:00$/);
  });
});
