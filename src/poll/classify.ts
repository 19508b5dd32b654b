import type { UpstreamPollMessage } from '../core/model/index.js';

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

/** Normalise an upstream message to a type, from its structured data first and its text last. */
export function classify(m: UpstreamPollMessage): PollType {
  if (m.transfer) return BY_TRANSFER_STATUS[m.transfer.status] ?? 'OTHER';
  const text = m.text.toLowerCase();
  if (m.pendingActionResult !== null && m.pendingActionResult !== undefined) {
    return text.includes('delet') ? 'DELETED' : 'PENDING_ACTION_COMPLETED';
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
