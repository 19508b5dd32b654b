import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import { ExpiryMismatchError, type RegistryError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { CallContext } from '../core/model/index.js';
import type { IdempotencyRecord, Prisma, PrismaClient } from '../db/generated/client.js';
import { DatabaseUnavailableError } from '../core/errors.js';
import { isDatabaseUnavailable, isUniqueViolation } from '../db/errors.js';
import { leaseClientOf } from '../db/lease-client.js';
import { rawQuery } from '../db/raw.js';
import type { Logger } from '../logger.js';
import type { Router } from '../routing/router.js';
import type { CommandLog, CommandWatch, LogEntry } from '../commandlog/command-log.js';
import { IdempotencyInProgressError, IdempotencyKeyReusedError, IdempotencyLeaseLostError, OutcomeUnknownError, ReplayedError } from './errors.js';
import { underClientKeyLock } from './key-lock.js';
import { DERIVED_KEY_PREFIX } from '../validation/names.js';
import { classifyFailure, type FailureKind } from './failure.js';
import { Fingerprints } from './fingerprint.js';
import { Lease, type StoredRequest } from './lease.js';
import { OPERATIONS } from './reconcile/index.js';
import { Reconciler } from './reconciler.js';
import { sweepAbandoned } from './sweep.js';
import { SecretDigests } from './secrets.js';
import { resolvePending } from './pending.js';
import { writeDeferredRecords, type DeferredRecord } from './deferred.js';
import { Sealer } from '../bulk/seal.js';

/** Timings of the idempotency service, durations in ms (defaults in DEFAULTS below; the config's `idempotency` section via idempotencyOptions). */
export interface IdempotencyOptions {
  /** How long a record is kept (default 7 days). */
  ttlMs: number;
  /**
   * How long the record of a command the registry only queued (SUCCEEDED, 1001, `awaitsCompletion`)
   * is kept while its result has not arrived, counted from its creation, even past ttlMs; the
   * gateway stops waiting for that result then (default 90 days).
   */
  awaitMs: number;
  /** How long a duplicate request waits for the first one to finish before IDEMPOTENCY_IN_PROGRESS. */
  waitMs: number;
  /** First wait (ms) between a waiter's looks at the record, doubled each round up to 16 x (default 50). */
  pollMs: number;
  /** An IN_PROGRESS record whose owner has not renewed it for this long belongs to a dead process (default 15 s). */
  leaseMs: number;
  /** How often a running request renews its lease (default leaseMs / 3). */
  heartbeatMs?: number;
  /** Registry clocks may lag the gateway's by this much when comparing creation dates (default 30 s). */
  skewMs: number;
  /** Wall clock (ms) for leases and waiting: real time even when the injected Clock is a fake. */
  now: () => number;
  /** Keyed fingerprints of the arguments (src/idempotency/fingerprint-key.ts gives the deployment's); required. */
  fingerprints?: Fingerprints;
}

export { classifyFailure } from './failure.js';

/** Optional collaborators: the router and command log for reconciliation, the gateway's registrars (transfers between two), a logger. */
export interface IdempotencyDeps {
  router?: Router;
  commandLog?: CommandLog;
  registrars?: ReadonlyArray<{ id: string }>;
  logger?: Logger;
}

/** Options of run(). */
export interface RunOptions {
  /**
   * The caller has just written the key's record (markInDoubt): the record is read first instead
   * of trying an insert that can only be refused.
   */
  recorded?: boolean;
  /**
   * Awaited right before each command of the key is written (CommandLog.watch's beforeSend), before
   * the owner's own fence (Lease.hold); what it throws is thrown, with nothing sent (a bulk item
   * whose claim was lost).
   */
  beforeSend?: () => Promise<void>;
}

/** Options of runDeferred and runInDoubt. */
export interface DeferredOptions {
  /**
   * Awaited right before each command of the key is written (CommandLog.watch's beforeSend); once
   * a note made the request own a record, the owner's fence (Lease.hold) follows it.
   */
  beforeSend?: () => Promise<void>;
  /**
   * The command log entries of the key's commands not written before sending go here (CommandLog.watch's
   * `keep`) while the request runs, for the caller to write with the record `keep` gets, in one statement.
   */
  keepLog?: (entry: LogEntry) => void;
}

/** Options of runInDoubt: those of runDeferred, and what the caller already knows of the key. */
export interface InDoubtOptions extends DeferredOptions {
  /**
   * Whether the key had a record when the caller read it, given only when nothing can write one
   * since (BulkRunner: an item of its own earlier life, whose process is gone; BulkStore.claim
   * reads it in its one statement): false skips the lookup; true or absent looks.
   */
  recorded?: boolean;
}

/** One mutation under an idempotency key: the record is unique per (registrarId, key) (README "Idempotency contract"). */
export interface MutationRequest {
  registrarId: string;
  key: string;
  operation: string;
  /** Normalised arguments (after validation, defaults applied): the fingerprint is taken over these. */
  args: unknown;
  /**
   * Other forms of the same arguments that earlier releases fingerprinted (Fingerprints.matches):
   * a record stored under one of them is this request's too. Never stored.
   */
  sameAs?: readonly unknown[];
  /** Backend the command goes to; by default derived from the operation and arguments. */
  backend?: string | null;
  /** Call context for reconciliation reads (registrar, key, operation). */
  call?: CallContext;
}

/** A mutation's answer: `replayed` true when it is the key's stored answer (nothing sent this time). */
export interface MutationOutcome<T> {
  result: T;
  replayed: boolean;
}

/** The JSON a mutation stores: its own result plus upstream transaction ids. */
export interface StoredResult {
  trid?: { client: string; server?: string | null };
  [k: string]: unknown;
}

/** What the request's execute function may do besides sending. */
export interface Attempt {
  /**
   * Records what is about to be sent (e.g. a renewal's curExpDate), before sending it: reconciliation
   * reads it. Throws IdempotencyLeaseLostError (IDEMPOTENCY_IN_PROGRESS) when the record is no longer
   * this request's (another request with the key took it over): nothing may be sent then.
   */
  note(details: Record<string, unknown>): Promise<void>;
  /**
   * The attempt's command-log watch (CommandWatch.id), when there is a command log: calls made for
   * the attempt carry it (CallContext.attempt, set by runOperation) so that its commands are fenced
   * by its own lease, not by another attempt's of the same key in this process.
   */
  readonly id?: number;
}

/**
 * How long a waiter sleeps before looking at the record again: pollMs doubled each round up to
 * 16 x pollMs (800 ms by default), times a random factor in [0.5, 1) so that the waiters of one
 * key spread out instead of reading in lock step ("full jitter" back-off, halved at the bottom).
 */
function waitBefore(round: number, pollMs: number): number {
  return pollMs * 2 ** Math.min(round, 4) * (0.5 + Math.random() / 2);
}

const DEFAULTS: IdempotencyOptions = { ttlMs: 7 * 24 * 3600_000, awaitMs: 90 * 24 * 3600_000, waitMs: 10_000, pollMs: 50, leaseMs: 15_000, skewMs: 30_000, now: Date.now };

/** A new IN_PROGRESS record's columns (IdempotencyService.writeRecord). */
interface NewRecord {
  registrarId: string;
  idempotencyKey: string;
  operation: string;
  fingerprint: string;
  request: Prisma.InputJsonValue;
  backend: string | null;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
}

const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;

/** How far one run() got: whether a command of its key may have been sent (for DatabaseUnavailableError.sent). */
interface Progress {
  sent: boolean;
}

/**
 * Whether a command of the attempt may have gone out: its adapter announced one (the command log
 * wrote its entry, right before sending), or, with no command log to tell, it ran at all.
 */
function mayHaveSent(watch: CommandWatch | undefined): boolean {
  return watch ? watch.announced > 0 : true;
}

/**
 * Durable idempotency: one record per (registrar, idempotencyKey), written before anything is
 * sent upstream. The unique constraint makes one request the owner; duplicates replay the stored
 * answer, wait for the owner, or are told the key is in use for something else. A record whose
 * outcome is unknown (no answer, or an owner that died) is reconciled against the registry by the
 * next request with the key, which then answers, or sends again only when nothing was applied.
 */
export class IdempotencyService {
  private readonly opts: IdempotencyOptions;
  private readonly fingerprints: Fingerprints;
  private readonly reconciler: Reconciler;
  /**
   * Seals a secret an operation's stored answer must replay (sandboxReset's transfer auth code),
   * so that the record keeps it sealed (AES-256-GCM under a key derived from the deployment's
   * idempotency key), not as the registry gave it; the resolver opens it for each answer.
   */
  readonly answers: Sealer;
  /** Keyed digests of secret arguments, as records keep them (src/idempotency/secrets.ts). */
  private readonly secrets: SecretDigests;
  /** How far a registry's clock may lag the gateway's (ms), as reconciliation allows for it (IdempotencyOptions.skewMs). */
  get skewMs(): number {
    return this.opts.skewMs;
  }

  constructor(
    private readonly prisma: PrismaClient,
    private readonly clock: Clock,
    opts: Partial<IdempotencyOptions> = {},
    private readonly deps: IdempotencyDeps = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
    if (!this.opts.fingerprints) throw new Error('IdempotencyService needs the deployment fingerprint key (opts.fingerprints)');
    this.fingerprints = this.opts.fingerprints;
    this.answers = new Sealer(this.fingerprints, 'stored answer secrets');
    this.secrets = new SecretDigests(this.fingerprints);
    this.reconciler = new Reconciler({ ...deps, prisma, skewMs: this.opts.skewMs, secrets: this.secrets });
  }

  /** The command log reconciliation reads and marks (the gateway's own), if any. */
  get commandLog(): CommandLog | undefined {
    return this.deps.commandLog;
  }

  /**
   * Runs `execute` at most once for the key (see the class). `opts.recorded`: the caller has just
   * written the key's record (markInDoubt), so the record is read first instead of trying an insert
   * that can only be refused (a unique violation: an error in PostgreSQL's log and a thrown error
   * per call, which made a restarted bulk runner's reconciliation of its in-doubt items CPU-bound).
   * `opts.beforeSend`: see RunOptions.
   *
   * The owner's commands are fenced: right before each command of the key is sent (CommandLog.watch's
   * beforeSend, where adapters announce it), the owner proves it still holds the lease (Lease.hold:
   * free when a write confirmed it within a heartbeat, else one conditional write). An owner that
   * stalled until another request declared it dead therefore sends nothing and throws
   * IdempotencyLeaseLostError (IDEMPOTENCY_IN_PROGRESS, retryable: the retry gets the other
   * request's answer); so does a note() that finds the record taken.
   */
  async run<T extends StoredResult>(req: MutationRequest, execute: (attempt: Attempt) => Promise<T>, opts: RunOptions = {}): Promise<MutationOutcome<T>> {
    const progress: Progress = { sent: false };
    try {
      return await this.runOwned(req, execute, opts, progress);
    } catch (err) {
      // The database stopped answering: say whether the key's command may have gone out, so that
      // the client knows a retry with the same key is a plain resend (nothing sent) or is
      // reconciled with the registry first (the record, once the database answers, says so).
      throw isDatabaseUnavailable(err) ? new DatabaseUnavailableError(err, progress.sent) : err;
    }
  }

  /** run() itself; `progress.sent` becomes true once a command of the key may have been sent. */
  private async runOwned<T extends StoredResult>(req: MutationRequest, execute: (attempt: Attempt) => Promise<T>, opts: RunOptions, progress: Progress): Promise<MutationOutcome<T>> {
    const fp = this.fingerprints.of(req.operation, req.args);
    const deadline = this.opts.now() + this.opts.waitMs;
    // A waiter tries to insert (become the owner) only while no record exists: a refused insert is a
    // unique violation, far dearer than a read, and 100 waiters inserting every round starved the
    // owner's own writes of pool connections and CPU (its answer then reached them after waitMs).
    let mayInsert = opts.recorded !== true;
    for (let round = 0; ; round++) {
      if (round > 0 && this.opts.now() >= deadline) throw new IdempotencyInProgressError();
      if (mayInsert) {
        const lease = await this.insert(req, fp);
        if (lease) return { result: await this.attempt(lease, req, execute, opts.beforeSend, progress), replayed: false };
        mayInsert = false;
      }
      const rec = await this.prisma.idempotencyRecord.findUnique({ where: this.where(req) });
      if (!rec) {
        mayInsert = true; // the owner gave up (nothing applied): try to become the owner
        continue;
      }
      if (rec.operation !== req.operation || !this.fingerprints.matches(rec.fingerprint, req.operation, req.args, req.sameAs)) throw new IdempotencyKeyReusedError(rec.operation);
      if (rec.state === 'SUCCEEDED') {
        const now = await resolvePending(this.prisma, rec); // a queued change whose result arrived: its final answer
        if (now.released) {
          // Its queued request was not processed (resolvePending): the key is free, and this request sends it again.
          await this.prisma.idempotencyRecord.deleteMany({ where: { id: rec.id, state: 'SUCCEEDED', serverTrid: rec.serverTrid } });
          mayInsert = true;
          continue;
        }
        if (now.state === 'FAILED') throw new ReplayedError(now.error as never);
        return { result: now.response as T, replayed: true };
      }
      if (rec.state === 'FAILED') throw new ReplayedError(rec.error as never);
      if (rec.state === 'OUTCOME_UNKNOWN') {
        const claimed = await this.claim(rec);
        if (claimed) return this.reconcileThenAnswer(claimed, rec, req, execute, opts.beforeSend, progress);
        continue; // another request claimed it first: look again
      }
      if (this.opts.now() - rec.updatedAt.getTime() > this.opts.leaseMs) {
        await this.declareOwnerDead(rec);
        continue;
      }
      if (this.opts.now() >= deadline) throw new IdempotencyInProgressError();
      await sleep(waitBefore(round, this.opts.pollMs));
    }
  }

  /**
   * Runs a request whose key has no record yet and whose intent is kept durably elsewhere before
   * anything is sent (a claimed bulk item: src/bulk/store.ts), without writing before sending:
   * the record it ends with goes to `keep`, for the caller to write (writeDeferredRecords) before
   * it writes anything that depends on it. SUCCEEDED and FAILED are the key's answer as run()
   * would store it; OUTCOME_UNKNOWN (sent, no answer) makes the next run() with the key reconcile
   * with the registry first; nothing is kept when nothing was applied (the key may be sent
   * again). The key's commands go to the command log with their answers (CommandWatch.deferred),
   * not before they are sent. When `execute` notes what it is about to send, the record is
   * written at once (IN_PROGRESS, with the note, as run() does; commands are logged before
   * sending from then on) and settled by this call, and `keep` gets nothing.
   * `opts.beforeSend`: awaited right before each command of the key is written (see
   * CommandLog.watch; with no command log it is not called); what it throws is thrown, with
   * nothing sent and nothing kept (a record a note wrote is released). Once a note wrote the
   * record, the owner's fence follows it, as in run() (IdempotencyLeaseLostError, nothing sent),
   * and a later note that finds the record taken throws the same. `opts.keepLog`: see
   * DeferredOptions (entries of commands logged before sending, after a note, are not its).
   * Throws what run() throws; IdempotencyInProgressError when a record of the key appeared
   * meanwhile (nothing was sent: the caller runs the key through run() next time).
   */
  async runDeferred<T extends StoredResult>(
    req: MutationRequest,
    execute: (attempt: Attempt) => Promise<T>,
    keep: (record: DeferredRecord) => void,
    opts: DeferredOptions = {},
  ): Promise<MutationOutcome<T>> {
    const base = this.deferredBase(req, this.clock.now());
    const { fingerprint } = base;
    let lease: Lease | null = null;
    // The key's commands are logged with their answers, not before sending (the intent is kept
    // elsewhere); with keepLog, by the caller, with the record this keeps.
    const beforeSend = async () => {
      await opts.beforeSend?.();
      if (lease) await this.fence(lease, req);
    };
    const watch = this.deps.commandLog?.watch(req.registrarId, req.key, { deferred: true, beforeSend, keep: opts.keepLog });
    const note = async (details: Record<string, unknown>) => {
      if (!lease) {
        lease = await this.insert(req, fingerprint, details);
        if (!lease) throw new IdempotencyInProgressError();
        lease.startHeartbeat();
        if (watch) watch.deferred = false; // from now on as run(): logged before sending
      } else if (!(await lease.note(details))) throw this.leaseLost(req);
    };
    let result: T;
    try {
      result = await execute({ note, id: watch?.id });
    } catch (err) {
      const kind = this.failureKind(req.operation, err, watch);
      if (lease) await this.settleFailure(lease, err, kind);
      else if (kind === 'definite') {
        const e = err as RegistryError;
        keep({ ...base, state: 'FAILED', error: { code: e.code, message: e.message, details: { ...e.details } } });
      } else if (kind === 'unknown') keep({ ...base, state: 'OUTCOME_UNKNOWN' });
      throw err;
    } finally {
      watch?.stop();
    }
    if (lease) await (lease as Lease).succeed(result);
    else keep({ ...base, state: 'SUCCEEDED', response: result, clientTrid: result.trid?.client ?? null, serverTrid: result.trid?.server ?? null });
    return { result, replayed: false };
  }

  /**
   * The key's request may have been sent by an attempt that left no record (a bulk item found
   * RUNNING after its holder stopped: runDeferred writes only outcomes): from now on its outcome
   * is unknown, so the next run() with the key reconciles with the registry before anything is
   * sent again. `startedBy`: a time no later than that attempt started (its claim). A record the
   * key has already stays as it is, except that an IN_PROGRESS one becomes OUTCOME_UNKNOWN at
   * once when `ownerDead` (the caller knows its owner stopped: its own earlier life).
   */
  async markInDoubt(req: MutationRequest, startedBy: Date, ownerDead: boolean): Promise<void> {
    const record: DeferredRecord = {
      registrarId: req.registrarId,
      key: req.key,
      operation: req.operation,
      fingerprint: this.fingerprints.of(req.operation, req.args),
      state: 'OUTCOME_UNKNOWN',
      request: { args: this.secrets.storable(req.args), noted: {} },
      backend: this.backendOf(req),
      createdAt: startedBy,
      expiresAt: new Date(this.clock.now().getTime() + this.opts.ttlMs),
    };
    const written = await writeDeferredRecords(this.prisma, [record], Lease.stamp(this.opts.now()));
    // Only a record the key had before can be IN_PROGRESS (one written now is OUTCOME_UNKNOWN).
    if (ownerDead && written === 0) await this.abandon(req.registrarId, req.key);
  }

  /**
   * Runs a bulk item taken over in doubt (its earlier attempt may have been sent: see markInDoubt)
   * under its key. A key that has a record goes as before: markInDoubt, then run(), which
   * reconciles an unknown outcome with the registry. A key without one (the earlier attempt's
   * outcome was never written: the usual case after a crash) is reconciled at once, with nothing
   * written first, from what the request says (the renewal's curExpDate, ...): applied, its answer
   * (replayed: true); certainly not applied, the request runs as a first run (runDeferred);
   * unknown, OutcomeUnknownError. In each case the key's record goes to `keep`, for the caller to
   * write with the item's outcome (writeDeferredRecords), as runDeferred's does. `opts.beforeSend`
   * goes to whichever of run() and runDeferred sends (RunOptions, DeferredOptions). If this process
   * dies first, the item is in doubt again and is reconciled again: nothing is sent that the
   * registry's state does not show unapplied. The keys asked within one tick are looked up in one
   * statement (hasRecord), unless `opts.recorded` says the key had none. `startedBy`: no later than
   * the earlier attempt started (its claim).
   */
  async runInDoubt<T extends StoredResult>(
    req: MutationRequest,
    startedBy: Date,
    ownerDead: boolean,
    execute: (attempt: Attempt) => Promise<T>,
    keep: (record: DeferredRecord) => void,
    opts: InDoubtOptions = {},
  ): Promise<MutationOutcome<T>> {
    if (opts.recorded !== false && (await this.hasRecord(req.registrarId, req.key))) {
      await this.markInDoubt(req, startedBy, ownerDead);
      return this.run(req, execute, { recorded: true, beforeSend: opts.beforeSend });
    }
    const base = this.deferredBase(req, startedBy);
    // What the earlier attempt's record would have said: its request, sent from `startedBy` on.
    // A key without a record has, as a rule, no command logged without an answer (an attempt logs
    // before sending only once it noted, and a note writes the record), so there is nothing to mark
    // in the command log either way, nor a clTRID of the lost command to read there (verdict's
    // `unlogged`: an applied one is reported as `reconciled:<key>`). The exception: an instance
    // that stalled past its lease and whose run then got no answer writes that command's entry
    // without its record (BulkStore.settle writes no record for an item it no longer holds); the
    // entry keeps `reconciled` unset, as this reconciliation may run before it is written.
    const rec: IdempotencyRecord = {
      id: '',
      registrarId: req.registrarId,
      idempotencyKey: req.key,
      operation: req.operation,
      fingerprint: base.fingerprint,
      state: 'OUTCOME_UNKNOWN',
      request: base.request as unknown as Prisma.JsonValue,
      response: null,
      error: null,
      backend: base.backend,
      clientTrid: null,
      serverTrid: null,
      createdAt: startedBy,
      updatedAt: startedBy,
      expiresAt: base.expiresAt,
    };
    const verdict = await this.reconciler.verdict(rec, req.call, true);
    if (verdict.status === 'applied') {
      const result = JSON.parse(JSON.stringify(verdict.result)) as T;
      keep({ ...base, state: 'SUCCEEDED', response: result, clientTrid: result.trid?.client ?? null, serverTrid: result.trid?.server ?? null });
      this.deps.logger?.info({ operation: req.operation, registrarId: req.registrarId, how: verdict.how }, 'idempotency: reconciled as applied');
      return { result, replayed: true };
    }
    if (verdict.status === 'unknown') {
      keep({ ...base, state: 'OUTCOME_UNKNOWN' });
      throw new OutcomeUnknownError(`the outcome of an earlier attempt with this idempotencyKey is not known yet (${verdict.how}); it is tried again later`);
    }
    return this.runDeferred(req, execute, keep, opts);
  }

  /**
   * Whether the key has a record. The keys asked within one tick are read in one statement (a
   * restarted bulk runner asks for every item it took over in doubt at about the same time).
   */
  hasRecord(registrarId: string, key: string): Promise<boolean> {
    return this.recordLookup.load(`${registrarId}\u0000${key}`);
  }

  private readonly recordLookup = new DataLoader<string, boolean>(
    async (ids) => {
      const asked = ids.map((id) => id.split('\u0000') as [string, string]);
      const rows = await rawQuery<{ registrar_id: string; idempotency_key: string }>(
        this.prisma,
        `SELECT r.registrar_id, r.idempotency_key FROM idempotency_records AS r
        JOIN jsonb_to_recordset($1::jsonb) AS v(registrar_id text, idempotency_key text)
          ON r.registrar_id = v.registrar_id AND r.idempotency_key = v.idempotency_key`,
        [JSON.stringify(asked.map(([registrar_id, idempotency_key]) => ({ registrar_id, idempotency_key })))],
      );
      const found = new Set(rows.map((r) => `${r.registrar_id}\u0000${r.idempotency_key}`));
      return ids.map((id) => found.has(id));
    },
    { cache: false, maxBatchSize: 500 },
  );

  /** The fields of a record runDeferred or runInDoubt keeps for `req`, created at `createdAt`. */
  private deferredBase(req: MutationRequest, createdAt: Date) {
    return {
      registrarId: req.registrarId,
      key: req.key,
      operation: req.operation,
      fingerprint: this.fingerprints.of(req.operation, req.args),
      request: { args: this.secrets.storable(req.args), noted: {} },
      backend: this.backendOf(req),
      createdAt,
      expiresAt: new Date(this.clock.now().getTime() + this.opts.ttlMs),
    };
  }

  /**
   * Settles what dead processes left unknown, without waiting for a client's retry (see sweep.ts):
   * at most `limit` records per call; returns how many it settled. Run on a timer by startPurgeTimer.
   */
  settleAbandoned(limit = 20): Promise<number> {
    const { prisma, reconciler } = this;
    return sweepAbandoned({ prisma, reconciler, leaseMs: this.opts.leaseMs, now: this.opts.now, claim: (rec) => this.claim(rec), logger: this.deps.logger }, limit);
  }

  /**
   * The owner of the key's IN_PROGRESS record is known to be dead (a restarted instance's own
   * bulk item): its outcome is unknown from now on, so the next request with the key reconciles
   * at once instead of waiting leaseMs for the lease to lapse. Returns whether a record changed.
   */
  async abandon(registrarId: string, key: string): Promise<boolean> {
    const { count } = await this.prisma.idempotencyRecord.updateMany({
      where: { registrarId, idempotencyKey: key, state: 'IN_PROGRESS' },
      data: { state: 'OUTCOME_UNKNOWN', updatedAt: Lease.stamp(this.opts.now()) },
    });
    return count === 1;
  }

  /**
   * Deletes expired records; returns how many went. A record whose command the registry only
   * queued and whose result has not been tied to it yet (SUCCEEDED, code 1001, `awaitsCompletion`)
   * stays until awaitMs after its creation (awaitCutoff): it is what ties the result, when it
   * arrives, to the command (a bulk item AWAITING_REGISTRY, a retry), and what keeps a retry from
   * sending the command again meanwhile.
   */
  async purgeExpired(): Promise<number> {
    const now = this.clock.now();
    const awaitingSince = this.awaitCutoff();
    return this.prisma.$executeRaw`
      DELETE FROM idempotency_records
      WHERE expires_at < ${now}
        AND NOT (state = 'SUCCEEDED' AND created_at >= ${awaitingSince}
          AND COALESCE(response->>'code' = '1001' AND response->>'awaitsCompletion' = 'true', false))`;
  }

  /**
   * Records of queued commands created before this time (awaitMs ago, on the gateway's clock) are
   * no longer waited for: their result is not expected any more (src/bulk/awaiting.ts settleOverdue).
   */
  awaitCutoff(): Date {
    return new Date(this.clock.now().getTime() - this.opts.awaitMs);
  }

  /**
   * Writes the key's IN_PROGRESS record. A key is one request (Idempotency contract): a bulk job's
   * key, kept with its job, is not a single mutation's too, so a client key's record is written
   * after a look at bulk_jobs under the key's lock (./key-lock.ts; the job's insert takes it too),
   * and a job's key throws IdempotencyKeyReusedError with nothing written. Bulk items' own keys
   * (`bulk:`, which no client key may take) are the job's items, not a reuse: a plain insert.
   * Throws the unique violation when the key has a record.
   */
  private async writeRecord(data: NewRecord): Promise<void> {
    if (data.idempotencyKey.toLowerCase().startsWith(DERIVED_KEY_PREFIX)) return void (await this.prisma.idempotencyRecord.create({ data: { ...data, state: 'IN_PROGRESS' } }));
    const { registrarId, idempotencyKey } = data;
    await underClientKeyLock(this.prisma, registrarId, idempotencyKey, {
      postgres: async (query) => {
        const [job] = await query<{ kind: string }>('SELECT kind FROM bulk_jobs WHERE registrar_id = $1 AND idempotency_key = $2', [registrarId, idempotencyKey]);
        if (job) throw new IdempotencyKeyReusedError(`bulk ${job.kind}`);
        await query(
          `INSERT INTO idempotency_records (id, registrar_id, idempotency_key, operation, fingerprint, state, request, backend, created_at, updated_at, expires_at)
          VALUES ($1, $2, $3, $4, $5, 'IN_PROGRESS', $6::jsonb, $7, $8::timestamptz, $9::timestamptz, $10::timestamptz)`,
          [randomUUID(), registrarId, idempotencyKey, data.operation, data.fingerprint, JSON.stringify(data.request), data.backend, data.createdAt.toISOString(), data.updatedAt.toISOString(), data.expiresAt.toISOString()],
        );
      },
      embedded: async () => {
        const job = await this.prisma.bulkJob.findUnique({ where: { registrarId_idempotencyKey: { registrarId, idempotencyKey } }, select: { kind: true } });
        if (job) throw new IdempotencyKeyReusedError(`bulk ${job.kind}`);
        await this.prisma.idempotencyRecord.create({ data: { ...data, state: 'IN_PROGRESS' } });
      },
    });
  }

  private where(req: MutationRequest) {
    return { registrarId_idempotencyKey: { registrarId: req.registrarId, idempotencyKey: req.key } };
  }

  private backendOf(req: MutationRequest): string | null {
    if (req.backend !== undefined) return req.backend;
    const spec = OPERATIONS[req.operation];
    if (!spec || !this.deps.router) return null;
    try {
      return spec.backendOf(req.args, this.deps.router);
    } catch {
      return null;
    }
  }

  /**
   * A lease on the key's record, writing through the database's lease client (src/db/lease-client.ts).
   * `issued`: performance.now() taken before the write that stored `token` was sent.
   */
  private lease(req: MutationRequest, token: Date, request: StoredRequest, issued: number): Lease {
    return new Lease(
      leaseClientOf(this.prisma),
      { registrarId: req.registrarId, idempotencyKey: req.key },
      token,
      request,
      {
        heartbeatMs: this.heartbeatMs,
        now: this.opts.now,
        onLost: () => this.deps.logger?.warn({ operation: req.operation, registrarId: req.registrarId }, 'idempotency: lease lost (another request took over)'),
        storable: (args) => this.secrets.storable(args),
      },
      issued,
    );
  }

  /**
   * The owner's fence, awaited right before each command of the key is sent: Lease.hold, and
   * IdempotencyLeaseLostError (nothing is sent) when the lease is not held. See run().
   */
  private async fence(lease: Lease, req: Pick<MutationRequest, 'registrarId' | 'operation' | 'call'>): Promise<void> {
    if (!(await lease.hold())) throw this.leaseLost(req);
    // hold() proved the lease no older than a heartbeat: others take it over only once it is
    // leaseMs old, so the command goes out within half of what is left (CallContext.fence).
    req.call?.fence?.within((this.opts.leaseMs - this.heartbeatMs) / 2);
  }

  /** How often an owner renews its lease (ms): opts.heartbeatMs, else a third of leaseMs. */
  private get heartbeatMs(): number {
    return this.opts.heartbeatMs ?? Math.max(10, Math.floor(this.opts.leaseMs / 3));
  }

  private leaseLost(req: Pick<MutationRequest, 'registrarId' | 'operation'>): IdempotencyLeaseLostError {
    this.deps.logger?.warn({ operation: req.operation, registrarId: req.registrarId }, 'idempotency: this request no longer holds its key (another request took it over while it was held up); nothing sent');
    return new IdempotencyLeaseLostError();
  }

  /** The attempt's note(): Lease.note, and IdempotencyLeaseLostError when the lease is lost. */
  private noter(lease: Lease, req: Pick<MutationRequest, 'registrarId' | 'operation'>): Attempt['note'] {
    return async (d) => {
      if (!(await lease.note(d))) throw this.leaseLost(req);
    };
  }

  /** Inserts the IN_PROGRESS record (with what the attempt noted so far); the request that manages to is the owner. */
  private async insert(req: MutationRequest, fp: string, noted: Record<string, unknown> = {}): Promise<Lease | null> {
    const request: StoredRequest = { args: this.secrets.storable(req.args), noted: this.secrets.storable(noted) as Record<string, unknown> };
    const issued = performance.now();
    const token = Lease.stamp(this.opts.now());
    const now = this.clock.now();
    try {
      await this.writeRecord({
        registrarId: req.registrarId,
        idempotencyKey: req.key,
        operation: req.operation,
        fingerprint: fp,
        request: json(request),
        backend: this.backendOf(req),
        createdAt: now,
        updatedAt: token,
        expiresAt: new Date(now.getTime() + this.opts.ttlMs),
      });
    } catch (err) {
      if (isUniqueViolation(err)) return null;
      throw err;
    }
    return this.lease(req, token, request, issued);
  }

  /** OUTCOME_UNKNOWN -> IN_PROGRESS, for exactly one of the requests that try. */
  private async claim(rec: IdempotencyRecord): Promise<Lease | null> {
    const issued = performance.now();
    const token = Lease.stamp(this.opts.now(), rec.updatedAt);
    const { count } = await this.prisma.idempotencyRecord.updateMany({
      where: { id: rec.id, state: 'OUTCOME_UNKNOWN', updatedAt: rec.updatedAt },
      data: { state: 'IN_PROGRESS', updatedAt: token },
    });
    const request = (rec.request ?? { args: null, noted: {} }) as unknown as StoredRequest;
    return count === 1 ? this.lease({ registrarId: rec.registrarId, key: rec.idempotencyKey, operation: rec.operation, args: null }, token, request, issued) : null;
  }

  /** An owner that stopped renewing its lease died (or lost the database): its outcome is unknown. */
  private async declareOwnerDead(rec: IdempotencyRecord): Promise<void> {
    const { count } = await this.prisma.idempotencyRecord.updateMany({
      where: { id: rec.id, state: 'IN_PROGRESS', updatedAt: rec.updatedAt },
      data: { state: 'OUTCOME_UNKNOWN', updatedAt: Lease.stamp(this.opts.now(), rec.updatedAt) },
    });
    if (count === 1) this.deps.logger?.warn({ operation: rec.operation, registrarId: rec.registrarId }, 'idempotency: owner of an in-progress request stopped renewing its lease; outcome unknown');
  }

  /** Runs the command as the owner (fenced: see run()) and settles the record. */
  private async attempt<T extends StoredResult>(lease: Lease, req: MutationRequest, execute: (a: Attempt) => Promise<T>, beforeSend: (() => Promise<void>) | undefined, progress: Progress): Promise<T> {
    lease.startHeartbeat();
    let result: T;
    const watch = this.deps.commandLog?.watch(req.registrarId, req.key, { beforeSend: this.fencing(lease, req, beforeSend) });
    try {
      result = await execute({ note: this.noter(lease, req), id: watch?.id });
    } catch (err) {
      await this.settleFailure(lease, err, this.failureKind(req.operation, err, watch));
      throw err;
    } finally {
      progress.sent = mayHaveSent(watch); // what run() says if the record's final write fails
      watch?.stop();
    }
    await lease.succeed(result);
    return result;
  }

  /**
   * How a failed attempt left the registry (classifyFailure). An attempt of an operation that
   * sends a registry command but announced none (adapters announce each such command to the
   * command log before sending it) sent nothing: whatever failed (a read before it, a login, a
   * session the registry had ended) is not the key's answer, and the key may be sent again.
   */
  /** A watch's beforeSend for an owner: the caller's `beforeSend`, then the owner's fence. */
  private fencing(lease: Lease, req: Pick<MutationRequest, 'registrarId' | 'operation' | 'call'>, beforeSend?: () => Promise<void>): () => Promise<void> {
    return async () => {
      await beforeSend?.();
      await this.fence(lease, req);
    };
  }

  private failureKind(operation: string, err: unknown, watch: CommandWatch | undefined): FailureKind {
    if (watch && watch.announced === 0 && OPERATIONS[operation]?.command) return 'not-applied';
    return classifyFailure(err);
  }

  private async settleFailure(lease: Lease, err: unknown, kind: FailureKind): Promise<void> {
    if (kind === 'not-applied') {
      await lease.release(); // nothing took effect: the same key may be sent again
    } else if (kind === 'definite') {
      await lease.fail(err as RegistryError);
    } else {
      await this.deps.commandLog?.flush(); // the command log rows a reconciliation reads are written first
      await lease.settle({ state: 'OUTCOME_UNKNOWN' });
    }
  }

  /**
   * The record's outcome was unknown and this request now owns it: reconcile with the registry,
   * then answer (applied), send again (certainly not applied) or give up for now (unknown).
   */
  private async reconcileThenAnswer<T extends StoredResult>(
    lease: Lease,
    rec: IdempotencyRecord,
    req: MutationRequest,
    execute: (a: Attempt) => Promise<T>,
    beforeSend: (() => Promise<void>) | undefined,
    progress: Progress,
  ): Promise<MutationOutcome<T>> {
    lease.startHeartbeat();
    const verdict = await this.reconciler.verdict(rec, req.call);
    if (verdict.status === 'applied') return { result: (await this.reconciler.answer(lease, rec, verdict)) as T, replayed: true };
    if (verdict.status === 'unknown') {
      await lease.settle({ state: 'OUTCOME_UNKNOWN' });
      throw new OutcomeUnknownError(`the outcome of the first request with this idempotencyKey is not known yet (${verdict.how}); retry later with the same key`);
    }
    let result: T;
    const owner = { registrarId: rec.registrarId, operation: rec.operation };
    const watch = this.deps.commandLog?.watch(rec.registrarId, rec.idempotencyKey, { beforeSend: this.fencing(lease, owner, beforeSend) });
    try {
      result = await execute({ note: this.noter(lease, owner), id: watch?.id });
    } catch (err) {
      const kind = this.failureKind(rec.operation, err, watch);
      if (kind === 'definite' || err instanceof ExpiryMismatchError) {
        // The registry refused the resend (or the gateway did, finding the expiry moved on): perhaps
        // because the first attempt took effect after all (late).
        const again = await this.reconciler.verdict(rec, req.call);
        if (again.status === 'applied') return { result: (await this.reconciler.answer(lease, rec, again)) as T, replayed: true };
      }
      if (kind !== 'unknown') await this.reconciler.mark(rec, false);
      await this.settleFailure(lease, err, kind);
      throw err;
    } finally {
      progress.sent = mayHaveSent(watch); // what run() says if the record's final write fails
      watch?.stop();
    }
    await this.reconciler.mark(rec, false);
    await lease.succeed(result);
    return { result, replayed: false };
  }
}
