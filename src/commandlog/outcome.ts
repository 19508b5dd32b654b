/** What became of a logged command, from its command-log row. */
import { changesState, isCommandName } from '../core/commands.js';
import type { CommandLog as CommandLogRow } from '../db/generated/client.js';

/**
 * SUCCEEDED / FAILED: the registry answered (1xxx / 2xxx). A native bulk transfer or renewal
 * answered 1xxx as a whole whose answer shows some of its domains not done is PARTIAL (applied:
 * the others were), and FAILED when it shows none done (nothing applied). So is a command sent as
 * several requests (an update at REPP, HeadlessDomains, Joker) that was refused or failed after the
 * registry had applied an earlier request (`partlyApplied`). NOT_SENT: it never reached the registry.
 * NO_ANSWER: a command that changes no registry object (a check, a read, a transfer query, a poll
 * request or acknowledgement) got no answer: there is nothing to reconcile (the poller repeats a
 * poll acknowledgement until it holds). UNKNOWN: a command that changes a registry object got no
 * answer yet, or is in flight; the gateway reconciles it (RECONCILED_APPLIED / RECONCILED_NOT_APPLIED).
 */
export type CommandOutcomeName = 'SUCCEEDED' | 'PARTIAL' | 'FAILED' | 'NOT_SENT' | 'NO_ANSWER' | 'UNKNOWN' | 'RECONCILED_APPLIED' | 'RECONCILED_NOT_APPLIED';

/** The outcome and whether the command took effect (null: not known). */
export function outcomeOf(
  row: Pick<CommandLogRow, 'resultCode' | 'sent' | 'reconciled' | 'durationMs' | 'command' | 'bulkDomains' | 'bulkDomainsNotDone'> & Partial<Pick<CommandLogRow, 'partlyApplied'>>,
): { outcome: CommandOutcomeName; applied: boolean | null } {
  // Refused or failed after earlier requests of it were applied; a later reconciliation that found the whole of it applied says so.
  if (row.partlyApplied && row.reconciled !== true) return { outcome: 'PARTIAL', applied: true };
  if (row.resultCode != null) {
    const ok = row.resultCode >= 1000 && row.resultCode < 2000;
    const notDone = row.bulkDomainsNotDone ?? 0;
    if (ok && notDone > 0) return notDone >= (row.bulkDomains ?? 0) ? { outcome: 'FAILED', applied: false } : { outcome: 'PARTIAL', applied: true };
    return { outcome: ok ? 'SUCCEEDED' : 'FAILED', applied: ok };
  }
  if (!row.sent) return { outcome: 'NOT_SENT', applied: false };
  if (row.reconciled === true) return { outcome: 'RECONCILED_APPLIED', applied: true };
  if (row.reconciled === false) return { outcome: 'RECONCILED_NOT_APPLIED', applied: false };
  const finished = row.durationMs !== null;
  if (finished && isCommandName(row.command) && !changesState(row.command)) return { outcome: 'NO_ANSWER', applied: null };
  return { outcome: 'UNKNOWN', applied: null };
}
