/**
 * The CLI's progress line: a bar, the counts, the rate (items finished per second since the CLI
 * got the job, or over the job's own run for a job that had finished by then) and the time left at that rate.
 */

import type { CountsView as Counts } from '../views.js';

/** A job's counts as the CLI reads them (CountsView). */
export type { Counts };

const WIDTH = 30;

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Where the rate starts counting: the items finished then, and when (ms since the epoch). */
export interface RateStart {
  finished: number;
  at: number;
}

/**
 * The progress line for a job of `total` items. The rate counts the items finished since `from`:
 * the job as the CLI got it (the submission's or attach's answer: its counts, at that moment), so a
 * job that finishes before the first progress event still shows its rate; for a job that had
 * finished by then, `from` is its start (nothing finished, its createdAt) and `until` its
 * finishedAt, both the gateway's, so the rate is the job's own.
 */
export class Progress {
  constructor(
    private readonly total: number,
    private readonly from: RateStart = { finished: 0, at: Date.now() },
    private readonly until?: number,
  ) {}

  /** `[#####.....] 5230/10000  done 5200  failed 30  cancelled 0  812/s  left 00:06`, with `awaiting 12` after cancelled while the registry holds some; `left 00:00` once nothing is left. */
  line(c: Counts, now = Date.now()): string {
    const finished = c.done + c.failed + c.cancelled;
    const elapsed = Math.max(0.001, ((this.until ?? now) - this.from.at) / 1000);
    const rate = Math.max(0, finished - this.from.finished) / elapsed;
    const filled = this.total === 0 ? WIDTH : Math.round((finished / this.total) * WIDTH);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}`;
    const remaining = this.total - finished;
    const left = remaining <= 0 ? 0 : rate > 0 ? remaining / rate : Infinity;
    const awaiting = c.awaiting > 0 ? `  awaiting ${c.awaiting}` : '';
    return `[${bar}] ${finished}/${this.total}  done ${c.done}  failed ${c.failed}  cancelled ${c.cancelled}${awaiting}  ${rate.toFixed(rate < 10 ? 1 : 0)}/s  left ${clock(left)}`;
  }
}
