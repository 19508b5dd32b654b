/** Domains: list, info and create (REPP document, "Domains"). */
import { DomainExists, LinkedObjectNotFound, ParameterRange, ReservedName } from '../errors.js';
import { priceCents } from '../lifecycle.js';
import { REPP_RESERVED_NAMES } from '../seed.js';
import { expiryAfter, newTransferCode } from '../store.js';
import {
  array,
  dnskey,
  domainName,
  elements,
  flag,
  integer,
  nameservers,
  object,
  optString,
  page,
  periodMonths,
  string,
  strings,
} from '../validate.js';
import { domainView } from '../views.js';
import { findDomain, type Ctx, type Route } from './common.js';

/** Name servers per domain: none (the domain is then inactive), or 2 to 11. */
export const NAMESERVER_COUNT = { min: 2, max: 11 } as const;

/** Throws 2004 for a nameserver count other than 0 or 2-11 (NAMESERVER_COUNT), naming `path`. */
export function checkNameserverCount(count: number, path: string): void {
  if (count !== 0 && (count < NAMESERVER_COUNT.min || count > NAMESERVER_COUNT.max)) {
    throw new ParameterRange(path, `must hold ${NAMESERVER_COUNT.min} to ${NAMESERVER_COUNT.max} name servers (or none)`);
  }
}

/** Contact codes a domain may use: any existing contact. */
export function existingContacts(ctx: Ctx, codes: string[], what: string): string[] {
  for (const c of codes) if (!ctx.store.contacts.has(c)) throw new LinkedObjectNotFound(what, c);
  return [...new Set(codes)];
}

/**
 * GET /repp/v1/domains (limit/offset, details), GET /repp/v1/domains/:domain_name, POST /repp/v1/domains (REPP
 * document, "Domains"): create charges the period (2104 when short), 2302 registered, 2202 reserved, 2303 unknown contact.
 */
export const domainRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repp/v1/domains',
    key: 'domains:list',
    handle(ctx) {
      const mine = [...ctx.store.domains.values()].filter((d) => d.registrar === ctx.registrar.id).sort((a, b) => a.id - b.id);
      const { limit, offset } = page(ctx.query);
      const slice = mine.slice(offset, offset + limit);
      const details = flag(ctx.query, 'details');
      // `new_domain` is in both of the document's examples without a word on what it holds: kept, empty.
      return { data: { new_domain: [], domains: slice.map((d) => (details ? domainView(ctx.store, d, ctx.registrar.id) : d.name)), count: mine.length } };
    },
  },
  {
    method: 'GET',
    path: '/repp/v1/domains/:domain_name',
    key: 'domain:info',
    handle: (ctx) => ({ data: { domain: domainView(ctx.store, findDomain(ctx, ctx.params.domain_name, false), ctx.registrar.id) } }),
  },
  {
    method: 'POST',
    path: '/repp/v1/domains',
    key: 'domain:create',
    handle(ctx) {
      const d = object(ctx.body, 'domain');
      const name = domainName(ctx.store, string(d, 'name', 'domain[name]'), 'domain[name]');
      const months = periodMonths(integer(d, 'period', 'domain[period]'), string(d, 'period_unit', 'domain[period_unit]'), 'domain[period]', 'domain[period_unit]');
      const registrant = existingContacts(ctx, [string(d, 'registrant', 'domain[registrant]')], 'registrant')[0];
      const admin = existingContacts(ctx, strings(array(d, 'admin_contacts', 'domain[admin_contacts]', false), 'domain[admin_contacts]'), 'admin contact');
      const tech = existingContacts(ctx, strings(array(d, 'tech_contacts', 'domain[tech_contacts]', false), 'domain[tech_contacts]'), 'tech contact');
      const ns = nameservers(elements(array(d, 'nameservers_attributes', 'domain[nameservers_attributes]', false), 'domain[nameservers_attributes]'), 'domain[nameservers_attributes]', name);
      checkNameserverCount(ns.length, 'domain[nameservers_attributes]');
      const keys = elements(array(d, 'dnskeys_attributes', 'domain[dnskeys_attributes]', false), 'domain[dnskeys_attributes]').map((k, i) => dnskey(k, `domain[dnskeys_attributes][${i}]`));
      const transferCode = optString(d, 'transfer_code', 'domain[transfer_code]') ?? newTransferCode();
      if (ctx.store.domains.has(name)) throw new DomainExists();
      const reserved = REPP_RESERVED_NAMES.find((r) => r.name === name);
      if (reserved && optString(d, 'reserved_pw', 'domain[reserved_pw]') !== reserved.password) throw new ReservedName();
      ctx.store.charge(ctx.registrar.id, priceCents(months), `Create ${name}`, ctx.now);
      ctx.store.domains.set(name, {
        id: ctx.store.nextId('domain'),
        name,
        registrar: ctx.registrar.id,
        registrant,
        admin,
        tech,
        nameservers: ns.map((n) => ({ id: ctx.store.nextId('nameserver'), ...n })),
        dnskeys: keys.map((k) => ({ id: ctx.store.nextId('dnskey'), ...k })),
        statuses: new Set(),
        createdAt: ctx.now,
        updatedAt: ctx.now,
        expiresAt: expiryAfter(ctx.now, months),
        transferCode,
      });
      ctx.store.removed.delete(`domain:${name}`);
      return { data: { domain: { name } } };
    },
  },
];
