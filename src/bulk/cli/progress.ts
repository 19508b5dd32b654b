/** The CLI's progress line: a bar, the counts, the rate (items/s since attaching) and the time left at that rate. */

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

/** The progress line for a job of `total` items; the rate counts only items finished since the first line (items/s on the wall clock). */
export class Progress {
  private readonly startedAt = Date.now();
  private baseline: number | null = null;

  constructor(private readonly total: number) {}

  /** `[#####.....] 5230/10000  done 5200  failed 30  cancelled 0  812/s  left 00:06`, with `awaiting 12` after cancelled while the registry holds some. */
  line(c: Counts, now = Date.now()): string {
    const finished = c.done + c.failed + c.cancelled;
    this.baseline ??= finished;
    const elapsed = Math.max(0.001, (now - this.startedAt) / 1000);
    const rate = (finished - this.baseline) / elapsed;
    const filled = this.total === 0 ? WIDTH : Math.round((finished / this.total) * WIDTH);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}`;
    const left = rate > 0 ? (this.total - finished) / rate : Infinity;
    const awaiting = c.awaiting > 0 ? `  awaiting ${c.awaiting}` : '';
    return `[${bar}] ${finished}/${this.total}  done ${c.done}  failed ${c.failed}  cancelled ${c.cancelled}${awaiting}  ${rate.toFixed(rate < 10 ? 1 : 0)}/s  left ${clock(left)}`;
  }
}
