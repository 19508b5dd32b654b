/**
 * Contact inputs (RFC 5733 section 4.2.1 and its contact-1.0 schema): GraphQL input -> neutral
 * model, every field checked before anything is recorded or sent.
 */
// The library alone (index.js): its package entry (entry-node.js) loads 80 languages' names by computed require paths, which the bundle cannot follow.
import countries from 'i18n-iso-countries/index.js';
import { ValidationError, quoted } from '../core/errors.js';
import type { ContactCreateInput, ContactIdent, ContactUpdateInput, Disclosure, PostalInfo } from '../core/model/index.js';
import { isIntPostalText } from '../core/model/index.js';
import { checkAuthInfo, checkObjectId } from './names.js';
import { checkCharacters, checkLength, checkLine, isBlank } from './text.js';
import { checkNotAddedAndRemoved } from './values.js';

/** Postal info as it arrives (type not yet checked). */
type PostalIn = Omit<PostalInfo, 'type'> & { type: string };

/** RFC 5733 postalLineType / optPostalLineType: at most 255 characters. */
const MAX_POSTAL_LINE = 255;

/**
 * One postalInfo (RFC 5733 section 2.3 and contact-1.0 postalInfoType / addrType): name and city
 * 1-255 characters, org and sp 0-255, at most 3 street lines of 0-255, pc (pcType) at most 16, cc
 * two letters (ISO 3166 alpha-2), all single lines; "int" is US-ASCII only (section 2.3.2); none
 * made only of invisible characters (text.ts checkNotInvisible).
 * An empty or blank (text.ts isBlank) org, sp or pc is the empty value their types allow
 * (optPostalLineType minLength 0, pcType): none. On create that is the field left out (null). On
 * update (`change`) it stays "" so that it is sent as the empty element (RFC 5733 section 3.2.5's
 * example sends `<contact:org/>`). What a part left out (null) of an update's postal info means
 * follows chgPostalInfoType (RFC 5733 section 3.2.5): the name and the address (addr: street,
 * city, sp, pc, cc) are sent whole, since name, city and cc are required here, so the address
 * replaces the registry's: a street line, sp or pc left out is removed as "" removes it. Only the
 * org, an element of its own beside addr, stays when left out (the registry keeps it, as Nomulus
 * and the EPP sandbox do), and "" clears it. A postal info of the other type (int/loc) that is
 * not given stays.
 */
function checkPostalInfo(f: string, p: PostalIn, change: boolean): PostalInfo {
  if (p.type !== 'int' && p.type !== 'loc') throw new ValidationError(`${f}.type`, 'must be "int" or "loc"');
  if (p.street.length > 3) throw new ValidationError(`${f}.street`, 'at most 3 lines');
  const opt = (name: string, v: string | null | undefined, max: number) => (v == null ? null : checkLine(`${f}.${name}`, v, 0, max) || (change ? '' : null));
  const out: PostalInfo = {
    type: p.type,
    name: checkLine(`${f}.name`, p.name, 1, MAX_POSTAL_LINE),
    org: opt('org', p.org, MAX_POSTAL_LINE),
    street: p.street.map((s, i) => checkLine(`${f}.street[${i}]`, s, 0, MAX_POSTAL_LINE)),
    city: checkLine(`${f}.city`, p.city, 1, MAX_POSTAL_LINE),
    sp: opt('sp', p.sp, MAX_POSTAL_LINE),
    pc: opt('pc', p.pc, 16),
    cc: checkCountryCode(`${f}.cc`, p.cc),
  };
  if (out.type === 'int') {
    const texts: Array<[string, string | null | undefined]> = [['name', out.name], ['org', out.org], ['city', out.city], ['sp', out.sp], ['pc', out.pc], ...out.street.map((s, i): [string, string] => [`street[${i}]`, s])];
    const bad = texts.find(([, v]) => v && !isIntPostalText(v));
    if (bad) throw new ValidationError(`${f}.${bad[0]}`, '"int" postal info must be ASCII; use type "loc" for other scripts');
  }
  return out;
}

/**
 * One or two postal infos (RFC 5733 sections 2.3-2.4 and 3.2.1), at most one of each type, each checked as
 * checkPostalInfo says; ValidationError (BAD_USER_INPUT) naming `field[i].<part>` otherwise. `change`:
 * the postal infos of an update (RFC 5733 section 3.2.5), where an empty org, sp or pc stays "" (clear it)
 * and each postal info given replaces the registry's name and address (checkPostalInfo).
 */
export function checkPostal(field: string, list: PostalIn[], change = false): PostalInfo[] {
  if (list.length < 1 || list.length > 2) throw new ValidationError(field, 'give one or two postal infos (int and/or loc)');
  const out = list.map((p, i) => checkPostalInfo(`${field}[${i}]`, p, change));
  if (out.length === 2 && out[0]!.type === out[1]!.type) throw new ValidationError(`${field}[1].type`, `"${out[1]!.type}" is given twice`);
  return out;
}

/** A disclosure preference names at least one element, each once (RFC 5733 section 2.9). */
function checkDisclosure(field: string, d: Disclosure | null | undefined): Disclosure | null {
  if (!d) return null;
  if (d.fields.length === 0) throw new ValidationError(`${field}.fields`, 'name at least one element to disclose or to withhold');
  const seen = new Set<string>();
  for (const [i, f] of d.fields.entries()) {
    if (seen.has(f)) throw new ValidationError(`${field}.fields[${i}]`, `${f} is listed twice`);
    seen.add(f);
  }
  return { flag: d.flag, fields: [...d.fields] };
}

/**
 * An e-mail address (RFC 5733 email, minLength 1; RFC 5322 addr-spec): local@domain without
 * spaces or control characters, the local part at most 64 octets and the whole at most 254
 * (RFC 5321 section 4.5.3.1), a domain with at least one dot.
 */
export function checkEmail(field: string, email: string): string {
  if (email.length > 320) throw new ValidationError(field, 'an e-mail address is at most 254 characters');
  const v = checkCharacters(field, email, true).trim();
  checkLength(field, v, 3, 254);
  const at = v.lastIndexOf('@');
  const local = v.slice(0, at);
  if (at < 1 || Buffer.byteLength(local) > 64 || !/^[^\s@]+@[^\s@]+\.[^\s@.][^\s@]*$/.test(v)) {
    throw new ValidationError(field, `${quoted(email)} is not an e-mail address`);
  }
  return v;
}

/**
 * A phone or fax number (RFC 5733 e164Type): "+CC.NUMBER" of at most 17 characters
 * (e164StringType), optionally "x" and an extension of at most 16 digits. An empty or blank one is
 * refused ("is empty"): where it means something (an update's, checkPhoneChange) it is taken first.
 */
export function checkPhone(field: string, phone: string): string {
  if (phone.length > 64) throw new ValidationError(field, 'must look like +1.7035555555 (at most 17 characters, "x" and an extension)');
  const v = phone.trim();
  if (v === '') throw new ValidationError(field, 'is empty: give a number such as +1.7035555555, or leave the field out');
  const m = /^(\+[0-9]{1,3}\.[0-9]{1,14})(?:x([0-9]{1,16}))?$/.exec(v);
  if (!m || m[1]!.length > 17) throw new ValidationError(field, 'must look like +1.7035555555 (at most 17 characters, "x" and an extension)');
  return v;
}

/**
 * A country code (RFC 5733 ccType: two letters; ISO 3166-1 alpha-2), spaces around it dropped,
 * upper-cased: one of the codes ISO 3166-1 assigns, as i18n-iso-countries lists them (249, and XK
 * for Kosovo, the user-assigned code registries and the EU use); `ZZ`, `UK`, `EU` or a withdrawn
 * `YU` is refused. ValidationError (BAD_USER_INPUT) naming `field` otherwise.
 */
export function checkCountryCode(field: string, cc: string): string {
  const v = cc.length > 8 ? cc : cc.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(v)) throw new ValidationError(field, 'must be a two-letter ISO 3166 country code');
  if (!countries.isValid(v)) throw new ValidationError(field, `${quoted(v)} is not an assigned ISO 3166-1 country code${v === 'UK' ? ' (the United Kingdom is GB)' : ''}`);
  return v;
}

/**
 * The voice or fax number of a contact update (RFC 5733 section 3.2.5): an empty or blank one
 * (text.ts isBlank: white space only, U+2028 and U+3000 included; one of invisible characters
 * such as U+200B is neither, and refused) is "" (clear the number: e164StringType allows the empty value, and the RFC's update example sends
 * `<contact:fax/>`), anything else a number as checkPhone says.
 */
export function checkPhoneChange(field: string, phone: string): string {
  return phone.length <= 64 && isBlank(phone) ? '' : checkPhone(field, phone);
}

/** Statuses a client may set on a contact (RFC 5733 section 2.2). */
const CONTACT_CLIENT_STATUSES = new Set(['clientDeleteProhibited', 'clientTransferProhibited', 'clientUpdateProhibited']);

/** Statuses to add or remove: each a client status of the object kind (`allowed`), each once. */
export function checkClientStatuses(field: string, list: string[], allowed: ReadonlySet<string>): string[] {
  if (list.length > allowed.size) throw new ValidationError(field, `at most ${allowed.size} statuses`);
  list.forEach((s, i) => {
    if (!allowed.has(s)) throw new ValidationError(`${field}[${i}]`, `${quoted(s)} is not a client status (${[...allowed].join(', ')})`);
    if (list.indexOf(s) !== i) throw new ValidationError(`${field}[${i}]`, `${s} is listed twice`);
  });
  return list;
}

/** A contact identity: a code of 1-100 characters on one line (a birthday as yyyy-mm-dd), its type, a country. */
export function checkIdent(field: string, i: ContactIdent): ContactIdent {
  const code = checkLine(`${field}.code`, i.code, 1, 100);
  if (i.type === 'birthday' && !(/^\d{4}-\d{2}-\d{2}$/.test(code) && new Date(`${code}T00:00:00Z`).toISOString().startsWith(code))) {
    throw new ValidationError(`${field}.code`, 'a birthday is a date, yyyy-mm-dd');
  }
  return { code, type: i.type, countryCode: checkCountryCode(`${field}.countryCode`, i.countryCode) };
}

/**
 * A createContact input -> ContactCreateInput (RFC 5733 section 3.2.1): id (clIDType, null where the
 * registry assigns one), postal info, E.164 phones, e-mail, auth info, disclosure, ident; the first bad field throws ValidationError naming `input.<field>`.
 * A field given empty or blank is checked as given, never taken as left out: an empty `id`, `voice`
 * or `fax` is refused (a create has nothing to clear); an empty org, sp or pc is none (checkPostalInfo).
 */
export function toContactCreate(input: Omit<ContactCreateInput, 'id' | 'postalInfo'> & { id?: string | null; postalInfo: PostalIn[] }): ContactCreateInput {
  return {
    id: input.id != null ? checkObjectId('input.id', input.id) : null,
    ident: input.ident ? checkIdent('input.ident', input.ident) : null,
    postalInfo: checkPostal('input.postalInfo', input.postalInfo),
    voice: input.voice != null ? checkPhone('input.voice', input.voice) : null,
    fax: input.fax != null ? checkPhone('input.fax', input.fax) : null,
    email: checkEmail('input.email', input.email),
    authInfo: checkAuthInfo('input.authInfo', input.authInfo),
    disclosure: checkDisclosure('input.disclosure', input.disclosure),
  };
}

/**
 * An updateContact input -> ContactUpdateInput (RFC 5733 section 3.2.5): client statuses to add and
 * remove, and each field given; ValidationError naming `input.<field>`, also for a status both added and removed,
 * and naming `input` when nothing would change.
 * A field given empty or blank is never taken as left out: `voice` and `fax` become "" (clear the
 * number, checkPhoneChange), as do a postal info's org, sp and pc (checkPostal); an empty `email`
 * (eppcom:minTokenType, at least one character) or `authInfo` is refused. A postal info given
 * replaces the contact's name and address whole (its street, sp and pc too when left out; its org
 * stays when left out): checkPostalInfo.
 */
export function toContactUpdate(input: { id: string; addStatuses: string[]; removeStatuses: string[]; postalInfo?: PostalIn[] | null; voice?: string | null; fax?: string | null; email?: string | null; authInfo?: string | null; disclosure?: Disclosure | null }): ContactUpdateInput {
  const out: ContactUpdateInput = {
    id: checkObjectId('input.id', input.id),
    addStatuses: checkClientStatuses('input.addStatuses', input.addStatuses, CONTACT_CLIENT_STATUSES),
    removeStatuses: checkClientStatuses('input.removeStatuses', input.removeStatuses, CONTACT_CLIENT_STATUSES),
    postalInfo: input.postalInfo ? checkPostal('input.postalInfo', input.postalInfo, true) : null,
    voice: input.voice != null ? checkPhoneChange('input.voice', input.voice) : null, // "" clears the number
    fax: input.fax != null ? checkPhoneChange('input.fax', input.fax) : null, // "" clears the number
    email: input.email != null ? checkEmail('input.email', input.email) : null, // "" is refused, not taken as none
    authInfo: input.authInfo != null ? checkAuthInfo('input.authInfo', input.authInfo) : null, // "" is refused as too short, not taken as none
    disclosure: checkDisclosure('input.disclosure', input.disclosure),
  };
  // A status both added and removed: refused as the registry would (RFC 5733 section 3.2.5; 2306).
  checkNotAddedAndRemoved('input.addStatuses', out.addStatuses, 'input.removeStatuses', out.removeStatuses, (s) => s, 'a status');
  // An update that changes nothing is refused here, on every backend, before its key is looked at
  // (RFC 5733 section 3.2.5: at least one of add, rem, chg).
  const nothing = out.addStatuses.length + out.removeStatuses.length + (out.postalInfo?.length ?? 0) === 0 && out.voice == null && out.fax == null && !out.email && !out.authInfo && !out.disclosure;
  if (nothing) throw new ValidationError('input', 'nothing to change: give addStatuses, removeStatuses, postalInfo, voice, fax, email, authInfo or disclosure');
  return out;
}
