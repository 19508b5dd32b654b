/**
 * Domains: /repp/v1/domains (REPP document, "Domains"): list (limit/offset/details), info, create
 * (with nameservers_attributes and dnskeys_attributes), change registrant / transfer code, renew
 * (with the current expiry date), delete (with the `verified` flag and the Auth-Code header).
 *
 * REPP name servers are attributes of the domain (hostname with its own ipv4/ipv6 lists), DNSSEC is
 * DNSKEY data, statuses come as a map, and the sponsor is named, not given an id: the neutral
 * Domain's `sponsor` holds the registrar's name.
 */
import type { Domain, DomainContact, DomainCreateInput, DomainRenewInput, KeyData } from '../../../core/model/index.js';
import type { ReppRequest } from '../http.js';
import { arr, instant, num, obj, optDay, optInstant, optStr, registryDate, seg, statusMap, str, strings, type Json } from './read.js';

/** A REPP domain read back: the neutral Domain (sponsor = registrar name, DNSKEYs as keyData, authInfo = transfer_code when shown) plus REPP's extras. */
export interface ReppDomain {
  domain: Domain;
  registrarWebsite: string | null;
  /** Status notes from the registry's status map (null when it gave none). */
  statusNotes: Record<string, string | null>;
  /** When the domain leaves the zone, is deleted, is force-deleted (registry dates for the last two). */
  outzoneAt: Date | null;
  deleteDate: string | null;
  forceDeleteDate: string | null;
  dispute: boolean | null;
}

const ROLES: Record<string, DomainContact['role']> = { AdminDomainContact: 'admin', TechDomainContact: 'tech' };

/** DNSKEY fields; numbers may come as text. */
export function parseKey(k: unknown, path: string): KeyData {
  const o = obj(k, path);
  return { flags: num(o, 'flags', path), protocol: num(o, 'protocol', path), algorithm: num(o, 'alg', path), publicKey: str(o, 'public_key', path) };
}

/** One name server object (hostname, ipv4[], ipv6[]; absent lists = []) -> { name, ipv4, ipv6 }; UPSTREAM_UNAVAILABLE naming `path` when hostname is missing. */
export function parseNameserver(n: unknown, path: string) {
  const o = obj(n, path);
  return { name: str(o, 'hostname', path), ipv4: strings(o.ipv4, `${path}.ipv4`), ipv6: strings(o.ipv6, `${path}.ipv6`) };
}

/** The domain object of "Get a specific domain" and of the details=true list. */
export function parseDomain(data: unknown, path = 'data.domain'): ReppDomain {
  const o = obj(data, path);
  const { statuses, notes } = statusMap(o.statuses, `${path}.statuses`);
  const registrant = typeof o.registrant === 'string' ? o.registrant : o.registrant ? str(obj(o.registrant, `${path}.registrant`), 'code', `${path}.registrant`) : null;
  const registrar = o.registrar ? obj(o.registrar, `${path}.registrar`) : null;
  const contacts = arr(o.contacts ?? [], `${path}.contacts`).flatMap((c, i) => {
    const x: Json = obj(c, `${path}.contacts[${i}]`);
    const role = ROLES[str(x, 'type', `${path}.contacts[${i}]`)];
    return role ? [{ role, id: str(x, 'code', `${path}.contacts[${i}]`) }] : [];
  });
  return {
    domain: {
      name: str(o, 'name', path),
      roid: null,
      statuses,
      rgpStatuses: [],
      registrant,
      contacts,
      nameservers: arr(o.nameservers ?? [], `${path}.nameservers`).map((n, i) => parseNameserver(n, `${path}.nameservers[${i}]`)),
      subordinateHosts: [],
      dnssec: { dsData: [], keyData: arr(o.dnssec_keys ?? [], `${path}.dnssec_keys`).map((k, i) => parseKey(k, `${path}.dnssec_keys[${i}]`)) },
      sponsor: registrar ? str(registrar, 'name', `${path}.registrar`) : '',
      createdAt: optInstant(o, 'created_at', path),
      updatedAt: optInstant(o, 'updated_at', path),
      expiresAt: instant(o, 'expire_time', path),
      authInfo: optStr(o, 'transfer_code', path),
    },
    registrarWebsite: registrar ? optStr(registrar, 'website', `${path}.registrar`) : null,
    statusNotes: notes,
    outzoneAt: optInstant(o, 'outzone_at', path),
    deleteDate: optDay(o, 'delete_date', path),
    forceDeleteDate: optDay(o, 'force_delete_date', path),
    dispute: typeof o.dispute === 'boolean' ? o.dispute : null,
  };
}

/** GET /repp/v1/domains ("Get all existing domains") with limit, offset and details=true when asked. */
export function buildList(opts: { limit?: number; offset?: number; details?: boolean } = {}): ReppRequest {
  return { command: 'domain:list', method: 'GET', path: '/repp/v1/domains', query: { limit: opts.limit, offset: opts.offset, details: opts.details || undefined }, changesState: false };
}

/** Names (plain list) or whole domains (details=true), the document's `new_domain` list likewise, and the total. */
export function parseList(data: unknown): { names: string[]; domains: ReppDomain[]; newDomains: string[]; count: number } {
  const o = obj(data, 'data');
  const read = (key: string) => arr(o[key] ?? [], `data.${key}`).map((d, i) => (typeof d === 'string' ? d : parseDomain(d, `data.${key}[${i}]`)));
  const all = read('domains');
  return {
    names: all.map((d) => (typeof d === 'string' ? d : d.domain.name)),
    domains: all.filter((d): d is ReppDomain => typeof d !== 'string'),
    newDomains: read('new_domain').map((d) => (typeof d === 'string' ? d : d.domain.name)),
    count: num(o, 'count', 'data'),
  };
}

/** GET /repp/v1/domains/:domain_name ("Get a specific domain"); a 404 answer is OBJECT_NOT_FOUND (errors.ts). */
export function buildInfo(name: string): ReppRequest {
  return { command: 'domain:info', method: 'GET', path: `/repp/v1/domains/${seg(name)}`, changesState: false };
}

/** `data.domain` of "Get a specific domain" -> ReppDomain (parseDomain; UPSTREAM_UNAVAILABLE when name or expire_time is missing or malformed). */
export function parseInfo(data: unknown): ReppDomain {
  return parseDomain(obj(data, 'data').domain);
}

/** DNSKEY data as the document sends it (fields as text). DS data REPP does not take. */
export function keyBody(k: KeyData) {
  return { flags: String(k.flags), protocol: String(k.protocol), alg: String(k.algorithm), public_key: k.publicKey };
}

/** A name server as the document's request bodies carry it: `{ hostname, ipv4: [...], ipv6: [...] }`. */
export function nameserverBody(n: { name: string; ipv4: string[]; ipv6: string[] }) {
  return { hostname: n.name, ipv4: [...n.ipv4], ipv6: [...n.ipv6] };
}

/**
 * POST /repp/v1/domains. `authInfo` becomes the desired transfer_code; DNSSEC key data goes as
 * dnskeys_attributes (DS records carrying key data give their key; DS-only data is refused above
 * this codec, by capability).
 */
export function buildCreate(input: DomainCreateInput, opts: { reservedPassword?: string } = {}): ReppRequest {
  const keys = [...(input.dnssec?.keyData ?? []), ...(input.dnssec?.dsData ?? []).flatMap((d) => (d.keyData ? [d.keyData] : []))];
  const role = (r: DomainContact['role']) => input.contacts.filter((c) => c.role === r).map((c) => c.id);
  return {
    command: 'domain:create',
    method: 'POST',
    path: '/repp/v1/domains',
    body: {
      domain: {
        name: input.name,
        registrant: input.registrant ?? undefined,
        period: input.period.value,
        period_unit: input.period.unit,
        admin_contacts: role('admin'),
        tech_contacts: role('tech'),
        nameservers_attributes: input.nameservers.map(nameserverBody),
        dnskeys_attributes: keys.map(keyBody),
        transfer_code: input.authInfo,
        ...(opts.reservedPassword ? { reserved_pw: opts.reservedPassword } : {}),
      },
    },
    secrets: [input.authInfo, opts.reservedPassword],
    changesState: true,
  };
}

/** `{ "domain": { "name": ... } }`, the answer of every domain change. */
export function parseName(data: unknown): { name: string } {
  return { name: str(obj(obj(data, 'data').domain, 'data.domain'), 'name', 'data.domain') };
}

/**
 * PUT /repp/v1/domains/:name ("Change domain registrant / Auth code"): the registrant, which the
 * document requires in every such request (a new one, `verified`: no confirmation asked of the
 * registrant; or the current one when only the transfer code changes), and the transfer code when given.
 */
export function buildUpdate(name: string, change: { registrant: { id: string; verified?: boolean }; transferCode?: string | null }): ReppRequest {
  const domain: Json = { registrant: { code: change.registrant.id, ...(change.registrant.verified ? { verified: true } : {}) } };
  if (change.transferCode) domain.transfer_code = change.transferCode;
  return { command: 'domain:update', method: 'PUT', path: `/repp/v1/domains/${seg(name)}`, body: { domain }, secrets: [change.transferCode], changesState: true };
}

/** POST /repp/v1/domains/:name/renew with the current expiry as the registry's date (Europe/Tallinn by default). */
export function buildRenew(input: DomainRenewInput, timeZone?: string): ReppRequest {
  return {
    command: 'domain:renew',
    method: 'POST',
    path: `/repp/v1/domains/${seg(input.name)}/renew`,
    body: { renews: { period: input.period.value, period_unit: input.period.unit, exp_date: registryDate(input.currentExpiry, timeZone) } },
    changesState: true,
  };
}

/** DELETE /repp/v1/domains/:name; `verified: false` asks the registrant to confirm; Auth-Code for a domain the caller does not sponsor. */
export function buildDelete(name: string, opts: { verified: boolean; authCode?: string | null }): ReppRequest {
  return {
    command: 'domain:delete',
    method: 'DELETE',
    path: `/repp/v1/domains/${seg(name)}`,
    headers: opts.authCode ? { 'Auth-Code': opts.authCode } : undefined,
    body: { domain: { delete: { verified: opts.verified } } },
    secrets: [opts.authCode],
    changesState: true,
  };
}
