/**
 * The parts of a domain REPP changes one by one (REPP document, "Domains", "Nameservers", "DNSSEC",
 * "Statuses"): admin/tech contacts, name servers (with their addresses), DNSKEYs, clientHold.
 * The answers of the changes are `{ "domain": { "name": ... } }` (domains.parseName) or, for
 * clientHold, the domain and status.
 */
import type { DomainContact, DomainNameserver, KeyData } from '../../../core/model/index.js';
import type { ReppRequest } from '../http.js';
import { keyBody, nameserverBody, parseKey, parseNameserver } from './domains.js';
import { arr, obj, seg, strings } from './read.js';

const base = (name: string) => `/repp/v1/domains/${seg(name)}`;

/** GET /repp/v1/domains/:domain_name/contacts ("Get all contacts of specific domain"). */
export function buildContacts(name: string): ReppRequest {
  return { command: 'domain:contacts', method: 'GET', path: `${base(name)}/contacts`, changesState: false };
}

/** `data.admin_contacts` and `data.tech_contacts` (contact codes; absent = []) -> admin then tech DomainContacts; UPSTREAM_UNAVAILABLE when not string lists. */
export function parseContacts(data: unknown): DomainContact[] {
  const o = obj(data, 'data');
  return [
    ...strings(o.admin_contacts, 'data.admin_contacts').map((id) => ({ role: 'admin' as const, id })),
    ...strings(o.tech_contacts, 'data.tech_contacts').map((id) => ({ role: 'tech' as const, id })),
  ];
}

/** Adds (POST) or removes (DELETE) admin/tech contacts; REPP has no billing contacts. */
export function buildChangeContacts(name: string, op: 'add' | 'remove', contacts: DomainContact[]): ReppRequest {
  return {
    command: `domain:contacts:${op}`,
    method: op === 'add' ? 'POST' : 'DELETE',
    path: `${base(name)}/contacts`,
    body: { contacts: contacts.map((c) => ({ code: c.id, type: c.role })) },
    changesState: true,
  };
}

/** GET /repp/v1/domains/:domain_name/nameservers ("Nameservers", "Get domain's nameservers"). */
export function buildNameservers(name: string): ReppRequest {
  return { command: 'domain:nameservers', method: 'GET', path: `${base(name)}/nameservers`, changesState: false };
}

/** `data.nameservers[]` (hostname, ipv4[], ipv6[]) -> DomainNameserver[]; UPSTREAM_UNAVAILABLE (maybeApplied) when the list or a hostname is missing. */
export function parseNameservers(data: unknown): DomainNameserver[] {
  return arr(obj(data, 'data').nameservers, 'data.nameservers').map((n, i) => parseNameserver(n, `data.nameservers[${i}]`));
}

/** POST /repp/v1/domains/:domain_name/nameservers ("Add new nameserver"): `nameservers[]` of hostname, ipv4, ipv6. */
export function buildAddNameservers(name: string, nameservers: DomainNameserver[]): ReppRequest {
  return { command: 'domain:nameservers:add', method: 'POST', path: `${base(name)}/nameservers`, body: { nameservers: nameservers.map(nameserverBody) }, changesState: true };
}

/** DELETE /repp/v1/domains/:domain_name/nameservers/:nameserver_hostname ("Delete existing nameserver"). */
export function buildDeleteNameserver(name: string, hostname: string): ReppRequest {
  return { command: 'domain:nameservers:delete', method: 'DELETE', path: `${base(name)}/nameservers/${seg(hostname)}`, changesState: true };
}

/** GET /repp/v1/domains/:domain_name/dnssec ("DNSSEC", "Get domain's DNSSEC keys"). */
export function buildDnssec(name: string): ReppRequest {
  return { command: 'domain:dnssec', method: 'GET', path: `${base(name)}/dnssec`, changesState: false };
}

/** `data.dns_keys[]` (flags, protocol, alg as numbers or decimal text, public_key) -> KeyData[]; UPSTREAM_UNAVAILABLE when the list or a field is missing. */
export function parseDnssec(data: unknown): KeyData[] {
  return arr(obj(data, 'data').dns_keys, 'data.dns_keys').map((k, i) => parseKey(k, `data.dns_keys[${i}]`));
}

/** Adds (POST) or removes (DELETE) DNSKEYs; a key to remove is named by all four fields. */
export function buildChangeDnssec(name: string, op: 'add' | 'remove', keys: KeyData[]): ReppRequest {
  return { command: `domain:dnssec:${op}`, method: op === 'add' ? 'POST' : 'DELETE', path: `${base(name)}/dnssec`, body: { dns_keys: keys.map(keyBody) }, changesState: true };
}

/** Sets (PUT) or clears (DELETE) clientHold, the one status a registrar sets in REPP. */
export function buildHold(name: string, on: boolean): ReppRequest {
  return { command: on ? 'domain:hold:set' : 'domain:hold:clear', method: on ? 'PUT' : 'DELETE', path: `${base(name)}/statuses/clientHold`, changesState: true };
}

/** The answer to setting clientHold names the domain and status; clearing it answers `{}`. */
export function parseHold(data: unknown): { name: string | null; status: string | null } {
  const o = obj(data, 'data');
  return { name: typeof o.domain === 'string' ? o.domain : null, status: typeof o.status === 'string' ? o.status : null };
}
