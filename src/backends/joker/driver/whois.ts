/**
 * query-whois answers ("key: value", document "query-whois") as the gateway's model. Joker's
 * domain flags map onto EPP statuses: "lock" is clientTransferProhibited, "redemption" is
 * pendingDelete with RGP redemptionPeriod; requests still being processed add the EPP pending
 * status of their kind (pendingCreate, pendingRenew, pendingTransfer, pendingUpdate, pendingDelete).
 */
import type * as M from '../../../core/model/index.js';
import { withPostalType } from '../../../core/model/index.js';
import { parseUpstreamDate } from '../../../core/time.js';
import { keyValues, type DmapiReply } from '../reply.js';

/**
 * `d` cut to the whole second it falls in (UTC). Joker's dates have no finer part: query-whois
 * writes "YYYYMMDDHHMMSS", query-domain-list a day.
 */
export function wholeSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/**
 * A Joker date, "YYYYMMDDHHMMSS" (UTC, as query-whois writes it) or ISO 8601 (a result's
 * Expiration-Date header, which the DMAPI document does not describe), as a Date of whole seconds:
 * an ISO value with a fraction is cut to its second, so it is the instant query-whois (and so the
 * `domain` query) shows for the same expiry. null for none; UpstreamDateError for a non-date.
 */
export function stampDate(v: string | undefined): Date | null {
  if (!v) return null;
  const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/.exec(v);
  const d = parseUpstreamDate(m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : v);
  return d && wholeSeconds(d);
}

/** EPP pending statuses for the kinds of request still being processed. */
export const PENDING_STATUS: Record<string, string> = {
  'domain-register': 'pendingCreate',
  'domain-renew': 'pendingRenew',
  'domain-transfer-in-reseller': 'pendingTransfer',
  'domain-modify': 'pendingUpdate',
  'domain-lock': 'pendingUpdate',
  'domain-unlock': 'pendingUpdate',
  'domain-delete': 'pendingDelete',
  'domain-redeem': 'pendingRestore',
};

/**
 * A query-whois domain reply ("key: value" lines) -> Domain: lock -> clientTransferProhibited, redemption -> pendingDelete + RGP redemptionPeriod, `pending` request types -> PENDING_STATUS
 * ("ok" when none), DS records from domain.ds ("tag:alg:digest-type:digest"), dates YYYYMMDDHHMMSS UTC (stampDate; UPSTREAM_FAILURE for a non-date).
 */
export function parseDomain(r: DmapiReply, pending: readonly string[]): M.Domain {
  const kv = keyValues(r);
  const one = (k: string) => kv.get(k)?.[0];
  const flags = (one('domain.status') ?? '').split(',').map((s) => s.trim().toLowerCase());
  const statuses = new Set<string>();
  const rgp: string[] = [];
  if (flags.includes('lock')) statuses.add('clientTransferProhibited');
  if (flags.includes('redemption')) {
    statuses.add('pendingDelete');
    rgp.push('redemptionPeriod');
  }
  // A queued redeem is RFC 3915's pendingRestore, an RGP status (as EPP registries show it), not a domain status.
  for (const t of pending) {
    const s = PENDING_STATUS[t];
    if (s === 'pendingRestore') {
      if (!rgp.includes(s)) rgp.push(s);
    } else if (s) statuses.add(s);
  }
  if (statuses.size === 0) statuses.add('ok');
  const contacts: M.DomainContact[] = [];
  for (const role of ['admin', 'tech', 'billing'] as const) {
    const id = one(`${role}-c`);
    if (id) contacts.push({ role, id });
  }
  const dsData = (kv.get('domain.ds') ?? []).flatMap((v) => {
    const m = /^(\d+):(\d+):(\d+):([0-9A-Fa-f]+)$/.exec(v);
    return m ? [{ keyTag: Number(m[1]), algorithm: Number(m[2]), digestType: Number(m[3]), digest: m[4].toUpperCase() }] : [];
  });
  return {
    name: one('domain.name') ?? '',
    statuses: [...statuses],
    rgpStatuses: rgp,
    registrant: one('owner-c') ?? null,
    contacts,
    nameservers: (kv.get('domain.nservers.nserver.handle') ?? []).map((name) => ({ name: name.toLowerCase(), ipv4: [], ipv6: [] })),
    subordinateHosts: [],
    dnssec: { dsData, keyData: [] },
    sponsor: one('domain.reseller') ?? '',
    createdAt: stampDate(one('domain.created.date')),
    updatedAt: stampDate(one('domain.modified.date')),
    expiresAt: stampDate(one('domain.expires')),
    authInfo: null,
  };
}

/** A domain only known by its pending register request (not in the registry yet). */
export function pendingDomain(name: string, uid: string): M.Domain {
  return { name, statuses: ['pendingCreate'], rgpStatuses: [], registrant: null, contacts: [], nameservers: [], subordinateHosts: [], dnssec: { dsData: [], keyData: [] }, sponsor: uid, authInfo: null };
}

/** A query-whois contact reply (contact.* keys) -> Contact: one postal info (address-1/2 as street; "int" when all ASCII, else "loc": postalTypeOf), sponsor = contact.reseller ('' when absent), statuses ["ok"]. */
export function parseContact(r: DmapiReply): M.Contact {
  const kv = keyValues(r);
  const one = (k: string) => kv.get(`contact.${k}`)?.[0] || null;
  const street = [one('address-1'), one('address-2')].filter((s): s is string => Boolean(s));
  return {
    id: one('handle') ?? '',
    statuses: ['ok'],
    postalInfo: [withPostalType({ name: one('name') ?? '', org: one('organization'), street, city: one('city') ?? '', sp: one('state'), pc: one('postal-code'), cc: one('country') ?? '' })],
    voice: one('phone'),
    fax: one('fax'),
    email: one('email') ?? '',
    sponsor: one('reseller') ?? '',
    createdAt: stampDate(one('created.date') ?? undefined),
    updatedAt: stampDate(one('modified.date') ?? undefined),
    authInfo: null,
  };
}

/** A query-whois host reply (host.fqdn, host.ipv4, host.ipv6; "-" is none) -> Host with sponsor = host.reseller and statuses ["ok"]. */
export function parseHost(r: DmapiReply): M.Host {
  const kv = keyValues(r);
  const one = (k: string) => kv.get(`host.${k}`)?.[0];
  const addr = (v: string | undefined) => (v && v !== '-' ? [v] : []);
  return {
    name: one('fqdn') ?? '',
    statuses: ['ok'],
    ipv4: addr(one('ipv4')),
    ipv6: addr(one('ipv6')),
    sponsor: one('reseller') ?? '',
    createdAt: stampDate(one('created.date')),
  };
}
