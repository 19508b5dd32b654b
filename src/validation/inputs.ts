/**
 * GraphQL inputs -> neutral model inputs, checked field by field. Every failure is a
 * ValidationError naming the input path, raised before anything is sent upstream.
 */
import type { Capabilities } from '../core/capabilities.js';
import { UnsupportedByBackendError, ValidationError } from '../core/errors.js';
import type {
  ContactCreateInput,
  ContactUpdateInput,
  Disclosure,
  DomainContact,
  DomainCreateInput,
  DomainNameserver,
  DomainUpdateInput,
  DsData,
  HostCreateInput,
  HostUpdateInput,
  KeyData,
  Period,
  PostalInfo,
} from '../core/model/index.js';
import { checkAuthInfo, checkObjectId, normalizeDomainName } from './names.js';
import {
  checkCountryCode,
  checkDsData,
  checkEmail,
  checkIpv4,
  checkIpv6,
  checkKeyData,
  checkPeriod,
  checkPhone,
  checkUnique,
} from './values.js';

/** Postal info as it arrives (type not yet checked). */
type PostalIn = Omit<PostalInfo, 'type'> & { type: string };
interface NsIn { name: string; ipv4: string[]; ipv6: string[] }
interface ContactIn { role: string; id: string }

export function checkNameservers(field: string, list: NsIn[], domain: string | null): DomainNameserver[] {
  if (list.length > 13) throw new ValidationError(field, 'at most 13 name servers');
  const out = list.map((ns, i) => {
    const f = `${field}[${i}]`;
    const name = normalizeDomainName(`${f}.name`, ns.name);
    const ipv4 = ns.ipv4.map((ip, j) => checkIpv4(`${f}.ipv4[${j}]`, ip));
    const ipv6 = ns.ipv6.map((ip, j) => checkIpv6(`${f}.ipv6[${j}]`, ip));
    if (domain && (ipv4.length || ipv6.length) && !name.endsWith(`.${domain}`)) {
      throw new ValidationError(`${f}.ipv4`, `addresses (glue) are only allowed for name servers under ${domain}`);
    }
    return { name, ipv4, ipv6 };
  });
  return checkUnique(field, out, (n) => n.name);
}

export function checkContacts(field: string, list: ContactIn[]): DomainContact[] {
  const out = list.map((c, i) => ({ role: c.role as DomainContact['role'], id: checkObjectId(`${field}[${i}].id`, c.id) }));
  return checkUnique(field, out, (c) => `${c.role}:${c.id}`);
}

function requireCapability(caps: Capabilities, backend: string, cap: keyof Capabilities, what: string) {
  if (!caps[cap]) throw new UnsupportedByBackendError(backend, what);
}

export function checkDnssecLists(field: string, ds: DsData[], keys: KeyData[]) {
  return {
    dsData: checkUnique(field + '.dsData', ds.map((d, i) => checkDsData(`${field}.dsData[${i}]`, d)), (d) => `${d.keyTag}/${d.algorithm}/${d.digestType}/${d.digest}`),
    keyData: checkUnique(field + '.keyData', keys.map((k, i) => checkKeyData(`${field}.keyData[${i}]`, k)), (k) => k.publicKey),
  };
}

export function toDomainCreate(
  input: { name: string; period?: Period | null; registrant?: string | null; contacts: ContactIn[]; nameservers: NsIn[]; authInfo: string; dnssec?: { dsData: DsData[]; keyData: KeyData[] } | null },
  backend: string,
  caps: Capabilities,
): DomainCreateInput {
  const name = normalizeDomainName('input.name', input.name);
  const out: DomainCreateInput = {
    name,
    period: checkPeriod('input.period', input.period ?? { value: 1, unit: 'y' }, caps.periodUnits),
    registrant: input.registrant ? checkObjectId('input.registrant', input.registrant) : null,
    contacts: checkContacts('input.contacts', input.contacts),
    nameservers: checkNameservers('input.nameservers', input.nameservers, name),
    authInfo: checkAuthInfo('input.authInfo', input.authInfo),
    dnssec: input.dnssec ? checkDnssecLists('input.dnssec', input.dnssec.dsData, input.dnssec.keyData) : null,
  };
  if ((out.registrant || out.contacts.length) && !caps.contacts) requireCapability(caps, backend, 'contacts', 'contact objects');
  if (out.dnssec && (out.dnssec.dsData.length || out.dnssec.keyData.length)) requireCapability(caps, backend, 'dnssec', 'DNSSEC');
  return out;
}

interface ChangeIn { statuses: string[]; contacts: ContactIn[]; nameservers: NsIn[]; dsData: DsData[]; keyData: KeyData[] }
const EMPTY_CHANGE: ChangeIn = { statuses: [], contacts: [], nameservers: [], dsData: [], keyData: [] };

export function toDomainUpdate(
  input: { name: string; add?: ChangeIn | null; remove?: ChangeIn | null; removeAllDnssec: boolean; registrant?: string | null; authInfo?: string | null },
  backend: string,
  caps: Capabilities,
): DomainUpdateInput {
  const name = normalizeDomainName('input.name', input.name);
  const add = input.add ?? EMPTY_CHANGE;
  const rem = input.remove ?? EMPTY_CHANGE;
  const addDns = checkDnssecLists('input.add', add.dsData, add.keyData);
  const remDns = checkDnssecLists('input.remove', rem.dsData, rem.keyData);
  const out: DomainUpdateInput = {
    name,
    add: { statuses: [...new Set(add.statuses)], contacts: checkContacts('input.add.contacts', add.contacts), nameservers: checkNameservers('input.add.nameservers', add.nameservers, name) },
    remove: { statuses: [...new Set(rem.statuses)], contacts: checkContacts('input.remove.contacts', rem.contacts), nameservers: checkNameservers('input.remove.nameservers', rem.nameservers, null) },
    registrant: input.registrant ? checkObjectId('input.registrant', input.registrant) : null,
    authInfo: input.authInfo ? checkAuthInfo('input.authInfo', input.authInfo) : null,
    dnssec: null,
  };
  const dnssecChange = addDns.dsData.length + addDns.keyData.length + remDns.dsData.length + remDns.keyData.length > 0 || input.removeAllDnssec;
  if (dnssecChange) {
    requireCapability(caps, backend, 'dnssec', 'DNSSEC');
    out.dnssec = { addDsData: addDns.dsData, addKeyData: addDns.keyData, removeDsData: remDns.dsData, removeKeyData: remDns.keyData, removeAll: input.removeAllDnssec };
  }
  const touchesContacts = out.registrant || out.add.contacts.length || out.remove.contacts.length;
  if (touchesContacts) requireCapability(caps, backend, 'contacts', 'contact objects');
  const nothing =
    !dnssecChange && !touchesContacts && !out.authInfo &&
    out.add.statuses.length + out.add.nameservers.length + out.remove.statuses.length + out.remove.nameservers.length === 0;
  if (nothing) throw new ValidationError('input', 'nothing to change: give add, remove, registrant, authInfo or removeAllDnssec');
  return out;
}

function checkPostal(field: string, list: PostalIn[]): PostalInfo[] {
  if (list.length < 1 || list.length > 2) throw new ValidationError(field, 'give one or two postal infos (int and/or loc)');
  const out = list.map((p, i) => {
    const f = `${field}[${i}]`;
    if (p.type !== 'int' && p.type !== 'loc') throw new ValidationError(`${f}.type`, 'must be "int" or "loc"');
    if (!p.name.trim()) throw new ValidationError(`${f}.name`, 'is required');
    if (!p.city.trim()) throw new ValidationError(`${f}.city`, 'is required');
    if (p.street.length > 3) throw new ValidationError(`${f}.street`, 'at most 3 lines');
    if (p.type === 'int' && /[^\x20-\x7e]/.test([p.name, p.org ?? '', p.city, ...p.street].join(''))) {
      throw new ValidationError(f, '"int" postal info must be ASCII; use type "loc" for other scripts');
    }
    return { type: p.type as PostalInfo['type'], name: p.name.trim(), org: p.org ?? null, street: p.street, city: p.city.trim(), sp: p.sp ?? null, pc: p.pc ?? null, cc: checkCountryCode(`${f}.cc`, p.cc) };
  });
  return checkUnique(field, out, (p) => p.type);
}

/** A disclosure preference names at least one element, each once. */
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

export function toContactCreate(input: { id: string; postalInfo: PostalIn[]; voice?: string | null; fax?: string | null; email: string; authInfo: string; disclosure?: Disclosure | null }): ContactCreateInput {
  return {
    id: checkObjectId('input.id', input.id),
    postalInfo: checkPostal('input.postalInfo', input.postalInfo),
    voice: input.voice ? checkPhone('input.voice', input.voice) : null,
    fax: input.fax ? checkPhone('input.fax', input.fax) : null,
    email: checkEmail('input.email', input.email),
    authInfo: checkAuthInfo('input.authInfo', input.authInfo),
    disclosure: checkDisclosure('input.disclosure', input.disclosure),
  };
}

export function toContactUpdate(input: { id: string; addStatuses: string[]; removeStatuses: string[]; postalInfo?: PostalIn[] | null; voice?: string | null; fax?: string | null; email?: string | null; authInfo?: string | null; disclosure?: Disclosure | null }): ContactUpdateInput {
  const out: ContactUpdateInput = {
    id: checkObjectId('input.id', input.id),
    addStatuses: input.addStatuses,
    removeStatuses: input.removeStatuses,
    postalInfo: input.postalInfo ? checkPostal('input.postalInfo', input.postalInfo) : null,
    voice: input.voice ? checkPhone('input.voice', input.voice) : null,
    fax: input.fax ? checkPhone('input.fax', input.fax) : null,
    email: input.email ? checkEmail('input.email', input.email) : null,
    authInfo: input.authInfo ? checkAuthInfo('input.authInfo', input.authInfo) : null,
    disclosure: checkDisclosure('input.disclosure', input.disclosure),
  };
  for (const [i, s] of [...out.addStatuses, ...out.removeStatuses].entries()) {
    if (!s.startsWith('client')) throw new ValidationError(`input.statuses[${i}]`, `"${s}" is not a client status`);
  }
  return out;
}

export function toHostCreate(input: { name: string; ipv4: string[]; ipv6: string[] }): HostCreateInput {
  return {
    name: normalizeDomainName('input.name', input.name),
    ipv4: input.ipv4.map((ip, i) => checkIpv4(`input.ipv4[${i}]`, ip)),
    ipv6: input.ipv6.map((ip, i) => checkIpv6(`input.ipv6[${i}]`, ip)),
  };
}

export function toHostUpdate(input: HostUpdateInput): HostUpdateInput {
  const out: HostUpdateInput = {
    name: normalizeDomainName('input.name', input.name),
    addIpv4: input.addIpv4.map((ip, i) => checkIpv4(`input.addIpv4[${i}]`, ip)),
    addIpv6: input.addIpv6.map((ip, i) => checkIpv6(`input.addIpv6[${i}]`, ip)),
    removeIpv4: input.removeIpv4.map((ip, i) => checkIpv4(`input.removeIpv4[${i}]`, ip)),
    removeIpv6: input.removeIpv6.map((ip, i) => checkIpv6(`input.removeIpv6[${i}]`, ip)),
    addStatuses: input.addStatuses,
    removeStatuses: input.removeStatuses,
    newName: input.newName ? normalizeDomainName('input.newName', input.newName) : null,
  };
  for (const [i, s] of [...out.addStatuses, ...out.removeStatuses].entries()) {
    if (!s.startsWith('client')) throw new ValidationError(`input.statuses[${i}]`, `"${s}" is not a client status`);
  }
  return out;
}
