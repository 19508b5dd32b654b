/**
 * Checks shared by the domain requests: contact and name-server handles that must exist first
 * (document, "Differences to existing email-gateway"), periods in MONTHS per TLD, prices.
 */
import type { DomainRec } from '../records.js';
import { BadValue, MissingObjects, NoFunds, PolicyRefusal } from '../refusal.js';
import { fqdn, type Ctx } from './common.js';

/** The contact role variables of the domain requests (DMAPI "domain-register"). */
export const CONTACT_ROLES = ['owner-c', 'admin-c', 'tech-c', 'billing-c'] as const;
/** Price of one month of registration, renewal or transfer, in cents (EUR 12.00 a year). */
export const MONTH_CENTS = 100;
/** Price of domain-redeem, in cents (EUR 50.00). */
export const REDEEM_CENTS = 5000;
/** Longest period and farthest expiry ahead, in months (10 years). */
export const MAX_MONTHS = 120;

/** "ns-list": colon-separated name servers, 1 to 13, each once. */
export function nsList(c: Ctx): string[] | undefined {
  const raw = c.p.get('ns-list');
  if (raw === undefined) return undefined;
  const list = raw.split(':').filter(Boolean).map((n) => fqdn('ns-list', n));
  if (list.length < 1 || list.length > 13) throw new PolicyRefusal('ns-list', '1 to 13 name servers');
  if (new Set(list).size !== list.length) throw new BadValue('ns-list', raw, 'a name server is listed twice');
  return list;
}

/** Every contact handle and name server the request names that the reseller has not registered. */
export function missingObjects(c: Ctx, contacts: Record<string, string | undefined>, ns: readonly string[] = []): string[] {
  const missing: string[] = [];
  for (const [role, h] of Object.entries(contacts)) {
    if (h === undefined) continue;
    const x = c.store.contacts.get(h);
    if (!x || x.reseller !== c.reseller.uid) missing.push(`${role} contact ${h}`);
  }
  for (const n of ns) {
    const x = c.store.hosts.get(n);
    if (!x || x.reseller !== c.reseller.uid) missing.push(`name server ${n}`);
  }
  return missing;
}

/** Refuses (2303, one Error line each) when a handle or name server is not registered. */
export function requireObjects(c: Ctx, contacts: Record<string, string | undefined>, ns: readonly string[] = []): void {
  const missing = missingObjects(c, contacts, ns);
  if (missing.length > 0) throw new MissingObjects(missing);
}

/** The contact handles of the request, upper-cased; `required` ones must be present. */
export function contactParams(c: Ctx, required: readonly string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const r of CONTACT_ROLES) out[r] = (required.includes(r) ? c.p.req(r) : c.p.get(r))?.toUpperCase();
  return out;
}

/** "period" in months: 1..120 on a TLD with monthly periods, whole years (12, 24, ...) elsewhere. */
export function months(c: Ctx, tld: string, value: string): number {
  if (!/^\d{1,4}$/.test(value)) throw new BadValue('period', value, 'not a number of months');
  const m = Number(value);
  if (m < 1 || m > MAX_MONTHS) throw new PolicyRefusal('period', `1 to ${MAX_MONTHS} months`);
  if (!c.store.cfg.monthlyTlds.includes(tld) && m % 12 !== 0) throw new PolicyRefusal('period', `.${tld} registers whole years only (12, 24, ... months)`);
  return m;
}

/** Refuses at once (2104) when the balance cannot pay `cents`; charges nothing. */
export function affordable(c: Ctx, cents: number): void {
  if (c.reseller.balanceCents < cents) throw new NoFunds(cents);
}

/** Debits `cents` from the reseller's balance; 2104 (NoFunds) when it cannot pay, nothing charged. */
export function charge(c: Ctx, cents: number): void {
  if (c.reseller.balanceCents < cents) throw new NoFunds(cents);
  c.reseller.balanceCents -= cents;
}

/** Applies the contact handles given (undefined ones stay). */
export function setContacts(d: DomainRec, contacts: Record<string, string | undefined>): void {
  d.owner = contacts['owner-c'] ?? d.owner;
  d.admin = contacts['admin-c'] ?? d.admin;
  d.tech = contacts['tech-c'] ?? d.tech;
  d.billing = contacts['billing-c'] ?? d.billing;
}
