import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import { checkCommandLogFilter, checkPageSize } from '../../src/validation/cursors.js';
import { rowCursor, rowPage, type Page } from '../../src/connections/page.js';
import { CommandLog } from '../../src/commandlog/command-log.js';
import { outcomeOf } from '../../src/commandlog/outcome.js';
import type { CommandLog as CommandLogRow } from '../../src/db/generated/client.js';
import { CommandLogConnection, CommandLogEntry, CommandLogFilter, CommandOutcome } from '../../schema/commandlog/commandlog.type.js';

const entryOutcome = (row: CommandLogRow) => {
  const { outcome, applied } = outcomeOf(row);
  return { outcome: CommandOutcome[outcome], applied };
};

/** A command_log row -> GraphQL CommandLogEntry: `startedAt` is the row's time less durationMs (ms), `finishedAt` null while unanswered, outcome by outcomeOf. */
export function commandLogEntry(row: CommandLogRow): CommandLogEntry {
  return {
    id: row.id.toString(),
    registrar: row.registrarId,
    registry: row.backend,
    operation: row.operation,
    command: row.command,
    objectName: row.objectName,
    idempotencyKey: row.idempotencyKey,
    clientTransactionId: row.clientTrid,
    serverTransactionId: row.serverTrid,
    resultCode: row.resultCode,
    message: row.message,
    durationMs: row.durationMs,
    // createdAt is when the answer came, or when the command was sent while none has come.
    startedAt: new Date(row.createdAt.getTime() - (row.durationMs ?? 0)),
    finishedAt: row.durationMs === null ? null : row.createdAt,
    ...entryOutcome(row),
    reconciledAt: row.reconciledAt,
  };
}

/** The `commandLog` query: the viewer's command log entries, oldest first, filtered (BAD_USER_INPUT for a bad filter or cursor). */
@Resolver(() => CommandLogEntry)
export class CommandLogResolver {
  @Query(() => CommandLogConnection, {
    description:
      "Every command the gateway sent upstream for the viewer, oldest first, to reconcile against the client's own records (by object, operation, idempotency key, time).",
  })
  async commandLog(
    @Arg('filter', () => CommandLogFilter, { nullable: true }) filter: CommandLogFilter | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor: an entry id.' }) after: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<Page<CommandLogEntry>> {
    checkPageSize('first', first);
    const cursor = rowCursor(after, 'command log cursor');
    const where = checkCommandLogFilter('filter', filter);
    const log = ctx.idempotency.commandLog ?? new CommandLog(ctx.prisma, ctx.logger, ctx.clock);
    await log.flush(); // the viewer's own commands answered so far are in it
    const rows = await log.page(ctx.registrar.id, where, first + 1, cursor);
    const before = cursor !== null && (() => log.anyUpTo(ctx.registrar.id, where, cursor));
    return rowPage(rows, first, (row) => ({ cursor: row.id.toString(), node: commandLogEntry(row) }), before);
  }
}
