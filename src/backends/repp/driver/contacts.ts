/**
 * The port's contact operations on REPP. The registry assigns the contact code (a custom id is
 * optional and gets the registrar's prefix: "mari" -> "ATSAA:MARI"); a contact needs an identity
 * (ident: personal or registry code, or birthday, and its country), a name, e-mail and phone, and
 * has no postal address. Only a registrar's own contacts are visible to it.
 */
import { UnsupportedByBackendError, ValidationError } from '../../../core/errors.js';
import type * as M from '../../../core/model/index.js';
import * as codec from '../codec/contacts.js';
import type { ContactIdent } from '../codec/contacts.js';
import { mapLimit, result, send, type ReppCall } from './call.js';

/** A contact to create: the neutral input plus the registry's identity of the person or company. */
export type ReppContactCreate = Omit<M.ContactCreateInput, 'id'> & { id?: string | null; ident?: ContactIdent | null };

/** "Check contact code availability", one GET per id (at most readConcurrency, default 4, at once); ids in order, code 1000, the last request's id as client trid. */
export async function checkContacts(call: ReppCall, ids: string[]): Promise<M.PortResult<M.CheckResult[]>> {
  let last: Awaited<ReturnType<typeof send>> | undefined;
  const data = await mapLimit(ids, call.policy.readConcurrency ?? 4, async (id) => {
    last = await send(call, codec.buildCheck(id));
    return codec.parseCheck(last.data);
  });
  return { data, trid: { client: last?.requestId ?? '', server: null }, code: 1000 };
}

/** "Get a specific contact": the Contact with its ident; sponsor is the caller's API user (only the sponsor can read a contact). 404 is OBJECT_NOT_FOUND. */
export async function infoContact(call: ReppCall, id: string): Promise<M.PortResult<M.Contact & { ident: ContactIdent | null }>> {
  const a = await send(call, codec.buildInfo(id));
  const c = codec.parseInfo(a.data);
  return result(a, { ...c.contact, sponsor: call.upstreamId, ident: c.ident }); // only the sponsor can read a contact
}

/**
 * A fax number, a disclosure preference or an address field (street, org, sp, pc), which REPP has
 * no field for (its document's "Create a new contact" takes name, email, phone and ident only), is
 * refused before anything is sent, as on update, rather than left out of the contact the registry
 * creates. (The `city` and `cc` the schema requires are not sent: a REPP contact has no address
 * and reads back without one.)
 */
export function checkCreateSupported(backend: string, input: ReppContactCreate): void {
  const unsupported = firstCase([
    [input.fax, 'fax numbers', 'input.fax'],
    [input.disclosure, 'disclosure preferences', 'input.disclosure'],
    addressCase(input.postalInfo),
    secondPostalInfo(input.postalInfo),
  ]);
  if (unsupported) throw new UnsupportedByBackendError(backend, ...unsupported);
}

/** A second postal info (`int` and `loc`), as a firstCase case naming it: REPP keeps one name (the first postal info's), no second form of it. */
function secondPostalInfo(postalInfo: readonly M.PostalInfo[] | null | undefined): readonly [unknown, string, string | undefined] {
  return [(postalInfo?.length ?? 0) > 1, 'a second postal info (the registry keeps one name: give one postal info)', 'input.postalInfo[1]'];
}

/**
 * The first optional address field (street, org, sp, pc) set in any postal info, as a firstCase
 * case naming it (`input.postalInfo[0].street`): REPP's contact create and update take no address.
 */
function addressCase(postalInfo: readonly M.PostalInfo[] | null | undefined): readonly [unknown, string, string | undefined] {
  const addressField = (p: M.PostalInfo) => (p.street.length > 0 ? 'street' : p.org ? 'org' : p.sp ? 'sp' : p.pc ? 'pc' : null);
  const i = (postalInfo ?? []).findIndex((p) => addressField(p) !== null);
  return i < 0 ? [false, 'postal addresses', undefined] : [true, 'postal addresses', `input.postalInfo[${i}].${addressField(postalInfo![i]!)}`];
}

/** The feature and argument path of the first case whose value is set, or undefined. */
function firstCase(cases: ReadonlyArray<readonly [unknown, string, string | undefined]>): [what: string, field: string | undefined] | undefined {
  const c = cases.find(([set]) => Boolean(set));
  return c && [c[1], c[2]];
}

/**
 * An Estonian identity code in the form the registry takes (REPP POST /repp/v1/contacts
 * `ident[ident]`; the .ee registry's rules): a personal code (priv, EE) is 11 digits
 * (isikukood), a registry code (org, EE) 8 digits (registrikood). Other countries' codes and
 * birthdays are checked by the schema's rules only. Throws ValidationError naming input.ident.code.
 */
function checkEstonianIdent(ident: ContactIdent): void {
  if (ident.countryCode.toUpperCase() !== 'EE') return;
  if (ident.type === 'priv' && !/^\d{11}$/.test(ident.code)) throw new ValidationError('input.ident.code', 'an Estonian personal code (PRIV, EE) is 11 digits');
  if (ident.type === 'org' && !/^\d{8}$/.test(ident.code)) throw new ValidationError('input.ident.code', 'an Estonian registry code (ORG, EE) is 8 digits');
}

/** What a REPP contact needs beyond the neutral input, checked before anything is sent. */
export function checkCreate(input: ReppContactCreate): { name: string; phone: string; ident: ContactIdent } {
  if (!input.ident) throw new ValidationError('input.ident', "this registry needs the contact's identity (code, type priv/org/birthday, country)");
  checkEstonianIdent(input.ident);
  if (!input.voice) throw new ValidationError('input.voice', 'this registry needs a phone number (+CC.NUMBER)');
  const name = input.postalInfo[0]?.name;
  if (!name) throw new ValidationError('input.postalInfo[0].name', 'a name is required');
  return { name, phone: input.voice, ident: input.ident };
}

/**
 * "Create a new contact" after checkCreate (ValidationError on input.ident, input.ident.code, input.voice, input.postalInfo[0].name); answers the code
 * the registry assigned and the clock's time of sending as createdAt (REPP answers no date).
 */
export async function createContact(call: ReppCall, input: ReppContactCreate): Promise<M.PortResult<{ id: string; createdAt: Date }>> {
  const { name, phone, ident } = checkCreate(input);
  const sentAt = call.clock.now();
  const a = await send(call, codec.buildCreate({ id: input.id ?? null, name, email: input.email, phone, ident }));
  return result(a, { id: codec.parseCode(a.data).id, createdAt: sentAt });
}

/**
 * Name, e-mail and phone can change; statuses, auth info, fax (also clearing one), address and
 * disclosure cannot (refused before sending), nor can the phone be cleared (voice "": ValidationError on input.voice). A rename comes as a postalInfo, whose `city` and `cc` the schema
 * requires: as on create they are not sent (a REPP contact has no address), so a rename needs no
 * made-up address; the optional address fields (street, org, sp, pc) are refused, naming the first.
 */
export function checkUpdate(backend: string, input: M.ContactUpdateInput): void {
  const unsupported = firstCase([
    [input.addStatuses.length, 'contact statuses', 'input.addStatuses'],
    [input.removeStatuses.length, 'contact statuses', 'input.removeStatuses'],
    [input.authInfo, 'contact auth info', 'input.authInfo'],
    [input.fax != null, 'fax numbers', 'input.fax'],
    [input.disclosure, 'disclosure preferences', 'input.disclosure'],
    addressCase(input.postalInfo),
    secondPostalInfo(input.postalInfo),
  ]);
  if (unsupported) throw new UnsupportedByBackendError(backend, ...unsupported);
  // voice "" clears the number (RFC 5733), which a REPP contact must have, as on create.
  if (input.voice === '') throw new ValidationError('input.voice', 'this registry needs a phone number (+CC.NUMBER): it can be changed, not removed');
}

/** "Update an existing contact" with the name (first postalInfo), email and phone, after checkUpdate (UNSUPPORTED_BY_BACKEND naming the first field REPP has none for). */
export async function updateContact(call: ReppCall, backend: string, input: M.ContactUpdateInput): Promise<M.PortResult<null>> {
  checkUpdate(backend, input);
  const a = await send(call, codec.buildUpdate(input.id, { name: input.postalInfo?.[0]?.name, email: input.email, phone: input.voice }));
  return result(a, null);
}

/** "Delete a specific contact"; the registry's refusal (e.g. 2305 while a domain uses it) is thrown as its RegistryError (errors.ts). */
export async function deleteContact(call: ReppCall, id: string): Promise<M.PortResult<null>> {
  return result(await send(call, codec.buildDelete(id)), null);
}

/** One page of the registrar's contacts with their data (details=true), and the total. */
export async function listContacts(call: ReppCall, page: { limit: number; offset: number }): Promise<M.PortResult<{ contacts: M.Contact[]; total: number }>> {
  const a = await send(call, codec.buildList({ ...page, details: true }));
  const l = codec.parseList(a.data);
  return result(a, { contacts: l.contacts.map((c) => ({ ...c.contact, sponsor: call.upstreamId, ident: c.ident })), total: l.count });
}
