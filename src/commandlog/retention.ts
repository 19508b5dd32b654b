/**
 * How long command log entries are kept (the config's `commandLog` section, README "Command log"
 * and "Configuration"), and their deletion, run by the hourly housekeeping that purges expired
 * idempotency records (src/idempotency/config.ts startPurgeTimer).
 */
import type { GatewayConfig } from '../config.types.js';
import { ConfigError } from '../config-error.js';
import type { PrismaClient } from '../db/generated/client.js';

/** Default of `commandLog.retentionDays`: 90 days. */
export const COMMAND_LOG_DEFAULTS = { retentionDays: 90 } as const;

/** Entries deleted per statement: each statement is short, whatever the backlog. */
export const PURGE_BATCH = 5000;
/** Statements per registrar and round at most, so one round always ends (the next hour goes on). */
const MAX_BATCHES = 200;

/** The longest `commandLog.retentionDays` taken: 36,500 days (100 years; a cutoff before JavaScript's first date failed every purge). */
export const MAX_RETENTION_DAYS = 36_500;

/**
 * The retention of command log entries in ms, from the config's `commandLog.retentionDays`
 * (default 90). Throws ConfigError unless it is a positive number of days, at most MAX_RETENTION_DAYS.
 */
export function commandLogRetentionMs(config: Pick<GatewayConfig, 'commandLog'>): number {
  const days = config.commandLog?.retentionDays ?? COMMAND_LOG_DEFAULTS.retentionDays;
  if (typeof days !== 'number' || !Number.isFinite(days) || !(days > 0)) throw new ConfigError('config: commandLog.retentionDays must be a positive number of days');
  if (days > MAX_RETENTION_DAYS) throw new ConfigError(`config: commandLog.retentionDays must be at most ${MAX_RETENTION_DAYS} days`);
  return days * 86_400_000;
}

/**
 * Deletes the command log entries logged (createdAt: answered, or sent when no answer came)
 * before `cutoff`; returns how many went. Kept whatever their age: the entries of an
 * idempotency key whose record is still kept (a reconciliation reads them: the command sent,
 * whether it was applied elsewhere). Deleted per registrar (the registrar_id, created_at index),
 * in statements of PURGE_BATCH rows, at most MAX_BATCHES per registrar and call. Rows another
 * instance's purge holds are skipped (FOR UPDATE SKIP LOCKED), so several instances on one
 * PostgreSQL purge side by side without waiting on each other or deleting a row twice.
 */
export async function purgeCommandLog(prisma: PrismaClient, cutoff: Date, batch = PURGE_BATCH): Promise<number> {
  // The registrars with entries, one index probe each (a loose index scan: not a pass over every row).
  const registrars = await prisma.$queryRaw<Array<{ registrar_id: string }>>`
    WITH RECURSIVE r AS (
      (SELECT registrar_id FROM command_log ORDER BY registrar_id LIMIT 1)
      UNION ALL
      SELECT (SELECT c.registrar_id FROM command_log c WHERE c.registrar_id > r.registrar_id ORDER BY c.registrar_id LIMIT 1) FROM r WHERE r.registrar_id IS NOT NULL)
    SELECT registrar_id FROM r WHERE registrar_id IS NOT NULL`;
  let deleted = 0;
  for (const { registrar_id: registrarId } of registrars) {
    for (let n = 0; n < MAX_BATCHES; n++) {
      const count = await prisma.$executeRaw`
        DELETE FROM command_log WHERE id IN (
          SELECT c.id FROM command_log c
          WHERE c.registrar_id = ${registrarId} AND c.created_at < ${cutoff}
            AND NOT EXISTS (SELECT 1 FROM idempotency_records r WHERE r.registrar_id = c.registrar_id AND r.idempotency_key = c.idempotency_key)
          LIMIT ${batch}
          FOR UPDATE SKIP LOCKED)`;
      deleted += count;
      if (count < batch) break;
    }
  }
  return deleted;
}
