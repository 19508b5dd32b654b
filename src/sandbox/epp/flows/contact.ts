/** Contact check, info, create, update and delete (RFC 5733); contacts profile only. */
import type { ContactRecord } from '../records.js';
import { EppError, ok } from '../result.js';
import { NS, child, children, isoDate, x } from '../xml.js';
import {
  allowExtensions,
  authPw,
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
import { contactInfData, mergePostalInfo, readDisclose, readPhone, readPostalInfo } from './contact-data.js';

const C = NS.contact;

function getContact(ctx: FlowContext, id: string): ContactRecord {
  const c = ctx.store.contacts.get(id);
  if (!c) throw notFound('contact', id);
  return c;
}

const check: Flow = (ctx, cmd) => {
  allowExtensions(cmd, []);
  const cds = checkNames(cmd.el, C, 'id').map((id) => {
    const taken = ctx.store.contacts.has(id);
    return x('contact:cd', null, x('contact:id', { avail: taken ? '0' : '1' }, id), taken && x('contact:reason', null, 'In use'));
  });
  return ok([x('contact:chkData', { 'xmlns:contact': C }, cds)]);
};

const info: Flow = (ctx, cmd) => {
  allowExtensions(cmd, []);
  const c = getContact(ctx, requireText(cmd.el, C, 'id'));
  const auth = authPw(cmd.el, C);
  if (auth.present && (auth.pw !== c.authInfo || (auth.roid !== undefined && auth.roid !== c.roid))) {
    throw new EppError(2202, 'Authorization information for accessing resource is invalid.');
  }
  const withAuth = c.sponsor === ctx.clientId || auth.present;
  return ok([contactInfData(c, ctx.store.isContactLinked(c.id), withAuth)]);
};

const create: Flow = (ctx, cmd) => {
  allowExtensions(cmd, []);
  const id = requireText(cmd.el, C, 'id');
  if (id.length < 3 || id.length > 16) throw new EppError(2005, 'Contact ids are 3 to 16 characters long.');
  if (ctx.store.contacts.has(id)) throw new EppError(2302, 'Resource with this id already exists.');
  const postal = children(cmd.el, C, 'postalInfo').map(readPostalInfo);
  if (postal.length === 0) throw new EppError(2003, 'Required element postalInfo is missing');
  if (postal.length > 2 || new Set(postal.map((p) => p.type)).size !== postal.length) {
    throw new EppError(2306, 'At most one postalInfo of each type is allowed.');
  }
  const email = requireText(cmd.el, C, 'email');
  const auth = authPw(cmd.el, C);
  if (!auth.present || !auth.pw) throw new EppError(2003, 'Required element authInfo is missing');
  const c: ContactRecord = {
    id,
    roid: ctx.store.nextRoid('ROID'),
    sponsor: ctx.clientId,
    crID: ctx.clientId,
    crDate: ctx.now,
    statuses: new Set(),
    postalInfo: postal,
    voice: readPhone(cmd.el, 'voice') ?? undefined,
    fax: readPhone(cmd.el, 'fax') ?? undefined,
    email,
    authInfo: auth.pw,
    disclose: readDisclose(cmd.el),
  };
  ctx.store.contacts.set(id, c);
  return ok([x('contact:creData', { 'xmlns:contact': C }, x('contact:id', null, id), x('contact:crDate', null, isoDate(c.crDate)))]);
};

const update: Flow = (ctx, cmd) => {
  allowExtensions(cmd, []);
  const c = getContact(ctx, requireText(cmd.el, C, 'id'));
  requireSponsor(ctx, c.sponsor);
  const st = statusChanges('contact', children(child(cmd.el, C, 'add'), C, 'status'), children(child(cmd.el, C, 'rem'), C, 'status'));
  checkUpdateAllowed(c.statuses, st.rem, false);
  const chg = child(cmd.el, C, 'chg');
  let postal = [...c.postalInfo];
  for (const el of children(chg, C, 'postalInfo')) {
    const merged = mergePostalInfo(el, postal.find((p) => p.type === el.attrs.type));
    postal = [...postal.filter((p) => p.type !== merged.type), merged];
  }
  const voice = readPhone(chg, 'voice');
  const fax = readPhone(chg, 'fax');
  const email = child(chg, C, 'email')?.text;
  const auth = chg ? authPw(chg, C) : { present: false as const, pw: undefined };
  const disclose = readDisclose(chg);

  for (const s of st.rem) c.statuses.delete(s);
  for (const s of st.add) c.statuses.add(s);
  c.postalInfo = postal.sort((a, b) => (a.type === b.type ? 0 : a.type === 'int' ? -1 : 1));
  if (voice !== undefined) c.voice = voice ?? undefined;
  if (fax !== undefined) c.fax = fax ?? undefined;
  if (email) c.email = email;
  if (auth.present && auth.pw) c.authInfo = auth.pw;
  if (disclose) c.disclose = disclose;
  c.upID = ctx.clientId;
  c.upDate = ctx.now;
  return ok();
};

const del: Flow = (ctx, cmd) => {
  allowExtensions(cmd, []);
  const c = getContact(ctx, requireText(cmd.el, C, 'id'));
  requireSponsor(ctx, c.sponsor);
  statusProhibits(c.statuses, ['clientDeleteProhibited', 'serverDeleteProhibited', 'pendingDelete']);
  if (ctx.store.isContactLinked(c.id)) throw new EppError(2305, 'Resource to be deleted has active incoming references.');
  ctx.store.contacts.delete(c.id);
  return ok();
};

/**
 * Contact check, info, create, update, delete (RFC 5733 sections 3.1.1, 3.1.2, 3.2.1, 3.2.5, 3.2.2):
 * 2303 unknown id, 2302 id taken, 2005 id not 3-16 chars, 2201 not the sponsor, 2202 wrong authInfo,
 * 2305 deleting a linked contact. dispatch refuses every contact command with 2306 in the nomulus profile.
 */
export const contactFlows = { check, info, create, update, delete: del } as const;
