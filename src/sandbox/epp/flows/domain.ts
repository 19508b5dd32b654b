/** Domain check, info, create, renew and delete (RFC 5731), with Nomulus' checks and codes. */
import { finishDomainTransfer } from '../lifecycle.js';
import type { DomainContactRef, DomainRecord } from '../records.js';
import { EppError, ok, type EppResult } from '../result.js';
import { POLICY, addYears, roidSuffix } from '../store.js';
import { NS, child, children, isoDate, x, type XmlEl } from '../xml.js';
import {
  allowExtensions,
  authPw,
  checkNames,
  extension,
  notFound,
  periodYears,
  requireSponsor,
  requireText,
  statusProhibits,
  type Flow,
  type FlowContext,
} from './common.js';
import { checkDsLimit, readDsOrKey } from './dnssec.js';
import { domainInfData, domainInfoExtensions, isInAddGrace, type HostsRequest } from './domain-view.js';
import { validateDomainName } from './names.js';

const D = NS.domain;
const SECDNS_CREATE = `${NS.secDNS} create`;

/** The domain with this name, or EppError 2303 "Object does not exist" when there is none. */
export function getDomain(ctx: FlowContext, name: string): DomainRecord {
  const d = ctx.store.domains.get(name);
  if (!d) throw notFound('domain', name);
  return d;
}

/** Nameserver host objects named in a domain:ns element, resolved to host roids. */
export function readNameservers(ctx: FlowContext, nsEl: XmlEl | undefined): string[] {
  if (!nsEl) return [];
  if (children(nsEl, D, 'hostAttr').length > 0) throw new EppError(2102, 'Host attributes are not supported; use host objects.');
  return children(nsEl, D, 'hostObj').map((h) => {
    const host = ctx.store.hostByName(h.text);
    if (!host) throw new EppError(2303, `Resource linked to this domain does not exist: host ${h.text}.`);
    return host.roid;
  });
}

/** registrant and contact elements (contacts profile); Nomulus prohibits both (2306). */
export function readContacts(ctx: FlowContext, el: XmlEl | undefined): { registrant?: string; contacts: DomainContactRef[] } {
  const registrant = child(el, D, 'registrant')?.text;
  const contactEls = children(el, D, 'contact');
  if (ctx.profile === 'nomulus') {
    if (registrant !== undefined) throw new EppError(2306, 'Having a registrant is prohibited by registry policy');
    if (contactEls.length > 0) throw new EppError(2306, 'Having contacts is prohibited by registry policy');
    return { contacts: [] };
  }
  const contacts = contactEls.map((c) => {
    const type = c.attrs.type;
    if (type !== 'admin' && type !== 'tech' && type !== 'billing') throw new EppError(2306, 'Missing type attribute for contact.');
    return { type, id: c.text } as DomainContactRef;
  });
  for (const id of [registrant, ...contacts.map((c) => c.id)]) {
    if (id !== undefined && id !== '' && !ctx.store.contacts.has(id)) {
      throw new EppError(2303, `Resource linked to this domain does not exist: contact ${id}.`);
    }
  }
  return { registrant, contacts };
}

/** contacts profile: 2306 for two contacts of one role, 2003 without registrant, admin or tech contact; nothing to check for nomulus. */
export function checkContactRoles(ctx: FlowContext, registrant: string | undefined, contacts: DomainContactRef[]): void {
  if (ctx.profile !== 'contacts') return;
  const roles = contacts.map((c) => c.type);
  if (new Set(roles).size !== roles.length) throw new EppError(2306, 'More than one contact for a given role is not allowed.');
  if (!registrant) throw new EppError(2003, 'Registrant is required.');
  if (!roles.includes('admin')) throw new EppError(2003, 'Admin contact is required.');
  if (!roles.includes('tech')) throw new EppError(2003, 'Technical contact is required.');
}

/** Throws 2306 when a domain would have more than POLICY.maxNameservers (13) nameservers. */
export function checkNameserverCount(n: number): void {
  if (n > POLICY.maxNameservers) throw new EppError(2306, 'Too many nameservers set on this domain.');
}

const check: Flow = (ctx, cmd) => {
  allowExtensions(cmd, []);
  const names = checkNames(cmd.el, D, 'name');
  for (const n of names) validateDomainName(ctx.store, n);
  const cds = names.map((n) => {
    const taken = ctx.store.domains.has(n);
    return x('domain:cd', null, x('domain:name', { avail: taken ? '0' : '1' }, n), taken && x('domain:reason', null, 'In use'));
  });
  return ok([x('domain:chkData', { 'xmlns:domain': D }, cds)]);
};

const info: Flow = (ctx, cmd) => {
  allowExtensions(cmd, []);
  const nameEl = child(cmd.el, D, 'name');
  if (!nameEl || nameEl.text === '') throw new EppError(2003, 'Required element name is missing');
  const hosts = (nameEl.attrs.hosts ?? 'all') as HostsRequest;
  if (!['all', 'del', 'sub', 'none'].includes(hosts)) throw new EppError(2005, 'Invalid hosts attribute.');
  const d = getDomain(ctx, nameEl.text);
  const auth = authPw(cmd.el, D);
  if (auth.present && !domainAuthMatches(ctx, d, auth.pw, auth.roid)) {
    throw new EppError(2202, 'Authorization information for accessing resource is invalid.');
  }
  const full = d.sponsor === ctx.clientId || auth.present;
  return ok([domainInfData(ctx.store, d, full, hosts)], full ? domainInfoExtensions(d, ctx.now) : []);
};

/** A domain's authInfo, or (with a roid) the authInfo of its registrant or one of its contacts. */
export function domainAuthMatches(ctx: FlowContext, d: DomainRecord, pw: string | undefined, roid: string | undefined): boolean {
  if (roid === undefined) return pw === d.authInfo;
  const ids = [d.registrant, ...d.contacts.map((c) => c.id)];
  return ids.some((id) => {
    const c = id ? ctx.store.contacts.get(id) : undefined;
    return c !== undefined && c.roid === roid && c.authInfo === pw;
  });
}

const create: Flow = (ctx, cmd) => {
  allowExtensions(cmd, [SECDNS_CREATE]);
  const name = requireText(cmd.el, D, 'name');
  const tld = validateDomainName(ctx.store, name);
  if (ctx.store.domains.has(name)) throw new EppError(2302, 'Resource with this id already exists.');
  const years = periodYears(cmd.el, D);
  if (years > POLICY.maxRegistrationYears) throw new EppError(2004, 'New registration period exceeds maximum number of years.');
  const { registrant, contacts } = readContacts(ctx, cmd.el);
  checkContactRoles(ctx, registrant, contacts);
  const nameservers = readNameservers(ctx, child(cmd.el, D, 'ns'));
  checkNameserverCount(nameservers.length);
  const auth = authPw(cmd.el, D);
  if (!auth.present || !auth.pw) throw new EppError(2003, 'Required element authInfo is missing');
  const sec = extension(cmd, NS.secDNS, 'create');
  const dns = sec ? readDsOrKey(ctx, sec, 'create') : { dsData: [], keyData: [] };
  checkDsLimit(dns);
  const d: DomainRecord = {
    name,
    tld,
    roid: ctx.store.nextRoid(roidSuffix(tld)),
    sponsor: ctx.clientId,
    crID: ctx.clientId,
    crDate: ctx.now,
    exDate: addYears(ctx.now, years),
    statuses: new Set(),
    registrant,
    contacts,
    nameservers: [...new Set(nameservers)],
    authInfo: auth.pw,
    dsData: dns.dsData,
    keyData: dns.keyData,
    maxSigLife: 'maxSigLife' in dns ? dns.maxSigLife : undefined,
    grace: [{ kind: 'addPeriod', end: new Date(ctx.now.getTime() + POLICY.addGraceMs) }],
  };
  ctx.store.domains.set(name, d);
  return ok([
    x('domain:creData', { 'xmlns:domain': D }, x('domain:name', null, name), x('domain:crDate', null, isoDate(d.crDate)), x('domain:exDate', null, isoDate(d.exDate))),
  ]);
};

const renew: Flow = (ctx, cmd) => {
  allowExtensions(cmd, []);
  const name = requireText(cmd.el, D, 'name');
  const cur = requireText(cmd.el, D, 'curExpDate');
  const d = getDomain(ctx, name);
  requireSponsor(ctx, d.sponsor);
  // Nomulus' DomainRenewFlow also refuses a renewal during a pending transfer (RENEW_DISALLOWED_STATUSES).
  const pending = [...(d.deletion ? ['pendingDelete'] : []), ...(d.transfer?.status === 'pending' ? ['pendingTransfer'] : [])];
  statusProhibits([...d.statuses, ...pending], ['clientRenewProhibited', 'serverRenewProhibited', 'pendingDelete', 'pendingTransfer']);
  if (!/^\d{4}-\d{2}-\d{2}/.test(cur)) throw new EppError(2005, 'Invalid curExpDate.');
  if (cur.slice(0, 10) !== isoDate(d.exDate).slice(0, 10)) throw new EppError(2004, 'The current expiration date is incorrect.');
  const years = periodYears(cmd.el, D);
  const newExp = addYears(d.exDate, years);
  if (newExp.getTime() > addYears(ctx.now, POLICY.maxRegistrationYears).getTime()) {
    throw new EppError(2004, 'New registration period exceeds maximum number of years.');
  }
  d.exDate = newExp;
  d.grace.push({ kind: 'renewPeriod', end: new Date(ctx.now.getTime() + POLICY.renewGraceMs) });
  return ok([x('domain:renData', { 'xmlns:domain': D }, x('domain:name', null, d.name), x('domain:exDate', null, isoDate(d.exDate)))]);
};

const del: Flow = (ctx, cmd) => {
  allowExtensions(cmd, []);
  const d = getDomain(ctx, requireText(cmd.el, D, 'name'));
  requireSponsor(ctx, d.sponsor);
  statusProhibits([...d.statuses, ...(d.deletion ? ['pendingDelete'] : [])], ['clientDeleteProhibited', 'serverDeleteProhibited', 'pendingDelete']);
  if (ctx.store.subordinateHosts(d).length > 0) throw new EppError(2305, 'Domain to be deleted has subordinate hosts.');
  if (d.transfer?.status === 'pending') finishDomainTransfer(ctx.store, d, 'serverCancelled', ctx.now);
  if (isInAddGrace(d, ctx.now)) {
    ctx.store.domains.delete(d.name);
    return ok();
  }
  const redemptionEnd = new Date(ctx.now.getTime() + POLICY.redemptionMs);
  d.deletion = { redemptionEnd, purgeAt: new Date(redemptionEnd.getTime() + POLICY.pendingDeleteMs), trid: { ...ctx.trid } };
  d.grace = [];
  d.upID = ctx.clientId;
  d.upDate = ctx.now;
  return { code: 1001 };
};

/**
 * Domain check, info, create, renew, delete (RFC 5731 sections 3.1.1, 3.1.2, 3.2.1, 3.2.3, 3.2.2), with
 * Nomulus' checks and codes (2302 exists, 2303 unknown, 2201 not sponsor, 2304 status, 2004 period/curExpDate).
 * Delete in add grace purges at once (1000); otherwise 1001 and 30 days' redemption, then 5 days' pending delete.
 */
export const domainFlows = { check, info, create, renew, delete: del } as const;
