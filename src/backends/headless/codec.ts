/**
 * HeadlessDomains JSON <-> the neutral model. A registration (GET /domains/{domain}) becomes a
 * Domain: the lifecycle status fields as EPP statuses (client_hold -> clientHold, transfer_lock ->
 * clientTransferProhibited), a cancellation as pendingDelete (the record stays: it is not a hard
 * delete), a recorded transfer intent as pendingTransfer, the desired name servers as
 * `nameservers` beside the applied set and the backend apply status. GET /status becomes the
 * account's AccountStatus.
 */
import type * as M from '../../core/model/index.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const date = (v: unknown): Date | null => {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isNaN(t) ? null : new Date(t);
};
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const hosts = (v: unknown): M.DomainNameserver[] => strings(v).map((name) => ({ name, ipv4: [], ipv6: [] }));
const apply = (v: unknown): 'applied' | 'pending' | null => (v === 'applied' || v === 'pending' ? v : null);

/** EPP statuses of a registration. */
function statuses(r: Obj): string[] {
  const lc = obj(r.lifecycle);
  const out: string[] = [];
  if (lc.client_hold === true) out.push('clientHold');
  if (lc.transfer_lock === true) out.push('clientTransferProhibited');
  if (lc.state === 'pending_cancel' || lc.state === 'cancelled') out.push('pendingDelete');
  if (lc.state === 'protected_recovery') out.push('serverHold', 'serverUpdateProhibited', 'serverTransferProhibited');
  if (obj(r.transfer).state === 'intent_recorded') out.push('pendingTransfer');
  return out.length > 0 ? out : ['ok'];
}

/** A registration view as a Domain. */
export function parseRegistration(v: unknown): M.Domain {
  const r = obj(v);
  const lc = obj(r.lifecycle);
  const ns = obj(r.nameservers);
  const reg = obj(r.registrant);
  return {
    name: text(r.domain) ?? '',
    statuses: statuses(r),
    rgpStatuses: [],
    registrant: null,
    contacts: [],
    nameservers: hosts(ns.desired),
    appliedNameservers: hosts(ns.applied),
    nameserverApplyStatus: apply(ns.backend_apply_status),
    backendApplyStatus: apply(obj(r.backend).apply_status),
    lifecycleState: text(lc.state),
    registrantInfo: { name: text(reg.name), email: text(reg.email), organization: text(reg.organization) },
    subordinateHosts: [],
    dnssec: { dsData: [], keyData: [] },
    sponsor: text(r.registrar_channel_id) ?? '',
    createdAt: date(lc.created_at),
    updatedAt: date(lc.updated_at),
    expiresAt: date(lc.expires_at),
    transferredAt: date(obj(r.transfer).completed_at),
    authInfo: text(r.auth_code),
    // What the transfer query (GET /domains/{domain}, commands.ts) answers: the intent, or none.
    transfer: r.transfer ? parseTransfer(r) : null,
  };
}

/** The transfer of a registration, as the port's Transfer. */
export function parseTransfer(v: unknown): M.Transfer {
  const r = obj(v);
  const t = obj(r.transfer);
  const state = text(t.state);
  const recorded = date(t.recorded_at) ?? new Date(0);
  return {
    name: text(r.domain) ?? '',
    status: state === 'intent_recorded' ? 'pending' : state === 'completed' ? 'serverApproved' : 'clientCancelled',
    gainingRegistrar: text(t.gaining_channel_id) ?? '',
    requestedAt: recorded,
    losingRegistrar: text(t.losing_channel_id) ?? '',
    actionAt: date(t.completed_at) ?? recorded,
    expiresAt: date(obj(r.lifecycle).expires_at),
  };
}

/** GET /status as the account's status. */
export function parseStatus(v: unknown): M.AccountStatus {
  const s = obj(v);
  const ch = obj(s.registrar_channel);
  const key = obj(s.api_key);
  const rl = obj(s.rate_limit);
  const svc = obj(s.registry_service);
  const num = (x: unknown) => (typeof x === 'number' ? x : 0);
  return {
    channelId: text(ch.id) ?? '',
    channelName: text(ch.name),
    channelApproved: ch.approval_status === 'approved',
    namespaces: (Array.isArray(s.namespace_listings) ? s.namespace_listings : []).map((n) => ({ tld: text(obj(n).tld) ?? '', status: text(obj(n).status) ?? '' })),
    productionApproved: obj(s.production).approved === true,
    environment: text(s.environment),
    keyProfile: text(key.profile),
    scopes: strings(key.scopes),
    rateLimit: Object.keys(rl).length ? { limit: num(rl.limit), remaining: num(rl.remaining), windowSeconds: num(rl.window_seconds), resetAt: date(rl.reset_at) } : null,
    commands: strings(svc.commands),
    contract: Object.entries(obj(svc.contract)).map(([name, value]) => ({ name, value: typeof value === 'string' ? value : JSON.stringify(value) })),
    auditChannelId: text(obj(s.audit_provenance).registrar_channel_id) ?? '',
    raw: JSON.stringify(s),
  };
}

/** One GET /poll audit row as an upstream poll message; the audit row id is the message id. */
export function parseAuditRow(v: unknown): M.UpstreamPollMessage & { audit: AuditFacts } {
  const e = obj(v);
  const audit: AuditFacts = {
    auditRowId: text(e.id) ?? '',
    commandId: text(e.command_id),
    command: text(e.command),
    idempotencyKey: text(e.idempotency_key),
    status: text(e.status),
    httpStatus: typeof e.http_status === 'number' ? e.http_status : null,
    channelId: text(obj(e.registrar).channel_id),
    createdAt: text(e.created_at),
    completedAt: text(e.completed_at),
  };
  const domain = text(e.domain);
  const words = `${audit.command ?? 'command'} ${domain ?? ''} ${audit.status ?? ''}`.replace(/\s+/g, ' ').trim();
  return {
    id: audit.auditRowId,
    queuedAt: date(e.created_at),
    text: audit.command === 'domains.transfer_out' ? `transfer of ${domain} approved: ${words}` : words,
    object: domain ? { kind: 'domain', name: domain } : null,
    raw: JSON.stringify(e),
    audit,
    sponsorChange: audit.status !== 'applied' ? null : audit.command === 'backend.apply.transfer' ? 'gained' : audit.command === 'domains.transfer_out' ? 'lost' : null,
  };
}

/** The audit row's facts the gateway keeps on the PollMessage. */
export type AuditFacts = M.UpstreamAuditRow;
