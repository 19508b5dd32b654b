/** Host check, info, create, update and delete (RFC 5732), with Nomulus' rules and codes. */
import { isIPv4, isIPv6 } from 'node:net';
import type { DomainRecord, HostRecord } from '../records.js';
import { EppError, ok } from '../result.js';
import type { Store } from '../store.js';
import { NS, child, children, isoDate, x, type XmlEl } from '../xml.js';
import {
  allowExtensions,
  checkNames,
  checkUpdateAllowed,
  notFound,
  requireSponsor,
  requireText,
  statusChanges,
  statusProhibits,
  type Flow,
  type FlowContext,
} from './common.js';
import { validateHostName } from './names.js';

const H = NS.host;
type Addr = HostRecord['addresses'][number];

function getHost(ctx: FlowContext, name: string): HostRecord {
  if (name !== name.toLowerCase()) throw new EppError(2005, 'Host names must be in lower-case.');
  const h = ctx.store.hostByName(name);
  if (!h) throw notFound('host', name);
  return h;
}

function readAddrs(els: XmlEl[]): Addr[] {
  return els.map((a) => {
    const ip = a.attrs.ip ?? 'v4';
    if (ip !== 'v4' && ip !== 'v6') throw new EppError(2005, 'Invalid ip attribute.');
    if (!isIPv4(a.text) && !isIPv6(a.text)) throw new EppError(2005, `Invalid IP address ${a.text}.`);
    if ((ip === 'v4') !== isIPv4(a.text)) throw new EppError(2004, 'IP address version mismatch.');
    return { ip, addr: a.text };
  });
}

const sameAddr = (a: Addr, b: Addr) => a.ip === b.ip && a.addr.toLowerCase() === b.addr.toLowerCase();

/** The superordinate domain of an in-bailiwick host name, checked for the caller (create/rename). */
function superordinateFor(ctx: FlowContext, name: string): DomainRecord | undefined {
  const supName = ctx.store.superordinateDomainName(name);
  if (supName === undefined) return undefined;
  const d = ctx.store.domains.get(supName);
  if (!d) throw new EppError(2303, 'Superordinate domain for this hostname does not exist.');
  if (d.deletion) throw new EppError(2304, 'Superordinate domain for this hostname is in pending delete.');
  if (d.sponsor !== ctx.clientId) throw new EppError(2201, 'Domain for host is sponsored by another registrar.');
  return d;
}

/** A host's statuses as info shows them (RFC 5732 section 2.3): stored ones, `ok` when none, then `linked` if a domain delegates to it. */
export function hostStatuses(store: Store, h: HostRecord): string[] {
  const s = [...h.statuses];
  const linked = store.isHostLinked(h);
  if (s.length === 0) s.push('ok');
  if (linked) s.push('linked');
  return s;
}

const check: Flow = (ctx, cmd) => {
  allowExtensions(cmd, []);
  const cds = checkNames(cmd.el, H, 'name').map((n) => {
    const taken = ctx.store.hostByName(n) !== undefined;
    return x('host:cd', null, x('host:name', { avail: taken ? '0' : '1' }, n), taken && x('host:reason', null, 'In use'));
  });
  return ok([x('host:chkData', { 'xmlns:host': H }, cds)]);
};

const info: Flow = (ctx, cmd) => {
  allowExtensions(cmd, []);
  const h = getHost(ctx, requireText(cmd.el, H, 'name'));
  const sup = h.superordinate ? ctx.store.domainByRoid(h.superordinate) : undefined;
  const supTr = sup?.trDate && sup.trDate.getTime() > h.crDate.getTime() ? sup.trDate : undefined;
  const trDate = [h.trDate, supTr].filter((d): d is Date => !!d).sort((a, b) => b.getTime() - a.getTime())[0];
  return ok([
    x(
      'host:infData',
      { 'xmlns:host': H },
      x('host:name', null, h.name),
      x('host:roid', null, h.roid),
      hostStatuses(ctx.store, h).map((s) => x('host:status', { s })),
      h.addresses.map((a) => x('host:addr', { ip: a.ip }, a.addr)),
      x('host:clID', null, ctx.store.hostSponsor(h)),
      x('host:crID', null, h.crID),
      x('host:crDate', null, isoDate(h.crDate)),
      h.upID !== undefined && x('host:upID', null, h.upID),
      h.upDate !== undefined && x('host:upDate', null, isoDate(h.upDate)),
      trDate !== undefined && x('host:trDate', null, isoDate(trDate)),
    ),
  ]);
};

const create: Flow = (ctx, cmd) => {
  allowExtensions(cmd, []);
  const name = requireText(cmd.el, H, 'name');
  validateHostName(name);
  if (ctx.store.hostByName(name)) throw new EppError(2302, 'Resource with this id already exists.');
  const addresses = readAddrs(children(cmd.el, H, 'addr'));
  const sup = superordinateFor(ctx, name);
  if (sup && addresses.length === 0) throw new EppError(2003, 'Subordinate hosts must have an ip address.');
  if (!sup && addresses.length > 0) throw new EppError(2004, 'External hosts must not have ip addresses.');
  const h: HostRecord = {
    name,
    roid: ctx.store.nextRoid('ROID'),
    sponsor: ctx.clientId,
    crID: ctx.clientId,
    crDate: ctx.now,
    statuses: new Set(),
    addresses: addresses.filter((a, i) => addresses.findIndex((b) => sameAddr(a, b)) === i),
    superordinate: sup?.roid,
  };
  ctx.store.hosts.set(h.roid, h);
  return ok([x('host:creData', { 'xmlns:host': H }, x('host:name', null, name), x('host:crDate', null, isoDate(h.crDate)))]);
};

const update: Flow = (ctx, cmd) => {
  allowExtensions(cmd, []);
  const h = getHost(ctx, requireText(cmd.el, H, 'name'));
  requireSponsor(ctx, ctx.store.hostSponsor(h));
  const add = child(cmd.el, H, 'add');
  const rem = child(cmd.el, H, 'rem');
  const st = statusChanges('host', children(add, H, 'status'), children(rem, H, 'status'));
  checkUpdateAllowed(h.statuses, st.rem, false);
  const addA = readAddrs(children(add, H, 'addr'));
  const remA = readAddrs(children(rem, H, 'addr'));
  if (addA.some((a) => remA.some((r) => sameAddr(a, r)))) throw new EppError(2306, 'Cannot add and remove the same value.');

  const newName = child(child(cmd.el, H, 'chg'), H, 'name')?.text;
  let superordinate = h.superordinate;
  if (newName !== undefined && newName !== h.name) {
    validateHostName(newName);
    if (ctx.store.hostByName(newName)) throw new EppError(2302, 'Host with specified name already exists.');
    if (!h.superordinate) throw new EppError(2304, 'Cannot rename an external host.');
    superordinate = superordinateFor(ctx, newName)?.roid;
  }
  const addresses = [...h.addresses.filter((a) => !remA.some((r) => sameAddr(a, r))), ...addA.filter((a) => !h.addresses.some((b) => sameAddr(a, b)))];
  if (!superordinate) {
    if (h.superordinate && addresses.length > 0) {
      throw new EppError(2004, 'Host rename from subordinate to external must also remove all IP addresses.');
    }
    if (addA.length > 0) throw new EppError(2004, 'Cannot add IP addresses to an external host.');
  } else if (addresses.length === 0) {
    throw new EppError(2304, 'Cannot remove all IP addresses from a subordinate host.');
  }

  for (const s of st.rem) h.statuses.delete(s);
  for (const s of st.add) h.statuses.add(s);
  if (h.superordinate && !superordinate) h.sponsor = ctx.clientId;
  h.addresses = addresses;
  h.superordinate = superordinate;
  if (newName !== undefined) h.name = newName;
  h.upID = ctx.clientId;
  h.upDate = ctx.now;
  return ok();
};

const del: Flow = (ctx, cmd) => {
  allowExtensions(cmd, []);
  const h = getHost(ctx, requireText(cmd.el, H, 'name'));
  requireSponsor(ctx, ctx.store.hostSponsor(h));
  statusProhibits(h.statuses, ['clientDeleteProhibited', 'serverDeleteProhibited', 'pendingDelete']);
  if (ctx.store.isHostLinked(h)) throw new EppError(2305, 'Resource to be deleted has active incoming references.');
  ctx.store.hosts.delete(h.roid);
  return ok();
};

/**
 * Host check, info, create, update, delete (RFC 5732 sections 3.1.1, 3.1.2, 3.2.1, 3.2.5, 3.2.2) with
 * Nomulus' rules: subordinate hosts need an address and a superordinate domain of the caller
 * (2303/2304/2201), external hosts have none (2004), deleting a linked host is 2305.
 */
export const hostFlows = { check, info, create, update, delete: del } as const;
