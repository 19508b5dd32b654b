/**
 * The port's domain operations on REPP: check (REPP has no check: a domain the registry does not
 * know is available), info, create, renew, delete, transfer, list.
 *
 * REPP answers a create or a renew with the name only, so the driver reads the domain after it for
 * the dates; when that read fails the change has still happened, and the dates are the driver's
 * best estimate rather than an error that would make a retry send the change twice.
 */
import { AuthorizationError, NotPendingTransferError, ObjectNotFoundError, UnsupportedByBackendError, ValidationError } from '../../../core/errors.js';
import type * as M from '../../../core/model/index.js';
import type { DomainList, ListPage } from '../../../core/port.js';
import { addPeriodInZone } from '../../../core/time.js';
import * as codec from '../codec/domains.js';
import { reppRenewedExpiry } from '../codec/read.js';
import * as transfers from '../codec/transfers.js';
import { awaitingRegistrant, mapLimit, result, send, type ReppCall } from './call.js';
import { itemPath } from '../../../core/field-paths.js';
import { toUnicode } from '../../../validation/unicode.js';

/** The domain as the caller sees it: the sponsor is the caller's login when it sponsors the domain (only the sponsor gets the transfer code), else the registrar's name. */
export function asSeenBy(call: ReppCall, d: M.Domain): M.Domain {
  return d.authInfo ? { ...d, sponsor: call.upstreamId } : d;
}

async function read(call: ReppCall, name: string): Promise<M.Domain | null> {
  try {
    return asSeenBy(call, codec.parseInfo((await send(call, codec.buildInfo(name))).data).domain);
  } catch {
    return null;
  }
}

/**
 * Why REPP would refuse `period` for a registration or renewal (a message), or null: 3, 6 or 9
 * months, or 1 to 10 years (12 to 120 months in whole years). The document lists these as bulk
 * renew's `renew_period` ("3m, 6m, 9m, 1y ... 10y"); the registry answers 2004 to any other
 * period of a create or renew too. Sends nothing.
 */
export function periodRefusal(period: M.Period): string | null {
  const months = period.unit === 'y' ? period.value * 12 : period.value;
  if ([3, 6, 9].includes(months) || (months % 12 === 0 && months >= 12 && months <= 120)) return null;
  return 'must be 3, 6 or 9 months or 1 to 10 years';
}

/**
 * The zones the .ee registry registers names in (Estonian Internet Foundation, domain regulation:
 * second-level names under .ee and third-level names under its four public subdomains). The REPP
 * sandbox serves .ee, .com.ee and .pri.ee of them.
 */
export const EE_ZONES: readonly string[] = ['ee', 'pri.ee', 'com.ee', 'med.ee', 'fie.ee'];

/**
 * Why the .ee registry could never register `name` (an A-label name the router sent to REPP, e.g.
 * "sub.kass.ee", two labels above .ee), or null: it registers one label directly under a zone of
 * EE_ZONES. REPP has no check request, and its info answers 404 to such a name, which would read
 * as available; its create refuses it (2306). Names outside .ee (a sandbox routed other suffixes)
 * are left to the registry.
 */
export function unregistrable(name: string): string | null {
  if (!name.endsWith('.ee')) return null;
  const dot = name.indexOf('.');
  if (!(dot > 0 && EE_ZONES.includes(name.slice(dot + 1)))) return 'is not a name directly under .ee, .pri.ee, .com.ee, .med.ee or .fie.ee, so the .ee registry cannot register it';
  const ace = name.slice(0, dot);
  const label = ace.startsWith('xn--') ? toUnicode(ace) : ace; // not toUnicode('666'), which a URL host reads as an IPv4 address
  if (!EE_LABEL.test(label)) return "holds characters outside the .ee registry's set (a-z, 0-9, hyphen, õ, ä, ö, ü, š, ž), so it cannot register it";
  return null;
}

/** The characters of a .ee label (the domain regulation's IDN set: Latin letters, digits, hyphen and õ ä ö ü š ž). */
const EE_LABEL = /^[a-z0-9\-õäöüšž]+$/u;

/**
 * A read per name (REPP has no check): found is taken, 404 is available. A name the registry
 * cannot register (unregistrable) is not available, with that reason, and costs no request.
 */
export async function checkDomains(call: ReppCall, names: string[]): Promise<M.PortResult<M.CheckResult[]>> {
  let last: Awaited<ReturnType<typeof send>> | undefined;
  const data = await mapLimit(names, call.policy.readConcurrency ?? 4, async (name) => {
    const refusal = unregistrable(name);
    if (refusal) return { name, available: false, reason: `not registrable: ${refusal}` };
    try {
      last = await send(call, codec.buildInfo(name));
      return { name, available: false, reason: 'In use' };
    } catch (e) {
      if (e instanceof ObjectNotFoundError) return { name, available: true, reason: null };
      throw e;
    }
  });
  return { data, trid: { client: last?.requestId ?? '', server: null }, code: 1000 };
}

/**
 * GET /domains/{name}. With `authInfo` (`domain(name, authInfo)`), the code is checked as the
 * transfer query checks it (checkTransferCode): a wrong one is AuthorizationError (2202).
 */
export async function infoDomain(call: ReppCall, name: string, authInfo?: string | null): Promise<M.PortResult<M.Domain>> {
  const a = await send(call, codec.buildInfo(name));
  const d = asSeenBy(call, codec.parseInfo(a.data).domain);
  if (authInfo) await checkTransferCode(call, name, d, authInfo);
  return result(a, d);
}

/**
 * A name server under the domain itself (a subordinate host) keeps its addresses on the domain at
 * REPP, which refuses one without them ("Subordinate hosts must have an ip address", the .ee EPP
 * document; REPP's `nameservers[ipv4]`): throws BAD_USER_INPUT naming `<field>[i].ipv4` of the
 * first name server in `list` under `domain`, or `domain` itself (its apex, in its zone too),
 * without an IPv4 or IPv6 address, before anything is
 * sent. Names are compared as given (the gateway's normal form: lower case, A-labels).
 */
export function checkSubordinateAddresses(domain: string, list: readonly M.DomainNameserver[], field: string): void {
  const i = list.findIndex((n) => (n.name === domain || n.name.endsWith(`.${domain}`)) && n.ipv4.length + n.ipv6.length === 0);
  if (i >= 0) throw new ValidationError(`${field}[${i}].ipv4`, `${list[i]!.name} is ${list[i]!.name === domain ? 'the domain itself' : `under ${domain}`}: give its IP address (ipv4 or ipv6); a name server under the domain itself keeps its addresses on the domain`);
}

/**
 * Refuses, before anything is sent, what a REPP registration has no field for: billing contacts
 * (REPP keeps admin and tech contacts only; updateDomain refuses them too). Left out, the domain
 * would be registered, and paid for, without the contact the registrar asked for. And what it
 * requires: a registrant (REPP document, "Register a new domain": `registrant`, Required Yes),
 * BAD_USER_INPUT on `input.registrant` instead of the registry's refusal without a field; and a
 * name server under the domain itself with its address (checkSubordinateAddresses).
 */
export function checkCreate(backend: string, input: M.DomainCreateInput): void {
  const refusal = unregistrable(input.name);
  if (refusal) throw new ValidationError('input.name', refusal);
  // "Register a new domain": registrant, Required Yes (a .ee domain always has one).
  if (!input.registrant) throw new ValidationError('input.registrant', 'the .ee registry (REPP) registers a domain only with a registrant contact: give one');
  const billing = itemPath('input.contacts', input.contacts, (c) => c.role === 'billing');
  if (billing) throw new UnsupportedByBackendError(backend, 'billing contacts', billing);
  checkSubordinateAddresses(input.name, input.nameservers, 'input.nameservers');
}

/**
 * "Register a new domain" (POST /repp/v1/domains), then a read for the dates: createdAt/expiresAt from the registry, or the time of sending
 * and that plus the period when the read fails (the domain is registered either way).
 */
export async function createDomain(call: ReppCall, input: M.DomainCreateInput): Promise<M.PortResult<M.DomainCreated>> {
  const sentAt = call.clock.now();
  const a = await send(call, codec.buildCreate(input));
  const d = await read(call, input.name);
  return result(a, { name: codec.parseName(a.data).name, createdAt: d?.createdAt ?? sentAt, expiresAt: d?.expiresAt ?? addPeriodInZone(sentAt, input.period, call.policy.timeZone ?? 'Europe/Tallinn') });
}

/** Renews from the current expiry, which REPP takes as the registry's calendar date (exp_date). */
export async function renewDomain(call: ReppCall, input: M.DomainRenewInput): Promise<M.PortResult<M.DomainRenewed>> {
  const a = await send(call, codec.buildRenew(input, call.policy.timeZone)).catch(async (e: unknown) => {
    throw await foreignOr(call, input.name, e, 'renew');
  });
  const d = await read(call, input.name);
  return result(a, { name: input.name, expiresAt: d?.expiresAt ?? reppRenewedExpiry(input.currentExpiry, input.period, call.policy.timeZone) });
}

/**
 * REPP shows any registrar's domain (REPP document, "Get a specific domain": "even if it doesn't
 * belong to your registrar account", without its transfer_code) but answers a change of another
 * registrar's with 404 "Object does not exist", as of one that does not exist. The gateway answers
 * that as every other backend does, AuthorizationError (2201's AUTHORIZATION_ERROR: only the sponsor
 * can `verb` it), when the domain reads as another registrar's (notYours); else `e` as it is.
 * Only after a 404 (ObjectNotFoundError): one read, on the refusal's path alone.
 */
async function foreignOr(call: ReppCall, name: string, e: unknown, verb: string): Promise<unknown> {
  if (!(e instanceof ObjectNotFoundError)) return e;
  const d = await read(call, name);
  return d && d.sponsor !== call.upstreamId ? notYours(call, name, verb) : e;
}

/** AUTHORIZATION_ERROR for a change of `name`, another registrar's domain at REPP (foreignOr). */
export function notYours(call: ReppCall, name: string, verb: string): AuthorizationError {
  return new AuthorizationError(`${name} is sponsored by another registrar: only its sponsor can ${verb} it`, { backend: call.client.backend });
}

/**
 * The statuses of `name` after a change, or null once the registry no longer has it (404/410). A
 * read that fails otherwise is `undefined`: the change was accepted, its state unknown.
 */
export async function statusesAfter(call: ReppCall, name: string): Promise<string[] | null | undefined> {
  try {
    return codec.parseInfo((await send(call, codec.buildInfo(name))).data).domain.statuses;
  } catch (e) {
    return e instanceof ObjectNotFoundError ? null : undefined;
  }
}

/**
 * Deletes. Sent verified (the policy's default), the domain is gone at once: 1000, `pending:
 * false`. Sent unverified (`verified: false`), REPP asks the registrant to confirm and the domain
 * waits in pendingDeleteConfirmation: read back, the result is 1001 with `pending: true` (the
 * domain stays in the gateway's index); 1000 only if the read finds it gone. A read that fails
 * counts as pending, which is what an unverified deletion does (REPP document, "Delete a specific
 * domain": `delete[verified]` "Whether to ask registrant confirmation or not").
 */
export async function deleteDomain(call: ReppCall, name: string): Promise<M.PortResult<M.DomainDeleted>> {
  const verified = call.policy.verified ?? true;
  const a = await send(call, codec.buildDelete(name, { verified }));
  if (verified) return result(a, { name, pending: false });
  const after = await statusesAfter(call, name);
  if (after === null) return result(a, { name, pending: false });
  return awaitingRegistrant(result(a, { name, pending: true }), 'pendingDeleteConfirmation');
}

/**
 * The transfer query's auth code, checked as EPP checks a transfer query's authInfo (RFC 5731
 * section 3.1.3; Nomulus answers 2202 to a wrong one, sponsor or not): the sponsor's against the
 * domain's transfer_code (which only the sponsor reads), anyone else's by the registry itself,
 * GET transfer_info with the Auth-Code header (REPP document, "Get transfer info"; a wrong code is
 * 2202). A wrong code throws AuthorizationError (2202 "Invalid authorization information"),
 * never naming the code; a right one lets the query answer as without it.
 */
async function checkTransferCode(call: ReppCall, name: string, d: M.Domain, authInfo: string): Promise<void> {
  if (d.sponsor === call.upstreamId) {
    if (d.authInfo !== authInfo) throw new AuthorizationError('Invalid authorization information', { upstreamCode: 2202, upstreamMessage: 'Invalid authorization information', backend: call.client.backend });
    return;
  }
  await send(call, transfers.buildInfo(name, authInfo));
}

/**
 * .ee transfers complete at once with the transfer code: "request" answers the finished transfer
 * (serverApproved); "query" tells the sponsor the domain is its own, and anyone else that no
 * transfer is pending. The losing registrar cannot approve, reject or cancel.
 */
export async function transferDomain(
  call: ReppCall,
  op: M.TransferOp | 'query',
  name: string,
  opts: { authInfo?: string | null } = {},
): Promise<M.PortResult<M.Transfer>> {
  if (op === 'query') {
    const a = await send(call, codec.buildInfo(name));
    const d = asSeenBy(call, codec.parseInfo(a.data).domain);
    if (opts.authInfo) await checkTransferCode(call, name, d, opts.authInfo);
    if (d.sponsor !== call.upstreamId) throw new NotPendingTransferError('no transfer is pending: .ee transfers complete at once', { upstreamCode: 2301 });
    const at = d.updatedAt ?? call.clock.now();
    return result(a, { name, status: 'serverApproved', gainingRegistrar: call.upstreamId, losingRegistrar: '', requestedAt: at, actionAt: at, expiresAt: d.expiresAt });
  }
  if (op !== 'request') throw new UnsupportedByBackendError('repp', `transfer ${op} (.ee transfers complete at once)`);
  const before = codec.parseInfo((await send(call, codec.buildInfo(name))).data).domain;
  const a = await send(call, transfers.buildTransfer(name, opts.authInfo ?? ''));
  const now = call.clock.now();
  return result(a, { name, status: 'serverApproved', gainingRegistrar: call.upstreamId, losingRegistrar: before.sponsor, requestedAt: now, actionAt: now, expiresAt: before.expiresAt });
}

/** One page of the registrar's domains as the registry lists them, and the total; with `details`, the domains too (details=true). */
export async function listDomains(call: ReppCall, page: ListPage): Promise<M.PortResult<DomainList>> {
  const a = await send(call, codec.buildList(page));
  const l = codec.parseList(a.data);
  return result(a, { names: l.names, total: l.count, ...(page.details ? { domains: l.domains.map((d) => asSeenBy(call, d.domain)) } : {}) });
}
