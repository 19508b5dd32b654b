/**
 * Settles what dead processes left behind, without waiting for a client to retry: a record whose
 * owner stopped renewing its lease becomes OUTCOME_UNKNOWN (as a retry would declare it), and a
 * record whose outcome is unknown while the command log still shows its command unanswered is
 * reconciled against the registry: applied → SUCCEEDED with the answer a retry replays (the entry
 * RECONCILED_APPLIED); not applied → the entry RECONCILED_NOT_APPLIED, the record stays
 * OUTCOME_UNKNOWN so that the client's retry reconciles again and sends; unknown (the registry
 * could not be read) → left for the next round. So no command-log entry stays UNKNOWN for longer
 * than a lease and a sweep interval once the registry can be read.
 *
 * An entry can also miss its answer while its key's record has it: the command was answered and
 * the record written SUCCEEDED, then the entry's answer was not written (its process was killed in
 * the command log's batching gap, or gave up on it while the database was away). No reconciliation
 * ever looks at such a key (its record is final); each round marks those entries RECONCILED_APPLIED
 * from the record (settleAnsweredEntries), so they do not read UNKNOWN for good either.
 */
import { COMMAND_NAMES, changesState } from '../core/commands.js';
import type { IdempotencyRecord, PrismaClient } from '../db/generated/client.js';
import type { Logger } from '../logger.js';
import type { Lease } from './lease.js';
import type { Reconciler } from './reconciler.js';

const STATE_CHANGING: string[] = COMMAND_NAMES.filter(changesState);

/** What sweepAbandoned reads and writes through; times in ms. */
export interface SweepDeps {
  prisma: PrismaClient;
  reconciler: Reconciler;
  /** A record not renewed for this long (ms) belongs to a dead process. */
  leaseMs: number;
  /** Wall clock (ms), as for leases. */
  now: () => number;
  /** OUTCOME_UNKNOWN -> IN_PROGRESS for this process, or null when another request claimed it first. */
  claim: (rec: IdempotencyRecord) => Promise<Lease | null>;
  logger?: Logger;
}

/**
 * Marks RECONCILED_APPLIED (reconciled true, with the record's server transaction id where the
 * entry has none) each command-log entry sent without a written answer, older than `before`, whose
 * key's record is SUCCEEDED with that command's client transaction id: the record holds the
 * answer, so the command took effect. Returns how many it marked. Its scan is the partial index
 * command_log_unanswered_idx (migration 20261205070000): the entries without an answer, so a
 * round reads the unanswered ones, not the log.
 */
export async function settleAnsweredEntries(prisma: PrismaClient, before: Date): Promise<number> {
  return prisma.$executeRaw`
    UPDATE command_log c SET reconciled = true, reconciled_at = now(), server_trid = COALESCE(c.server_trid, r.server_trid)
    FROM idempotency_records r
    WHERE c.result_code IS NULL AND c.reconciled IS NULL AND c.sent AND c.idempotency_key IS NOT NULL
      AND c.created_at < ${before}
      AND r.registrar_id = c.registrar_id AND r.idempotency_key = c.idempotency_key
      AND r.state = 'SUCCEEDED' AND r.client_trid = c.client_trid`;
}

/** One sweep over at most `limit` unknown records; returns how many it settled (applied or not). */
export async function sweepAbandoned(d: SweepDeps, limit: number): Promise<number> {
  const now = d.now();
  // A lease after it was sent: an answer still on its way to the log (batched, or written again after a failed write) has had its time.
  const answered = await settleAnsweredEntries(d.prisma, new Date(now - d.leaseMs));
  if (answered > 0) d.logger?.info({ entries: answered }, 'command log: entries without their answer marked applied from their key\'s record');
  const dead = await d.prisma.idempotencyRecord.updateMany({
    where: { state: 'IN_PROGRESS', updatedAt: { lt: new Date(now - d.leaseMs) } },
    data: { state: 'OUTCOME_UNKNOWN', updatedAt: new Date(now) },
  });
  if (dead.count > 0) d.logger?.warn({ records: dead.count }, 'idempotency: owners of in-progress requests stopped renewing their lease; outcome unknown');
  // Only commands that change a registry object are reconciled (a read under the key, such as the
  // one a renewal makes first, changes nothing: its lost answer is NO_ANSWER, not UNKNOWN).
  const rows = await d.prisma.$queryRaw<Array<{ id: string }>>`
    SELECT r.id FROM idempotency_records r
    WHERE r.state = 'OUTCOME_UNKNOWN' AND EXISTS (
      SELECT 1 FROM command_log c
      WHERE c.registrar_id = r.registrar_id AND c.idempotency_key = r.idempotency_key
        AND c.command = ANY(${STATE_CHANGING}) AND c.result_code IS NULL AND c.sent AND c.reconciled IS NULL)
    ORDER BY r.updated_at
    LIMIT ${limit}`;
  let settled = 0;
  for (const { id } of rows) {
    const rec = await d.prisma.idempotencyRecord.findUnique({ where: { id } });
    const lease = rec?.state === 'OUTCOME_UNKNOWN' ? await d.claim(rec) : null;
    if (!rec || !lease) continue; // settled or claimed by a retry meanwhile
    lease.startHeartbeat();
    try {
      const verdict = await d.reconciler.verdict(rec);
      if (verdict.status === 'applied') {
        await d.reconciler.answer(lease, rec, verdict);
        settled++;
        continue;
      }
      if (verdict.status === 'not-applied') {
        await d.reconciler.mark(rec, false);
        settled++;
      }
      d.logger?.info({ operation: rec.operation, registrarId: rec.registrarId, verdict: verdict.status, how: verdict.how }, 'idempotency: swept an unknown outcome');
      await lease.settle({ state: 'OUTCOME_UNKNOWN' });
    } catch (err) {
      await lease.settle({ state: 'OUTCOME_UNKNOWN' }).catch(() => false);
      throw err;
    }
  }
  return settled;
}
