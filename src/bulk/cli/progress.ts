/**
 * The CLI's progress line: a bar, the counts, the rate (items finished per second since the CLI
 * got the job, or over the job's own run for a job that had finished by then) and the time left at that rate.
 */

import type { CountsView as Counts } from '../views.js';

/** A job's counts as the CLI reads them (CountsView). */
export type { Counts };

const WIDTH = 30;
/** The narrowest bar, on a terminal too narrow for the whole line. */
const MIN_WIDTH = 10;

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  // Up: 0.5 s still to run is 00:01, not 00:00, which says nothing is left.
  const s = Math.ceil(seconds);
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

  /**
   * `[#####.....] 5230/10000  done 5200  failed 30  cancelled 0  812/s  left 00:06`, with
   * `awaiting 12` after cancelled while the registry holds some; the time left is that of the
   * items not awaiting the registry at the rate, `--:--` while only items awaiting it are left (or
   * nothing finished yet), `00:00` once nothing is left. With `columns` (a terminal's width), at
   * most columns - 1 characters (see below); without, the whole line.
   */
  line(c: Counts, now = Date.now(), columns?: number): string {
    const finished = c.done + c.failed + c.cancelled;
    const elapsed = Math.max(0.001, ((this.until ?? now) - this.from.at) / 1000);
    const rate = Math.max(0, finished - this.from.finished) / elapsed;
    const remaining = this.total - finished;
    // Items awaiting the registry finish when it completes them (a Joker transfer: up to days), not at this rate:
    // with only those left, the time left is unknown (--:--).
    const runnable = remaining - c.awaiting;
    const left = remaining <= 0 ? 0 : runnable <= 0 ? Infinity : rate > 0 ? runnable / rate : Infinity;
    const awaiting = c.awaiting > 0 ? `  awaiting ${c.awaiting}` : '';
    const tail = `${awaiting}  ${rate.toFixed(rate < 10 ? 1 : 0)}/s  left ${clock(left)}`;
    const head = ` ${finished}/${this.total}  done ${c.done}  failed ${c.failed}`;
    const bar = (width: number) => {
      // Full only once every item is finished: 61 of 62 is 29 of 30 marks, not 30.
      const filled = this.total === 0 || finished >= this.total ? width : Math.floor((finished / this.total) * width);
      return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    };
    const whole = `${bar(WIDTH)}${head}  cancelled ${c.cancelled}${tail}`;
    // A width of 0 (a terminal that gives none: `script`, `docker run -t`) is not known either.
    if (columns === undefined || columns <= 0 || whole.length <= columns - 1) return whole;
    // On a terminal of `columns`, the line keeps to one row less a column (a line that wraps cannot be
    // redrawn in place: `\r` goes back to the start of its last row): `cancelled 0` goes first, then the
    // bar narrows (to MIN_WIDTH), then it goes, then whole fields from the end (`left`, the rate, ...),
    // never part of one: a number cut at the edge (`done 120` of 1200) says something false.
    const text = `${head}${c.cancelled > 0 ? `  cancelled ${c.cancelled}` : ''}${tail}`;
    const room = columns - 1 - text.length - 2;
    if (room >= MIN_WIDTH) return `${bar(Math.min(WIDTH, room))}${text}`;
    const fields = text.trim().split('  ');
    let line = '';
    for (const f of fields) {
      const next = line ? `${line}  ${f}` : f;
      if (next.length > columns - 1) break;
      line = next;
    }
    return line;
  }
}

/** Off a terminal, at most one progress line per this many ms (a log file gets a line a second, not one per event). */
export const LOG_LINE_MS = 1000;

/** On a terminal, the line is redrawn at least this often (ms), events or not. */
export const REDRAW_MS = 1000;

/**
 * Off a terminal, while the counts stand still, the line is written again after this long (ms),
 * with the rate and time left as of then, and after twice as long each time after that, up to
 * QUIET_MAX_MS; new counts start it over. A log that said nothing during a stall (a registry's
 * rate limit) kept the last rate and time left (`460/s left 00:03`) for as long as it lasted, and
 * a CI job that prints nothing for ten minutes is often killed.
 */
export const QUIET_FIRST_MS = 10_000;
export const QUIET_MAX_MS = 600_000;

/**
 * Where the progress line goes: on a terminal (`tty`), redrawn in place at every event
 * (`\r`) and every REDRAW_MS between them, so that the rate and the time left go on moving while
 * nothing finishes (items backing off, a registry's rate limit): a line drawn only at events kept
 * the last rate and time left for as long as nothing finished. Off one (a pipe, a CI log), as
 * lines of their own, at most one per LOG_LINE_MS. A line held back for that is not lost: it is
 * written when the second is up, unless a newer one was written first. Before, a held line waited
 * for the next event, and a job whose last change was `awaiting 1` (a Joker transfer the registry
 * holds, for days) never showed it in a log. While nothing changes, off a terminal, the line is
 * written again after QUIET_FIRST_MS, then at doubling intervals up to QUIET_MAX_MS.
 */
export class ProgressDisplay {
  private writtenAt = -Infinity;
  private shown: Counts | null = null;
  private latest: Counts | null = null;
  private timer: NodeJS.Timeout | undefined;
  private redraws: NodeJS.Timeout | undefined;
  private paused = false;
  /** Off a terminal: how long the counts may stand still before the line is written again (QUIET_FIRST_MS, doubling). */
  private quietMs = QUIET_FIRST_MS;

  constructor(
    private readonly progress: Progress,
    private readonly write: (s: string) => void,
    private readonly tty: boolean,
    private readonly now: () => number = Date.now,
    /** The terminal's width in columns, read at each redraw (it may be resized); undefined: not known, the whole line. */
    private readonly columns: () => number | undefined = () => undefined,
  ) {}

  /** The job's counts as of now: written, or (off a terminal, within LOG_LINE_MS of the last line) written when that is up. */
  show(counts: Counts): void {
    this.latest = counts;
    this.paused = false;
    if (!this.redraws) {
      // On a terminal, a redraw every REDRAW_MS; off one, a line once the counts stood still quietMs.
      this.redraws = setInterval(() => {
        if (this.paused || !this.latest) return;
        if (this.tty) return this.writeLatest(true);
        if (this.now() - this.writtenAt < this.quietMs) return;
        this.writeLatest(true);
        this.quietMs = Math.min(this.quietMs * 2, QUIET_MAX_MS);
      }, REDRAW_MS);
      this.redraws.unref();
    }
    const wait = this.tty ? 0 : this.writtenAt + LOG_LINE_MS - this.now();
    if (wait <= 0) return this.writeLatest();
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.writeLatest();
    }, wait);
  }

  /**
   * Before a message of its own below the line (a lost connection): the counts held back are
   * written now, so that they come before the message, and nothing more is drawn until the next
   * counts (show): counts of before the message are not drawn again after it.
   */
  pause(): void {
    if (this.timer) this.writeLatest();
    this.paused = true;
  }

  /** The last counts shown, written now if they were held back; nothing is written after this. */
  end(): void {
    if (this.redraws) clearInterval(this.redraws);
    this.redraws = undefined;
    this.paused = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.latest && this.shown !== this.latest) this.writeLatest();
  }

  /** Writes the latest counts unless they were written already (`again`: on a terminal, redrawn at the current time). */
  private writeLatest(again = false): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const c = this.latest;
    if (!c || (c === this.shown && !again)) return;
    if (c !== this.shown) this.quietMs = QUIET_FIRST_MS;
    this.writtenAt = this.now();
    this.shown = c;
    // On a terminal the line is redrawn over the last one and the rest of that one erased (ANSI EL, `ESC [ K`): a shorter line left the longer one's tail on screen (`left 00:480`).
    this.write(this.tty ? `\r${this.progress.line(c, this.writtenAt, this.columns())}\x1b[K` : `${this.progress.line(c, this.writtenAt)}\n`);
  }
}
