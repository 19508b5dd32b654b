/**
 * Contacts and hosts on DMAPI: contact-create (the registry assigns the handle), contact-modify,
 * contact-delete, query-contact-list; ns-create, ns-modify, ns-delete (one IPv4 and one IPv6
 * address per name server). Reads are query-whois.
 */
import { ObjectNotFoundError, UnsupportedByBackendError, unreadableAnswer, ValidationError } from '../../../core/errors.js';
import type * as M from '../../../core/model/index.js';
import { rows } from '../reply.js';
import { mapLimit, result, send, type JokerCall } from './call.js';
import { change } from './results.js';
import { parseContact, parseHost } from './whois.js';

async function whois(call: JokerCall, kind: 'contact' | 'host', id: string) {
  return send(call, { name: 'query-whois', vars: { [kind]: id }, changesState: false });
}

/** Availability by query-whois (only objects registered at Joker can be known). */
export async function check(call: JokerCall, kind: 'contact' | 'host', ids: string[]): Promise<M.PortResult<M.CheckResult[]>> {
  const data = await mapLimit(ids, 4, async (name) => {
    try {
      await whois(call, kind, name);
      return { name, available: false, reason: 'registered' };
    } catch (e) {
      if (e instanceof ObjectNotFoundError) return { name, available: true, reason: null };
      throw e;
    }
  });
  return { data, trid: { client: call.clTRID, server: null }, code: 1000 };
}

/** Where in `postalInfo` the entry Joker is sent sits: the int postal info, else the first (-1: none given). */
function sentPostalInfo(postalInfo: M.PostalInfo[] | null | undefined): number {
  if (!postalInfo?.length) return -1;
  return Math.max(0, postalInfo.findIndex((x) => x.type === 'int'));
}

/**
 * Joker's contact fields hold one address (sentPostalInfo's): a second postal info (`int` and
 * `loc`) would be dropped, so it is refused, UNSUPPORTED_BY_BACKEND naming the entry not sent.
 */
function checkOnePostalInfo(backend: string, postalInfo: M.PostalInfo[] | null | undefined): void {
  if (!postalInfo || postalInfo.length < 2) return;
  const dropped = sentPostalInfo(postalInfo) === 0 ? 1 : 0;
  throw new UnsupportedByBackendError(backend, 'a second postal info (Joker keeps one address: give one postal info)', `input.postalInfo[${dropped}]`);
}

/**
 * Joker's contact fields keep two street lines (address-1, address-2): more in the entry sent
 * (sentPostalInfo) is ValidationError on `input.postalInfo[i].street`, `i` that entry's index.
 */
function checkStreet(postalInfo: M.PostalInfo[] | null | undefined): void {
  const at = sentPostalInfo(postalInfo);
  if (at >= 0 && postalInfo![at]!.street.length > 2) throw new ValidationError(`input.postalInfo[${at}].street`, 'Joker keeps two address lines');
}

/**
 * Joker's contact fields require the first address line and the postal code (DMAPI document,
 * "contact-create": every field not marked (opt) "must not be empty"). The postal info sent
 * (sentPostalInfo) without a street line or a postal code is ValidationError on
 * `input.postalInfo[i].street` / `.pc`: on create there is nothing to send; on update the postal
 * info replaces the address (RFC 5733 section 3.2.5: addr is sent whole), so leaving either out
 * would remove it, which Joker cannot. A third street line: checkStreet.
 */
function checkRequiredAddress(postalInfo: M.PostalInfo[] | null | undefined): void {
  checkStreet(postalInfo);
  const at = sentPostalInfo(postalInfo);
  const p = at >= 0 ? postalInfo![at]! : null;
  if (p && p.street.length === 0) throw new ValidationError(`input.postalInfo[${at}].street`, 'Joker needs the first address line (address-1)');
  if (p && p.pc == null) throw new ValidationError(`input.postalInfo[${at}].pc`, 'Joker needs a postal code (a postal info sets the whole address)');
}

/**
 * contact-create's "Contact fields" from the port's contact (the int postal info first, else the
 * first; its street checked by checkStreet). `individual` is Y without an org and N with one on
 * create; on an update (`change`) it is sent only with an org given (N), since an org left out of
 * an update stays (RFC 5733 section 3.2.5: org is an element of its own, apart from the address).
 */
function contactFields(c: { postalInfo?: M.PostalInfo[] | null; voice?: string | null; fax?: string | null; email?: string | null }, change = false): Record<string, string | undefined> {
  checkStreet(c.postalInfo);
  const p = c.postalInfo?.[sentPostalInfo(c.postalInfo)];
  return {
    ...(p ? { name: p.name, organization: p.org ?? undefined, 'address-1': p.street[0], 'address-2': p.street[1], city: p.city, state: p.sp ?? undefined, 'postal-code': p.pc ?? undefined, country: p.cc } : {}),
    ...(p?.org ? { individual: 'N' } : p && !change ? { individual: 'Y' } : {}),
    phone: c.voice ?? undefined,
    fax: c.fax ?? undefined,
    email: c.email ?? undefined,
  };
}

/**
 * Refuses before sending what contact-create has no field for: ValidationError on input.id (Joker assigns handles) and on
 * input.postalInfo[i].street (none, or a third street line) or .pc (none: checkRequiredAddress), UNSUPPORTED_BY_BACKEND on input.disclosure.
 */
export function checkCreateContact(backend: string, input: M.ContactCreateInput): void {
  if (input.id) throw new ValidationError('input.id', 'Joker assigns contact handles: leave id out');
  checkOnePostalInfo(backend, input.postalInfo);
  checkRequiredAddress(input.postalInfo);
  if (input.disclosure) throw new UnsupportedByBackendError(backend, 'contact disclosure preferences', 'input.disclosure');
}

/**
 * contact-create (DMAPI document, "contact-create") for the first TLD of the login reply, with the int postal info (at most two street lines,
 * else ValidationError on input.postalInfo[i].street, checkStreet), phone, fax, email. Answers the Handle; an accepted answer without one is UPSTREAM_UNAVAILABLE (maybeApplied).
 */
export async function createContact(call: JokerCall, input: M.ContactCreateInput): Promise<M.PortResult<{ id: string; createdAt: Date }>> {
  const tld = (await call.client.registrableTlds())[0];
  const r = await change(call, 'contact-create', { tld, ...contactFields(input) }, (answer) => ({ id: answer.headers.get('handle')?.[0] ?? '', createdAt: call.clock.now() }));
  // contact-create returns the new contact's handle: an accepted create without it was made all the same (unknown, not a refusal).
  if (!r.data.id) throw unreadableAnswer('contact-create: registry accepted the request without the new contact handle', { backend: call.backend });
  return r;
}

/**
 * Is `handle` one of this reseller's own contacts? query-whois answers any handle registered at
 * Joker (DMAPI document, "query-whois": "Only object registered with Joker.Com may be queried"),
 * so ownership comes from the answer's `contact.reseller` (the owner's Joker user id) where it is
 * given, else from query-contact-list (document: the reseller's own "registered contact handles")
 * asked for exactly that handle. Unknown owner counts as not own: the gateway never shows another
 * reseller's contact data.
 */
async function ownContact(call: JokerCall, handle: string, owner: string): Promise<boolean> {
  if (owner) return owner === call.uid;
  if (!/^[A-Za-z0-9_.:-]+$/.test(handle)) return false;
  const list = await send(call, { name: 'query-contact-list', vars: { pattern: handle }, changesState: false });
  return rows(list).some((x) => x[0]?.toUpperCase() === handle.toUpperCase());
}

/**
 * contact:info at Joker (query-whois contact=<handle>). Another reseller's contact is answered as
 * not found (ObjectNotFoundError, 2303: the `contact` query's null), as REPP answers another
 * registrar's contact and as EPP refuses contact:info without authInfo to a non-sponsor
 * (RFC 5733 section 3.1.2): its e-mail, phone and address never reach this registrar.
 */
export async function infoContact(call: JokerCall, id: string): Promise<M.PortResult<M.Contact>> {
  const r = await whois(call, 'contact', id);
  const c = parseContact(r);
  if (!(await ownContact(call, c.id || id, c.sponsor))) throw new ObjectNotFoundError(`contact ${id} is not one of this reseller's contacts`, { backend: call.backend, upstreamCode: 2303 });
  return result(call, r, c);
}

/**
 * Refuses before sending what contact-modify cannot change: a third street line (ValidationError on input.postalInfo[i].street,
 * checkStreet), statuses (input.addStatuses / input.removeStatuses) and disclosure (input.disclosure), as UNSUPPORTED_BY_BACKEND;
 * and a field cleared (""): the phone and the postal code, which DMAPI requires, as ValidationError (input.voice,
 * input.postalInfo[i].pc); the fax, organisation or state as UNSUPPORTED_BY_BACKEND (input.fax, input.postalInfo[i].org / .sp):
 * contact-modify changes the fields given and has no documented way to empty one (an empty variable is no variable);
 * a postal info without a street line or postal code (checkRequiredAddress: it replaces the address, RFC 5733 section 3.2.5);
 * and an update with none of contact-modify's fields (ValidationError on `input`: Joker keeps no contact auth info).
 * What the postal info would remove that the contact holds (a state, a second address line) is refused by updateContact.
 */
export function checkUpdateContact(backend: string, u: M.ContactUpdateInput): void {
  checkOnePostalInfo(backend, u.postalInfo);
  // Nothing in contact-modify takes an auth code: refused, not dropped beside the fields it has.
  if (u.authInfo != null) throw new UnsupportedByBackendError(backend, 'contact auth info (Joker keeps none)', 'input.authInfo');
  checkStreet(u.postalInfo);
  if (u.voice === '') throw new ValidationError('input.voice', 'Joker needs a phone number: it can be changed, not removed');
  const at = sentPostalInfo(u.postalInfo);
  const p = at >= 0 ? u.postalInfo![at]! : null;
  if (p?.pc === '') throw new ValidationError(`input.postalInfo[${at}].pc`, 'Joker needs a postal code: it can be changed, not removed');
  const cleared = u.fax === '' ? 'input.fax' : p?.org === '' ? `input.postalInfo[${at}].org` : p?.sp === '' ? `input.postalInfo[${at}].sp` : null;
  if (cleared) throw new UnsupportedByBackendError(backend, 'clearing a contact field (contact-modify changes the fields given, none to empty)', cleared);
  checkRequiredAddress(u.postalInfo);
  if (u.addStatuses.length + u.removeStatuses.length > 0) throw new UnsupportedByBackendError(backend, 'contact statuses', u.addStatuses.length ? 'input.addStatuses' : 'input.removeStatuses');
  if (u.disclosure) throw new UnsupportedByBackendError(backend, 'contact disclosure preferences', 'input.disclosure');
  if (Object.values(contactFields(u)).every((v) => v === undefined)) throw new ValidationError('input', NOTHING_TO_CHANGE);
}

const NOTHING_TO_CHANGE = 'nothing to change (Joker keeps no contact auth info)';

/**
 * contact-modify (DMAPI document, "contact-modify") with only the given fields (old values kept for the rest); ValidationError on `input` when no field is given.
 * A postal info replaces the contact's address (RFC 5733 section 3.2.5: addr is sent whole), but a field left out of
 * contact-modify keeps its old value and none can be emptied: so with a postal info the contact is read first (query-whois)
 * and an address that would lose the state or the second address line the contact holds is refused before anything is sent,
 * UNSUPPORTED_BY_BACKEND on `input.postalInfo[i].sp` / `.street` (give them, changed or as they are).
 */
export async function updateContact(call: JokerCall, u: M.ContactUpdateInput): Promise<M.PortResult<null>> {
  const fields = Object.fromEntries(Object.entries(contactFields(u, true)).filter(([, v]) => v !== undefined));
  if (Object.keys(fields).length === 0) throw new ValidationError('input', NOTHING_TO_CHANGE);
  const at = sentPostalInfo(u.postalInfo);
  if (at >= 0) {
    const p = u.postalInfo![at]!;
    const held = parseContact(await whois(call, 'contact', u.id)).postalInfo[0];
    const lost = held?.sp && p.sp == null ? 'sp' : held && held.street.length > p.street.length ? 'street' : null;
    if (lost) {
      const what = lost === 'sp' ? 'its state or province' : `its address line ${p.street.length + 1}`;
      throw new UnsupportedByBackendError(call.backend, `removing ${what} (a postal info sets the whole address, RFC 5733 section 3.2.5, and contact-modify cannot empty a field: give it, changed or as it is)`, `input.postalInfo[${at}].${lost}`);
    }
  }
  return change(call, 'contact-modify', { handle: u.id, ...fields }, () => null);
}

/** contact-delete (DMAPI document, "contact-delete") of handle `id`; the registry's refusal is thrown by its Status-Code (http.ts refusal). */
export async function deleteContact(call: JokerCall, id: string): Promise<M.PortResult<null>> {
  return change(call, 'contact-delete', { handle: id }, () => null);
}

/**
 * One page (offset, limit) of the reseller's contacts: query-contact-list for the handles, then
 * infoContact for each on the page (4 at once); total = all handles. The list is asked `from` the
 * page's first item (1-based) on: without "from" or "to" DMAPI answers at most 10,000 handles
 * ("Unless explicitly requested ("from" and/or "to" parameters), the number of entries returned
 * is limited to 10000!"), which would cut the total and leave later pages empty. A page past the
 * end (nothing from there on) asks `from=1` once more for the total.
 */
export async function listContacts(call: JokerCall, page: { limit: number; offset: number }): Promise<M.PortResult<{ contacts: M.Contact[]; total: number }>> {
  const list = (from: number) => send(call, { name: 'query-contact-list', vars: { from: String(from) }, changesState: false });
  const r = await list(page.offset + 1);
  const handles = rows(r).map((x) => x[0]);
  const total = handles.length > 0 || page.offset === 0 ? page.offset + handles.length : rows(await list(1)).length;
  const contacts = await mapLimit(handles.slice(0, page.limit), 4, async (h) => (await infoContact(call, h)).data);
  return result(call, r, { contacts, total });
}

/**
 * A name server's addresses as DMAPI keeps them (ns-create/ns-modify: one `ip`, one `ipv6`), else
 * BAD_USER_INPUT naming the argument that asked for more (`fields.ipv4`, `fields.ipv6`) or, for an
 * IPv6 address left without its IPv4 one, `fields.missingIpv4`.
 */
function oneEach(ipv4: string[], ipv6: string[], fields: { ipv4: string; ipv6: string; missingIpv4: string }): void {
  if (ipv4.length > 1) throw new ValidationError(fields.ipv4, 'Joker keeps one IPv4 and one IPv6 address per name server');
  if (ipv6.length > 1) throw new ValidationError(fields.ipv6, 'Joker keeps one IPv4 and one IPv6 address per name server');
  if (ipv6.length > 0 && ipv4.length === 0) throw new ValidationError(fields.missingIpv4, 'Joker needs the IPv4 address with an IPv6 one');
}

/** What ns-create cannot take, refused before anything is sent: more than one `ip` or `ipv6`, an IPv6 address without an IPv4 one (BAD_USER_INPUT on input.ipv4 / input.ipv6). */
export function checkCreateHost(input: M.HostCreateInput): void {
  oneEach(input.ipv4, input.ipv6, { ipv4: 'input.ipv4', ipv6: 'input.ipv6', missingIpv4: 'input.ipv6' });
}

/** ns-create (DMAPI document, "ns-create, host-create"): at most one `ip` and one `ipv6`, an IPv6 only with an IPv4 (checkCreateHost); createdAt is the clock's now. */
export async function createHost(call: JokerCall, input: M.HostCreateInput): Promise<M.PortResult<{ name: string; createdAt: Date }>> {
  checkCreateHost(input);
  return change(call, 'ns-create', { host: input.name, ip: input.ipv4[0], ipv6: input.ipv6[0] }, () => ({ name: input.name, createdAt: call.clock.now() }));
}

/** A host by query-whois host=<name> (parseHost); OBJECT_NOT_FOUND when Joker does not know it. */
export async function infoHost(call: JokerCall, name: string): Promise<M.PortResult<M.Host>> {
  const r = await whois(call, 'host', name);
  return result(call, r, parseHost(r));
}

/** Refuses before sending what ns-modify cannot do: host statuses (input.addStatuses / input.removeStatuses) and a rename (input.newName), as UNSUPPORTED_BY_BACKEND. */
export function checkUpdateHost(backend: string, u: M.HostUpdateInput): void {
  if (u.addStatuses.length + u.removeStatuses.length > 0) throw new UnsupportedByBackendError(backend, 'host statuses', u.addStatuses.length ? 'input.addStatuses' : 'input.removeStatuses');
  if (u.newName) throw new UnsupportedByBackendError(backend, 'renaming a host', 'input.newName');
}

/** The whole new address pair from the add/remove asked for; "-" empties one. */
export async function updateHost(call: JokerCall, u: M.HostUpdateInput): Promise<M.PortResult<null>> {
  const h = (await infoHost(call, u.name)).data;
  const next = (have: string[], add: string[], remove: string[]) => [...have.filter((a) => !remove.includes(a)), ...add.filter((a) => !have.includes(a))];
  const ipv4 = next(h.ipv4, u.addIpv4, u.removeIpv4);
  const ipv6 = next(h.ipv6, u.addIpv6, u.removeIpv6);
  oneEach(ipv4, ipv6, { ipv4: 'input.addIpv4', ipv6: 'input.addIpv6', missingIpv4: u.removeIpv4.length > 0 ? 'input.removeIpv4' : 'input.addIpv6' });
  if (ipv4.length === 0) throw new ValidationError('input.removeIpv4', 'Joker keeps at least the IPv4 address');
  return change(call, 'ns-modify', { host: u.name, ip: ipv4[0], ipv6: ipv6[0] ?? '-' }, () => null);
}

/** ns-delete (DMAPI document, "ns-delete, host-delete") of host `name`. */
export async function deleteHost(call: JokerCall, name: string): Promise<M.PortResult<null>> {
  return change(call, 'ns-delete', { host: name }, () => null);
}
