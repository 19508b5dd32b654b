/**
 * Reconciliation of domain commands whose answer was lost: read the domain (EPP domain:info)
 * and decide whether the command took effect.
 */
import type { Domain, DomainUpdateInput, DsData, KeyData } from '../../core/model/index.js';
import { DomainIndex } from '../../domains/domain-index.js';
import type { SecretDigests } from '../secrets.js';
import { addPeriod, asDate, utcDate } from '../../core/time.js';
import { allIn, noneIn, readDomain } from './read.js';
import { applied, atOrAfter, notApplied, reconciledTransaction, unknown, type ReconcileFn } from './types.js';

/** createDomain: the domain exists, is ours, and was created by this request (not before it, not under another key). */
export const createDomain: ReconcileFn = async (input) => {
  const name: string = input.args.name;
  const d = await readDomain(input, name);
  if (!d) return notApplied('domain:info: no such domain');
  if (d.sponsor !== input.upstreamId) return notApplied(`domain:info: sponsored by ${d.sponsor}`);
  if (!atOrAfter(d.createdAt, input.since)) return notApplied('domain:info: created before this request');
  if (await input.appliedByAnotherRequest(name)) return notApplied('command log: created by another request');
  await new DomainIndex(input.prisma).add(input.registrarId, name, input.port!.name);
  const how = `domain:info shows ${name} created by us at ${asDate(d.createdAt)?.toISOString()}`;
  return applied({ ...(await reconciledTransaction(input, 1000, how)), name }, how);
};

/**
 * renewDomain: the renewal always names the current expiry (curExpDate), so expiry = cur + period
 * means applied and expiry = cur means not applied; anything else cannot be decided.
 */
export const renewDomain: ReconcileFn = async (input) => {
  const { name, period } = input.args as { name: string; period: { value: number; unit: 'y' | 'm' } };
  const cur = asDate((input.args.currentExpiry ?? input.noted.currentExpiry) as string | null | undefined);
  if (!cur) return notApplied('the renew command was never sent (no current expiry was noted)');
  const d = await readDomain(input, name);
  if (!d) return unknown('domain:info: the domain no longer exists');
  const expiry = asDate(d.expiresAt);
  const renewed = input.port?.renewedExpiry?.(cur, period) ?? addPeriod(cur, period); // the registry's calendar (REPP: Tallinn)
  // The registry's calendar day, as the renewal named it (REPP: Europe/Tallinn; elsewhere the UTC date).
  const day = (t: Date) => input.port?.expiryDay?.(t) ?? utcDate(t);
  const sameDay = (a: Date, b: Date) => day(a) === day(b);
  if (expiry && sameDay(expiry, renewed)) {
    const how = `domain:info shows expiry ${expiry.toISOString()} = ${day(cur)} + ${period.value}${period.unit}`;
    return applied({ ...(await reconciledTransaction(input, 1000, how)), name, expiresAt: expiry.toISOString() }, how);
  }
  if (expiry && sameDay(expiry, cur)) return notApplied(`domain:info shows the expiry unchanged (${day(cur)})`);
  return unknown(`domain:info shows expiry ${expiry ? expiry.toISOString() : 'none'}, neither ${day(cur)} nor ${day(renewed)} (${day(cur)} + ${period.value}${period.unit})`);
};

const dsKey = (d: DsData) => `${d.keyTag}/${d.algorithm}/${d.digestType}/${d.digest.toUpperCase()}`;
const keyKey = (k: KeyData) => `${k.flags}/${k.protocol}/${k.algorithm}/${k.publicKey.replace(/\s+/g, '')}`;

/** Which parts of an update's desired end state do not hold on `d` (empty: all of them hold). */
export function domainUpdateMismatches(u: DomainUpdateInput, d: Domain, secrets: Pick<SecretDigests, 'matches'>): string[] {
  const out: string[] = [];
  if (!allIn(u.add.statuses, d.statuses)) out.push('added statuses');
  if (!noneIn(u.remove.statuses, d.statuses)) out.push('removed statuses');
  const contacts = d.contacts.map((c) => `${c.role}:${c.id}`);
  if (!allIn(u.add.contacts.map((c) => `${c.role}:${c.id}`), contacts)) out.push('added contacts');
  if (!noneIn(u.remove.contacts.map((c) => `${c.role}:${c.id}`), contacts)) out.push('removed contacts');
  const ns = d.nameservers.map((n) => n.name);
  if (!allIn(u.add.nameservers.map((n) => n.name), ns)) out.push('added name servers');
  if (!noneIn(u.remove.nameservers.map((n) => n.name), ns)) out.push('removed name servers');
  // registrant "" asked for none: the same comparison, against a domain without one.
  if (u.registrant != null && u.registrant.toLowerCase() !== (d.registrant ?? '').toLowerCase()) out.push('registrant');
  if (u.authInfo && !secrets.matches(u.authInfo, d.authInfo)) out.push('auth info');
  if (u.dnssec) {
    const ds = d.dnssec.dsData.map(dsKey);
    const keys = d.dnssec.keyData.map(keyKey);
    if (!allIn(u.dnssec.addDsData.map(dsKey), ds) || !allIn(u.dnssec.addKeyData.map(keyKey), keys)) out.push('added DNSSEC data');
    if (u.dnssec.removeAll) {
      if (ds.length > u.dnssec.addDsData.length || keys.length > u.dnssec.addKeyData.length) out.push('removed DNSSEC data');
    } else if (!noneIn(u.dnssec.removeDsData.map(dsKey), ds) || !noneIn(u.dnssec.removeKeyData.map(keyKey), keys)) {
      out.push('removed DNSSEC data');
    }
  }
  return out;
}

/** updateDomain: applied when the desired end state already holds. */
export const updateDomain: ReconcileFn = async (input) => {
  const u = input.args as DomainUpdateInput;
  const d = await readDomain(input, u.name);
  if (!d) return notApplied('domain:info: no such domain');
  const missing = domainUpdateMismatches(u, d, input.secrets);
  if (missing.length > 0) return notApplied(`domain:info: not yet as requested (${missing.join(', ')})`);
  const how = 'domain:info shows the requested changes in place';
  return applied({ ...(await reconciledTransaction(input, 1000, how)), name: u.name }, how);
};

/** deleteDomain: gone (deleted at once) or pending delete (redemption period) means applied. */
export const deleteDomain: ReconcileFn = async (input) => {
  const name: string = input.args.name;
  const d = await readDomain(input, name);
  if (!d) {
    await new DomainIndex(input.prisma).remove(input.registrarId, name);
    const how = 'domain:info: the domain no longer exists';
    return applied({ ...(await reconciledTransaction(input, 1000, how)), name, pending: false }, how);
  }
  if (d.statuses.includes('pendingDelete')) {
    const how = 'domain:info shows pendingDelete';
    return applied({ ...(await reconciledTransaction(input, 1001, how)), name, pending: true }, how);
  }
  return notApplied('domain:info: the domain is not being deleted');
};

/** restoreDomain: no longer pending delete, and changed since the request, means applied. */
export const restoreDomain: ReconcileFn = async (input) => {
  const name: string = input.args.name;
  const d = await readDomain(input, name);
  if (!d) return notApplied('domain:info: no such domain');
  if (d.statuses.includes('pendingDelete') || d.rgpStatuses.includes('redemptionPeriod')) return notApplied('domain:info: still pending delete');
  if (!atOrAfter(d.updatedAt, input.since)) return notApplied('domain:info: not changed since the request');
  const how = 'domain:info shows the domain restored';
  return applied({ ...(await reconciledTransaction(input, 1000, how)), name }, how);
};
