/**
 * The port's domain operations on DMAPI: check and info (query-whois, with the reseller's pending
 * requests for the name), create (domain-register), renew (domain-renew), delete, restore
 * (domain-redeem), list (query-domain-list), transfer request and query
 * (domain-transfer-in-reseller). Periods go upstream in MONTHS (document, "domain-register").
 */
import { AuthorizationError, ExpiryMismatchError, ObjectNotFoundError, StatusProhibitsError, UnsupportedByBackendError, ValidationError } from '../../../core/errors.js';
import type * as M from '../../../core/model/index.js';
import { addPeriod, utcDate } from '../../../core/time.js';
import { records } from '../reply.js';
import { mapLimit, result, send, type JokerCall } from './call.js';
import { change, pendingFor } from './results.js';
import { parseDomain, pendingDomain, stampDate, wholeSeconds } from './whois.js';
import { refuseGlue } from '../../glue.js';

/** Longest period DMAPI registers or renews for, in months. */
export const MAX_MONTHS = 120;

/**
 * The GraphQL period in months (years x 12), 1..120, and whole years unless the domain's TLD is one
 * of the account's monthly TLDs; BAD_USER_INPUT naming `field` otherwise, before anything is sent.
 */
export function toMonths(call: JokerCall, name: string, period: M.Period, field = 'input.period'): number {
  const why = periodRefusal(call.monthlyTlds, name, period);
  if (why) throw new ValidationError(field, why);
  return period.unit === 'y' ? period.value * 12 : period.value;
}

/**
 * Why DMAPI would not take `period` for `name` (a message), or null: 1 to 120 months, whole years
 * unless the name is under one of `monthlyTlds` (lower case, no leading dot). Sends nothing.
 */
export function periodRefusal(monthlyTlds: readonly string[], name: string, period: M.Period): string | null {
  const m = period.unit === 'y' ? period.value * 12 : period.value;
  if (!Number.isInteger(m) || m < 1 || m > MAX_MONTHS) return `must be 1 to ${MAX_MONTHS} months (10 years)`;
  const monthly = monthlyTlds.some((t) => name.endsWith(`.${t}`));
  if (!monthly && m % 12 !== 0) return `${name.slice(name.indexOf('.'))} takes whole years (12, 24, ... months)`;
  return null;
}

async function whois(call: JokerCall, name: string) {
  return send(call, { name: 'query-whois', vars: { domain: name }, changesState: false });
}

/**
 * The reason of a name query-whois does not know: DMAPI has no availability check, and query-whois
 * answers only what Joker registered ("Only object registered with Joker.Com may be queried"), so
 * a name registered at another registrar looks the same as a free one.
 */
export const NOT_KNOWN_AVAILABLE = 'unknown: not registered at Joker; DMAPI cannot tell whether another registrar holds it';

/**
 * Availability by one query-whois per name (DMAPI document, "query-whois"; 4 at once): found is
 * taken ("registered"); OBJECT_NOT_FOUND is not known to be available (`available: false`, reason
 * NOT_KNOWN_AVAILABLE), since query-whois knows only Joker's registrations. Code 1000, the last
 * Tracking-Id as server trid. Any other failure fails the call.
 */
export async function checkDomains(call: JokerCall, names: string[]): Promise<M.PortResult<M.CheckResult[]>> {
  let trid = '';
  const data = await mapLimit(names, 4, async (name) => {
    try {
      trid = (await whois(call, name)).trackingId ?? trid;
      return { name, available: false, reason: 'registered' };
    } catch (e) {
      if (e instanceof ObjectNotFoundError) return { name, available: false, reason: NOT_KNOWN_AVAILABLE };
      throw e;
    }
  });
  return { data, trid: { client: call.clTRID, server: trid || null }, code: 1000 };
}

/** The domain with the EPP pending statuses of the reseller's requests still being processed for it. */
export async function infoDomain(call: JokerCall, name: string): Promise<M.PortResult<M.Domain>> {
  const pending = await pendingFor(call, name);
  const withTransfer = (d: M.Domain): M.Domain => ({ ...d, transfer: transferOf(call, name, d) });
  try {
    const r = await whois(call, name);
    return result(call, r, withTransfer(parseDomain(r, pending)));
  } catch (e) {
    if (e instanceof ObjectNotFoundError && pending.includes('domain-register')) return { data: withTransfer(pendingDomain(name, call.uid)), trid: { client: call.clTRID, server: null }, code: 1000 };
    throw e;
  }
}

/** The four contact handles DMAPI requires, from the port's registrant and contacts. */
function contactVars(input: { registrant?: string | null; contacts: M.DomainContact[] }): Record<string, string> {
  const by = (role: M.ContactRole) => input.contacts.find((c) => c.role === role)?.id;
  const missing = [...(input.registrant ? [] : ['registrant']), ...(['admin', 'tech', 'billing'] as const).filter((r) => !by(r))];
  if (missing.length > 0) throw new ValidationError('input.contacts', `Joker needs a registrant and admin, tech and billing contacts (missing: ${missing.join(', ')}); create them first`);
  return { 'owner-c': input.registrant!, 'admin-c': by('admin')!, 'tech-c': by('tech')!, 'billing-c': by('billing')! };
}

/**
 * Refuses a name server given with addresses (glue): Joker's name servers are host objects
 * (ns-create first), so addresses belong on the host. BAD_USER_INPUT naming the first address
 * list given, `<field>[i].ipv4` or `<field>[i].ipv6`.
 */
export function checkNoGlue(list: readonly M.DomainNameserver[], field: string): void {
  refuseGlue(list, field, 'Joker name servers are host objects: create the host with its addresses (createHost), then name it here');
}

/** "ns-list": name servers are host objects (ns-create first); addresses belong on the host (checkNoGlue). */
export function nsVar(list: readonly M.DomainNameserver[], field: string): string {
  checkNoGlue(list, field);
  return list.map((n) => n.name).join(':');
}

/**
 * What domain-register cannot take, refused before anything is sent (the period aside: toMonths):
 * DNSSEC (UNSUPPORTED_BY_BACKEND on input.dnssec: domain-register has no DS fields), no name
 * server (BAD_USER_INPUT on input.nameservers), a missing registrant, admin, tech or billing
 * contact (input.contacts), a name server given addresses (checkNoGlue). Sends nothing.
 */
export function checkCreate(backend: string, input: M.DomainCreateInput): void {
  if ((input.dnssec?.dsData.length ?? 0) + (input.dnssec?.keyData.length ?? 0) > 0) throw new UnsupportedByBackendError(backend, 'DNSSEC on create (domain-register has none: add the DS records with updateDomain)', 'input.dnssec');
  if (input.nameservers.length === 0) throw new ValidationError('input.nameservers', 'Joker registers a domain with at least one name server (host objects created first)');
  contactVars(input);
  checkNoGlue(input.nameservers, 'input.nameservers');
}

/**
 * domain-register (DMAPI document, "domain-register"): period in MONTHS, status "production", owner-c/admin-c/tech-c/billing-c, ns-list (host names joined by ":").
 * BAD_USER_INPUT before sending on input.period, input.contacts (a missing role), input.nameservers (none, or glue); UNSUPPORTED_BY_BACKEND on input.dnssec.
 * Answers 1001 while Joker processes it; expiresAt from the result's Expiration-Date, else the time of sending plus the period.
 */
export async function createDomain(call: JokerCall, input: M.DomainCreateInput): Promise<M.PortResult<M.DomainCreated>> {
  const months = toMonths(call, input.name, input.period);
  checkCreate(call.backend, input);
  const vars = { domain: input.name, period: String(months), status: 'production', ...contactVars(input), 'ns-list': nsVar(input.nameservers, 'input.nameservers') };
  const sentAt = call.clock.now();
  return change(call, 'domain-register', vars, (answer) => ({
    name: input.name,
    createdAt: sentAt,
    expiresAt: stampDate(answer.headers.get('expiration-date')?.[0]) ?? addPeriod(sentAt, { value: months, unit: 'm' }),
  }));
}

/**
 * Renews from the current expiry. The answer's expiresAt is the registry's new expiry from the
 * result's Expiration-Date when the registry processed the request at once, else (1001, queued) the
 * current expiry plus the period; both in whole seconds, as query-whois shows the date. A period of whole years goes as "expyear" (the year the expiry
 * reaches), which the document calls safe to retry: a resend cannot renew twice. Other month
 * counts go as "period", which a resend would apply again. Neither names the current expiry (an
 * "expyear" from a stale one of the same year renews all the same), so the driver first reads the
 * domain and refuses, as EPP's curExpDate would, a currentExpiry that is not its expiry's UTC date
 * (ExpiryMismatchError, nothing sent): a retry after success is refused too.
 */
export async function renewDomain(call: JokerCall, input: M.DomainRenewInput): Promise<M.PortResult<M.DomainRenewed>> {
  const months = toMonths(call, input.name, input.period);
  const now = (await infoDomain(call, input.name)).data.expiresAt;
  if (now && utcDate(now) !== utcDate(input.currentExpiry)) throw new ExpiryMismatchError(utcDate(input.currentExpiry), utcDate(now), 'input.currentExpiry', { backend: call.backend });
  // The expiry answered while the registry has only queued the renewal (replaced by the
  // registry's own when its result arrives), in whole seconds as the registry's dates are: the
  // domain's own expiry plus the period, not the currentExpiry given (a date alone is 00:00 UTC
  // of that day, while the domain expires at its registration's time of day).
  const target = wholeSeconds(addPeriod(now ?? input.currentExpiry, { value: months, unit: 'm' }));
  const vars: Record<string, string> = months % 12 === 0 ? { domain: input.name, expyear: String(target.getUTCFullYear()) } : { domain: input.name, period: String(months) };
  return change(call, 'domain-renew', vars, (answer) => ({ name: input.name, expiresAt: stampDate(answer.headers.get('expiration-date')?.[0]) ?? target }));
}

/** Deletes into the redemption grace period (restorable with restoreDomain): always pending delete. */
export async function deleteDomain(call: JokerCall, name: string): Promise<M.PortResult<M.DomainDeleted>> {
  return change(call, 'domain-delete', { domain: name, force: '1' }, () => ({ name, pending: true }));
}

/**
 * Restores a deleted domain in its redemption period (domain-redeem). DMAPI answers "not found" to
 * a redeem of a domain that is not deleted, as it does to one that does not exist; RFC 3915 (and
 * every EPP registry: 2304 "Domain is not eligible for restore") calls the first a status that
 * prohibits the operation. So on that refusal the domain is read (query-whois): a live domain of
 * this reseller is STATUS_PROHIBITS_OPERATION, one of another reseller's AUTHORIZATION_ERROR (EPP
 * 2201, as for any command on another sponsor's domain), each keeping DMAPI's own code and message
 * in upstreamCode/upstreamMessage; a domain that is not there at all stays OBJECT_NOT_FOUND.
 */
export async function restoreDomain(call: JokerCall, name: string): Promise<M.PortResult<null>> {
  try {
    return await change(call, 'domain-redeem', { domain: name }, () => null);
  } catch (e) {
    if (!(e instanceof ObjectNotFoundError)) throw e;
    const live = await whois(call, name).then(
      (r) => parseDomain(r, []),
      (err: unknown) => (err instanceof ObjectNotFoundError ? null : Promise.reject(err)),
    );
    if (!live || live.rgpStatuses.includes('redemptionPeriod')) throw e;
    const upstream = { upstreamCode: e.details.upstreamCode, upstreamMessage: e.details.upstreamMessage, backend: e.details.backend ?? call.backend };
    if (live.sponsor && live.sponsor !== call.uid) throw new AuthorizationError(`${name} is sponsored by another reseller: only its sponsor can restore it`, upstream);
    throw new StatusProhibitsError(`${name} is not in its redemption period (it is registered and not deleted): only a deleted domain can be restored`, upstream);
  }
}

/**
 * One page of the reseller's domains (DMAPI document, "query-domain-list": "from: Start from this
 * item in list", "to: End by this"): items offset+1 .. offset+limit+1 of the registry's list, in
 * its order, so one page costs one reply of at most limit+1 lines however large the portfolio
 * (before, every page read the whole list and cut it here: a bulk job over every domain read it
 * once per 200 names). The extra item only says that more follow: `total` is exact on the last
 * page (offset plus the names listed) and otherwise offset+limit+1, a lower bound (past the end,
 * with no names, it is the offset: a reader paging forward from 0 has stopped before). A registry
 * that answers more than limit+1 lines has ignored from/to: its whole list is cut here, by name.
 */
export async function listDomains(call: JokerCall, page: { limit: number; offset: number }): Promise<M.PortResult<{ names: string[]; total: number }>> {
  const vars = { showstatus: '1', from: String(page.offset + 1), to: String(page.offset + page.limit + 1) };
  const r = await send(call, { name: 'query-domain-list', vars, changesState: false });
  const listed = records(r, ['domain', 'expiration', 'status']).map((x) => x.domain.toLowerCase());
  if (listed.length > page.limit + 1) {
    const all = listed.sort();
    return result(call, r, { names: all.slice(page.offset, page.offset + page.limit), total: all.length });
  }
  return result(call, r, { names: listed.slice(0, page.limit), total: page.offset + listed.length });
}

/**
 * What domain-transfer-in-reseller needs besides the domain, refused before anything is sent: the
 * auth code (BAD_USER_INPUT on authInfo) and the account's transferContact (config; DMAPI needs
 * the gaining reseller's admin-c, tech-c and billing-c: UNSUPPORTED_BY_BACKEND). Answers the handle and the code.
 */
export function checkTransferRequest(backend: string, account: { transferContact?: string }, authInfo: string | null | undefined): { handle: string; authInfo: string } {
  if (!authInfo) throw new ValidationError('authInfo', 'the transfer auth code (transfer-auth-id) is required');
  const handle = account.transferContact;
  if (!handle) throw new UnsupportedByBackendError(backend, 'transfers without a configured transferContact (DMAPI needs admin-c, tech-c and billing-c handles of the gaining reseller)');
  return { handle, authInfo };
}

/**
 * Transfer-in with the auth code (pending until processed; autorenew=0, as a domain registered
 * through the gateway); query from the reseller's pending
 * requests and the sponsor. A query with `authInfo` never reaches it: JokerDriver.transferDomain
 * refuses it (transferQueryAuthInfo) before the attempt, so nothing is sent or logged. DMAPI shows no domain's Auth-ID (domain-transfer-get-auth-id makes a new one)
 * and has no request that checks one without transferring, so the gateway cannot tell a wrong
 * code from a right one, and does not answer as if it had checked it (EPP answers 2202 to a wrong one).
 */
export async function transferDomain(call: JokerCall, op: 'request' | 'query', name: string, opts: { authInfo?: string | null }): Promise<M.PortResult<M.Transfer>> {
  const now = call.clock.now();
  if (op === 'request') {
    const { handle: h, authInfo } = checkTransferRequest(call.backend, call.account, opts.authInfo);
    const losing = (await infoDomain(call, name)).data.sponsor;
    // autorenew=0: the document's default for a transfer-in is 1 ("If not set explicitly, defaults
    // to 1"), while domain-register's is off and the gateway sets it on neither: a domain moved in
    // is renewed (and charged) only when the registrar renews it, as one registered here.
    const vars = { domain: name, 'transfer-auth-id': authInfo, 'admin-c': h, 'tech-c': h, 'billing-c': h, autorenew: '0' };
    return change(call, 'domain-transfer-in-reseller', vars, (answer, pending) => ({
      name,
      status: pending ? 'pending' : 'serverApproved',
      gainingRegistrar: call.uid,
      losingRegistrar: losing,
      requestedAt: now,
      actionAt: now,
      expiresAt: stampDate(answer.headers.get('expiration-date')?.[0]),
    }));
  }
  const d = await infoDomain(call, name);
  const t = transferOf(call, name, d.data);
  if (!t) throw new ObjectNotFoundError(`no transfer of ${name} by this reseller`, { backend: call.backend, upstreamCode: 2303 });
  return { ...d, data: t };
}

/**
 * The transfer query's answer from a domain read: pending while the reseller's transfer-in is
 * being processed, else serverApproved when the reseller sponsors the domain; null (the query's
 * 2303) when neither. infoDomain puts it on the domain (Domain.transfer), so reading a domain's
 * transfer costs no second query-whois.
 */
function transferOf(call: JokerCall, name: string, d: M.Domain): M.Transfer | null {
  const now = call.clock.now();
  const pending = d.statuses.includes('pendingTransfer');
  if (!pending && d.sponsor !== call.uid) return null;
  return { name, status: pending ? 'pending' : 'serverApproved', gainingRegistrar: call.uid, losingRegistrar: pending ? d.sponsor : '', requestedAt: d.updatedAt ?? now, actionAt: d.updatedAt ?? now, expiresAt: d.expiresAt ?? null };
}

/** The refusal of a transfer query with an auth code (transferDomain's header): thrown before anything is sent or logged (JokerDriver.transferDomain). */
export function transferQueryAuthInfo(backend: string): UnsupportedByBackendError {
  return new UnsupportedByBackendError(backend, 'checking a transfer auth code without requesting the transfer (DMAPI has no such request; leave authInfo out of the transfer query)', 'authInfo');
}
