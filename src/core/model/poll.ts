import type { Transfer } from './transfer.js';

/** One message in an upstream registrar queue, as the upstream delivered it. */
export interface UpstreamPollMessage {
  /** Upstream message id (EPP msgQ id). */
  id: string;
  /** Messages left in the queue including this one, where the upstream says. */
  count?: number | null;
  /** When the upstream queued it; null when the upstream did not say (EPP qDate is optional). */
  queuedAt: Date | null;
  text: string;
  /** What the message concerns, where the upstream says. */
  object?: { kind: 'domain' | 'contact' | 'host'; name: string } | null;
  /** Transfer data attached to the message (EPP trnData panData). */
  transfer?: Transfer | null;
  /** Pending-action result (EPP panData paResult). */
  pendingActionResult?: boolean | null;
  /** The completed action's own result code where the upstream says (Joker: the NACK's Status-Code). */
  resultCode?: number | null;
  /** New expiry date (EPP renData in autorenew messages). */
  expiresAt?: Date | null;
  /** The raw upstream payload, for debugging. */
  raw: string;
  /** Where the message is a registry's command audit row (HeadlessDomains GET /poll): its facts, kept on the stored message. */
  audit?: UpstreamAuditRow | null;
  /**
   * The domain (`object`) moved to (`gained`) or away from (`lost`) this account, where the
   * registry says so without EPP transfer data (HeadlessDomains: the gaining channel's
   * `backend.apply.transfer` and the losing channel's `domains.transfer_out` audit rows). The
   * poller moves it in the registrar's domain list, as it does for an approved EPP transfer.
   */
  sponsorChange?: 'gained' | 'lost' | null;
}

/** A registry's audit row of one command (HeadlessDomains GET /poll). */
export interface UpstreamAuditRow {
  /** The audit row id. */
  auditRowId: string;
  commandId: string | null;
  command: string | null;
  idempotencyKey: string | null;
  status: string | null;
  httpStatus: number | null;
  /** registrar.channel_id of the row. */
  channelId: string | null;
  createdAt: string | null;
  completedAt: string | null;
}

/** The head of the registrar's poll queue (RFC 5730 section 2.9.2.3 <poll op="req">) and its length (msgQ count). */
export interface PollQueue {
  /** The message at the head of the queue, or null when empty. */
  message: UpstreamPollMessage | null;
  /** Messages in the queue (0 when empty). */
  count: number;
}
