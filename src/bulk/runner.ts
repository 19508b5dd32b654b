/**
 * Runs the items of bulk jobs: per backend a lane that claims items from the store (row locks,
 * SKIP LOCKED: several instances share a job and never hold one item at once), keeps at most the
 * backend's concurrency in flight, and settles outcomes in batches. Each item runs the same
 * operation a single mutation runs, under its own idempotency key (itemKey), so an item run again
 * after a crash replays or reconciles instead of applying twice. Transient failures (no session,
 * no answer, 2400/2500-2502, another request holding the key) are retried with exponential
 * back-off up to maxAttempts; a definite refusal (any other 2xxx, bad input) is final at once.
 * On a backend with native bulk endpoints (REPP) a lane sends chunks instead (src/bulk/native.ts).
 * An item whose command the registry only queued (Joker's Proc-ID) is AWAITING_REGISTRY, settled
 * from its stored completion by src/bulk/awaiting.ts: after its outcome is written, and on a timer.
 *
 * Exactly once, at one write per item: the claim (RUNNING, durable before anything is sent) is
 * the item's intent, as an IN_PROGRESS idempotency record is a single mutation's. So an item's
 * first run writes no record before sending (IdempotencyService.runDeferred); its record is
 * written with its outcome and its command log entries, in the batch's one statement (BulkStore.settle). An item taken over RUNNING (its holder
 * died, or this instance before a restart) may have been sent: it is reconciled with the registry
 * before anything is sent again (IdempotencyService.runInDoubt: at once when its key has no record,
 * the usual case, with the record kept for the batch; else after markInDoubt, through run()). Every
 * other later run goes through IdempotencyService.run, as a single mutation's retry does.
 *
 * A claim is fenced before anything is sent for it: the runner knows, per item it holds, until
 * when its claim is certainly valid (BulkRunner.held: on the monotonic clock, leaseMs from before
 * the claim or renewal statement that confirmed it was issued; lease_until is on the database's
 * clock, which it never runs ahead of). Right before an item's command is written (the command
 * log's beforeSend) the runner refuses when the claim is known lost (a renewal did not return it)
 * and, when the last confirmation is older than half a lease, first renews that one item's claim
 * (BulkStore.holdClaim) and refuses when that fails. A refused item was taken by another instance
 * (its claim had lapsed: this one stalled): nothing was sent, and it is left to that instance, with
 * no outcome written here. In the normal case (renewals every third of a lease) this costs no
 * statement per item.
 */
import { EventEmitter } from 'node:events';
import { DatabaseUnavailableError, fieldMessage, GatewayError, ObjectNotFoundError, UpstreamFailureError, UpstreamRateLimitedError } from '../core/errors.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import { WriteFence, revocationFlag, revokeFlag } from '../core/write-fence.js';
import type { BulkJob } from '../db/generated/client.js';
import type { CommandLog } from '../commandlog/command-log.js';
import type { LogEntry } from '../commandlog/command-log.js';
import type { DeferredRecord } from '../idempotency/deferred.js';
import type { IdempotencyService } from '../idempotency/service.js';
import type { Logger } from '../logger.js';
import { OutageLog } from '../observe/outage-log.js';
import type { IdempotencyRunner, OperationEnv } from '../operations/run.js';
import type { BulkSettings } from './config.js';
import { awaitsRegistry, settleAwaiting, settleOverdue } from './awaiting.js';
import { itemErrorField, runItem, type BulkKind, type ItemInput } from './kinds.js';
import { NativeBulk } from './native.js';
import type { Sealer } from './seal.js';
import { BULK_JOBS_CHANNEL, cancelledError, itemKey, type BulkStore, type ClaimedItem, type ItemOutcome } from './store.js';
import type { Listen, Unlisten } from '../db/listen.js';
import type { SessionHintWriter, SessionLane } from './session-hint.js';

/**
 * What the runner works with: the operations' services, the whole idempotency service (not only run), and on
 * PostgreSQL `listen` (src/db/listen.ts), through which a runner hears of a job submitted on
 * another instance (BULK_JOBS_CHANNEL) at once instead of at its next idle look (bulk.idleMs).
 */
export type BulkEnv = OperationEnv & { idempotency: IdempotencyService; listen?: Listen };

interface Lane {
  queue: ClaimedItem[];
  inFlight: number;
  claiming: boolean;
}

const FLUSH_MS = 100;
/** How long a lane no item has run on stays in the sessions hint (ms): a job's lanes stay through a pause between its claims. */
const HINT_IDLE_MS = 5_000;
const FLUSH_ITEMS = 200;
const JOB_TTL_MS = 250;
/** Most items per lane beyond the backend's sessions that wait for a session, ready to be written (see started()): one per session up to this. */
const AHEAD = 64;
/** Awaiting items looked at per sweep (those with a stored completion only). */
const AWAITING_BATCH = 1000;

/** Where an item stands in its job's request: the job's kind and parameters, and the item's place in its list. */
export interface ItemPlace {
  job: Pick<BulkJob, 'kind' | 'params'>;
  position: number;
}

/**
 * The error an item keeps: the stable code and message (never a secret: errors carry none),
 * unexpected ones masked; `field`, the argument of the bulk mutation it is about
 * (`domains[3].currentExpiry`, `period`: itemErrorField), when `at` is known and the error names one.
 */
export function itemError(err: unknown, at?: ItemPlace): NonNullable<ItemOutcome['error']> {
  if (!(err instanceof GatewayError)) return { code: 'INTERNAL_SERVER_ERROR', message: 'unexpected error (see the gateway log)', upstreamCode: null };
  const error: NonNullable<ItemOutcome['error']> = { code: err.code, message: err.message, upstreamCode: err.details.upstreamCode ?? null };
  const listed = (at?.job.params as { everyDomain?: boolean } | null)?.everyDomain !== true;
  // A renewal's or a transfer's "object does not exist" (2303) can only be about the item's domain,
  // whichever way it ran (a native chunk's refusal names no argument of its own).
  const named = err.details.field ?? (err instanceof ObjectNotFoundError && (at?.job.kind === 'RENEW' || at?.job.kind === 'TRANSFER') ? 'input.name' : undefined);
  const field = at ? itemErrorField(at.job.kind as BulkKind, at.position, named, listed) : null;
  if (field) {
    error.field = field;
    // An error whose message names its field (`currentExpiry: ...`) names the path in the request instead, rebuilt from its
    // own parts (fieldMessage); any other error's message (a registry's words) stays as it is, whatever it starts with.
    if (field !== err.details.field) error.message = fieldMessage(err, field) ?? err.message;
  }
  return error;
}

/** Worth another attempt: the error says so (retryable), or it is not one the gateway knows. */
export function isTransient(err: unknown): boolean {
  return !(err instanceof GatewayError) || err.details.retryable === true;
}

/**
 * When a failed run of an item runs again, or null when its failure is final (FAILED):
 * - a rate limit (UpstreamRateLimitedError, RATE_LIMITED: the gateway's share of the registry's
 *   limit was spent, or the registry answered 429; nothing was processed) is no attempt: the item
 *   waits for the advised `retryAfter` (1 s when none), plus up to `backoffMs` so that a job's
 *   items do not all come back at the same instant, and runs again however often the limit
 *   refuses it (`uncounted`: its claim is undone, so `attempts` and `bulk.maxAttempts` count
 *   only runs the registry could have processed). A job bigger than the registry's window
 *   slows down to the window instead of failing its items;
 * - any other transient failure (isTransient), while `attempts` (this run included) is below
 *   `maxAttempts`: after an exponential back-off from `backoffMs`, doubling per attempt up to
 *   60 s, with jitter (half to all of it).
 */
export function retryOf(err: unknown, attempts: number, settings: Pick<BulkSettings, 'backoffMs' | 'maxAttempts'>, now = Date.now()): { notBefore: Date; uncounted: boolean } | null {
  if (err instanceof UpstreamRateLimitedError) {
    return { notBefore: new Date(now + (err.details.retryAfter ?? 1) * 1000 + Math.random() * settings.backoffMs), uncounted: true };
  }
  if (!isTransient(err) || attempts >= settings.maxAttempts) return null;
  const backoff = Math.min(60_000, settings.backoffMs * 2 ** (attempts - 1)) * (0.5 + Math.random() / 2);
  return { notBefore: new Date(now + backoff), uncounted: false };
}

/** `outcomes` of a native chunk, each with the claim of its item in `chunk` (ItemOutcome.attempts). */
function withClaims(outcomes: ItemOutcome[], chunk: readonly ClaimedItem[]): ItemOutcome[] {
  const attempts = new Map(chunk.map((i) => [i.id, i.attempts]));
  for (const o of outcomes) o.attempts ??= attempts.get(o.id);
  return outcomes;
}

/** An item's job was cancelled while the item waited for a session: nothing was sent for it. */
class CancelledBeforeSend extends Error {}

/** An item's claim was lost (another instance took it after it lapsed) before its command was sent: nothing was sent for it. */
class ClaimLostBeforeSend extends Error {}

/** One claim this runner holds: which claim of the item (ClaimedItem.attempts), and until when it is certainly valid. */
interface HeldClaim {
  attempts: number;
  /**
   * performance.now() (ms) up to which the claim is certainly this runner's: leaseMs after the
   * latest claim, renewal or fence statement that confirmed it was issued (taken before it was sent).
   */
  until: number;
  /** Its outcome is queued for a flush: nothing more is sent for it, and a renewal that misses it (settled meanwhile) says nothing. */
  settling?: boolean;
}

/** This instance's runner of bulk items (see this file's header): start() claims and runs, stop() lets running items finish and gives back the rest. */
export class BulkRunner {
  /** Emits 'settled' (jobId) after outcomes of the job's items were written. */
  readonly events = new EventEmitter().setMaxListeners(0);
  private readonly lanes = new Map<string, Lane>();
  private readonly jobs = new Map<string, { job: BulkJob; at: number }>();
  /** Reads of a job under way (jobOf), by job id. */
  private readonly reading = new Map<string, Promise<BulkJob | null>>();
  /**
   * Each job's revocation flag (src/core/write-fence.ts), in every fence its items' commands go
   * out under: set when the job is cancelled here (forget) or read cancelled, so that a command
   * already handed to a session, waiting behind the answer in flight there (the EPP I/O thread),
   * is not written.
   */
  private readonly revocations = new Map<string, Int32Array>();
  /**
   * Items this runner claimed and has not settled yet (queued, running, or with an outcome not yet
   * written), by id, with how long each claim is certainly valid (HeldClaim): the only ones whose
   * leases it renews. An item RUNNING under this instance's name that it does not hold (its earlier
   * life's, after a restart with the same identity, which the first claims did not take back yet;
   * or one whose claim's answer was lost) lapses and is taken over in doubt, instead of being
   * renewed for good and never run again. An item a renewal or a fence found taken by another
   * instance is dropped (its command is not sent: see claimHeld).
   */
  private readonly held = new Map<bigint, HeldClaim>();
  /**
   * The claim each queued outcome was reached under (its entry in `held` when it was queued). A
   * flush forgets that claim only: the write that makes an item PENDING again (a transient
   * failure) commits before its answer is read here, and a claim of the item again may come back
   * first; its new entry in `held` must stay, or that run is dropped as if another instance had
   * taken the item, and the item waits RUNNING for its lease to lapse.
   */
  private readonly claimOf = new WeakMap<ItemOutcome, HeldClaim>();
  /**
   * The items this instance's earlier life was running when it stopped (lapseOwn at start), not
   * claimed again yet. That life is gone, so nothing of it writes a record after this life's claim:
   * such an item taken in doubt runs on its claim's word whether its key has a record
   * (ClaimedItem.inDoubt.recorded, `trusted`). Any other item taken in doubt may have a holder still
   * alive, which may write its key's record after the claim (a later attempt runs through
   * IdempotencyService.run, whose record is inserted before the claim fence refuses the send; a
   * late settle no longer writes records of items it does not hold: BulkStore.settle): its key
   * is looked up when it runs (runInDoubt).
   */
  private readonly earlierLife = new Set<bigint>();
  /** Claimed items whose claim's `recorded` is taken as it is (see earlierLife). */
  private readonly trusted = new WeakSet<ClaimedItem>();
  private outcomes: ItemOutcome[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  /** The LISTEN on BULK_JOBS_CHANNEL (start: begun, not awaited), ended by stop(). */
  private listening: Promise<Unlisten | undefined> = Promise.resolve(undefined);
  private stopped = true;
  /** The sweep of items awaiting the registry under way (settleAwaiting's or settleOverdue's): one at a time. */
  private awaitingSweep: Promise<void> | null = null;
  /** The overdue sweep waiting for its turn or under way: at most one. */
  private overdueSweep: Promise<void> | null = null;
  /** A BulkStore.runnable of wake() under way; and whether wake() was called meanwhile. */
  private probing = false;
  private probeAgain = false;
  /** Chunks through a backend's native bulk endpoints (REPP), instead of one operation per item. */
  private readonly native: NativeBulk;
  /** Failures of the statements repeated every idleMs, logged once per outage (outage-log.ts). */
  private readonly probeLog: OutageLog;
  private readonly claimLog: OutageLog;
  private readonly awaitingLog: OutageLog;
  /** Failures of what runs on its own timer or per item while the database is away (flushes, renewals, job reads, items), logged once per outage too. */
  private readonly flushLog: OutageLog;
  private readonly renewLog: OutageLog;
  private readonly jobReadLog: OutageLog;
  private readonly itemsLog: OutageLog;
  private readonly overdueLog: OutageLog;

  /**
   * The lanes this runner's items run on, per backend and registrar (key `backend\0registrar`):
   * items running now, the most at once, and when one last ran; kept in the sessions hint
   * (src/bulk/session-hint.ts) until idle for HINT_IDLE_MS.
   */
  private readonly inUse = new Map<string, { backend: string; registrarId: string; running: number; peak: number; lastAt: number }>();

  /** start() was called: stop() then clears the sessions hint. */
  private ranOnce = false;

  constructor(
    private readonly env: BulkEnv,
    private readonly store: BulkStore,
    private readonly sealer: Sealer,
    private readonly settings: BulkSettings,
    private readonly logger: Logger,
    /** Where the lanes in use are kept for a restart of this identity (none: its identity does not survive one). */
    private readonly hint?: SessionHintWriter,
  ) {
    this.native = new NativeBulk(env, sealer, settings, logger, (backend) => this.pump(backend));
    this.probeLog = new OutageLog(logger, 'bulk: looking for items to claim');
    this.claimLog = new OutageLog(logger, 'bulk: claiming items');
    this.awaitingLog = new OutageLog(logger, 'bulk: settling items awaiting the registry');
    this.flushLog = new OutageLog(logger, 'bulk: writing item outcomes', `kept and written again every ${FLUSH_MS} ms`);
    this.renewLog = new OutageLog(logger, 'bulk: renewing the leases of claimed items', 'tried again every bulk.leaseMs / 3');
    this.jobReadLog = new OutageLog(logger, 'bulk: reading a job', 'read again at its next item');
    this.itemsLog = new OutageLog(logger, 'bulk: running items while the database is not answering', 'each item runs again after its back-off');
    this.overdueLog = new OutageLog(logger, 'bulk: settling overdue items awaiting the registry', 'tried again every bulk.overdueCheckMs');
  }

  private get commandLog(): CommandLog | undefined {
    return this.env.idempotency.commandLog;
  }

  get holder(): string {
    return this.settings.instanceId;
  }

  /**
   * Takes back this instance's own unfinished items (same identity, earlier life: they are
   * lapsed, so the first claims take them in doubt), then runs. For those items the sessions
   * they will run on are opened at once (RegistryPort.prepare, not awaited): a restarted
   * instance's logins then happen while it claims and reads the items, and before the HTTP side
   * loads (src/server.ts), instead of one by one as the first commands need them.
   */
  async start(): Promise<void> {
    this.ranOnce = true;
    const lapsed = await this.store.lapseOwn(this.holder);
    for (const l of lapsed) for (const id of l.ids) this.earlierLife.add(id);
    const own = lapsed.reduce((n, l) => n + l.items, 0);
    if (own > 0) this.logger.info({ items: own }, 'bulk: items this instance was running before it stopped are reconciled before they run again');
    for (const { backend, registrarId, items } of lapsed) {
      this.prepareSessions(backend, registrarId, items);
      // Kept in the sessions hint from now on, not only once they run: a crash meanwhile leaves it as it was.
      this.using(backend, registrarId, items)();
    }
    this.stopped = false;
    // Jobs submitted on other instances (BulkStore.create notifies on commit): claimed at once. Not
    // awaited: the listening connection's start-up does not hold up the items taken back. While it
    // is down, the idle look every idleMs finds the new jobs as before.
    const listen = this.env.listen;
    if (listen) {
      const outage = new OutageLog(this.logger, 'bulk: listening for jobs submitted elsewhere', 'they are found every bulk.idleMs meanwhile; reconnected after 1 s, doubling to 30 s');
      this.listening = listen(BULK_JOBS_CHANNEL, {
        onNotify: () => this.wake(),
        onGap: () => this.wake(),
        onError: (err) => outage.failed(err.message),
        onListening: () => outage.succeeded(),
      }).catch((err: unknown) => {
        this.logger.warn({ err }, 'bulk: listening for jobs submitted elsewhere failed; they are found every bulk.idleMs');
        return undefined;
      });
    }
    const every = (ms: number, fn: () => void) => this.timers.push(setInterval(fn, ms));
    every(this.settings.idleMs, () => this.wake());
    every(Math.max(100, Math.floor(this.settings.leaseMs / 3)), () =>
      void this.renewLeases().then(
        () => this.renewLog.succeeded(),
        (err: unknown) => this.renewLog.failed(err),
      ),
    );
    every(FLUSH_MS, () => {
      this.keepHint();
      void this.flush();
    });
    every(this.settings.idleMs, () => void this.settleAwaiting());
    every(this.settings.overdueCheckMs, () => void this.settleOverdue());
    // The lanes with items taken back claim at once (wake() would first ask which lanes have work).
    for (const backend of new Set(lapsed.map((l) => l.backend))) if (this.knows(backend)) this.pump(backend);
    this.wake();
  }

  /**
   * Renews the claims of every item held (one statement) and learns which it still holds: a
   * renewed claim is valid until leaseMs after the statement was issued; an item not renewed (and
   * still held under the same claim) was taken by another instance: dropped, so its command is not
   * sent and its lease no longer renewed.
   */
  private async renewLeases(): Promise<void> {
    const ids = [...this.held.keys()];
    if (ids.length === 0) return;
    const issued = performance.now();
    const renewed = await this.store.renewLeases(this.holder, ids, this.settings.leaseMs);
    let lost = 0;
    for (const id of ids) {
      const h = this.held.get(id);
      if (!h) continue; // settled meanwhile
      if (renewed.get(id) === h.attempts) h.until = Math.max(h.until, issued + this.settings.leaseMs);
      else if (!h.settling && h.until <= issued + this.settings.leaseMs) {
        // Not renewed under this claim (and not claimed again since the statement was issued).
        this.held.delete(id);
        lost++;
      }
    }
    if (lost > 0) this.logger.warn({ items: lost }, 'bulk: claims found taken by another instance (this one was held up longer than the lease); their items are left to it');
  }

  /**
   * The claim fence, awaited right before an item's command is written (the command log's
   * beforeSend): throws ClaimLostBeforeSend (nothing is sent) when the claim is known lost, or
   * when it was last confirmed more than half a lease ago and one renewal of this item's claim
   * (BulkStore.holdClaim) does not land. No statement when the claim was confirmed within half a
   * lease (renewals run every third of one): at least half a lease is then left for the command
   * to go out before another instance may take the item.
   */
  private async claimHeld(item: ClaimedItem, fence: WriteFence): Promise<void> {
    const h = this.held.get(item.id);
    if (!h || h.attempts !== item.attempts) throw new ClaimLostBeforeSend();
    const issued = performance.now();
    if (h.until - issued < this.settings.leaseMs / 2) {
      if (!(await this.store.holdClaim(this.holder, item.id, item.attempts, this.settings.leaseMs))) {
        if (this.held.get(item.id) === h) this.held.delete(item.id);
        throw new ClaimLostBeforeSend();
      }
      h.until = Math.max(h.until, issued + this.settings.leaseMs);
    }
    // The command goes out while a quarter of the lease is still left, or not at all (a command
    // waiting behind a slow one on its session: the writer checks the fence at the write).
    fence.within(h.until - performance.now() - this.settings.leaseMs / 4);
  }

  /** Whether this runner still holds the item under the claim it was queued with. */
  private holds(item: ClaimedItem): boolean {
    return this.held.get(item.id)?.attempts === item.attempts;
  }

  /** This instance has the backend (an item of a backend it no longer has is not claimed here). */
  private knows(backend: string): boolean {
    return this.env.router.backends().some((b) => b.name === backend);
  }

  /**
   * Opens the sessions `items` of the registrar's items on `backend` will run on (at most what
   * the lane starts at once). A backend this instance no longer has is left alone (its items
   * wait, see started()); a failed login is left to the items' own commands.
   */
  private prepareSessions(backend: string, registrarId: string, items: number): void {
    if (!this.knows(backend)) return;
    this.env.router
      .named(backend)
      .prepare(registrarId, this.sessionsFor(backend, items))
      .catch((err) => this.logger.debug({ err, backend }, 'bulk: opening sessions ahead of the items taken back failed'));
  }

  /** The sessions `items` items of a lane run on at once: at most what the lane starts at once and the backend's sessions per account. */
  private sessionsFor(backend: string, items: number): number {
    return Math.min(items, this.started(backend, this.limit(backend)), this.env.router.named(backend).limits.sessions);
  }

  /**
   * Stops claiming, lets running items finish, writes their outcomes and gives back the claimed
   * items not started, their claims undone: PENDING with the attempts and error they had, or, for
   * an item claimed in doubt, RUNNING under a lapsed lease as its earlier claim left it.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await (await this.listening)?.();
    this.listening = Promise.resolve(undefined);
    while ([...this.lanes.values()].some((l) => l.inFlight > 0 || l.claiming)) await new Promise((r) => setTimeout(r, 20));
    const unstarted = [...this.lanes.values()].flatMap((l) => l.queue.splice(0));
    // Their claims undone (ItemOutcome.givenBack): an item taken in doubt stays in doubt.
    this.queue(unstarted.map((i) => ({ id: i.id, attempts: i.attempts, state: 'PENDING' as const, notBefore: new Date(0), givenBack: { inDoubtSince: i.inDoubt?.claimedAt ?? null } })));
    await this.flush();
    await Promise.all([this.awaitingSweep, this.overdueSweep]);
    // Nothing held any more: a start after this one has no sessions to open ahead (a runner that
    // never started, bulk.enabled false, leaves the file alone).
    this.inUse.clear();
    if (this.ranOnce) {
      this.hint?.set([]);
      await this.hint?.flushed();
    }
  }

  /** Writes the lanes in use to the sessions hint (only when they changed); a lane idle for HINT_IDLE_MS is dropped. */
  private keepHint(): void {
    if (!this.hint) return;
    const now = Date.now();
    const lanes: SessionLane[] = [];
    for (const [k, u] of this.inUse) {
      if (u.running === 0 && now - u.lastAt >= HINT_IDLE_MS) this.inUse.delete(k);
      else if (this.knows(u.backend)) lanes.push({ backend: u.backend, registrarId: u.registrarId, sessions: this.sessionsFor(u.backend, u.peak) });
    }
    this.hint.set(lanes);
  }

  /** `n` more items of `registrarId` running on `backend` (for the sessions hint); call the function returned when they end. */
  private using(backend: string, registrarId: string, n = 1): () => void {
    const k = `${backend}\u0000${registrarId}`;
    let u = this.inUse.get(k);
    if (!u) this.inUse.set(k, (u = { backend, registrarId, running: 0, peak: 0, lastAt: 0 }));
    const use = u;
    use.running += n;
    use.peak = Math.max(use.peak, use.running);
    return () => {
      use.running -= n;
      use.lastAt = Date.now();
    };
  }

  /**
   * Looks for work now (a job was submitted on this instance; and every idleMs). Lanes at work
   * claim by themselves as they run low; the idle ones (nothing queued or running, no claim under
   * way) are looked at together in one statement (BulkStore.runnable) when there are several,
   * and only those with items to claim claim: idle backends cost one statement per wake-up, not
   * one claim each.
   */
  wake(): void {
    if (this.stopped) return;
    const idle: string[] = [];
    for (const { name } of this.env.router.backends()) {
      const lane = this.lanes.get(name);
      if (lane && (lane.claiming || lane.inFlight > 0 || lane.queue.length > 0)) this.pump(name);
      else idle.push(name);
    }
    if (idle.length === 1) this.pump(idle[0]!);
    if (idle.length < 2) return;
    // A look under way may have read the store before what this wake-up is for (a job just
    // submitted): it looks again once that one ends.
    if (this.probing) return void (this.probeAgain = true);
    this.probing = true;
    this.store
      .runnable(idle)
      .then((backends) => {
        this.probeLog.succeeded();
        for (const name of backends) this.pump(name);
      })
      .catch((err) => this.probeLog.failed(err))
      .finally(() => {
        this.probing = false;
        if (this.probeAgain) {
          this.probeAgain = false;
          this.wake();
        }
      });
  }

  private limit(backend: string): number {
    return this.settings.backendConcurrency[backend] ?? this.settings.concurrency;
  }

  private lane(backend: string): Lane {
    let lane = this.lanes.get(backend);
    if (!lane) this.lanes.set(backend, (lane = { queue: [], inFlight: 0, claiming: false }));
    return lane;
  }

  /**
   * Items of a lane started at once: the backend's concurrency, and when that fills every session
   * of the backend's pool, up to AHEAD more (one per session, at most AHEAD), which wait with
   * everything done up to the write (job read, fingerprint, command built on arrival): on EPP each
   * waits in a session's connection, whose command the EPP I/O thread writes the moment the answer
   * before it is read (src/backends/epp/session/io-thread.ts); elsewhere in the pool's queue, where
   * a session that frees hands itself to the next item at once. Measured with bench/bulk.mjs (20 ms
   * round trip, 16 sessions, PostgreSQL): the registry's view of the turnaround (its answer's
   * write to the next command's read) went from a mean of 2.4-7.6 ms with none ahead, to 1.6 ms
   * with 8 ahead in the pool's queue, to 0.6-0.7 ms with one per session in the I/O thread's
   * connections. The registry still sees at most `sessions` commands at once; a concurrency below
   * the sessions is kept as it is. An item that waited is looked at again right before its command
   * is written (idempotencyFor): a cancelled job sends nothing more.
   */
  private started(backend: string, limit: number): number {
    let sessions = 0;
    try {
      sessions = this.env.router.named(backend).limits.sessions;
    } catch {
      return limit; // a backend this instance does not know: nothing runs there
    }
    return limit >= sessions ? Math.max(limit, sessions + Math.min(AHEAD, sessions)) : limit;
  }

  /** Starts queued items up to the limit, and claims more while the queue runs low (one claim at a time per lane). */
  private pump(backend: string): void {
    const lane = this.lane(backend);
    const limit = this.limit(backend);
    const started = this.started(backend, limit);
    while (!this.stopped && lane.inFlight < started && lane.queue.length > 0) {
      const chunk = this.native.take(backend, lane.queue); // null: the head item runs on its own
      if (chunk === 'wait') break; // pumped again when the chunk's mode is known or a chunk ends
      lane.inFlight++;
      const run = chunk ? this.native.run(backend, chunk).then((done) => this.gather(withClaims(done, chunk))) : this.runOne(lane.queue.shift()!);
      void run.finally(() => {
        lane.inFlight--;
        this.pump(backend);
        // Nothing left to run here (the job's last items): their outcomes are written now, not at the next FLUSH_MS.
        if (lane.inFlight === 0 && lane.queue.length === 0 && this.outcomes.length > 0) void this.flush();
      });
    }
    // Claim in batches, once a quarter of the buffer is left (the next claim's answer comes long
    // before that is run): a claim per finished item would bound the throughput by the latency of
    // one claim statement, and each claim is a statement (4 x limit claimed at half: a
    // 10,000-item job at concurrency 16 sent ~300 claims of ~33 items; now ~100 of ~96). A lane
    // with native bulk endpoints claims below one of its two chunks, so that a chunk sent is full.
    const chunks = this.native.buffer(backend);
    const buffer = Math.max(8 * limit, 64, chunks);
    if (this.stopped || lane.claiming || lane.queue.length >= (chunks > 0 ? buffer / 2 : buffer / 4)) return;
    lane.claiming = true;
    const issued = performance.now();
    this.store
      .claim(this.holder, backend, buffer - lane.queue.length, this.settings.leaseMs)
      .then((items) => {
        this.claimLog.succeeded({ backend }, backend);
        for (const item of items) {
          this.held.set(item.id, { attempts: item.attempts, until: issued + this.settings.leaseMs });
          if (this.earlierLife.delete(item.id) && item.inDoubt?.ownHolder) this.trusted.add(item);
        }
        lane.queue.push(...items);
        lane.claiming = false;
        if (items.length > 0) this.pump(backend);
      })
      .catch((err) => {
        lane.claiming = false;
        this.claimLog.failed(err, { backend }, backend);
      });
  }

  /**
   * Forgets what this instance remembers of a job (its state is read again before the next of its
   * items starts): called when the job was cancelled here. Other instances see a cancel within
   * JOB_TTL_MS and one read of the job; an item they had already sent finishes with its real outcome.
   */
  forget(jobId: string): void {
    this.revoke(jobId);
    this.jobs.delete(jobId);
    this.reading.delete(jobId);
  }

  /** The job's revocation flag (see revocations), made on first use. */
  private revocationOf(jobId: string): Int32Array {
    let flag = this.revocations.get(jobId);
    if (!flag) this.revocations.set(jobId, (flag = revocationFlag()));
    return flag;
  }

  /** The job is cancelled: commands of its items not written yet are not written (the items' next look at the job cancels them). */
  private revoke(jobId: string): void {
    const flag = this.revocations.get(jobId);
    if (flag) revokeFlag(flag);
    this.revocations.delete(jobId);
  }

  /**
   * The job as last read: read again (one read at a time per job) when this instance has none,
   * and in the background when it is older than JOB_TTL_MS, so that items never wait for that
   * read (all of a lane's items would wait at once, each holding its session when they wait
   * right before writing). A read under way when the job is forgotten is not kept.
   */
  private async jobOf(id: string): Promise<BulkJob | null> {
    const hit = this.jobs.get(id);
    if (!hit) return this.readJob(id);
    if (Date.now() - hit.at >= JOB_TTL_MS) this.readJob(id).catch(() => undefined); // logged by readJob
    return hit.job;
  }

  /**
   * Job states read by a flush's statement (BulkStore.settle), as fresh as a read of the job
   * would be then: they stand for that read, so a job whose items keep settling here is not read
   * again every JOB_TTL_MS. `since`: when the statement was sent (its snapshot is no older). Only
   * a remembered job whose last read is older is updated (a job being read, or forgotten, is left
   * alone), and a cancel is never undone.
   */
  private sawJobs(states: Map<string, string>, since: number): void {
    for (const [id, state] of states) {
      const hit = this.jobs.get(id);
      if (!hit || hit.at > since || this.reading.has(id) || hit.job.state === 'CANCELLED') continue;
      if (state === 'CANCELLED') this.revoke(id);
      this.jobs.set(id, { job: hit.job.state === state ? hit.job : { ...hit.job, state: state as BulkJob['state'] }, at: since });
    }
  }

  private readJob(id: string): Promise<BulkJob | null> {
    const under = this.reading.get(id);
    if (under) return under;
    const read: Promise<BulkJob | null> = this.store.job(id).then(
      (job) => {
        this.jobReadLog.succeeded();
        if (this.reading.get(id) === read && job) this.jobs.set(id, { job, at: Date.now() });
        if (job?.state === 'CANCELLED') this.revoke(id);
        return job;
      },
      (err: unknown) => {
        this.jobReadLog.failed(err, { job: id });
        throw err;
      },
    );
    this.reading.set(id, read);
    const done = () => void (this.reading.get(id) === read && this.reading.delete(id));
    read.then(done, done);
    return read;
  }

  private input(item: ClaimedItem): ItemInput {
    const raw = (item.input ?? {}) as { currentExpiry?: string; authInfo?: string };
    return { currentExpiry: raw.currentExpiry ?? null, authInfo: raw.authInfo ? this.sealer.open(raw.authInfo) : null };
  }

  /**
   * How the item's operation runs under its key: a first run without a record before sending
   * (its outcome's record is kept for the batch), an item in doubt reconciled first
   * (IdempotencyService.runInDoubt: its record too is kept for the batch unless the key had one),
   * any other through the idempotency service as a single mutation's retry. Every way fences the
   * item's claim right before its command is written (claimHeld).
   */
  private idempotencyFor(item: ClaimedItem, records: DeferredRecord[], log: LogEntry[], fence: WriteFence): IdempotencyRunner {
    const svc = this.env.idempotency;
    const keepLog = (e: LogEntry) => void log.push(e);
    const claimHeld = () => this.claimHeld(item, fence);
    if (item.inDoubt) {
      const { claimedAt, ownHolder } = item.inDoubt;
      const recorded = this.trusted.has(item) ? item.inDoubt.recorded : undefined;
      return { run: (req, execute) => svc.runInDoubt(req, claimedAt, ownHolder, execute, (r) => records.push(r), { keepLog, beforeSend: claimHeld, recorded }) };
    }
    if (item.attempts === 1) {
      // It may have waited for a session (AHEAD): the job is looked at again right before the write.
      const beforeSend = async () => {
        if (!this.stillRunning(await this.jobOf(item.jobId))) throw new CancelledBeforeSend();
        await claimHeld();
      };
      return { run: (req, execute) => svc.runDeferred(req, execute, (r) => records.push(r), { beforeSend, keepLog }) };
    }
    return { run: (req, execute) => svc.run(req, execute, { beforeSend: claimHeld }) };
  }

  private stillRunning(job: BulkJob | null): job is BulkJob {
    return job !== null && job.state !== 'CANCELLED';
  }

  /**
   * Runs one item and queues its outcome for the next flush. An item no longer held (another
   * instance took it: see renewLeases, claimHeld) is left to that instance: no outcome here.
   */
  private async runOne(item: ClaimedItem): Promise<void> {
    let outcome: ItemOutcome;
    const records: DeferredRecord[] = [];
    const log: LogEntry[] = [];
    let job: BulkJob | null = null;
    if (!this.holds(item)) return;
    try {
      job = await this.jobOf(item.jobId);
      if (!this.stillRunning(job)) {
        outcome = { id: item.id, state: 'CANCELLED', error: cancelledError(item.attempts), unclaimed: true };
      } else {
        const fence = new WriteFence(this.revocationOf(item.jobId));
        const actor = { registrarId: job.registrarId, idempotencyKey: itemKey(job.idempotencyKey, item.position), fence };
        const env = { ...this.env, idempotency: this.idempotencyFor(item, records, log, fence) };
        const done = this.using(item.backend, job.registrarId);
        // An earlier attempt (taken back in doubt, or one that failed) may have sent the item's command.
        const sentSince = item.inDoubt || item.attempts > 1 ? new Date(job.createdAt.getTime() - this.env.idempotency.skewMs) : null;
        const result = await runItem(env, actor, job.kind as BulkKind, job.params, item.name, this.input(item), { sentSince }).finally(done);
        outcome = { id: item.id, state: awaitsRegistry(result) ? 'AWAITING_REGISTRY' : 'SUCCEEDED', result, records, log };
        this.itemsLog.succeeded();
      }
    } catch (err) {
      if (err instanceof ClaimLostBeforeSend) {
        this.logger.warn({ item: item.name, job: item.jobId }, 'bulk: the claim of an item was taken by another instance before its command was sent; nothing sent, left to it');
        if (this.holds(item)) this.held.delete(item.id);
        return;
      }
      outcome = err instanceof CancelledBeforeSend ? { id: item.id, state: 'CANCELLED', error: cancelledError(item.attempts), log, unclaimed: true } : { ...this.failed(item, err, records, job), log };
    }
    outcome.attempts = item.attempts;
    this.gather([outcome]);
  }

  /** A failed run's outcome: PENDING again after a back-off when worth another attempt, else FAILED. */
  private failed(item: ClaimedItem, err: unknown, records: DeferredRecord[], job: BulkJob | null): ItemOutcome {
    // The database away (a job's read, a claim's fence): the item says so (SERVICE_UNAVAILABLE, retryable), the outage logged once, not an error per item.
    if (isDatabaseUnavailable(err)) {
      this.itemsLog.failed(err, { item: item.name, job: item.jobId });
      err = new DatabaseUnavailableError(err);
    } else if (!(err instanceof GatewayError)) this.logger.error({ err, item: item.name }, 'bulk: item failed unexpectedly');
    const error = itemError(err, job ? { job, position: item.position } : undefined);
    const again = retryOf(err, item.attempts, this.settings);
    if (!again) return { id: item.id, state: 'FAILED', error, records };
    return { id: item.id, state: 'PENDING', error, notBefore: again.notBefore, records, ...(again.uncounted ? { unclaimed: true } : {}) };
  }

  private gather(outcomes: ItemOutcome[]): void {
    this.queue(outcomes);
    if (this.outcomes.length >= FLUSH_ITEMS) void this.flush();
  }

  /**
   * Queues outcomes for the next flush (their items' claims are then only renewed until it:
   * HeldClaim.settling). An outcome reached under an earlier claim than the one held now (this
   * runner stalled past its lease and claimed the item again) leaves the current claim alone: the
   * flush will not settle the item with it (BulkStore.settle).
   */
  private queue(outcomes: ItemOutcome[]): void {
    for (const o of outcomes) {
      const h = this.held.get(o.id);
      if (h && (o.attempts === undefined || h.attempts === o.attempts)) {
        h.settling = true;
        this.claimOf.set(o, h);
      }
    }
    this.outcomes.push(...outcomes);
  }

  /**
   * Writes the outcomes gathered so far, one write at a time; a failed write is tried again. The
   * items' command log entries, idempotency records and outcomes go in one statement, all or
   * nothing (BulkStore.settle): an item settled PENDING after an unknown outcome must find its
   * OUTCOME_UNKNOWN record when it runs again, and the command log entries a reconciliation
   * reads are written no later than that record (those the command log writes itself, first).
   */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const batch = this.outcomes.splice(0);
      if (batch.length === 0) return;
      try {
        const records = batch.flatMap((o) => o.records ?? []);
        if (records.some((r) => r.state === 'OUTCOME_UNKNOWN')) await this.commandLog?.flush();
        const since = Date.now();
        const { jobs, states } = await this.store.settle(this.holder, batch);
        this.flushLog.succeeded();
        for (const o of batch) if (this.held.get(o.id) === this.claimOf.get(o)) this.held.delete(o.id);
        this.sawJobs(states, since);
        for (const job of jobs) this.events.emit('settled', job);
        // Their completion may have been stored already (before the items said what they await).
        const awaiting = batch.filter((o) => o.state === 'AWAITING_REGISTRY').map((o) => o.id);
        if (awaiting.length > 0) await this.settleAwaiting(awaiting);
      } catch (err) {
        this.outcomes.unshift(...batch);
        this.flushLog.failed(err, { outcomes: this.outcomes.length });
      }
    });
    return this.flushing;
  }

  /**
   * Settles items awaiting the registry whose completion is stored (all of this instance's
   * backends, or only `ids`); one sweep at a time. A failure is logged; the next sweep tries again.
   */
  private settleAwaiting(ids?: bigint[]): Promise<void> {
    if (!ids && this.awaitingSweep) return this.awaitingSweep;
    const backends = this.env.router.backends().map((b) => b.name);
    // A queued command the registry did not process (its result "command failed": the key released) is a transient failure of the item's attempt.
    const retryAt = (attempts: number) => retryOf(new UpstreamFailureError('not processed', { retryable: true }), attempts, this.settings)?.notBefore ?? null;
    const sweep = settleAwaiting(this.env.prisma, this.store, { backends, ids, limit: AWAITING_BATCH, retryAt })
      .then((jobs) => {
        this.awaitingLog.succeeded();
        for (const job of jobs) this.events.emit('settled', job);
      })
      .catch((err) => this.awaitingLog.failed(err))
      .finally(() => {
        if (!ids) this.awaitingSweep = null;
      });
    if (!ids) this.awaitingSweep = sweep;
    return sweep;
  }

  /**
   * Settles items awaiting the registry the gateway stopped waiting for (settleOverdue), never at
   * the same time as another sweep: one under way is waited for, then this one runs. (It used to
   * return the sweep under way instead, so while the sweeps of settleAwaiting, every idleMs, were
   * slow enough to be under way whenever this one's timer fired, as on a loaded or embedded
   * database, overdue items were never settled.) Resolves when this sweep has run.
   */
  private settleOverdue(): Promise<void> {
    this.overdueSweep ??= (async () => {
      while (this.awaitingSweep) await this.awaitingSweep;
      if (this.stopped) return;
      const backends = this.env.router.backends().map((b) => b.name);
      const sweep = settleOverdue(this.env.prisma, this.store, this.env.idempotency, { backends, limit: AWAITING_BATCH })
        .then((jobs) => {
          if (jobs.length > 0) this.logger.warn({ jobs: jobs.length }, 'bulk: items whose queued command got no result in time settled as OUTCOME_UNKNOWN');
          for (const job of jobs) this.events.emit('settled', job);
        })
        .then(
          () => this.overdueLog.succeeded(),
          (err: unknown) => this.overdueLog.failed(err),
        )
        .finally(() => (this.awaitingSweep = null));
      this.awaitingSweep = sweep;
      await sweep;
    })().finally(() => (this.overdueSweep = null));
    return this.overdueSweep;
  }
}
