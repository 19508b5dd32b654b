import type { UpstreamPollMessage } from '../core/model/index.js';

/** What a poll message reports (RFC 5730 section 2.9.2.3 <poll>, and the HTTP registries' equivalents), as the GraphQL PollMessageType enum names it; OTHER when classify cannot tell. */
export type PollType =
  | 'TRANSFER_REQUESTED'
  | 'TRANSFER_APPROVED'
  | 'TRANSFER_REJECTED'
  | 'TRANSFER_CANCELLED'
  | 'TRANSFER_AUTO_APPROVED'
  | 'AUTORENEWED'
  | 'DELETED'
  | 'PENDING_ACTION_COMPLETED'
  | 'STATUS_CHANGED'
  | 'BALANCE_LOW'
  | 'OTHER';

const BY_TRANSFER_STATUS: Record<string, PollType> = {
  pending: 'TRANSFER_REQUESTED',
  clientApproved: 'TRANSFER_APPROVED',
  clientRejected: 'TRANSFER_REJECTED',
  clientCancelled: 'TRANSFER_CANCELLED',
  serverApproved: 'TRANSFER_AUTO_APPROVED',
  serverCancelled: 'TRANSFER_CANCELLED',
};

/**
 * HeadlessDomains audit rows (GET /poll) by `command`, where the row says what happened to the
 * domain: the registry's backend applied a cancellation (the registration is `cancelled`: the
 * document's DELETE /domains/{domain}, "Cancel a lifecycle record") or a transfer (the gaining
 * channel's `backend.apply.transfer`, the losing channel's `domains.transfer_out`) or a queued
 * name-server change. Only rows whose `status` is given here count; other commands (create, renew,
 * patch, the gaining channel's own `domains.transfer` intent ...) and failed rows are left to the
 * rules below (OTHER).
 */
const BY_AUDIT_COMMAND: Record<string, { statuses: string[]; type: PollType }> = {
  'backend.apply.cancel': { statuses: ['applied'], type: 'DELETED' },
  'backend.apply.transfer': { statuses: ['applied'], type: 'TRANSFER_APPROVED' },
  'domains.transfer_out': { statuses: ['applied'], type: 'TRANSFER_APPROVED' },
  'backend.apply.nameservers': { statuses: ['applied'], type: 'PENDING_ACTION_COMPLETED' },
};

/**
 * Normalise an upstream message to a type, from its structured data first and its text last:
 * the transfer status of its transfer data (EPP trnData, RFC 5731 section 3.2.4, whose status says
 * what happened even where the message also has a pending action's result: Nomulus's auto-approval
 * to the gaining registrar carries panData too; Joker's result of a transfer-in: clientApproved when
 * ACKed, clientRejected when NACKed, src/backends/joker/driver/results.ts); a HeadlessDomains audit row's command;
 * a pending action's result (EPP panData paResult, Joker's ACK/NACK, REPP's registrant
 * confirmation), where only a completed deletion is DELETED and a refused or rejected one is
 * PENDING_ACTION_COMPLETED (the payload's `pendingActionResult` false says it failed); then words
 * of the text.
 */
export function classify(m: UpstreamPollMessage): PollType {
  if (m.transfer) return BY_TRANSFER_STATUS[m.transfer.status] ?? 'OTHER';
  const audit = m.audit?.command ? BY_AUDIT_COMMAND[m.audit.command] : undefined;
  if (audit && audit.statuses.includes(m.audit?.status ?? '')) return audit.type;
  const text = m.text.toLowerCase();
  if (m.pendingActionResult !== null && m.pendingActionResult !== undefined) {
    return m.pendingActionResult && text.includes('delet') ? 'DELETED' : 'PENDING_ACTION_COMPLETED';
  }
  if (text.includes('autorenew') || text.includes('auto-renew') || text.includes('auto renew')) return 'AUTORENEWED';
  // A message with no transfer data that says a transfer was approved (the Estonian registry's
  // "Transfer of domain koer.ee has been approved. ...": .ee transfers complete at once).
  if (/\btransfer\b/.test(text) && /\bapproved\b/.test(text)) return 'TRANSFER_APPROVED';
  if (text.includes('deleted') || text.includes('deletion')) return 'DELETED';
  if (text.includes('balance') || text.includes('credit')) return 'BALANCE_LOW';
  if (text.includes('status') || text.includes('hold')) return 'STATUS_CHANGED';
  return 'OTHER';
}
