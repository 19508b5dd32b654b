/** Domain update (RFC 5731), its secDNS-1.1 extension (RFC 5910) and RGP restore (RFC 3915). */
import type { DomainContactRef, DomainRecord, DsRecord, KeyRecord } from '../records.js';
import { EppError, ok } from '../result.js';
import { addYears } from '../store.js';
import { NS, child, children, type XmlEl } from '../xml.js';
import {
  allowExtensions,
  checkUpdateAllowed,
  extension,
  requireSponsor,
  requireText,
  statusChanges,
  type Flow,
  type FlowContext,
} from './common.js';
import { checkDsLimit, readDsOrKey, readMaxSigLife, sameDs, sameKey } from './dnssec.js';
import { checkContactRoles, checkNameserverCount, getDomain, readContacts, readNameservers } from './domain.js';

const D = NS.domain;
const S = NS.secDNS;

function sameContact(a: DomainContactRef, b: DomainContactRef): boolean {
  return a.type === b.type && a.id === b.id;
}

function hasChanges(add?: XmlEl, rem?: XmlEl, chg?: XmlEl): boolean {
  return [add, rem, chg].some((e) => e !== undefined && e.children.length > 0);
}

/**
 * domain:update (RFC 5731 section 3.2.5) with secDNS:update (RFC 5910 section 5.2.5), or an RGP restore
 * request (RFC 3915 section 4.2.5) when rgp:update is present. 2303 unknown domain/host/contact,
 * 2201 not the sponsor, 2304 status prohibits (pendingDelete too), 2004 unsettable status,
 * 2306 same value added and removed or a policy limit; restore: 2304 outside redemption, 2002 with other changes.
 */
export const update: Flow = (ctx, cmd) => {
  allowExtensions(cmd, [`${S} update`, `${NS.rgp} update`]);
  const d = getDomain(ctx, requireText(cmd.el, D, 'name'));
  requireSponsor(ctx, d.sponsor);
  const add = child(cmd.el, D, 'add');
  const rem = child(cmd.el, D, 'rem');
  const chg = child(cmd.el, D, 'chg');
  const rgp = extension(cmd, NS.rgp, 'update');
  if (rgp) return restore(ctx, d, rgp, hasChanges(add, rem, chg) || cmd.extensions.length > 1);

  const st = statusChanges('domain', children(add, D, 'status'), children(rem, D, 'status'));
  checkUpdateAllowed(d.statuses, st.rem, d.deletion !== undefined);

  const addNs = readNameservers(ctx, child(add, D, 'ns'));
  const remNs = readNameservers(ctx, child(rem, D, 'ns'));
  const addC = readContacts(ctx, add).contacts;
  const remC = readContacts(ctx, rem).contacts;
  if (addNs.some((n) => remNs.includes(n)) || addC.some((a) => remC.some((r) => sameContact(a, r)))) {
    throw new EppError(2306, 'Cannot add and remove the same value.');
  }
  let registrant = d.registrant;
  const regEl = child(chg, D, 'registrant');
  if (regEl) {
    if (ctx.profile === 'nomulus') {
      if (regEl.text !== '') throw new EppError(2306, 'Having a registrant is prohibited by registry policy');
    } else {
      registrant = readContacts(ctx, chg).registrant;
    }
  }
  let authInfo = d.authInfo;
  const authEl = child(chg, D, 'authInfo');
  if (authEl) {
    const pw = child(authEl, D, 'pw');
    if (!pw) throw new EppError(2102, 'Only password authInfo is supported.');
    authInfo = pw.text;
  }

  const nameservers = [...new Set([...d.nameservers.filter((n) => !remNs.includes(n)), ...addNs])];
  checkNameserverCount(nameservers.length);
  const contacts = [...d.contacts.filter((c) => !remC.some((r) => sameContact(c, r))), ...addC.filter((a) => !d.contacts.some((c) => sameContact(a, c)))];
  checkContactRoles(ctx, registrant, contacts);
  const dns = secDnsUpdate(ctx, d, extension(cmd, S, 'update'));

  for (const s of st.rem) d.statuses.delete(s);
  for (const s of st.add) d.statuses.add(s);
  d.nameservers = nameservers;
  d.contacts = contacts;
  d.registrant = registrant;
  d.authInfo = authInfo;
  if (dns) Object.assign(d, dns);
  d.upID = ctx.clientId;
  d.upDate = ctx.now;
  return ok();
};

/** Applies a secDNS:update to copies of the domain's DNSSEC data; returns them (undefined: none). */
function secDnsUpdate(
  ctx: FlowContext,
  d: DomainRecord,
  el: XmlEl | undefined,
): Pick<DomainRecord, 'dsData' | 'keyData' | 'maxSigLife'> | undefined {
  if (!el) return undefined;
  if (el.attrs.urgent === 'true' || el.attrs.urgent === '1') throw new EppError(2102, "The 'urgent' attribute is not supported.");
  const rem = child(el, S, 'rem');
  const add = child(el, S, 'add');
  const chg = child(el, S, 'chg');
  if (!rem && !add && !chg) throw new EppError(2003, "At least one of 'add' or 'rem' is required on a secDNS update.");
  let dsData: DsRecord[] = [...d.dsData];
  let keyData: KeyRecord[] = [...d.keyData];
  let maxSigLife = d.maxSigLife;
  if (rem) {
    const all = child(rem, S, 'all');
    if (all) {
      if (all.text !== 'true' && all.text !== '1') throw new EppError(2306, "The secDNS:all element must have value 'true' if present.");
      dsData = [];
      keyData = [];
    } else {
      const r = readDsOrKey(ctx, rem, 'update');
      dsData = dsData.filter((ds) => !r.dsData.some((x) => sameDs(ds, x)));
      keyData = keyData.filter((k) => !r.keyData.some((x) => sameKey(k, x)));
    }
  }
  if (add) {
    const a = readDsOrKey(ctx, add, 'update');
    if (a.maxSigLife !== undefined) maxSigLife = a.maxSigLife;
    dsData.push(...a.dsData.filter((ds) => !dsData.some((x) => sameDs(ds, x))));
    keyData.push(...a.keyData.filter((k) => !keyData.some((x) => sameKey(k, x))));
  }
  const msl = child(chg, S, 'maxSigLife');
  if (msl) maxSigLife = readMaxSigLife(ctx, msl.text, 'update');
  if (dsData.length === 0 && keyData.length === 0) maxSigLife = undefined;
  checkDsLimit({ dsData, keyData });
  return { dsData, keyData, maxSigLife };
}

/** RGP restore request: only for a domain in its redemption period; the restore is immediate. */
function restore(ctx: FlowContext, d: DomainRecord, rgp: XmlEl, otherChanges: boolean): ReturnType<Flow> {
  const op = child(rgp, NS.rgp, 'restore');
  if (!op) throw new EppError(2003, 'rgp:restore is required');
  if (op.attrs.op !== 'request') throw new EppError(2102, 'Restore reports are not supported.');
  if (otherChanges) throw new EppError(2002, 'Restore command cannot have other changes specified.');
  if (!d.deletion || ctx.now.getTime() >= d.deletion.redemptionEnd.getTime()) {
    throw new EppError(2304, 'Domain is not eligible for restore.');
  }
  d.deletion = undefined;
  d.exDate = addYears(ctx.now, 1);
  d.grace = [];
  d.upID = ctx.clientId;
  d.upDate = ctx.now;
  return ok();
}
