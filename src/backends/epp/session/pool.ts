/**
 * Logged-in sessions for one upstream account: at most `size` sessions, ONE command in flight
 * per session, and a bounded queue of callers waiting for a free session, in which interactive
 * callers come before background ones (a bulk job's items: CallContext.background).
 */
import { UpstreamUnavailableError } from '../../../core/errors.js';
import type { ConnectionWaits } from '../../../core/port.js';
import type { EppGreeting } from '../xml/envelope.js';
import { EppSession } from './session.js';

/** SessionPool's options: the backend name (for messages), at most `size` sessions, queue bounds (count, ms), the session factory and a greeting observer. */
export interface PoolOptions {
  backend: string;
  size: number;
  /** Callers allowed to wait for a session; one more is refused at once. */
  maxQueue: number;
  /** How long a caller waits in the queue before giving up (nothing sent). */
  queueTimeoutMs: number;
  /** After how long (ms) a background caller waiting goes ahead of interactive ones (default BACKGROUND_AGING_MS). */
  backgroundAgingMs?: number;
  /** The clock waits are measured on, in ms (default performance.now; tests). */
  now?: () => number;
  create: () => EppSession;
  /** Each greeting a session logged in after, and a keep-alive's greeting that offers other services (EppSession.onGreeting). */
  onGreeting?: (g: EppGreeting) => void;
}

interface Waiter {
  resolve: (s: EppSession) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
  /** May be handed a busy session ahead (run's `ahead`). */
  ahead: boolean;
  /** Served after every interactive caller waiting (run's `background`), until it has waited backgroundAgingMs. */
  background: boolean;
  /** When it began to wait (PoolOptions.now). */
  queuedAt: number;
}

/**
 * After how long (ms) a background caller still waiting for a session is served before interactive
 * ones: interactive traffic that keeps every session busy slows a bulk job down but cannot starve
 * it into the queue's time limit (its items would fail after their attempts).
 */
export const BACKGROUND_AGING_MS = 10_000;

/** How SessionPool.run takes a session. */
export interface RunOptions {
  /**
   * Whether the caller may be handed a busy session ahead when every session is busy and none can
   * be opened (takesNext: it then waits in the session's connection, and the EPP I/O thread writes
   * its command the moment the answer in flight is read), rather than wait in the pool's queue for
   * a session to free. Only for callers whose command needs nothing checked on this thread right
   * before the write (reads; a command whose fence the writer checks itself). Default false.
   */
  ahead?: boolean;
  /**
   * Background work (a bulk job's item: CallContext.background): handed a session only when no
   * interactive caller waits, so a query sent while a job runs waits behind the commands under way
   * (and at most one handed ahead per session), not behind the job's queue; one that has waited
   * PoolOptions.backgroundAgingMs (10 s) goes ahead of them. Waiters of one class are served in
   * their order. Default false.
   */
  background?: boolean;
}

/**
 * The logged-in sessions of one account, one command per session at a time. Waiting callers beyond maxQueue, or past
 * queueTimeoutMs, and every caller once closing, get UpstreamUnavailableError (maybeApplied false, nothing sent).
 */
export class SessionPool {
  private readonly sessions = new Set<EppSession>();
  /** Sessions being opened (connect, greeting, login), not yet in `sessions`. */
  private readonly openingSessions = new Set<EppSession>();
  /** Callers waiting for a session: interactive ones, served first, and background ones (RunOptions.background), each in order. */
  private readonly interactive: Waiter[] = [];
  private readonly background: Waiter[] = [];
  private readonly inflight = new Set<Promise<unknown>>();
  private closing = false;
  /** Errors that sent nothing on a reused session (a connection that dropped while idle). */
  private readonly retryable = new WeakSet<Error>();

  constructor(private readonly opts: PoolOptions) {}

  private now(): number {
    return this.opts.now ? this.opts.now() : performance.now();
  }

  /** Sessions open now (for tests and metrics). */
  get openSessions(): EppSession[] {
    return [...this.sessions];
  }

  /** Callers waiting for a session: in the queue, and those handed a busy session ahead (takesNext), waiting behind its command in flight. */
  get queued(): number {
    let ahead = 0;
    for (const s of this.sessions) if (s.holders > 1) ahead++;
    return this.waiterCount + ahead;
  }

  /** Callers in the queue now, by class (RunOptions.background; those handed a busy session ahead are not counted: see queued). */
  get waiting(): ConnectionWaits {
    return { interactive: this.interactive.length, background: this.background.length };
  }

  private get waiterCount(): number {
    return this.interactive.length + this.background.length;
  }

  /**
   * Run `fn` on a session of its own. A failure that certainly applied nothing on a session that
   * had been open (a dropped idle connection, a login the registry ended) is retried once on a
   * fresh session.
   */
  async run<T>(fn: (s: EppSession) => Promise<T>, opts: RunOptions = {}): Promise<T> {
    const how = { ahead: opts.ahead ?? false, background: opts.background ?? false };
    const p = this.runOnce(fn, how).catch((e: unknown) => {
      if (e instanceof Error && this.retryable.has(e) && !this.closing) return this.runOnce(fn, how);
      throw e;
    });
    this.inflight.add(p);
    try {
      return await p;
    } finally {
      this.inflight.delete(p);
    }
  }

  /** Open one session now if none is open (used to read the greeting). */
  async warm(): Promise<void> {
    if (this.sessions.size > 0) return;
    await this.run(async () => undefined);
  }

  /**
   * Logs in up to `count` sessions now (at most the pool's size, counting those open or opening),
   * ahead of commands known to be coming, so that their first ones do not each wait for a TLS
   * handshake, the greeting and a login (RFC 5734 section 2, RFC 5730 section 2.9.1.1). Resolves
   * once each has logged in or failed: a failure is left to the commands, whose own session
   * opens (and fails) as usual. Nothing but the login is written.
   */
  async prepare(count: number): Promise<void> {
    const wanted = Math.min(count, this.opts.size) - this.sessions.size - this.openingSessions.size;
    if (wanted <= 0 || this.closing) return;
    await Promise.allSettled(Array.from({ length: wanted }, () => this.run(async () => undefined)));
  }

  /**
   * For a stop that has waited long enough (src/server.ts, UPSTREAM_STOP_GRACE_MS): destroys every
   * session with a command (or its keep-alive or logout) still under way, so that its caller gets
   * UPSTREAM_UNAVAILABLE with the outcome unknown at once, as after a crash (the idempotency
   * record, written before the command, leaves it to reconciliation: README "Idempotency
   * contract"), instead of after commandTimeoutMs; gives up the sessions still opening (connect,
   * TLS handshake, greeting, login: EppSession.abortOpen), whose callers get UPSTREAM_UNAVAILABLE
   * with nothing sent instead of after connectTimeoutMs; and from then on hands out and opens
   * nothing, as close() does. Returns how many commands it abandoned (those opening not counted).
   */
  abandon(): number {
    // Nothing more is handed out or opened (a waiter given a fresh session now would hold the stop
    // as long again): the callers still waiting get UpstreamUnavailableError, nothing sent.
    this.closing = true;
    this.rejectWaiters();
    let n = 0;
    for (const s of this.sessions) {
      if (s.state !== 'busy') continue;
      s.destroy('the gateway is stopping: abandoned with its command under way');
      n++;
    }
    // Those still opening have written no command: given up without waiting for their connect
    // timeout, and not counted (nothing of theirs is left in doubt).
    for (const s of this.openingSessions) s.abortOpen('the gateway is stopping: abandoned while connecting');
    return n;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.rejectWaiters();
    await Promise.allSettled([...this.inflight]);
    await Promise.allSettled([...this.sessions].map((s) => s.close()));
    this.sessions.clear();
  }

  /** Every caller still waiting for a session gets UpstreamUnavailableError "is closing" (nothing sent). */
  private rejectWaiters(): void {
    for (const w of [...this.interactive.splice(0), ...this.background.splice(0)]) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(new UpstreamUnavailableError(`backend ${this.opts.backend} is closing`, { backend: this.opts.backend, maybeApplied: false }));
    }
  }

  private async runOnce<T>(fn: (s: EppSession) => Promise<T>, how: Pick<Waiter, 'ahead' | 'background'>): Promise<T> {
    const s = await this.acquire(how);
    // A fresh session has written only its login; a reused one may have gone stale while idle, or
    // the registry may have ended its login.
    const reused = s.reused;
    try {
      return await fn(s);
    } catch (e) {
      if (e instanceof UpstreamUnavailableError && !e.maybeApplied && reused) this.retryable.add(e);
      throw e;
    } finally {
      this.release(s);
    }
  }

  private acquire(how: Pick<Waiter, 'ahead' | 'background'>): Promise<EppSession> {
    if (this.closing) {
      return Promise.reject(
        new UpstreamUnavailableError(`backend ${this.opts.backend} is closing`, { backend: this.opts.backend, maybeApplied: false }),
      );
    }
    return new Promise<EppSession>((resolve, reject) => {
      const w: Waiter = { resolve, reject, ...how, queuedAt: this.now() };
      const queue = how.background ? this.background : this.interactive;
      queue.push(w);
      this.pump();
      if (!queue.includes(w)) return;
      if (this.waiterCount > this.opts.maxQueue) {
        queue.splice(queue.indexOf(w), 1);
        reject(
          new UpstreamUnavailableError(`backend ${this.opts.backend}: too many commands waiting for a session`, {
            backend: this.opts.backend,
            maybeApplied: false,
          }),
        );
        return;
      }
      w.timer = setTimeout(() => {
        const i = queue.indexOf(w);
        if (i < 0) return;
        queue.splice(i, 1);
        reject(
          new UpstreamUnavailableError(`backend ${this.opts.backend}: no session free within ${this.opts.queueTimeoutMs} ms`, {
            backend: this.opts.backend,
            maybeApplied: false,
          }),
        );
      }, this.opts.queueTimeoutMs);
    });
  }

  private release(s: EppSession): void {
    const held = s.markReleased();
    if (s.state === 'closed') this.sessions.delete(s);
    else if (held) {
      // the caller handed it ahead (takesNext) has it now
    } else if (this.closing) s.state = 'idle'; // close() logs it out
    else s.markIdle();
    this.pump();
  }

  /**
   * Hand free sessions to waiters (the first background one if it has waited backgroundAgingMs,
   * else the first interactive one, else the first background one), opening new sessions while
   * under the size limit.
   */
  private pump(): void {
    while (this.waiterCount > 0 && !this.closing) {
      const aged = this.background.length > 0 && this.now() - this.background[0]!.queuedAt >= (this.opts.backgroundAgingMs ?? BACKGROUND_AGING_MS);
      const queue = this.interactive.length > 0 && !aged ? this.interactive : this.background;
      const idle = [...this.sessions].find((s) => s.isIdle);
      if (idle) {
        idle.markBusy();
        this.take(queue).resolve(idle);
        continue;
      }
      if (this.sessions.size + this.openingSessions.size < this.opts.size) {
        this.openFor(this.take(queue));
        continue;
      }
      // Every session busy: one more caller per session waits in its connection (ThreadedConnection),
      // whose command the EPP I/O thread writes as soon as the answer in flight is read; in the
      // queue's order, so one that may not go ahead keeps those behind it waiting too (a background
      // caller never goes ahead of an interactive one that may not).
      const ahead = queue[0]!.ahead ? [...this.sessions].find((s) => s.takesNext) : undefined;
      if (ahead) {
        ahead.markBusy();
        this.take(queue).resolve(ahead);
        continue;
      }
      break;
    }
  }

  private take(queue: Waiter[]): Waiter {
    const w = queue.shift()!;
    if (w.timer) clearTimeout(w.timer);
    return w;
  }

  private openFor(w: Waiter): void {
    const s = this.opts.create();
    this.openingSessions.add(s);
    s.onClosed = (closed) => {
      this.sessions.delete(closed);
      this.pump();
    };
    s.onAvailable = () => this.pump();
    s.onGreeting = (g) => this.opts.onGreeting?.(g);
    s.open().then(
      (greeting) => {
        this.openingSessions.delete(s);
        this.opts.onGreeting?.(greeting);
        if (s.state === 'closed') {
          w.reject(new UpstreamUnavailableError(`EPP session to ${this.opts.backend} closed right after login`, { backend: this.opts.backend, maybeApplied: false }));
        } else {
          this.sessions.add(s);
          s.markBusy();
          w.resolve(s);
        }
        this.pump();
      },
      (e: Error) => {
        this.openingSessions.delete(s);
        w.reject(e);
        this.pump();
      },
    );
  }
}
