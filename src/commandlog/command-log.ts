import { systemClock, type Clock } from '../core/clock.js';
import type { CommandName } from '../core/commands.js';
import type { CommandLog as CommandLogRow, Prisma, PrismaClient } from '../db/generated/client.js';
import { rawExecute } from '../db/raw.js';
import type { Logger } from '../logger.js';
import { OutageLog } from '../observe/outage-log.js';
import { COMMAND_LOG_DEFAULTS, purgeCommandLog } from './retention.js';

/** One upstream command as an adapter reports it (never with secrets). */
export interface CommandEvent {
  registrarId: string;
  backend: string;
  command: CommandName;
  objectName?: string | null;
  clTRID: string;
  svTRID?: string | null;
  code?: number | null;
  message?: string | null;
  durationMs: number;
  /** The gateway error code when the command failed (OBJECT_EXISTS, UPSTREAM_UNAVAILABLE, ...). */
  errorCode?: string | null;
  idempotencyKey?: string | null;
  /**
   * The gateway operation that caused the command (CallContext.operation: a mutation or query
   * root field, a bulk job's mutation, `poll` for the poller; README "Command log"). Absent (no
   * writer leaves it out): the command's name.
   */
  operation?: string | null;
  /** false when the command never reached the registry (nothing was applied); the entry says NOT_SENT. */
  sent?: boolean;
  /**
   * true when the answer had nothing in it: a poll request that found the queue empty (EPP 1300,
   * each backend's empty answer). Not written (README "Command log"): an idle poller asks every
   * poll.intervalMs per account, and those rows would be most of the log.
   */
  empty?: boolean;
  /** The watch (CommandWatch.id) of the attempt that sends it (CallContext.attempt); absent: any watch of its key. */
  attempt?: number;
  /**
   * A native bulk transfer's or renewal's domains: how many it carried (`requested`) and how many
   * its answer shows not done (`notDone`); the entry's outcome is then PARTIAL or FAILED
   * (outcome.ts). Absent for any other command.
   */
  bulkDomains?: { requested: number; notDone: number };
  /** true when the command failed after earlier requests of it were applied (an update sent as several requests): the entry is PARTIAL (outcome.ts). */
  partlyApplied?: boolean;
}

const watchKey = (registrarId: string, idempotencyKey: string) => `${registrarId}\u0000${idempotencyKey}`;

/** What an entry says of the command itself, before any answer. */
function entryOf(e: CommandEvent) {
  return {
    registrarId: e.registrarId,
    backend: e.backend,
    operation: e.operation ?? e.command,
    command: e.command,
    objectName: e.objectName ?? null,
    idempotencyKey: e.idempotencyKey ?? null,
    clientTrid: e.clTRID,
  };
}

/** The commandLog query's filter: every given part must match (AND); absent or null parts match anything. Dates are UTC instants: `from` inclusive, `to` exclusive. */
export interface CommandLogFilter {
  objectName?: string | null;
  /**
   * An entry's operation as it shows it (checked by src/validation/cursors.ts checkOperationFilter).
   * One name (`renewDomain`, `_entities`, `poll`): the entries of that operation, alone or as one
   * name of a query's list of root fields ("viewer,domains" matches `viewer` and `domains`). A
   * comma-joined list (`domain,checkDomains`): the entries with exactly that list, in that order.
   */
  operation?: string | null;
  command?: string | null;
  idempotencyKey?: string | null;
  /** Logged at or after. */
  from?: Date | null;
  /** Logged before. */
  to?: Date | null;
}

/** Commands announced (written before sending) under one registrar's idempotency key while watched. */
export interface CommandWatch {
  /** Tells this watch from the others of its key: carried by the attempt's calls (CallContext.attempt) and their events. */
  readonly id: number;
  readonly announced: number;
  /**
   * While true, the key's commands are not written before they are sent, only with their answer
   * (in a batch): the caller keeps the intent durably elsewhere (a claimed bulk item). Set it
   * back to false once the key's record is written before sending (a note): from then on the
   * commands are logged before they are sent again.
   */
  deferred: boolean;
  stop(): void;
}

function whereOf(registrarId: string, filter: CommandLogFilter): Prisma.CommandLogWhereInput {
  const where: Prisma.CommandLogWhereInput = { registrarId };
  if (filter.objectName) where.objectName = filter.objectName;
  if (filter.operation?.includes(',')) where.operation = filter.operation; // a list, as an entry shows it: exactly that list
  else if (filter.operation) {
    // An entry of a query with several root fields names them all ("viewer,domains": src/commandlog/attribution.ts); each matches.
    // Prisma's startsWith/endsWith/contains are LIKE patterns it does not escape: `_entities`' "_" would match any character.
    const op = filter.operation;
    const like = op.replace(/[\\%_]/g, '\\$&');
    where.OR = [{ operation: op }, { operation: { startsWith: `${like},` } }, { operation: { endsWith: `,${like}` } }, { operation: { contains: `,${like},` } }];
  }
  if (filter.command) where.command = filter.command;
  if (filter.idempotencyKey) where.idempotencyKey = filter.idempotencyKey;
  if (filter.from || filter.to) where.createdAt = { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) };
  return where;
}

/** One open watch (see CommandLog.watch). */
interface Watch {
  id: number;
  announced: number;
  deferred: boolean;
  beforeSend?: () => Promise<void>;
  keep?: (entry: LogEntry) => void;
}

/** A whole entry of a finished command, as written in one row (see logEntrySql). */
export type LogEntry = ReturnType<typeof entryOf> & Outcome;

/**
 * The INSERT of whole entries (LogEntry[] as one JSON parameter, `$param`): the command log's own
 * batches, and a bulk runner's flush, which writes its items' entries in the statement that
 * writes their idempotency records and outcomes (CommandWatch `keep`).
 */
export function logEntrySql(param: string, opts: { onlyNew?: boolean } = {}): string {
  // onlyNew: an entry already there (same registrar, time and client transaction id: the index on
  // registrar and time finds it) is left out, so a batch written again after a write whose commit's
  // answer was lost does not log its commands twice.
  const onlyNew = opts.onlyNew
    ? `WHERE NOT EXISTS (SELECT 1 FROM command_log x WHERE x.registrar_id = v."registrarId" AND x.created_at = v."createdAt" AND x.client_trid = v."clientTrid")`
    : '';
  return `INSERT INTO command_log (registrar_id, backend, operation, command, object_name, idempotency_key, client_trid,
    server_trid, result_code, message, duration_ms, created_at, sent, bulk_domains, bulk_domains_not_done, partly_applied)
  SELECT v."registrarId", v.backend, v.operation, v.command, v."objectName", v."idempotencyKey", v."clientTrid",
    v."serverTrid", v."resultCode", v.message, v."durationMs", v."createdAt", v.sent, v."bulkDomains", v."bulkDomainsNotDone",
    COALESCE(v."partlyApplied", false)
  FROM jsonb_to_recordset(${param}::jsonb) AS v("registrarId" text, backend text, operation text, command text,
    "objectName" text, "idempotencyKey" text, "clientTrid" text, "serverTrid" text, "resultCode" integer, message text,
    "durationMs" integer, "createdAt" timestamptz, sent boolean, "bulkDomains" integer, "bulkDomainsNotDone" integer, "partlyApplied" boolean)
  ${onlyNew}`;
}

/** A finished command's entry, queued: the answer for an entry written by `start`, else the whole entry. */
type Finished = { id: bigint; outcome: Outcome } | { id?: undefined; entry: LogEntry };

interface Outcome {
  serverTrid: string | null;
  resultCode: number | null;
  message: string | null;
  durationMs: number;
  createdAt: Date;
  sent: boolean;
  /** CommandEvent.bulkDomains (null or absent: not a native bulk transfer or renewal). */
  bulkDomains?: number | null;
  bulkDomainsNotDone?: number | null;
  /** CommandEvent.partlyApplied (absent: false). */
  partlyApplied?: boolean;
}

interface Announced {
  e: CommandEvent;
  /** The watches the command counts for (see CommandLog.targets). */
  watches: Watch[];
  sentAt: Date;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Rows per statement. */
const BATCH = 500;
/**
 * Finished commands are written at most one statement per this many ms while they keep coming (a
 * bulk job's items, a wide read): one statement carries them all. A lone command is written at
 * once, and flush() does not wait.
 */
const WRITE_GAP_MS = 50;
/** A failed write of finished commands is tried again after this long, doubling up to UNWRITTEN_RETRY_MAX_MS. */
const UNWRITTEN_RETRY_MS = 250;
const UNWRITTEN_RETRY_MAX_MS = 10_000;
/**
 * Finished commands kept for another try at most (about 300 bytes each: 30 MB at most). Beyond,
 * the oldest go, logged: while the database is away no mutation is sent (each needs its record
 * first), so what queues is reads and polls, and at this size a long outage cannot exhaust memory.
 */
const MAX_UNWRITTEN = 100_000;

/**
 * Writes every upstream command to the command log. A command that carries an idempotency key (a
 * mutation) is written before it is sent (`start`, awaited) and completed when its answer comes,
 * so a process that stops in between leaves the entry behind, without an answer, for
 * reconciliation and for people to see. Other commands (checks, reads, polls) are written once
 * they finish, queued and awaited by `flush()`, so a slow database never holds them up. Times come
 * from the gateway's clock (`createdAt`: when the command finished or failed; until then, when it
 * was sent).
 *
 * Writes are batched (group commit), so that many commands at once (a bulk job's items, a wide
 * read) cost a statement per batch, not per command: `start` writes at once when no other
 * announcement is being written, else with the others that arrive meanwhile, in the next
 * statement; finished commands are written together once the answers under way have gone out,
 * at most one statement per WRITE_GAP_MS while they keep coming. A key whose intent is kept
 * elsewhere (a bulk item: CommandWatch.deferred) has its commands written with their answers only:
 * by the caller, with the item's record and outcome, when its watch has `keep` (a bulk runner).
 *
 * A write of finished commands that fails (the database away) is not dropped: its entries are kept
 * (at most MAX_UNWRITTEN) and written again after a back-off, and by every flush(); the outage is
 * logged once, with a line when writes work again. An entry written before its command was sent
 * whose answer never gets written (the process stopped first) is settled by the idempotency
 * sweep from its key's record (src/idempotency/sweep.ts settleAnsweredEntries).
 */
export class CommandLog {
  /** Entries announced by `start` and not yet completed, by clTRID: the row (none when deferred) and when it was sent. */
  private readonly started = new Map<string, { id?: bigint; sentAt: Date }>();
  /** Open watches, by registrar and idempotency key. */
  private readonly watches = new Map<string, Set<Watch>>();
  private nextWatch = 1;
  private announcing: Announced[] = [];
  private announcer: Promise<void> | null = null;
  private finished: Finished[] = [];
  private writer: Promise<void> | null = null;
  /** When the last statement of finished commands was started (performance.now()). */
  private lastWrite = -Infinity;
  /** Callers of flush() waiting: the writer does not hold entries back meanwhile. */
  private flushing = 0;
  private wakeWriter: (() => void) | null = null;
  /** Finished commands whose write failed, oldest first, written again by retryUnwritten. */
  private unwritten: Finished[] = [];
  private retryTimer: NodeJS.Timeout | null = null;
  private retryMs = UNWRITTEN_RETRY_MS;
  private retrying: Promise<void> | null = null;
  /** Whether kept commands were dropped past MAX_UNWRITTEN in this outage (logged once). */
  private droppedInOutage = false;
  private readonly writeOutage: OutageLog;
  /**
   * `retentionMs`: how long entries are kept (config `commandLog.retentionDays`, see
   * commandLogRetentionMs; default 90 days); purgeExpired deletes older ones.
   */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
    private readonly clock: Clock = systemClock,
    private readonly retentionMs: number = COMMAND_LOG_DEFAULTS.retentionDays * 86_400_000,
  ) {
    this.writeOutage = new OutageLog(logger, 'command log: writing finished commands', 'kept and written again after a back-off (0.25 s doubling to 10 s)');
  }

  /**
   * Deletes the entries logged more than retentionMs before the gateway clock's now (retention.ts
   * purgeCommandLog: in bounded batches, safe with several instances; entries of a key whose
   * idempotency record is kept stay); returns how many went. Run by the hourly housekeeping
   * (src/idempotency/config.ts startPurgeTimer).
   */
  async purgeExpired(): Promise<number> {
    await this.flush();
    return purgeCommandLog(this.prisma, new Date(this.clock.now().getTime() - this.retentionMs));
  }

  /**
   * Writes the entry of a command about to be sent; throws (and the command is not sent) when it
   * cannot, or when a watch's `beforeSend` throws (the caller withdrew its intent).
   */
  start = (e: CommandEvent): Promise<void> => {
    const watches = this.targets(e);
    const beforeSend = watches.find((w) => w.beforeSend)?.beforeSend;
    return beforeSend ? beforeSend().then(() => this.enter(e, watches)) : this.enter(e, watches);
  };

  /**
   * The open watches a command of `e` belongs to: the one of its attempt (e.attempt) when that is
   * open, else every watch of its key (none without a key).
   */
  private targets(e: CommandEvent): Watch[] {
    const set = e.idempotencyKey ? this.watches.get(watchKey(e.registrarId, e.idempotencyKey)) : undefined;
    if (!set) return [];
    if (e.attempt !== undefined) for (const w of set) if (w.id === e.attempt) return [w];
    return [...set];
  }

  /** The entry of `start`: kept in memory for its answer when a watch it belongs to is deferred, else written (batched). */
  private enter(e: CommandEvent, watches: Watch[]): Promise<void> {
    if (watches.some((w) => w.deferred)) {
      this.started.set(e.clTRID, { sentAt: this.clock.now() });
      for (const w of watches) w.announced++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.announcing.push({ e, watches, sentAt: this.clock.now(), resolve, reject });
      this.startAnnouncer();
    });
  }

  private startAnnouncer(): void {
    this.announcer ??= this.announce().finally(() => {
      this.announcer = null;
      if (this.announcing.length > 0) this.startAnnouncer(); // queued between the last batch and now
    });
  }

  private startWriter(): void {
    this.writer ??= this.write().finally(() => {
      this.writer = null;
      if (this.finished.length > 0) this.startWriter();
    });
  }

  /** Writes the queued announcements, a batch per statement, until none is left. */
  private async announce(): Promise<void> {
    while (this.announcing.length > 0) {
      const batch = this.announcing.splice(0, BATCH);
      try {
        const data = batch.map((a) => ({ ...entryOf(a.e), durationMs: null, createdAt: a.sentAt }));
        const rows =
          batch.length === 1
            ? [await this.prisma.commandLog.create({ data: data[0]!, select: { id: true, clientTrid: true } })]
            : await this.prisma.commandLog.createManyAndReturn({ data, select: { id: true, clientTrid: true } });
        const ids = new Map(rows.map((r) => [r.clientTrid, r.id]));
        for (const a of batch) {
          const id = ids.get(a.e.clTRID);
          if (id === undefined) {
            a.reject(new Error(`command log: no entry came back for ${a.e.clTRID}`));
            continue;
          }
          this.started.set(a.e.clTRID, { id, sentAt: a.sentAt });
          for (const w of a.watches) w.announced++;
          a.resolve();
        }
      } catch (err) {
        for (const a of batch) a.reject(err);
      }
    }
  }

  /**
   * Counts the commands announced (`start`) under one registrar's idempotency key from now until
   * `stop()`. An adapter announces every state-changing command before sending it, so an attempt
   * that announced nothing sent nothing: the idempotency service then never keeps its error as
   * the key's answer. `beforeSend`: awaited as each command of the key is announced, right before
   * it is written (the session is the command's by then); when it throws, the command is neither
   * written to the log nor sent nor counted (a bulk item whose job was cancelled while it waited
   * for a session). `keep`: the whole entries of the key's finished commands that were not
   * written before sending (deferred, or never announced) go to it instead of to the log's own
   * batches while the watch is open: the caller writes them (a bulk runner, with the item's
   * idempotency record and outcome, in one statement: see BulkStore.settle). A command whose event
   * names the watch (CommandEvent.attempt = the returned id) belongs to it alone: its beforeSend,
   * its count, its `keep`; one that names none belongs to every watch of its key (the first
   * beforeSend and `keep` among them).
   */
  watch(registrarId: string, idempotencyKey: string, opts: { deferred?: boolean; beforeSend?: () => Promise<void>; keep?: (entry: LogEntry) => void } = {}): CommandWatch {
    const k = watchKey(registrarId, idempotencyKey);
    const w: Watch = { id: this.nextWatch++, announced: 0, deferred: opts.deferred ?? false, beforeSend: opts.beforeSend, keep: opts.keep };
    const set = this.watches.get(k) ?? new Set();
    set.add(w);
    this.watches.set(k, set);
    return {
      id: w.id,
      get announced() {
        return w.announced;
      },
      get deferred() {
        return w.deferred;
      },
      set deferred(v: boolean) {
        w.deferred = v;
      },
      stop: () => {
        set.delete(w);
        if (set.size === 0 && this.watches.get(k) === set) this.watches.delete(k);
      },
    };
  }

  /**
   * Writes a finished command's entry (batched; flush() awaits it): the answer of one written by
   * `start`, else the whole entry. An answer with nothing in it (CommandEvent.empty: an empty poll
   * queue) is not written unless its entry was.
   */
  record = (e: CommandEvent): void => {
    const started = this.started.get(e.clTRID);
    this.started.delete(e.clTRID);
    if (e.empty && started === undefined) return;
    const now = this.clock.now();
    const outcome: Outcome = {
      serverTrid: e.svTRID ?? null,
      resultCode: e.code ?? null,
      message: e.message ?? null,
      // From the entry's own send time when it has one, so startedAt (finishedAt - duration) is exactly it.
      durationMs: started ? now.getTime() - started.sentAt.getTime() : Math.round(e.durationMs),
      createdAt: now,
      sent: e.sent !== false,
      bulkDomains: e.bulkDomains?.requested ?? null,
      bulkDomainsNotDone: e.bulkDomains?.notDone ?? null,
      ...(e.partlyApplied ? { partlyApplied: true } : {}),
    };
    if (started?.id !== undefined) this.finished.push({ id: started.id, outcome });
    else {
      const entry: LogEntry = { ...entryOf(e), ...outcome };
      const keep = this.targets(e).find((w) => w.keep)?.keep;
      if (keep) return keep(entry);
      this.finished.push({ entry });
    }
    this.startWriter();
  };

  /**
   * Writes the finished commands queued, a batch per statement, until none is left. It starts once
   * the answers that caused them have gone out (setImmediate runs after the I/O callbacks and
   * microtasks under way): the queries' own work (Prisma's query compiler, and on the embedded
   * database the whole statement, in this thread) is not on the request's path.
   */
  private async write(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.finished.length > 0) {
      const wait = this.lastWrite + WRITE_GAP_MS - performance.now();
      if (wait > 0 && this.finished.length < BATCH && this.flushing === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.wakeWriter = () => (clearTimeout(timer), resolve());
        });
        this.wakeWriter = null;
      }
      this.lastWrite = performance.now();
      const batch = this.finished.splice(0, BATCH);
      // While earlier ones wait to be written again (the database away), later ones queue behind them, in order.
      if (this.unwritten.length > 0 || this.retrying) {
        this.keep(batch, 'back');
        continue;
      }
      try {
        await this.writeBatch(batch);
        this.writeOutage.succeeded();
      } catch (err) {
        this.keep(batch, 'back');
        this.writeOutage.failed(err, { unwritten: this.unwritten.length });
        this.scheduleRetry();
      }
    }
  }

  /**
   * Writes finished commands in one or two statements: the answers of entries written by `start`,
   * and whole entries (`retried`: those already there left out, see logEntrySql). Throws when a
   * statement fails.
   */
  private async writeBatch(batch: Finished[], retried = false): Promise<void> {
    const updates = batch.flatMap((f) => (f.id !== undefined ? [{ id: f.id.toString(), ...f.outcome }] : []));
    const creates = batch.flatMap((f) => (f.id === undefined ? [f.entry] : []));
    // Hot batch writes: straight through the pool on PostgreSQL (src/db/raw.ts).
    if (updates.length > 0) {
      await rawExecute(
        this.prisma,
        `UPDATE command_log AS c SET server_trid = v."serverTrid", result_code = v."resultCode", message = v.message,
          duration_ms = v."durationMs", created_at = v."createdAt", sent = v.sent,
          bulk_domains = v."bulkDomains", bulk_domains_not_done = v."bulkDomainsNotDone", partly_applied = COALESCE(v."partlyApplied", false)
        FROM jsonb_to_recordset($1::jsonb)
          AS v(id bigint, "serverTrid" text, "resultCode" integer, message text, "durationMs" integer, "createdAt" timestamptz, sent boolean,
            "bulkDomains" integer, "bulkDomainsNotDone" integer, "partlyApplied" boolean)
        WHERE c.id = v.id`,
        [JSON.stringify(updates)],
      );
    }
    // A batch written again after its updates went through rewrites the same answers: the same rows, the same values.
    if (creates.length > 0) await rawExecute(this.prisma, logEntrySql('$1', { onlyNew: retried }), [JSON.stringify(creates)]);
  }

  /**
   * Keeps finished commands whose write failed or that queue behind such ones: at the `front` (a
   * retried batch, the oldest) or the `back`; at most MAX_UNWRITTEN (beyond, the oldest go, logged
   * once per outage).
   */
  private keep(batch: Finished[], where: 'front' | 'back'): void {
    if (where === 'front') this.unwritten.unshift(...batch);
    else this.unwritten.push(...batch);
    const over = this.unwritten.length - MAX_UNWRITTEN;
    if (over <= 0) return;
    this.unwritten.splice(0, over);
    if (!this.droppedInOutage) this.logger.error({ dropped: over, kept: MAX_UNWRITTEN }, 'command log: finished commands dropped unwritten, the oldest, past the limit kept while the database is away (logged once per outage)');
    this.droppedInOutage = true;
  }

  /** Another try of the kept commands after the back-off (0.25 s doubling to 10 s), unless one is scheduled or under way. */
  private scheduleRetry(): void {
    if (this.retryTimer || this.retrying) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.retryUnwritten();
    }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, UNWRITTEN_RETRY_MAX_MS);
  }

  /**
   * Writes the kept finished commands, oldest first, a batch per statement, until none is left
   * (the outage is then over: logged once) or a write fails (the batch kept again, another try
   * scheduled). One run at a time; never throws.
   */
  private retryUnwritten(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    let failed = false;
    this.retrying ??= (async () => {
      while (this.unwritten.length > 0) {
        const batch = this.unwritten.splice(0, BATCH);
        try {
          await this.writeBatch(batch, true);
        } catch (err) {
          this.keep(batch, 'front');
          this.writeOutage.failed(err, { unwritten: this.unwritten.length });
          failed = true;
          return;
        }
      }
      this.writeOutage.succeeded();
      this.retryMs = UNWRITTEN_RETRY_MS;
      this.droppedInOutage = false;
    })().finally(() => {
      this.retrying = null;
      if (failed) this.scheduleRetry();
      // Queued behind the last batch while it was being written: written now.
      else if (this.unwritten.length > 0 && !this.retryTimer) void this.retryUnwritten();
    });
    return this.retrying;
  }

  /**
   * Resolves once every entry queued so far is written, or its write failed (kept, and written
   * again later): entries a failed write kept are tried once more here first.
   */
  async flush(): Promise<void> {
    this.flushing++;
    try {
      this.wakeWriter?.();
      while (this.writer || this.announcer) await Promise.all([this.writer, this.announcer]); // each restarts itself while entries are queued
      if (this.unwritten.length > 0) await this.retryUnwritten();
    } finally {
      this.flushing--;
    }
  }

  /** The clTRID of the last `command` sent under this idempotency key, if one was logged. */
  async lastSent(registrarId: string, idempotencyKey: string, command: string): Promise<string | null> {
    return (await this.lastSentEntry(registrarId, idempotencyKey, command))?.clientTrid ?? null;
  }

  /**
   * The last `command` sent under this idempotency key as logged (entries recorded and not yet
   * written are written first): its clTRID and result code (null: no answer came), or null when
   * none was logged.
   */
  async lastSentEntry(registrarId: string, idempotencyKey: string, command: string): Promise<{ clientTrid: string; resultCode: number | null } | null> {
    await this.flush();
    return this.prisma.commandLog.findFirst({
      where: { registrarId, idempotencyKey, command, sent: true },
      orderBy: { id: 'desc' },
      select: { clientTrid: true, resultCode: true },
    });
  }

  /**
   * Whether `command` on this object was answered with success since `since` under another key (or
   * none). Entries recorded and not yet written are written first (flush), so a command answered
   * moments ago counts (not one a bulk runner keeps for its next settle: no bulk kind creates).
   */
  async appliedElsewhere(registrarId: string, idempotencyKey: string, command: string, objectName: string, since: Date): Promise<boolean> {
    await this.flush();
    const row = await this.prisma.commandLog.findFirst({
      where: {
        registrarId,
        command,
        objectName,
        createdAt: { gte: since },
        resultCode: { gte: 1000, lt: 2000 },
        OR: [{ idempotencyKey: null }, { idempotencyKey: { not: idempotencyKey } }],
      },
    });
    return row !== null;
  }

  /**
   * Records what a reconciliation found for this key's `command`s that were sent and got no
   * answer. Applied: the latest of them took effect (one command can, the others were found not
   * applied before it was resent; also when an earlier reconciliation had found it not applied
   * yet, and it took effect late); not applied: none did.
   */
  async markReconciled(registrarId: string, idempotencyKey: string, command: string, applied: boolean): Promise<void> {
    await this.flush();
    const open = await this.prisma.commandLog.findMany({
      where: { registrarId, idempotencyKey, command, resultCode: null, sent: true, OR: applied ? [{ reconciled: null }, { reconciled: false }] : [{ reconciled: null }] },
      orderBy: { id: 'asc' },
      select: { id: true },
    });
    if (open.length === 0) return;
    const reconciledAt = this.clock.now();
    const last = open.at(-1)!.id;
    const rest = open.slice(0, -1).map((r) => r.id);
    // An entry whose answer was written meanwhile (it was in the log's batching gap, or kept while the database was away) keeps it alone.
    if (rest.length) await this.prisma.commandLog.updateMany({ where: { id: { in: rest }, resultCode: null }, data: { reconciled: false, reconciledAt } });
    await this.prisma.commandLog.updateMany({ where: { id: last, resultCode: null }, data: { reconciled: applied, reconciledAt } });
  }

  /** Up to `take` of one registrar's entries matching `filter`, oldest first, after the cursor (an entry id). */
  page(registrarId: string, filter: CommandLogFilter, take: number, after: bigint | null): Promise<CommandLogRow[]> {
    const where = whereOf(registrarId, filter);
    if (after !== null) where.id = { gt: after };
    return this.prisma.commandLog.findMany({ where, orderBy: { id: 'asc' }, take });
  }

  /** Whether one registrar has an entry matching `filter` at or before `id` (the connection's hasPreviousPage). */
  async anyUpTo(registrarId: string, filter: CommandLogFilter, id: bigint): Promise<boolean> {
    return (await this.prisma.commandLog.findFirst({ where: { ...whereOf(registrarId, filter), id: { lte: id } }, select: { id: true } })) !== null;
  }
}
