/** How a domain is shown: computed statuses, RGP statuses, and domain:infData. */
import type { DomainRecord } from '../records.js';
import type { Store } from '../store.js';
import { NS, isoDate, x, type XNode } from '../xml.js';
import { secDnsInfData } from './dnssec.js';

/** Stored statuses plus the computed ones; `ok` when there is nothing else (RFC 5731). */
export function domainStatuses(d: DomainRecord): string[] {
  const s = [...d.statuses];
  if (d.transfer?.status === 'pending') s.push('pendingTransfer');
  if (d.deletion) s.push('pendingDelete');
  if (d.nameservers.length === 0) s.push('inactive');
  return s.length > 0 ? s : ['ok'];
}

/** RFC 3915 statuses in effect at `now`. */
export function rgpStatuses(d: DomainRecord, now: Date): string[] {
  if (d.deletion) return [now.getTime() < d.deletion.redemptionEnd.getTime() ? 'redemptionPeriod' : 'pendingDelete'];
  return [...new Set(d.grace.filter((g) => g.end.getTime() > now.getTime()).map((g) => g.kind))];
}

/** Whether the domain is in its add grace period (RFC 3915 addPeriod, 5 days) at `now`: a delete then purges it at once. */
export function isInAddGrace(d: DomainRecord, now: Date): boolean {
  return d.grace.some((g) => g.kind === 'addPeriod' && g.end.getTime() > now.getTime());
}

/** The hosts attribute of domain:info (RFC 5731 section 3.1.2): which of delegated (ns) and subordinate hosts to show. */
export type HostsRequest = 'all' | 'del' | 'sub' | 'none';

/**
 * domain:infData. `full` is for the sponsor or a caller that gave the right authInfo; anyone else
 * gets name, roid and sponsor only (Nomulus' minimal result).
 */
export function domainInfData(store: Store, d: DomainRecord, full: boolean, hosts: HostsRequest): XNode {
  const p = 'domain:';
  if (!full) {
    return x(`${p}infData`, { 'xmlns:domain': NS.domain }, x(`${p}name`, null, d.name), x(`${p}roid`, null, d.roid), x(`${p}clID`, null, d.sponsor));
  }
  const ns = d.nameservers.map((roid) => [...store.hosts.values()].find((h) => h.roid === roid)?.name).filter((n): n is string => !!n);
  const subs = store.subordinateHosts(d).map((h) => h.name);
  const showNs = (hosts === 'all' || hosts === 'del') && ns.length > 0;
  const showSubs = hosts === 'all' || hosts === 'sub';
  return x(
    `${p}infData`,
    { 'xmlns:domain': NS.domain },
    x(`${p}name`, null, d.name),
    x(`${p}roid`, null, d.roid),
    domainStatuses(d).map((s) => x(`${p}status`, { s })),
    d.registrant !== undefined && x(`${p}registrant`, null, d.registrant),
    d.contacts.map((c) => x(`${p}contact`, { type: c.type }, c.id)),
    showNs && x(`${p}ns`, null, ns.map((n) => x(`${p}hostObj`, null, n))),
    showSubs && subs.map((h) => x(`${p}host`, null, h)),
    x(`${p}clID`, null, d.sponsor),
    x(`${p}crID`, null, d.crID),
    x(`${p}crDate`, null, isoDate(d.crDate)),
    d.upID !== undefined && x(`${p}upID`, null, d.upID),
    d.upDate !== undefined && x(`${p}upDate`, null, isoDate(d.upDate)),
    x(`${p}exDate`, null, isoDate(d.exDate)),
    d.trDate !== undefined && x(`${p}trDate`, null, isoDate(d.trDate)),
    x(`${p}authInfo`, null, x(`${p}pw`, null, d.authInfo)),
  );
}

/** Extensions for a full domain info: secDNS:infData and rgp:infData where they apply. */
export function domainInfoExtensions(d: DomainRecord, now: Date): XNode[] {
  const out: XNode[] = [];
  const sec = secDnsInfData(d);
  if (sec) out.push(sec);
  const rgp = rgpStatuses(d, now);
  if (rgp.length > 0) {
    out.push(x('rgp:infData', { 'xmlns:rgp': NS.rgp }, rgp.map((s) => x('rgp:rgpStatus', { s }))));
  }
  return out;
}
