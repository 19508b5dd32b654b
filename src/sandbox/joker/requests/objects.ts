/**
 * Contacts (contact-create, contact-modify, contact-delete) and name servers (ns-create,
 * ns-modify, ns-delete and their host-* aliases), as the DMAPI document describes them. Each is
 * accepted with a Proc-ID and applied when processed; what can be checked at once is refused at once.
 */
import { isIP } from 'node:net';
import { BadValue, Exists, InUse, MissingField, NotFound, NotYours, PolicyRefusal } from '../refusal.js';
import { fqdn, type Ctx, type Handler } from './common.js';

/** The contact fields the sandbox keeps (contact-create's "Contact fields"). */
const FIELDS = ['name', 'title', 'individual', 'organization', 'email', 'address-1', 'address-2', 'city', 'state', 'postal-code', 'country', 'phone', 'fax', 'lang'] as const;
const REQUIRED = ['email', 'address-1', 'city', 'postal-code', 'country', 'phone'] as const;

function checkField(k: string, v: string): string {
  if (k === 'country' && !/^[A-Za-z]{2}$/.test(v)) throw new BadValue(k, v, 'not an ISO country code (2 letters)');
  if (k === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v)) throw new BadValue(k, v, 'not an email address');
  if ((k === 'phone' || k === 'fax') && !/^\+\d{1,3}\.\d{4,14}$/.test(v)) throw new BadValue(k, v, 'not a phone number (+CC.NUMBER)');
  if (k === 'individual' && !/^(y|yes|n|no)$/i.test(v)) throw new BadValue(k, v, 'Y, Yes, N or No');
  if (v.length > 255) throw new BadValue(k, v, 'longer than 255 characters');
  return k === 'country' ? v.toUpperCase() : v;
}

/** The given contact fields, checked; "fname"+"lname" become "name" (document, version 1.1). */
function contactFields(c: Ctx): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of FIELDS) {
    const v = c.p.get(k);
    if (v !== undefined) out[k] = checkField(k, v);
  }
  if (!out.name && (c.p.get('fname') || c.p.get('lname'))) out.name = [c.p.get('fname'), c.p.get('lname')].filter(Boolean).join(' ');
  return out;
}

function ownContact(c: Ctx, handle: string) {
  const x = c.store.contacts.get(handle);
  if (!x) throw new NotFound('contact', handle);
  if (x.reseller !== c.reseller.uid) throw new NotYours('contact', handle);
  return x;
}

/**
 * contact-create: tld of this reseller (2306), name (or fname+lname), email, address-1, city, postal-code, country (2 letters),
 * phone (+CC.NUMBER) required (2003/2005); answers the new Handle at once and stores it when processed.
 */
export const contactCreate: Handler = (c) => {
  const tld = c.p.req('tld').toLowerCase();
  if (!c.store.cfg.tlds.includes(tld)) throw new PolicyRefusal('tld', `not a TLD of this reseller (${c.store.cfg.tlds.join(', ')})`);
  const fields = contactFields(c);
  if (!fields.name) throw new MissingField('name (or fname and lname)');
  for (const k of REQUIRED) if (!fields[k]) throw new MissingField(k);
  if (/^(n|no)$/i.test(fields.individual ?? '') && !fields.organization) throw new MissingField('organization (individual=N)');
  const handle = c.store.nextHandle();
  const uid = c.reseller.uid;
  return {
    headers: [['Handle', handle]],
    job: {
      type: 'contact-create',
      object: handle,
      kind: 'object',
      apply: (now) => {
        c.store.contacts.set(handle, { handle, reseller: uid, tld, fields, created: now, modified: now });
        return [['Handle', handle]];
      },
    },
  };
};

/** contact-modify: changes the given fields of the caller's contact (2003 none given, 2303/2201, 2005) when processed. */
export const contactModify: Handler = (c) => {
  const handle = c.p.req('handle').toUpperCase();
  ownContact(c, handle);
  const fields = contactFields(c);
  if (Object.keys(fields).length === 0) throw new MissingField('at least one contact field');
  return {
    job: {
      type: 'contact-modify',
      object: handle,
      kind: 'object',
      apply: (now) => {
        const x = ownContact({ ...c, now }, handle);
        Object.assign(x.fields, fields);
        x.modified = now;
        return [];
      },
    },
  };
};

/** contact-delete: removes the caller's contact when processed; 2305 while a domain uses it. */
export const contactDelete: Handler = (c) => {
  const handle = c.p.req('handle').toUpperCase();
  ownContact(c, handle);
  const check = () => {
    const users = c.store.usersOf('contact', handle);
    if (users.length > 0) throw new InUse('contact', handle, users);
  };
  check();
  return {
    job: {
      type: 'contact-delete',
      object: handle,
      kind: 'object',
      apply: () => {
        ownContact(c, handle);
        check();
        c.store.contacts.delete(handle);
        return [];
      },
    },
  };
};

const RESERVED_V4 = [/^0\./, /^10\./, /^127\./, /^169\.254\./, /^172\.(1[6-9]|2\d|3[01])\./, /^192\.168\./, /^(22[4-9]|2[3-5]\d)\./];

/** "ip"/"ipv6" as given: an address, "-" (empty, on modify) or absent. */
function address(c: Ctx, field: 'ip' | 'ipv6'): string | null | undefined {
  const v = c.p.get(field);
  if (v === undefined) return undefined;
  if (v === '-') return null;
  if (isIP(v) !== (field === 'ip' ? 4 : 6)) throw new BadValue(field, v, `not an IPv${field === 'ip' ? 4 : 6} address`);
  if (field === 'ip' && RESERVED_V4.some((r) => r.test(v))) throw new PolicyRefusal(field, "IPv4 address from IANA's reserved range");
  return field === 'ipv6' ? v.toLowerCase() : v;
}

/**
 * The domain under a TLD served here that `host` is a name in (its superordinate domain, RFC 5732
 * section 3.2.1: `example.joker.test` for `ns1.example.joker.test` and `ns1.a.example.joker.test`),
 * or undefined for a host outside every served TLD.
 */
function superordinate(c: Ctx, host: string): string | undefined {
  const labels = host.split('.');
  for (let i = 1; i < labels.length - 1; i++) {
    const d = labels.slice(i).join('.');
    if (c.store.tldOf(d)) return d;
  }
  return undefined;
}

function checkHostAddresses(c: Ctx, host: string, ip: string | null, ipv6: string | null): void {
  if (ipv6 && !ip) throw new PolicyRefusal('ip', 'IPv4 must be given with IPv6');
  if (superordinate(c, host) && !ip) throw new MissingField('ip (a name server under a domain registered here needs its address)');
}

/**
 * DMAPI's document is silent on a name server under a served TLD whose domain is not registered;
 * the registries behind Joker follow RFC 5732 section 3.2.1 (the superordinate domain "MUST be
 * known to the server", and sponsored by the client): 2303 when no such domain is registered,
 * 2201 when another reseller's.
 */
function checkSuperordinate(c: Ctx, host: string): void {
  const parent = superordinate(c, host);
  if (!parent) return;
  const d = c.store.domains.get(parent);
  if (!d) throw new NotFound('domain', parent);
  if (d.reseller !== c.reseller.uid) throw new NotYours('domain', parent);
}

function ownHost(c: Ctx, host: string) {
  const x = c.store.hosts.get(host);
  if (!x) throw new NotFound('name server', host);
  if (x.reseller !== c.reseller.uid) throw new NotYours('name server', host);
  return x;
}

/** ns-create (host-create): a name server; ip (IPv4, not IANA-reserved: 2306) is required with ipv6 and under a served zone (2003/2306); 2302 when it exists; under a served zone, its domain registered by the caller (2303, 2201: checkSuperordinate). */
export const nsCreate: Handler = (c) => {
  const host = fqdn('host', c.p.req('host'));
  const ip = address(c, 'ip') ?? null;
  const ipv6 = address(c, 'ipv6') ?? null;
  checkHostAddresses(c, host, ip, ipv6);
  if (c.store.hosts.has(host)) throw new Exists('name server', host);
  checkSuperordinate(c, host);
  const uid = c.reseller.uid;
  return {
    job: {
      type: 'ns-create',
      object: host,
      kind: 'object',
      apply: (now) => {
        if (c.store.hosts.has(host)) throw new Exists('name server', host);
        checkSuperordinate(c, host);
        c.store.hosts.set(host, { host, reseller: uid, ip, ipv6, created: now });
        return [];
      },
    },
  };
};

/** ns-modify (host-modify): changes ip/ipv6 ("-" clears one) of the caller's name server; 2003 neither given, 2306 none left. */
export const nsModify: Handler = (c) => {
  const host = fqdn('host', c.p.req('host'));
  const x = ownHost(c, host);
  const ip = address(c, 'ip');
  const ipv6 = address(c, 'ipv6');
  if (ip === undefined && ipv6 === undefined) throw new MissingField('ip or ipv6');
  const next = { ip: ip === undefined ? x.ip : ip, ipv6: ipv6 === undefined ? x.ipv6 : ipv6 };
  if (!next.ip && !next.ipv6) throw new PolicyRefusal('ip', 'at least one of the IP addresses must be set');
  checkHostAddresses(c, host, next.ip, next.ipv6);
  return {
    job: {
      type: 'ns-modify',
      object: host,
      kind: 'object',
      apply: () => {
        Object.assign(ownHost(c, host), next);
        return [];
      },
    },
  };
};

/** ns-delete (host-delete): removes the caller's name server when processed; 2305 while a domain uses it. */
export const nsDelete: Handler = (c) => {
  const host = fqdn('host', c.p.req('host'));
  ownHost(c, host);
  const check = () => {
    const users = c.store.usersOf('host', host);
    if (users.length > 0) throw new InUse('name server', host, users);
  };
  check();
  return {
    job: {
      type: 'ns-delete',
      object: host,
      kind: 'object',
      apply: () => {
        ownHost(c, host);
        check();
        c.store.hosts.delete(host);
        return [];
      },
    },
  };
};

