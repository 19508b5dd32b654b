/**
 * The port's operations as HeadlessDomains requests (document, "Current Commands"), one function
 * each over a HeadlessCall: the account's client, the attempt's request id, the upstream
 * idempotency key (the gateway's own, so a retry is safe at both layers and the registry's audit
 * row names the same key) and the portable layer's beforeWrite hook, run once before the first
 * change.
 */
import { AuthorizationError, NotPendingTransferError, UnsupportedByBackendError, ValidationError, unreadableAnswer } from '../../core/errors.js';
import { MAX_NAMESERVERS } from '../../validation/inputs.js';
import type * as M from '../../core/model/index.js';
import { mapLimit } from '../repp/driver/call.js';
import { parseRegistration, parseStatus, parseTransfer } from './codec.js';
import type { HeadlessAnswer, HeadlessHttpClient, HeadlessRequest } from './http.js';
import { changePath } from '../../core/field-paths.js';
import type { Clock } from '../../core/clock.js';

/** One port call's context for commands.ts: the account's client, the backend name, the gateway's clock, the attempt's X-Request-Id, the Idempotency-Key sent on changes, check concurrency and the beforeWrite hook. */
export interface HeadlessCall {
  client: HeadlessHttpClient;
  backend: string;
  /** The gateway's clock (DriverDeps.clock, GUIDE section 3): the time of sending where the registry's answer gives none. */
  clock: Clock;
  requestId: string;
  /** The key sent upstream: the gateway's idempotency key, else one made from the request id. */
  idempotencyKey: string;
  checkConcurrency: number;
  beforeWrite(): Promise<void>;
  /** Attempt.applied: a change request of the call answered as done, naming the input's parts it carried. */
  applied(changes: readonly string[]): void;
  /** Background work (CallContext.background): its requests wait for a connection after interactive ones. */
  background?: boolean;
  wrote?: boolean;
}

const path = (domain: string, tail = '') => `/domains/${encodeURIComponent(domain)}${tail}`;

async function send(call: HeadlessCall, req: Omit<HeadlessRequest, 'idempotencyKey'>, keySuffix = ''): Promise<HeadlessAnswer> {
  if (req.changesState && !call.wrote) {
    call.wrote = true;
    await call.beforeWrite();
  }
  return call.client.send({ ...req, idempotencyKey: req.changesState ? call.idempotencyKey + keySuffix : undefined, background: call.background === true }, call.requestId + keySuffix);
}

/** A port result; the registry's command id (mutations) is the server transaction id. */
function result<T>(a: HeadlessAnswer, data: T, code = 1000): M.PortResult<T> {
  const commandId = typeof a.body.command_id === 'string' ? a.body.command_id : null;
  return { data, trid: { client: a.requestId, server: commandId }, code, message: a.replayed ? 'answered from the registry idempotency record' : undefined };
}

const registration = (a: HeadlessAnswer) => parseRegistration(a.body.registration);

/**
 * The registration a change's answer carries (document: create, renew, transfer intent and
 * nameservers answer the registration they acted on, as the sandbox does), which must be the
 * domain's and, with `expiry`, name its expiry. An answer without it is not one the gateway can
 * read: the change may have been made, so UPSTREAM_UNAVAILABLE with maybeApplied (core/errors.ts
 * unreadableAnswer), never a success with made-up values or an error the key would replay.
 */
function changed(call: HeadlessCall, a: HeadlessAnswer, domain: string, expiry = false): M.Domain {
  const d = registration(a);
  const lacks = d.name.toLowerCase() !== domain.toLowerCase() ? 'the registration' : expiry && !d.expiresAt ? "the registration's expiry" : null;
  if (lacks) throw unreadableAnswer(`registry answered HTTP ${a.status} without ${lacks} of ${domain}`, { backend: call.backend });
  return d;
}

/**
 * POST /domains/check (document, "Current Commands") once per name, `checkConcurrency` at once: `available` true only when the body says so, `reason` when a string;
 * names in order, the last answer's request id as client trid.
 */
export async function checkDomains(call: HeadlessCall, names: string[]) {
  const answers = await mapLimit(names, call.checkConcurrency, (domain) => send(call, { method: 'POST', path: '/domains/check', body: { domain }, changesState: false }));
  const data = answers.map((a, i) => ({ name: names[i], available: a.body.available === true, reason: typeof a.body.reason === 'string' ? a.body.reason : null }));
  return result(answers[answers.length - 1], data);
}

/**
 * GET /domains/{domain}. With `authInfo` (`domain(name, authInfo)`), the code is checked as the
 * transfer query checks it (checkAuthCode): a wrong one is AuthorizationError, another channel's
 * UnsupportedByBackendError, never answered as if it had been checked.
 */
export async function infoDomain(call: HeadlessCall, name: string, authInfo?: string | null) {
  const a = await send(call, { method: 'GET', path: path(name), changesState: false });
  if (authInfo) checkAuthCode(call, a, authInfo, 'domain info');
  return result(a, registration(a));
}

/**
 * An auth code checked as EPP checks one (a wrong one is 2202): HeadlessDomains shows the auth
 * code to the sponsoring channel only and has no request that checks one without transferring, so
 * the sponsor's is compared with the registration's (AuthorizationError, not naming it, when
 * wrong) and anyone else's is refused as UnsupportedByBackendError. `a`: the GET /domains/{domain}
 * answer; `what`: the request, for the refusal's message.
 */
function checkAuthCode(call: HeadlessCall, a: HeadlessAnswer, authInfo: string, what: string): void {
  const own = a.body.registration ? parseRegistration(a.body.registration).authInfo : null;
  if (!own) throw new UnsupportedByBackendError(call.backend, `checking another channel's auth code without requesting the transfer (leave authInfo out of the ${what})`, 'authInfo');
  if (own !== authInfo) throw new AuthorizationError('Invalid authorization information', { backend: call.backend, upstreamCode: 2202, upstreamMessage: 'the auth code does not match' });
}

/** What POST /domains has no field for, refused before anything is sent: a period in months (input.period.unit), a name server with addresses (`input.nameservers[i].ipv4|ipv6`); UNSUPPORTED_BY_BACKEND. */
export function checkCreate(backend: string, input: M.DomainCreateInput): void {
  if (input.period.unit !== 'y') throw new UnsupportedByBackendError(backend, 'periods in months', 'input.period.unit');
  const glue = glueField('input.nameservers', input.nameservers);
  if (glue) throw new UnsupportedByBackendError(backend, 'name server addresses (glue)', glue);
}

/**
 * POST /domains (document, "Current Commands"): domain, years, auth_code, name server names, registrant metadata, after checkCreate
 * (UNSUPPORTED_BY_BACKEND on months, glue); an answer without the domain's registration is UPSTREAM_UNAVAILABLE (maybeApplied).
 * createdAt is the registration's `lifecycle.created_at`, else the clock's time of sending (as at REPP).
 */
export async function createDomain(call: HeadlessCall, backend: string, input: M.DomainCreateInput) {
  checkCreate(backend, input);
  const body = { domain: input.name, years: input.period.value, auth_code: input.authInfo, nameservers: input.nameservers.map((n) => n.name), registrant: registrantBody(input.registrantInfo) };
  const sentAt = call.clock.now();
  const a = await send(call, { method: 'POST', path: '/domains', body, changesState: true });
  const d = changed(call, a, input.name);
  return result(a, { name: d.name, createdAt: d.createdAt ?? sentAt, expiresAt: d.expiresAt ?? null });
}

/**
 * POST /domains/{domain}/renew (document, "Current Commands"): years and current_expires_at (the currentExpiry instant, ISO 8601 UTC); answers the registration's new expiry.
 * UNSUPPORTED_BY_BACKEND on input.period.unit for months; an answer without the registration's expiry is UPSTREAM_UNAVAILABLE (maybeApplied).
 */
export async function renewDomain(call: HeadlessCall, backend: string, input: M.DomainRenewInput) {
  if (input.period.unit !== 'y') throw new UnsupportedByBackendError(backend, 'periods in months', 'input.period.unit');
  const body = { years: input.period.value, current_expires_at: input.currentExpiry.toISOString() };
  const a = await send(call, { method: 'POST', path: path(input.name, '/renew'), body, changesState: true });
  return result(a, { name: input.name, expiresAt: changed(call, a, input.name, true).expiresAt! });
}

/** `${field}[i].ipv4` (or `.ipv6`) of the first name server given addresses (glue), which HeadlessDomains has no field for. */
function glueField(field: string, list: readonly M.DomainNameserver[]): string | undefined {
  const i = list.findIndex((n) => n.ipv4.length + n.ipv6.length > 0);
  return i < 0 ? undefined : `${field}[${i}].${list[i]!.ipv4.length ? 'ipv4' : 'ipv6'}`;
}

const STATUS_FIELDS: Record<string, 'client_hold' | 'transfer_lock'> = { clientHold: 'client_hold', clientTransferProhibited: 'transfer_lock' };

/** What the PATCH and PUT nameservers cannot carry, refused before anything is sent: a status other than clientHold and clientTransferProhibited, a name server added with addresses; UNSUPPORTED_BY_BACKEND naming it. */
export function checkUpdate(backend: string, u: M.DomainUpdateInput): void {
  for (const s of [...u.add.statuses, ...u.remove.statuses]) if (!STATUS_FIELDS[s]) throw new UnsupportedByBackendError(backend, `status ${s} (clientHold and clientTransferProhibited only)`, changePath(u, 'statuses', (x) => x === s));
  const glue = glueField('input.add.nameservers', u.add.nameservers);
  if (glue) throw new UnsupportedByBackendError(backend, 'name server addresses (glue)', glue);
}

/**
 * The name servers `u` leaves the domain with (PUT nameservers takes the whole set), from the
 * registration's current ones; BAD_USER_INPUT on `input.add.nameservers` when that is more than a
 * domain holds (MAX_NAMESERVERS, 13), before anything is sent.
 */
function desiredNameservers(current: readonly string[], u: M.DomainUpdateInput): string[] {
  const removed = new Set(u.remove.nameservers.map((n) => n.name));
  const desired = [...new Set([...current.filter((n) => !removed.has(n)), ...u.add.nameservers.map((n) => n.name)])];
  if (desired.length > MAX_NAMESERVERS) {
    throw new ValidationError('input.add.nameservers', `a domain holds at most ${MAX_NAMESERVERS} name servers; this update would leave it ${desired.length} (${desired.length - u.add.nameservers.length} it keeps and ${u.add.nameservers.length} added)`);
  }
  return desired;
}

/**
 * After checkUpdate: the name servers' end state worked out first (the registration read, the
 * count checked: desiredNameservers), then PATCH (registrant metadata, lifecycle status fields,
 * auth code), then PUT nameservers when they change. Two change requests: each reported answered
 * (call.applied), so a refused PUT says the PATCH's changes stay applied.
 */
export async function updateDomain(call: HeadlessCall, backend: string, u: M.DomainUpdateInput) {
  checkUpdate(backend, u);
  const lifecycle: Record<string, boolean> = {};
  for (const s of u.add.statuses) lifecycle[STATUS_FIELDS[s]] = true;
  for (const s of u.remove.statuses) lifecycle[STATUS_FIELDS[s]] = false;
  const patch = { ...(u.registrantInfo ? { registrant: registrantBody(u.registrantInfo) } : {}), ...(Object.keys(lifecycle).length ? { lifecycle } : {}), ...(u.authInfo ? { auth_code: u.authInfo } : {}) };
  const nameservers =
    u.add.nameservers.length + u.remove.nameservers.length > 0
      ? desiredNameservers(registration(await send(call, { method: 'GET', path: path(u.name), changesState: false }, ':read')).nameservers.map((n) => n.name), u)
      : null;
  let last: HeadlessAnswer | undefined;
  if (Object.keys(patch).length > 0) {
    last = await send(call, { method: 'PATCH', path: path(u.name), body: patch, changesState: true });
    call.applied([...(u.registrantInfo ? ['input.registrantInfo'] : []), ...(u.add.statuses.length ? ['input.add.statuses'] : []), ...(u.remove.statuses.length ? ['input.remove.statuses'] : []), ...(u.authInfo ? ['input.authInfo'] : [])]);
  }
  if (nameservers) {
    last = await send(call, { method: 'PUT', path: path(u.name, '/nameservers'), body: { nameservers }, changesState: true }, last ? ':nameservers' : '');
  }
  if (!last) last = await send(call, { method: 'GET', path: path(u.name), changesState: false });
  return result(last, null, last.status === 202 ? 1001 : 1000);
}

/** Name servers as a whole set (PUT nameservers): the desired set is stored, the backend applies it later. */
export async function setNameservers(call: HeadlessCall, name: string, nameservers: string[]) {
  const a = await send(call, { method: 'PUT', path: path(name, '/nameservers'), body: { nameservers }, changesState: true });
  return result(a, changed(call, a, name), a.status === 202 ? 1001 : 1000);
}

/** DELETE cancels the lifecycle record (not a hard delete); the cancellation may stay pending backend apply. */
export async function deleteDomain(call: HeadlessCall, name: string) {
  const a = await send(call, { method: 'DELETE', path: path(name), changesState: true });
  return result(a, { name, pending: true }, 1001);
}

/**
 * Transfer request (POST .../transfer with the auth code: a transfer intent, 1001) or query (the
 * registration's transfer intent from GET /domains/{domain}). A query's `authInfo` is checked by
 * checkAuthCode.
 */
export async function transferDomain(call: HeadlessCall, op: 'request' | 'query', name: string, authInfo?: string | null) {
  if (op === 'query') {
    const a = await send(call, { method: 'GET', path: path(name), changesState: false });
    if (authInfo) checkAuthCode(call, a, authInfo, 'transfer query');
    if (!a.body.registration || !(a.body.registration as { transfer?: unknown }).transfer) throw new NotPendingTransferError(`${name} has no transfer`, { backend: call.backend, upstreamCode: 2301 });
    return result(a, parseTransfer(a.body.registration));
  }
  const a = await send(call, { method: 'POST', path: path(name, '/transfer'), body: { auth_code: authInfo ?? '' }, changesState: true });
  changed(call, a, name);
  return result(a, parseTransfer(a.body.registration), 1001);
}

/** GET /status (document, "Current Commands"): the channel, listings, capabilities and rate limit (codec parseStatus); the rate limit is handed to the client's budget. */
export async function accountStatus(call: HeadlessCall) {
  const a = await send(call, { method: 'GET', path: '/status', changesState: false });
  const s = parseStatus(a.body);
  await call.client.noteRateLimit(s.rateLimit ?? null);
  return result(a, s);
}

/** POST /sandbox/reset (document, "Current Commands", OT&E step 2): reset_at (a Date, or null), the fixture domains by role, the transfer fixture's auth code and the command id. */
export async function sandboxReset(call: HeadlessCall): Promise<M.PortResult<M.SandboxResetResult>> {
  const a = await send(call, { method: 'POST', path: '/sandbox/reset', body: {}, changesState: true });
  const f = (a.body.fixtures ?? {}) as Record<string, unknown>;
  const fixtures = Object.entries(f).map(([role, v]) => ({ role, domain: typeof v === 'string' ? v : String((v as { domain?: unknown }).domain ?? '') }));
  const t = f.transfer as { auth_code?: unknown } | undefined;
  return result(a, { resetAt: typeof a.body.reset_at === 'string' ? new Date(a.body.reset_at) : null, fixtures, transferAuthInfo: typeof t?.auth_code === 'string' ? t.auth_code : null, commandId: typeof a.body.command_id === 'string' ? a.body.command_id : null });
}

function registrantBody(r: M.RegistrantInfo | null | undefined) {
  if (!r) return undefined;
  return Object.fromEntries(Object.entries({ name: r.name, email: r.email, organization: r.organization }).filter(([, v]) => v !== undefined));
}
