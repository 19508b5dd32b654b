/**
 * Domain and host inputs -> neutral model inputs, checked field by field (RFC 5731, 5732, 5910).
 * Every failure is a ValidationError naming the input path, raised before anything is recorded
 * or sent. What depends on the registry (contacts, DNSSEC, period units) is checked by
 * requireCreateSupport / requireUpdateSupport once its capabilities are known, still before anything is sent.
 */
import type { Capabilities } from '../core/capabilities.js';
import { UnsupportedByBackendError, ValidationError } from '../core/errors.js';
import type { DomainContact, DomainCreateInput, DomainNameserver, DomainUpdateInput, DsData, HostCreateInput, HostUpdateInput, KeyData, Period, RegistrantInfo } from '../core/model/index.js';
import { checkAddressesToRemove, checkHostAddresses } from './addresses.js';
import { checkClientStatuses, checkEmail } from './contact.js';
import { checkDnssecLists } from './dnssec.js';
import { checkAuthInfo, checkObjectId, normalizeDomainName } from './names.js';
import { checkCharacters, checkNotInvisible, isBlank } from './text.js';
import { checkMaxItems, checkNotAddedAndRemoved, checkPeriod, checkPeriodUnit, checkUnique } from './values.js';
import { firstPath } from '../core/field-paths.js';

interface NsIn { name: string; ipv4: string[]; ipv6: string[] }
interface ContactIn { role: string; id: string }

/** Name servers of one domain: at most 13, Nomulus's limit (RFC 5731's domain-1.0 nsType sets none). */
export const MAX_NAMESERVERS = 13;
/** Contacts of one domain in one command (RFC 5731 sets none; three roles, a few of each). */
export const MAX_CONTACTS = 12;

/**
 * Name servers: at most 13, each a host name; addresses (glue, RFC 5731 hostAttr / RFC 5732) only
 * for a name server under `domain` itself (none when `domain` is null: names to remove).
 */
export function checkNameservers(field: string, list: NsIn[], domain: string | null): DomainNameserver[] {
  checkMaxItems(field, list, MAX_NAMESERVERS, 'name servers');
  const out = list.map((ns, i) => checkNameserver(`${field}[${i}]`, ns, domain));
  return checkUnique(field, out, (n) => n.name);
}

/** One name server (`field` names it: `to`, `input.nameservers[1]`); `domain` as for checkNameservers. */
export function checkNameserver(field: string, ns: NsIn, domain: string | null): DomainNameserver {
  const name = normalizeDomainName(`${field}.name`, ns.name);
  const ipv4 = domain ? checkHostAddresses(`${field}.ipv4`, ns.ipv4, 4) : checkAddressesToRemove(`${field}.ipv4`, ns.ipv4, 4);
  const ipv6 = domain ? checkHostAddresses(`${field}.ipv6`, ns.ipv6, 6) : checkAddressesToRemove(`${field}.ipv6`, ns.ipv6, 6);
  if (domain && (ipv4.length || ipv6.length) && !name.endsWith(`.${domain}`)) {
    throw new ValidationError(`${field}.${ipv4.length ? 'ipv4' : 'ipv6'}`, 'addresses (glue) are only allowed for name servers under the domain itself');
  }
  return { name, ipv4, ipv6 };
}

/** A domain's contacts (RFC 5731 section 2.2): at most MAX_CONTACTS, ids as clIDType, no (role, id) twice; ValidationError naming `field[i]`. */
export function checkContacts(field: string, list: ContactIn[]): DomainContact[] {
  checkMaxItems(field, list, MAX_CONTACTS, 'contacts');
  const out = list.map((c, i) => ({ role: c.role as DomainContact['role'], id: checkObjectId(`${field}[${i}].id`, c.id) }));
  return checkUnique(field, out, (c) => `${c.role}:${c.id}`);
}

/** Statuses a client may add to or remove from a domain (RFC 5731 section 2.3, the client* values). */
export const DOMAIN_CLIENT_STATUSES: ReadonlySet<string> = new Set([
  'clientDeleteProhibited', 'clientHold', 'clientRenewProhibited', 'clientTransferProhibited', 'clientUpdateProhibited',
]);
const HOST_CLIENT_STATUSES: ReadonlySet<string> = new Set(['clientDeleteProhibited', 'clientUpdateProhibited']);

/**
 * A createDomain input -> DomainCreateInput (RFC 5731 section 3.2.1; RFC 5910 for `dnssec`): name
 * to lower-case A-labels, period default 1 year, each field checked; ValidationError naming `input.<field>`.
 * An empty or blank `registrant` is refused (clIDType, 3-16 characters), never taken as none.
 */
export function toDomainCreate(input: {
  name: string;
  period?: Period | null;
  registrant?: string | null;
  contacts: ContactIn[];
  nameservers: NsIn[];
  authInfo: string;
  dnssec?: { dsData: DsData[]; keyData: KeyData[] } | null;
  registrantInfo?: RegistrantInfo | null;
}): DomainCreateInput {
  const name = normalizeDomainName('input.name', input.name);
  return {
    name,
    period: checkPeriod('input.period', input.period ?? { value: 1, unit: 'y' }),
    registrant: input.registrant != null ? checkObjectId('input.registrant', input.registrant) : null, // "" is refused, not taken as none
    contacts: checkContacts('input.contacts', input.contacts),
    nameservers: checkNameservers('input.nameservers', input.nameservers, name),
    authInfo: checkAuthInfo('input.authInfo', input.authInfo),
    dnssec: input.dnssec ? checkDnssecLists('input.dnssec', input.dnssec.dsData, input.dnssec.keyData) : null,
    ...(input.registrantInfo ? { registrantInfo: checkRegistrantInfo('input.registrantInfo', input.registrantInfo) } : {}),
  };
}

/**
 * Registrant metadata kept on the domain (HeadlessDomains): name and organisation 1-255 characters
 * once trimmed (a blank one is refused: isBlank), not made only of invisible characters
 * (checkNotInvisible), an e-mail address; at least one. ValidationError naming `field.<part>`.
 */
export function checkRegistrantInfo(field: string, r: RegistrantInfo): RegistrantInfo {
  const out: RegistrantInfo = {};
  for (const f of ['name', 'organization'] as const) {
    const v = r[f];
    if (v === undefined || v === null) continue;
    const t = checkNotInvisible(`${field}.${f}`, checkCharacters(`${field}.${f}`, v, true)).trim();
    if (t.length < 1 || t.length > 255) throw new ValidationError(`${field}.${f}`, '1 to 255 characters');
    out[f] = t;
  }
  if (r.email !== undefined && r.email !== null) out.email = checkEmail(`${field}.email`, r.email);
  if (Object.keys(out).length === 0) throw new ValidationError(field, 'give name, email or organization');
  return out;
}

interface ChangeIn { statuses: string[]; contacts: ContactIn[]; nameservers: NsIn[]; dsData: DsData[]; keyData: KeyData[] }
const EMPTY_CHANGE: ChangeIn = { statuses: [], contacts: [], nameservers: [], dsData: [], keyData: [] };

/**
 * An updateDomain input -> DomainUpdateInput (RFC 5731 section 3.2.5; RFC 5910 section 5.2.5):
 * ValidationError naming the field for a bad value, a status, contact or name server both added and
 * removed, removeAllDnssec with DNSSEC records to remove, or nothing to change (`input`). An empty
 * or blank `registrant` is "" (remove the registrant: RFC 5731 section 3.2.5, "An empty element can
 * be used to remove registrant information", clIDChgType minLength 0), not a change left out.
 */
export function toDomainUpdate(input: {
  name: string;
  add?: ChangeIn | null;
  remove?: ChangeIn | null;
  removeAllDnssec: boolean;
  registrant?: string | null;
  authInfo?: string | null;
  registrantInfo?: RegistrantInfo | null;
}): DomainUpdateInput {
  const name = normalizeDomainName('input.name', input.name);
  const add = input.add ?? EMPTY_CHANGE;
  const rem = input.remove ?? EMPTY_CHANGE;
  const addDns = checkDnssecLists('input.add', add.dsData, add.keyData);
  const remDns = checkDnssecLists('input.remove', rem.dsData, rem.keyData);
  if (input.removeAllDnssec && remDns.dsData.length + remDns.keyData.length > 0) {
    throw new ValidationError('input.removeAllDnssec', 'cannot be combined with remove.dsData or remove.keyData');
  }
  const out: DomainUpdateInput = {
    name,
    add: { statuses: checkClientStatuses('input.add.statuses', add.statuses, DOMAIN_CLIENT_STATUSES), contacts: checkContacts('input.add.contacts', add.contacts), nameservers: checkNameservers('input.add.nameservers', add.nameservers, name) },
    remove: { statuses: checkClientStatuses('input.remove.statuses', rem.statuses, DOMAIN_CLIENT_STATUSES), contacts: checkContacts('input.remove.contacts', rem.contacts), nameservers: checkNameservers('input.remove.nameservers', rem.nameservers, null) },
    registrant: input.registrant != null ? checkRegistrantChange('input.registrant', input.registrant) : null, // "" removes the registrant
    authInfo: input.authInfo != null ? checkAuthInfo('input.authInfo', input.authInfo) : null, // "" is refused as too short, not taken as none
    dnssec: null,
    ...(input.registrantInfo ? { registrantInfo: checkRegistrantInfo('input.registrantInfo', input.registrantInfo) } : {}),
  };
  // A value both added and removed is refused as the registry would (2306), before anything is kept.
  // DS and DNSKEY records are not: RFC 5910 section 5.2.5 processes rem before add, and every backend does.
  checkNotAddedAndRemoved('input.add.statuses', out.add.statuses, 'input.remove.statuses', out.remove.statuses, (s) => s, 'a status');
  checkNotAddedAndRemoved('input.add.contacts', out.add.contacts, 'input.remove.contacts', out.remove.contacts, (c) => `${c.role}:${c.id}`, 'a contact');
  checkNotAddedAndRemoved('input.add.nameservers', out.add.nameservers, 'input.remove.nameservers', out.remove.nameservers, (n) => n.name, 'a name server');
  const dnssecChange = addDns.dsData.length + addDns.keyData.length + remDns.dsData.length + remDns.keyData.length > 0 || input.removeAllDnssec;
  if (dnssecChange) {
    out.dnssec = { addDsData: addDns.dsData, addKeyData: addDns.keyData, removeDsData: remDns.dsData, removeKeyData: remDns.keyData, removeAll: input.removeAllDnssec };
  }
  const nothing =
    !dnssecChange && out.registrant == null && !out.authInfo && !out.registrantInfo &&
    out.add.statuses.length + out.add.contacts.length + out.add.nameservers.length +
      out.remove.statuses.length + out.remove.contacts.length + out.remove.nameservers.length === 0;
  if (nothing) throw new ValidationError('input', 'nothing to change: give add, remove, registrant, registrantInfo, authInfo or removeAllDnssec');
  return out;
}

/** An update's registrant (RFC 5731 clIDChgType): "" for an empty or blank one (isBlank: remove it), else a contact id as checkObjectId says. */
function checkRegistrantChange(field: string, id: string): string {
  return id.length <= 64 && isBlank(id) ? '' : checkObjectId(field, id);
}

/**
 * What a checked create asks of the registry: contact objects, DNSSEC, the period's unit. Throws
 * UnsupportedByBackendError (or ValidationError for the unit) before anything is sent.
 */
export function requireCreateSupport(args: DomainCreateInput, backend: string, caps: Capabilities): void {
  if ((args.registrant || args.contacts.length) && !caps.contacts) throw new UnsupportedByBackendError(backend, 'contact objects', args.registrant ? 'input.registrant' : 'input.contacts');
  if (args.dnssec && (args.dnssec.dsData.length || args.dnssec.keyData.length) && !caps.dnssec) throw new UnsupportedByBackendError(backend, 'DNSSEC', 'input.dnssec');
  checkPeriodUnit('input.period', args.period, caps.periodUnits, backend);
}

/** What a checked update asks of the registry: contact objects (also to remove the registrant), DNSSEC (see requireCreateSupport). */
export function requireUpdateSupport(args: DomainUpdateInput, backend: string, caps: Capabilities): void {
  // A registrant to remove ("") asks for contact objects too: a registry without them has none to remove.
  if ((args.registrant != null || args.add.contacts.length || args.remove.contacts.length) && !caps.contacts) {
    throw new UnsupportedByBackendError(backend, 'contact objects', args.registrant != null ? 'input.registrant' : args.add.contacts.length ? 'input.add.contacts' : 'input.remove.contacts');
  }
  const d = args.dnssec;
  if (d && !caps.dnssec) {
    const field = firstPath([[d.addDsData.length, 'input.add.dsData'], [d.addKeyData.length, 'input.add.keyData'], [d.removeDsData.length, 'input.remove.dsData'], [d.removeKeyData.length, 'input.remove.keyData'], [d.removeAll, 'input.removeAllDnssec']]);
    throw new UnsupportedByBackendError(backend, 'DNSSEC', field);
  }
}

/** A createHost input -> HostCreateInput (RFC 5732 section 3.2.1): name to lower-case A-labels, addresses checked; ValidationError naming `input.<field>`. */
export function toHostCreate(input: { name: string; ipv4: string[]; ipv6: string[] }): HostCreateInput {
  return {
    name: normalizeDomainName('input.name', input.name),
    ipv4: checkHostAddresses('input.ipv4', input.ipv4, 4),
    ipv6: checkHostAddresses('input.ipv6', input.ipv6, 6),
  };
}

/**
 * An updateHost input, checked (RFC 5732 section 3.2.5): names to lower-case A-labels, addresses
 * and client statuses checked; ValidationError naming the field, also for a value both added and
 * removed, and naming `input` when nothing would change. An empty or blank `newName` is refused
 * (a host name is required), never taken as none.
 */
export function toHostUpdate(input: HostUpdateInput): HostUpdateInput {
  const out: HostUpdateInput = {
    name: normalizeDomainName('input.name', input.name),
    addIpv4: checkHostAddresses('input.addIpv4', input.addIpv4, 4),
    addIpv6: checkHostAddresses('input.addIpv6', input.addIpv6, 6),
    removeIpv4: checkAddressesToRemove('input.removeIpv4', input.removeIpv4, 4),
    removeIpv6: checkAddressesToRemove('input.removeIpv6', input.removeIpv6, 6),
    addStatuses: checkClientStatuses('input.addStatuses', input.addStatuses, HOST_CLIENT_STATUSES),
    removeStatuses: checkClientStatuses('input.removeStatuses', input.removeStatuses, HOST_CLIENT_STATUSES),
    newName: input.newName != null ? normalizeDomainName('input.newName', input.newName) : null, // "" is refused, not taken as none
  };
  // As for a domain (RFC 5732 section 3.2.5; the EPP sandbox and Nomulus answer 2306).
  checkNotAddedAndRemoved('input.addIpv4', out.addIpv4, 'input.removeIpv4', out.removeIpv4, (a) => a, 'an address');
  checkNotAddedAndRemoved('input.addIpv6', out.addIpv6, 'input.removeIpv6', out.removeIpv6, (a) => a, 'an address');
  checkNotAddedAndRemoved('input.addStatuses', out.addStatuses, 'input.removeStatuses', out.removeStatuses, (s) => s, 'a status');
  // A rename to the name the host has is no change: refused, not sent (the registry answered it 1000, or 2304 under clientUpdateProhibited).
  if (out.newName !== null && out.newName === out.name) throw new ValidationError('input.newName', 'is the host\'s name already: give another name, or leave newName out');
  // As for a contact: nothing to change is refused on every backend before the key is looked at (RFC 5732 section 3.2.5).
  const nothing = out.addIpv4.length + out.addIpv6.length + out.removeIpv4.length + out.removeIpv6.length + out.addStatuses.length + out.removeStatuses.length === 0 && !out.newName;
  if (nothing) throw new ValidationError('input', 'nothing to change: give addIpv4, addIpv6, removeIpv4, removeIpv6, addStatuses, removeStatuses or newName');
  return out;
}
