/**
 * The port's updateDomain on REPP, where one update is up to nine requests (registrant and
 * transfer code, contacts added and removed, name servers added and removed, DNSSEC keys added and
 * removed, clientHold set or cleared).
 *
 * The driver reads the domain first and sends only what differs from the requested end state, in
 * an order that keeps the domain valid (name servers added before others are removed). So an
 * update whose answer was lost halfway is completed, not failed, when it is sent again; the price
 * is that adding what is already there (or removing what is not) succeeds instead of 2302/2303.
 *
 * What REPP cannot do is refused before anything is sent: removing the registrant, statuses other
 * than clientHold, billing contacts, DS data (REPP takes DNSKEYs), maxSigLife.
 */
import { UnsupportedByBackendError } from '../../../core/errors.js';
import type * as M from '../../../core/model/index.js';
import * as codec from '../codec/domains.js';
import * as parts from '../codec/domain-parts.js';
import type { ReppAnswer, ReppRequest } from '../http.js';
import { awaitingRegistrant, result, send, type ReppCall } from './call.js';
import { asSeenBy, checkSubordinateAddresses, notYours, statusesAfter } from './domains.js';
import { changePath, namingNotFound } from '../../../core/field-paths.js';

const keyId = (k: M.KeyData) => `${k.flags}/${k.protocol}/${k.algorithm}/${k.publicKey.replace(/\s+/g, '')}`;
const contactId = (c: M.DomainContact) => `${c.role}:${c.id.toUpperCase()}`;
const lower = (s: string) => s.toLowerCase();

/** Refuses, before sending anything, what REPP has no request for. */
export function checkSupported(backend: string, u: M.DomainUpdateInput): void {
  // An .ee domain always has a registrant: REPP can change it (PUT registrant), not remove it.
  if (u.registrant === '') throw new UnsupportedByBackendError(backend, 'removing the registrant (a domain keeps one; give the new registrant instead)', 'input.registrant');
  const statuses = [...u.add.statuses, ...u.remove.statuses].filter((s) => s !== 'clientHold');
  if (statuses.length > 0) {
    const verb = u.add.statuses.includes(statuses[0]!) ? 'setting' : 'removing';
    throw new UnsupportedByBackendError(backend, `${verb} status ${statuses[0]} (a registrar sets and removes only clientHold)`, changePath(u, 'statuses', (s) => s !== 'clientHold'));
  }
  const billing = changePath(u, 'contacts', (c) => c.role === 'billing');
  if (billing) throw new UnsupportedByBackendError(backend, 'billing contacts', billing);
  const d = u.dnssec;
  if (d && (d.addDsData.length > 0 || d.removeDsData.length > 0)) throw new UnsupportedByBackendError(backend, 'DNSSEC DS data (the registry takes DNSKEY data)', d.addDsData.length ? 'input.add.dsData' : 'input.remove.dsData');
  // maxSigLife is not in updateDomain's input: no argument to name.
  if (d?.maxSigLife !== undefined && d.maxSigLife !== null) throw new UnsupportedByBackendError(backend, 'DNSSEC maxSigLife');
  checkSubordinateAddresses(u.name, u.add.nameservers, 'input.add.nameservers');
}


/** One request of an update's plan, and the parts of the update's input it carries (input paths, for Attempt.applied). */
export interface PlannedRequest {
  request: ReppRequest;
  changes: string[];
}

/**
 * The requests that take `d` (the domain as read before the update) to the update's end state, in
 * a safe order, each with the input's parts it carries. "Change domain registrant / Auth code" requires `registrant` in every request (the
 * REPP document: "registrant Yes Object New registrant object"): a transfer-code change alone sends
 * the current registrant, `d`'s, which changes no registrant (and is not marked verified: nothing
 * is for the registrant to confirm). Throws UnsupportedByBackendError on `input.authInfo`, before
 * anything is sent, when that read shows no registrant to send.
 */
export function plan(u: M.DomainUpdateInput, d: M.Domain, verified: boolean, backend: string): PlannedRequest[] {
  const out: PlannedRequest[] = [];
  const push = (request: ReppRequest, ...changes: string[]) => out.push({ request, changes });
  const registrant = u.registrant && lower(u.registrant) !== lower(d.registrant ?? '') ? { id: u.registrant, verified } : null;
  const transferCode = u.authInfo && u.authInfo !== d.authInfo ? u.authInfo : null;
  if (registrant || transferCode) {
    const sent = registrant ?? (d.registrant ? { id: d.registrant } : null);
    if (!sent) throw new UnsupportedByBackendError(backend, 'changing the auth code of a domain the registry shows no registrant for (its domain update requires the registrant)', 'input.authInfo');
    push(codec.buildUpdate(u.name, { registrant: sent, transferCode }), ...(registrant ? ['input.registrant'] : []), ...(transferCode ? ['input.authInfo'] : []));
  }

  const has = new Set(d.contacts.map(contactId));
  const addContacts = u.add.contacts.filter((c) => !has.has(contactId(c)));
  const removeContacts = u.remove.contacts.filter((c) => has.has(contactId(c)));
  if (addContacts.length > 0) push(parts.buildChangeContacts(u.name, 'add', addContacts), 'input.add.contacts');
  if (removeContacts.length > 0) push(parts.buildChangeContacts(u.name, 'remove', removeContacts), 'input.remove.contacts');

  const ns = new Set(d.nameservers.map((n) => lower(n.name)));
  const addNs = u.add.nameservers.filter((n) => !ns.has(lower(n.name)));
  if (addNs.length > 0) push(parts.buildAddNameservers(u.name, addNs), 'input.add.nameservers');
  for (const n of u.remove.nameservers) if (ns.has(lower(n.name))) push(parts.buildDeleteNameserver(u.name, lower(n.name)), 'input.remove.nameservers');

  if (u.dnssec) {
    const keys = new Map(d.dnssec.keyData.map((k) => [keyId(k), k]));
    const wanted = new Set(u.dnssec.addKeyData.map(keyId));
    const remove = u.dnssec.removeAll ? [...keys.values()].filter((k) => !wanted.has(keyId(k))) : u.dnssec.removeKeyData.filter((k) => keys.has(keyId(k)));
    const add = u.dnssec.addKeyData.filter((k) => !keys.has(keyId(k)));
    if (remove.length > 0) push(parts.buildChangeDnssec(u.name, 'remove', remove), 'input.dnssec');
    if (add.length > 0) push(parts.buildChangeDnssec(u.name, 'add', add), 'input.dnssec');
  }

  const held = d.statuses.includes('clientHold');
  if (u.add.statuses.includes('clientHold') && !held) push(parts.buildHold(u.name, true), 'input.add.statuses');
  if (u.remove.statuses.includes('clientHold') && held) push(parts.buildHold(u.name, false), 'input.remove.statuses');
  return out;
}

/**
 * Sends the plan's requests, reporting each one answered (call.applied): a refusal of a later one
 * says what the earlier ones applied (REPP has no request for the whole update). A registrant change sent unverified (policy `verified: false`) waits
 * for the registrant (pendingUpdate): read back, the result is 1001 ("action pending") while the
 * domain carries pendingUpdate, as EPP answers a change the server has yet to complete.
 */
export async function updateDomain(call: ReppCall, backend: string, u: M.DomainUpdateInput): Promise<M.PortResult<null>> {
  checkSupported(backend, u);
  // REPP answers a domain it does not hold with "Object does not exist" alone, naming nothing: the
  // read is of the domain, so its 404 is about input.name (namingNotFound's subject).
  const info = await send(call, codec.buildInfo(u.name)).catch((e: unknown) => {
    throw namingNotFound(e, [], 'input.name');
  });
  const before = asSeenBy(call, codec.parseInfo(info.data).domain);
  // REPP shows another registrar's domain but answers its change with 404, as of none (foreignOr).
  if (before.sponsor !== call.upstreamId) throw notYours(call, u.name, 'change');
  const verified = call.policy.verified ?? true;
  let last: ReppAnswer = info;
  for (const { request, changes } of plan(u, before, verified, backend)) {
    last = await send(call, request);
    call.applied(changes);
  }
  const asked = !verified && Boolean(u.registrant) && lower(u.registrant ?? '') !== lower(before.registrant ?? '');
  if (!asked) return result(last, null);
  const after = await statusesAfter(call, u.name);
  // Unknown (the read failed) counts as pending, which is what an unverified change does.
  return after === null || (after && !after.includes('pendingUpdate')) ? result(last, null) : awaitingRegistrant(result(last, null), 'pendingUpdate');
}
