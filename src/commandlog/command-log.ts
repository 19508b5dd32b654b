import { systemClock, type Clock } from '../core/clock.js';
import type { CommandName } from '../core/commands.js';
import type { CommandLog as CommandLogRow, Prisma, PrismaClient } from '../db/generated/client.js';
import type { Logger } from '../logger.js';

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
  operation?: string | null;
  /** false when the command never reached the registry (nothing was applied); the entry says NOT_SENT. */
  sent?: boolean;
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

export interface CommandLogFilter {
  objectName?: string | null;
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
  readonly announced: number;
  stop(): void;
}

function whereOf(registrarId: string, filter: CommandLogFilter): Prisma.CommandLogWhereInput {
  const where: Prisma.CommandLogWhereInput = { registrarId };
  if (filter.objectName) where.objectName = filter.objectName;
  if (filter.operation) where.operation = filter.operation;
  if (filter.command) where.command = filter.command;
  if (filter.idempotencyKey) where.idempotencyKey = filter.idempotencyKey;
  if (filter.from || filter.to) where.createdAt = { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) };
  return where;
}

/**
 * Writes every upstream command to the command log. A command that carries an idempotency key (a
 * mutation) is written before it is sent (`start`, awaited) and completed when its answer comes,
 * so a process that stops in between leaves the entry behind, without an answer, for
 * reconciliation and for people to see. Other commands (checks, reads, polls) are written once
 * they finish, queued and awaited by `flush()`, so a slow database never holds them up. Times come
 * from the gateway's clock (`createdAt`: when the command finished or failed; until then, when it
 * was sent).
 */
export class CommandLog {
  private pending = new Set<Promise<unknown>>();
  /** Entries written by `start` and not yet completed, by clTRID: the row and when it was sent. */
  private readonly started = new Map<string, { id: bigint; sentAt: Date }>();
  /** Open watches, by registrar and idempotency key. */
  private readonly watches = new Map<string, Set<{ announced: number }>>();
  constructor(
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Writes the entry of a command about to be sent; throws (and the command is not sent) when it cannot. */
  start = async (e: CommandEvent): Promise<void> => {
    const sentAt = this.clock.now();
    const row = await this.prisma.commandLog.create({
      data: { ...entryOf(e), durationMs: null, createdAt: sentAt },
      select: { id: true },
    });
    this.started.set(e.clTRID, { id: row.id, sentAt });
    if (e.idempotencyKey) for (const w of this.watches.get(watchKey(e.registrarId, e.idempotencyKey)) ?? []) w.announced++;
  };

  /**
   * Counts the commands announced (`start`) under one registrar's idempotency key from now until
   * `stop()`. An adapter announces every state-changing command before sending it, so an attempt
   * that announced nothing sent nothing: the idempotency service then never keeps its error as
   * the key's answer.
   */
  watch(registrarId: string, idempotencyKey: string): CommandWatch {
    const k = watchKey(registrarId, idempotencyKey);
    const w = { announced: 0 };
    const set = this.watches.get(k) ?? new Set();
    set.add(w);
    this.watches.set(k, set);
    return {
      get announced() {
        return w.announced;
      },
      stop: () => {
        set.delete(w);
        if (set.size === 0 && this.watches.get(k) === set) this.watches.delete(k);
      },
    };
  }

  record = (e: CommandEvent): void => {
    const started = this.started.get(e.clTRID);
    this.started.delete(e.clTRID);
    const now = this.clock.now();
    const outcome = {
      serverTrid: e.svTRID ?? null,
      resultCode: e.code ?? null,
      message: e.message ?? null,
      // From the entry's own send time when it has one, so startedAt (finishedAt - duration) is exactly it.
      durationMs: started ? now.getTime() - started.sentAt.getTime() : Math.round(e.durationMs),
      createdAt: now,
      sent: e.sent !== false,
    };
    const write = () =>
      started !== undefined
        ? this.prisma.commandLog.update({ where: { id: started.id }, data: outcome })
        : this.prisma.commandLog.create({ data: { ...entryOf(e), ...outcome } });
    // Written once the answer that caused it has gone out (setImmediate runs after the I/O
    // callbacks and microtasks under way): the query's own work (Prisma's query compiler, and
    // on the embedded database the whole INSERT, in this thread) is not on the request's path.
    const p = new Promise<void>((resolve) => setImmediate(resolve))
      .then(write)
      .catch((err: unknown) => this.logger.error({ err, command: e.command, clTRID: e.clTRID }, 'command log write failed'))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  };

  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** The clTRID of the last `command` sent under this idempotency key, if one was logged. */
  async lastSent(registrarId: string, idempotencyKey: string, command: string): Promise<string | null> {
    await this.flush();
    const row = await this.prisma.commandLog.findFirst({ where: { registrarId, idempotencyKey, command, sent: true }, orderBy: { id: 'desc' } });
    return row?.clientTrid ?? null;
  }

  /** Whether `command` on this object was answered with success since `since` under another key (or none). */
  async appliedElsewhere(registrarId: string, idempotencyKey: string, command: string, objectName: string, since: Date): Promise<boolean> {
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
    if (rest.length) await this.prisma.commandLog.updateMany({ where: { id: { in: rest } }, data: { reconciled: false, reconciledAt } });
    await this.prisma.commandLog.updateMany({ where: { id: last }, data: { reconciled: applied, reconciledAt } });
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
