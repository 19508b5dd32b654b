/** The sandbox's JSON views of registrations, audit rows and /status (snake_case, as the API answers). */
import { applyStatus } from './lifecycle.js';
import type { ApiKey, AuditRow, Channel, Registration, Store } from './store.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A registration as GET /domains/{domain} answers it; the auth code only to the holding channel. */
export function registrationView(store: Store, r: Registration, viewerChannelId: string) {
  const pending = store.pending.filter((p) => p.domain === r.domain);
  return {
    domain: r.domain,
    label: r.label,
    tld: r.tld,
    registrar_channel_id: r.channelId,
    namespace: { tld: r.tld, listing_status: 'approved' },
    registrant: { name: r.registrant.name, email: r.registrant.email, organization: r.registrant.organization },
    lifecycle: {
      state: r.state,
      client_hold: r.clientHold,
      transfer_lock: r.transferLock,
      created_at: iso(r.createdAt),
      updated_at: iso(r.updatedAt),
      expires_at: iso(r.expiresAt),
      cancelled_at: iso(r.cancelledAt),
    },
    backend: {
      apply_status: pending.length > 0 ? 'pending' : 'applied',
      pending: pending.map((p) => ({ kind: p.kind, command_id: p.commandId, due_at: iso(p.at) })),
    },
    nameservers: { desired: [...r.desiredNameservers], applied: [...r.appliedNameservers], backend_apply_status: applyStatus(store, r.domain, 'nameservers') },
    transfer: r.transfer && {
      state: r.transfer.state,
      gaining_channel_id: r.transfer.gainingChannelId,
      losing_channel_id: r.transfer.losingChannelId,
      recorded_at: iso(r.transfer.recordedAt),
      completed_at: iso(r.transfer.completedAt),
      backend_apply_status: applyStatus(store, r.domain, 'transfer'),
    },
    ...(viewerChannelId === r.channelId ? { auth_code: r.authCode } : {}),
  };
}

/** An audit row as GET /poll returns it: id, command_id, command, domain, idempotency_key, statuses, ISO times, registrar.channel_id. */
export function auditView(a: AuditRow) {
  return {
    id: a.id,
    command_id: a.commandId,
    command: a.command,
    domain: a.domain,
    idempotency_key: a.idempotencyKey,
    request_id: a.requestId,
    http_status: a.httpStatus,
    status: a.status,
    created_at: iso(a.createdAt),
    completed_at: iso(a.completedAt),
    registrar: { channel_id: a.channelId },
  };
}

/** The command names GET /status lists under registry_service.commands (the packet's "Current Commands"). */
export const COMMANDS = ['status', 'sandbox_reset', 'check', 'create', 'read', 'renew', 'patch', 'transfer', 'nameservers', 'cancel', 'poll'];

/** GET /status: channel approval, namespace listings, production status, scopes, rate-limit state, service capabilities and contract. */
export function statusView(c: Channel, key: ApiKey, rate: { limit: number; remaining: number; windowSeconds: number; resetAt: Date }, applyDelayMs: number) {
  return {
    environment: 'sandbox',
    registrar_channel: { id: c.id, name: c.name, approval_status: c.approved ? 'approved' : 'pending' },
    api_key: { profile: key.profile, scopes: [...key.scopes], bound_channel_id: key.channelId },
    namespace_listings: c.namespaces.map((tld) => ({ tld, status: 'approved', environment: 'sandbox' })),
    production: { approved: c.productionApproved, status: c.productionApproved ? 'approved' : 'not_approved' },
    rate_limit: { limit: rate.limit, remaining: rate.remaining, window_seconds: rate.windowSeconds, reset_at: rate.resetAt.toISOString() },
    registry_service: {
      commands: COMMANDS,
      contract: {
        api_version: 'v1',
        idempotency: 'Idempotency-Key header on every mutating command; a retry with the same key and body is answered from the first response',
        nameserver_apply: applyDelayMs > 0 ? 'pending_backend_apply' : 'immediate',
        cancel: 'lifecycle_state',
        transfer: 'intent_recorded_then_backend_apply',
        epp: 'not_available',
      },
    },
    audit_provenance: { registrar_channel_id: c.id },
  };
}
