/**
 * The read-only requests (DMAPI document): query-domain-list, query-contact-list, query-ns-list,
 * query-whois (and the deprecated query-object), query-profile, domain-get-property.
 */
import type { DomainRec } from '../records.js';
import { BadValue, NotFound } from '../refusal.js';
import { day, stamp } from '../reply.js';
import { fqdn, glob, ownDomain, type Ctx, type Handler } from './common.js';


/**
 * Items `from` .. `to` (1-based, inclusive), as the list requests take them; without either, the
 * first `cap` (query-contact-list's "Unless explicitly requested ("from" and/or "to" parameters),
 * the number of entries returned is limited to 10000!"; the document caps no other list).
 */
function range<T>(c: Ctx, list: T[], cap = Infinity): T[] {
  const num = (n: string) => {
    const v = c.p.get(n);
    if (v !== undefined && !/^\d{1,9}$/.test(v)) throw new BadValue(n, v, 'not a number');
    return v === undefined ? undefined : Number(v);
  };
  const from = num('from') ?? 1;
  const to = num('to') ?? (num('from') !== undefined ? list.length : cap);
  return list.slice(Math.max(0, from - 1), to);
}

/** A domain's flags as query-domain-list's status column and query-whois's domain.status show them. */
export function flags(d: DomainRec): string {
  const f = [...(d.deletedAt !== null ? ['redemption'] : ['production']), ...(d.lock ? ['lock'] : []), ...(d.autorenew ? ['autorenew'] : [])];
  return f.join(',');
}

const byName = <T,>(a: [string, T], b: [string, T]) => (a[0] < b[0] ? -1 : 1);

/**
 * query-domain-list: the caller's registered domains matching `pattern`, "name YYYY-MM-DD" lines (+
 * status with showstatus=1), from/to range. A domain in its redemption period is still registered
 * (restorable with domain-redeem until it is purged) and is listed, its status "redemption" (flags).
 */
export const queryDomainList: Handler = (c) => {
  const match = glob(c.p.get('pattern'));
  const mine = [...c.store.domains.entries()].filter(([n, d]) => d.reseller === c.reseller.uid && match(n)).sort(byName);
  const status = c.p.get('showstatus') === '1';
  return {
    headers: [['Columns', status ? 'domain,expiration,status' : 'domain,expiration']],
    body: range(c, mine).map(([n, d]) => [n, day(d.expires), ...(status ? [flags(d)] : [])].join(' ')),
  };
};

/** query-contact-list: the caller's handles matching `pattern` (and tld), at most contactListCap (10000) unless from/to is given; extended-format=1 adds name and organization, TAB-separated. */
export const queryContactList: Handler = (c) => {
  const match = glob(c.p.get('pattern'));
  const tld = c.p.get('tld');
  const mine = [...c.store.contacts.entries()].filter(([h, x]) => x.reseller === c.reseller.uid && match(h) && (!tld || x.tld === tld.toLowerCase())).sort(byName);
  const cap = c.store.cfg.contactListCap;
  if (c.p.get('extended-format') !== '1') return { body: range(c, mine, cap).map(([h]) => h) };
  return {
    headers: [['Separator', 'TAB'], ['Columns', 'handle,name,organization']],
    body: range(c, mine, cap).map(([h, x]) => [h, x.fields.name ?? '', x.fields.organization ?? ''].join('\t')),
  };
};

/** query-ns-list (query-host-list): the caller's name servers matching `pattern`; full=1 adds IPv4 and IPv6 ("-" when none). */
export const queryNsList: Handler = (c) => {
  const match = glob(c.p.get('pattern'));
  const mine = [...c.store.hosts.entries()].filter(([h, x]) => x.reseller === c.reseller.uid && match(h)).sort(byName);
  const full = (c.p.get('full') ?? '0') !== '0';
  if (!full) return { body: mine.map(([h]) => h) };
  return { headers: [['Separator', 'TAB'], ['Columns', 'host,ipv4,ipv6']], body: mine.map(([h, x]) => [h, x.ip ?? '-', x.ipv6 ?? '-'].join('\t')) };
};

/** "key: value" information about one domain, contact or host registered here. */
export const queryWhois: Handler = (c) => {
  const given = ['domain', 'contact', 'host'].filter((k) => c.p.get(k) !== undefined);
  if (given.length !== 1) throw new BadValue('domain/contact/host', given.join(','), 'exactly one of domain, contact or host must be given');
  if (given[0] === 'domain') {
    const name = fqdn('domain', c.p.req('domain'));
    const d = c.store.domains.get(name);
    if (!d) throw new NotFound('domain', name);
    return {
      body: [
        `domain.name: ${d.name}`,
        `domain.status: ${flags(d)}`,
        `domain.reseller: ${d.reseller}`,
        `owner-c: ${d.owner}`,
        `admin-c: ${d.admin}`,
        `tech-c: ${d.tech}`,
        `billing-c: ${d.billing}`,
        ...d.ns.map((n) => `domain.nservers.nserver.handle: ${n}`),
        ...d.ds.map((x) => `domain.ds: ${x}`),
        `domain.privacy: ${d.privacy}`,
        `domain.created.date: ${stamp(d.created)}`,
        `domain.modified.date: ${stamp(d.modified)}`,
        `domain.expires: ${stamp(d.expires)}`,
        ...(d.deletedAt !== null ? [`domain.deleted.date: ${stamp(d.deletedAt)}`] : []),
      ],
    };
  }
  if (given[0] === 'contact') {
    const h = c.p.req('contact').toUpperCase();
    const x = c.store.contacts.get(h);
    if (!x) throw new NotFound('contact', h);
    return {
      body: [
        `contact.handle: ${x.handle}`,
        `contact.reseller: ${x.reseller}`,
        ...Object.entries(x.fields).map(([k, v]) => `contact.${k}: ${v}`),
        `contact.created.date: ${stamp(x.created)}`,
        `contact.modified.date: ${stamp(x.modified)}`,
      ],
    };
  }
  const host = fqdn('host', c.p.req('host'));
  const x = c.store.hosts.get(host);
  if (!x) throw new NotFound('host', host);
  return { body: [`host.fqdn: ${x.host}`, `host.reseller: ${x.reseller}`, `host.ipv4: ${x.ip ?? '-'}`, `host.ipv6: ${x.ipv6 ?? '-'}`, `host.created.date: ${stamp(x.created)}`] };
};

/** query-profile: customer-id (UID), username, balance (EUR, 2 decimals) and currency. */
export const queryProfile: Handler = (c) => ({
  body: [`customer-id: ${c.reseller.uid}`, `username: ${c.reseller.username}`, `balance: ${(c.reseller.balanceCents / 100).toFixed(2)}`, 'currency: EUR'],
});

/** domain-get-property: "pname: value" for autorenew, privacy or whois-opt-out of the caller's domain (2005 unknown pname). */
export const domainGetProperty: Handler = (c) => {
  const d = ownDomain(c, fqdn('domain', c.p.req('domain')));
  const p = c.p.req('pname').toLowerCase();
  const values: Record<string, string> = { autorenew: d.autorenew ? '1' : '0', privacy: d.privacy, 'whois-opt-out': '0' };
  if (!(p in values)) throw new BadValue('pname', p, 'unknown property');
  return { body: [`${p}: ${values[p]}`] };
};
