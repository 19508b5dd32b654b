/**
 * The HeadlessDomains sandbox's state (shared/upstream/000_1527c6e3181c1cc7.txt): registrar
 * channels with their partner API keys, registrations with their lifecycle, desired and applied
 * name servers and pending backend applies, the command audit rows GET /poll reads, and the
 * idempotency records that answer a retried request. Its own types: it shares nothing with the
 * gateway's adapter (src/backends/headless/).
 */
import { randomBytes } from 'node:crypto';

/** A registrar channel in HeadlessDomains Partners, with its approved namespace listings. */
export interface Channel {
  id: string;
  registrarId: string;
  name: string;
  approved: boolean;
  /** TLDs of the channel's approved namespace listings. */
  namespaces: string[];
  productionApproved: boolean;
}

/** A partner API key; only the `registrar_api` profile may call the registrar API. */
export interface ApiKey {
  token: string;
  profile: 'registrar_api' | 'storefront';
  channelId: string;
  scopes: string[];
}

/** A registration's lifecycle: active, pending_cancel (DELETE queued), cancelled (applied), protected_recovery (legacy/NB record, packet "Boundaries"). */
export type LifecycleState = 'active' | 'pending_cancel' | 'cancelled' | 'protected_recovery';
/** backend_apply_status of a queued change: applied, or pending backend apply (packet "Boundaries" 3). */
export type ApplyStatus = 'applied' | 'pending';

/** Registrant metadata that PATCH /domains/:domain updates: name, e-mail (must hold "@"), organization or null; at most 255 characters each. */
export interface Registrant {
  name: string;
  email: string;
  organization: string | null;
}

/** A registration as stored, keyed by lower-case domain: holder channel, lifecycle, expiry (instants), desired and applied name servers, transfer intent. */
export interface Registration {
  domain: string;
  label: string;
  tld: string;
  channelId: string;
  registrant: Registrant;
  authCode: string;
  state: LifecycleState;
  clientHold: boolean;
  transferLock: boolean;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
  cancelledAt: Date | null;
  desiredNameservers: string[];
  appliedNameservers: string[];
  transfer: { state: 'intent_recorded' | 'completed'; gainingChannelId: string; losingChannelId: string; recordedAt: Date; completedAt: Date | null } | null;
  /** Fixture of the OT&E sequence: reset re-creates it for the channel it was made for. */
  fixtureOf: string | null;
}

/** A backend apply still to happen (name servers, cancellation, transfer), due at `at`. */
export interface PendingApply {
  domain: string;
  kind: 'nameservers' | 'cancel' | 'transfer';
  commandId: string;
  idempotencyKey: string | null;
  channelId: string;
  at: Date;
}

/** One command audit row (the document's "command audit events" read by GET /poll). */
export interface AuditRow {
  seq: number;
  id: string;
  commandId: string;
  command: string;
  domain: string | null;
  idempotencyKey: string | null;
  requestId: string | null;
  httpStatus: number;
  status: 'succeeded' | 'failed' | 'pending_backend_apply' | 'applied';
  channelId: string;
  createdAt: Date;
  completedAt: Date | null;
}

/** What a request with an idempotency key answered, kept to answer its retries. */
export interface IdempotencyRecord {
  fingerprint: string;
  status: number;
  body: unknown;
}

/** An audit row id: `aud_` and 16 digits, so that ids sort as their numbers do. */
export function auditId(seq: number): string {
  return `aud_${String(seq).padStart(16, '0')}`;
}

/** The sandbox's state in memory: channels, keys, registrations, pending backend applies, audit rows, idempotency records per channel. */
export class Store {
  readonly channels = new Map<string, Channel>();
  readonly keys = new Map<string, ApiKey>();
  readonly registrations = new Map<string, Registration>();
  readonly pending: PendingApply[] = [];
  readonly audit: AuditRow[] = [];
  /** By channel id, then idempotency key. */
  readonly idempotency = new Map<string, Map<string, IdempotencyRecord>>();
  /** Tests: while true, no backend apply happens, whatever the clock says (HeadlessSandbox.hold()). */
  held = false;
  private commands = 0;

  /**
   * @param seq the audit row number to count on from. A registry never gives an audit row id twice,
   *   and the gateway keeps one poll message per id, so an in-memory sandbox that starts again
   *   (a restarted zero-setup gateway) must not number from 1 again: HeadlessSandbox passes its
   *   start time in ms x 1000, and clearAll() keeps counting.
   */
  constructor(private seq = 0) {}

  nextCommandId(): string {
    return `cmd_${String(++this.commands).padStart(6, '0')}_${randomBytes(3).toString('hex')}`;
  }

  addAudit(row: Omit<AuditRow, 'seq' | 'id'>): AuditRow {
    const seq = ++this.seq;
    const r = { ...row, seq, id: auditId(seq) };
    this.audit.push(r);
    return r;
  }

  clearAll(): void {
    this.registrations.clear();
    this.pending.length = 0;
    this.audit.length = 0;
    this.idempotency.clear();
    this.commands = 0;
  }
}
