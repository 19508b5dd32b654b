/**
 * The domain requests (DMAPI document): domain-register, domain-renew (period or expyear),
 * domain-transfer-in-reseller, domain-delete, domain-redeem, domain-lock, domain-unlock,
 * domain-set-property, domain-transfer-get-auth-id. domain-modify is in domain-modify.ts.
 */
import { randomBytes } from 'node:crypto';
import { BadValue, Exists, MissingField, NotFound, NotRenewable, PolicyRefusal, StatusProhibits, WrongAuthId } from '../refusal.js';
import { addMonths, DAY_MS } from '../store.js';
import { fqdn, glob, ownDomain, servedDomain, type Ctx, type Handler, type JobSpec } from './common.js';
import { affordable, charge, contactParams, MAX_MONTHS, MONTH_CENTS, months, nsList, REDEEM_CENTS, requireObjects, setContacts } from './domain-rules.js';

const newAuthId = () => randomBytes(9).toString('base64url');

function job(type: string, object: string, apply: JobSpec['apply']): { job: JobSpec } {
  return { job: { type, object, kind: 'domain', apply } };
}

/**
 * domain-register: period in months (whole years outside monthlyTlds), status=production, all four contact handles and ns-list
 * registered first (2303), privacy off/basic/pro; 2302 taken, 2104 unaffordable; processed as a job answering Expiration-Date.
 */
export const domainRegister: Handler = (c) => {
  const name = servedDomain(c);
  const tld = c.store.tldOf(name)!;
  const period = months(c, tld, c.p.req('period'));
  if (c.p.req('status').toLowerCase() !== 'production') throw new PolicyRefusal('status', 'only "production" is accepted');
  const contacts = contactParams(c, ['owner-c', 'billing-c', 'admin-c', 'tech-c']);
  const ns = nsList(c);
  if (!ns) throw new MissingField('ns-list');
  const autorenew = c.p.get('autorenew') === '1';
  const privacy = c.p.get('privacy') ?? 'off';
  if (!['off', 'basic', 'pro'].includes(privacy)) throw new BadValue('privacy', privacy, 'basic or pro');
  const check = () => {
    if (c.store.domains.has(name)) throw new Exists('domain', name);
    requireObjects(c, contacts, ns);
  };
  check();
  affordable(c, period * MONTH_CENTS);
  return job('domain-register', name, (now) => {
    check();
    const cents = period * MONTH_CENTS;
    charge(c, cents);
    const d = { name, reseller: c.reseller.uid, owner: '', admin: '', tech: '', billing: '', ns, ds: [], lock: false, autorenew, privacy, created: now, modified: now, expires: addMonths(now, period), authId: newAuthId(), deletedAt: null, registrationCents: cents };
    setContacts(d, contacts);
    c.store.domains.set(name, d);
    return [['Expiration-Date', new Date(d.expires).toISOString()]];
  });
};

/** Renews by "period" (months) or to "expyear", never both; expyear is not applied again once reached. */
export const domainRenew: Handler = (c) => {
  const name = fqdn('domain', c.p.req('domain'));
  const d = ownDomain(c, name);
  const tld = c.store.tldOf(name)!;
  const p = c.p.get('period');
  const y = c.p.get('expyear');
  if ((p === undefined) === (y === undefined)) throw new PolicyRefusal('period/expyear', 'exactly one of "period" or "expyear" must be given');
  if (y !== undefined && !/^\d{4}$/.test(y)) throw new BadValue('expyear', y, 'not a year');
  const monthsFor = (expires: number): number => {
    if (p !== undefined) return months(c, tld, p);
    const have = new Date(expires).getUTCFullYear();
    if (have >= Number(y)) throw new NotRenewable(`expiration year ${have} is not before ${y}`);
    return (Number(y) - have) * 12;
  };
  const first = monthsFor(d.expires);
  if (addMonths(d.expires, first) > addMonths(c.now, MAX_MONTHS)) throw new PolicyRefusal('period', `expiry more than ${MAX_MONTHS / 12} years ahead`);
  affordable(c, first * MONTH_CENTS);
  return job('domain-renew', name, () => {
    const x = ownDomain(c, name);
    const m = monthsFor(x.expires);
    charge(c, m * MONTH_CENTS);
    x.expires = addMonths(x.expires, m);
    return [['Expiration-Date', new Date(x.expires).toISOString()]];
  });
};

/**
 * domain-transfer-in-reseller: another reseller's live domain (2303 otherwise, 2306 already yours), charged 12 months; at
 * processing 2202 wrong transfer-auth-id, 2304 locked; then moves it with a new Auth-ID and expiry + 12 months.
 */
export const domainTransferIn: Handler = (c) => {
  const name = servedDomain(c);
  const authId = c.p.req('transfer-auth-id');
  const contacts = contactParams(c, ['billing-c', 'admin-c', 'tech-c']);
  const ns = nsList(c);
  const d = c.store.domains.get(name);
  if (!d || d.deletedAt !== null) throw new NotFound('domain', name);
  if (d.reseller === c.reseller.uid) throw new PolicyRefusal('domain', 'already managed by this reseller');
  requireObjects(c, contacts, ns);
  affordable(c, 12 * MONTH_CENTS);
  const autorenew = c.p.get('autorenew') !== '0';
  return job('domain-transfer-in-reseller', name, (now) => {
    const x = c.store.domains.get(name);
    if (!x || x.deletedAt !== null) throw new NotFound('domain', name);
    if (x.authId !== authId) throw new WrongAuthId();
    if (x.lock) throw new StatusProhibits(`domain ${name} is locked against transfers`);
    requireObjects(c, contacts, ns);
    charge(c, 12 * MONTH_CENTS);
    // The new reseller paid a transfer, not the registration: a delete refunds it nothing.
    Object.assign(x, { reseller: c.reseller.uid, ns: ns ?? x.ns, autorenew, lock: false, authId: newAuthId(), modified: now, expires: addMonths(x.expires, 12), registrationCents: 0 });
    setContacts(x, contacts);
    return [['Expiration-Date', new Date(x.expires).toISOString()]];
  });
};

/**
 * Deletes into the redemption grace period; older than 3 days needs force=1. Within 3 days of
 * registration the registration fee is refunded, exactly what domain-register charged (in cents,
 * never more; renewals are not refundable, document "domain-renew"), and only once: a domain
 * redeemed and deleted again refunds nothing.
 */
export const domainDelete: Handler = (c) => {
  const name = fqdn('domain', c.p.req('domain'));
  const d = ownDomain(c, name);
  const force = /^(1|y|yes)$/i.test(c.p.get('force') ?? '');
  if (!force && c.now - d.created > 3 * DAY_MS) throw new PolicyRefusal('force', 'domain is older than 3 days: force=1 is required');
  if (d.lock) throw new StatusProhibits(`domain ${name} is locked`);
  return job('domain-delete', name, (now) => {
    const x = ownDomain(c, name);
    if (x.lock) throw new StatusProhibits(`domain ${name} is locked`);
    if (now - x.created <= 3 * DAY_MS) {
      c.reseller.balanceCents += x.registrationCents;
      x.registrationCents = 0;
    }
    x.deletedAt = now;
    x.modified = now;
    return [];
  });
};

/** domain-redeem: restores the caller's domain from its redemption period for REDEEM_CENTS (2303 when not deleted, 2104). */
export const domainRedeem: Handler = (c) => {
  const name = fqdn('domain', c.p.req('domain'));
  ownDomain(c, name, { deleted: true });
  affordable(c, REDEEM_CENTS);
  return job('domain-redeem', name, (now) => {
    const x = ownDomain(c, name, { deleted: true });
    charge(c, REDEEM_CENTS);
    x.deletedAt = null;
    x.modified = now;
    return [];
  });
};

function lockHandler(lock: boolean): Handler {
  return (c) => {
    const name = fqdn('domain', c.p.req('domain'));
    ownDomain(c, name);
    return job(lock ? 'domain-lock' : 'domain-unlock', name, (now) => {
      const x = ownDomain(c, name);
      x.lock = lock;
      x.modified = now;
      return [];
    });
  };
}
/** domain-lock: sets the caller's domain's transfer lock when processed (2303, 2201 otherwise). */
export const domainLock = lockHandler(true);
/** domain-unlock: clears the caller's domain's transfer lock when processed (2303, 2201 otherwise). */
export const domainUnlock = lockHandler(false);

/** Sets a property on the reseller's domains matching the name or pattern, at once. */
export const domainSetProperty: Handler = (c) => {
  const pattern = c.p.req('domain').toLowerCase();
  const pname = c.p.req('pname').toLowerCase();
  const value = c.p.get('pvalue') ?? '';
  const allowed: Record<string, string[]> = { autorenew: ['0', '1', ''], privacy: ['off', 'basic', 'pro', ''], 'whois-opt-out': ['0', '1', ''] };
  if (!allowed[pname]) throw new BadValue('pname', pname, 'unknown property');
  if (!allowed[pname].includes(value)) throw new BadValue('pvalue', value, `not a value of ${pname}`);
  const match = glob(pattern);
  const hits = [...c.store.domains.values()].filter((d) => d.reseller === c.reseller.uid && d.deletedAt === null && match(d.name));
  if (hits.length === 0) throw new NotFound('domain', pattern);
  for (const d of hits) {
    c.store.noteChanged('domain', d.name); // found by iterating: the state file's journal needs it named
    if (pname === 'autorenew') d.autorenew = value === '1';
    if (pname === 'privacy') d.privacy = value || 'off';
    d.modified = c.now;
  }
  return {};
};

/** A new transfer Auth-ID, given in the result (not real-time, document "domain-transfer-get-auth-id"). */
export const domainGetAuthId: Handler = (c) => {
  const name = fqdn('domain', c.p.req('domain'));
  ownDomain(c, name);
  return job('domain-transfer-get-auth-id', name, () => {
    const x = ownDomain(c, name);
    x.authId = newAuthId();
    return [['Auth-ID', x.authId]];
  });
};
