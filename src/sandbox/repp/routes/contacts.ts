/** Contacts: /repp/v1/contacts (REPP document, "Contacts"). Codes are assigned by the registry unless `id` is given. */
import { randomBytes } from 'node:crypto';
import { ContactCodeTaken, ContactInUse, ParameterSyntax } from '../errors.js';
import type { IdentType } from '../records.js';
import { isCalendarDate } from '../time.js';
import { flag, object, optString, page, string, type Json } from '../validate.js';
import { contactView } from '../views.js';
import { findContact, type Route } from './common.js';

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+\d{1,3}\.\d{1,14}$/;
const CUSTOM_ID = /^[A-Za-z0-9_-]{1,40}$/;

function email(c: Json, required: boolean): string | undefined {
  const v = required ? string(c, 'email', 'contact[email]') : optString(c, 'email', 'contact[email]');
  if (v !== undefined && !EMAIL.test(v)) throw new ParameterSyntax('contact[email]', 'is not an e-mail address');
  return v;
}

function phone(c: Json, required: boolean): string | undefined {
  const v = required ? string(c, 'phone', 'contact[phone]') : optString(c, 'phone', 'contact[phone]');
  if (v !== undefined && !PHONE.test(v)) throw new ParameterSyntax('contact[phone]', "must be +CC.NUMBER, with '.' as the country code separator");
  return v;
}

/** ident: priv (an Estonian personal code has 11 digits), org (an Estonian registry code has 8), birthday (yyyy-mm-dd). */
function ident(c: Json): { code: string; type: IdentType; countryCode: string } {
  const i = object(c, 'ident', 'contact[ident]');
  const code = string(i, 'ident', 'contact[ident][ident]');
  const type = string(i, 'ident_type', 'contact[ident][ident_type]');
  const countryCode = string(i, 'ident_country_code', 'contact[ident][ident_country_code]');
  if (type !== 'priv' && type !== 'org' && type !== 'birthday') throw new ParameterSyntax('contact[ident][ident_type]', 'must be priv, org or birthday');
  if (!/^[A-Z]{2}$/.test(countryCode)) throw new ParameterSyntax('contact[ident][ident_country_code]', 'must be an ISO 3166-1 alpha-2 code');
  const ok =
    type === 'birthday' ? isCalendarDate(code) : countryCode !== 'EE' ? code.length <= 100 : type === 'priv' ? /^\d{11}$/.test(code) : /^\d{8}$/.test(code);
  if (!ok) throw new ParameterSyntax('contact[ident][ident]', `is not a valid ${type} identifier for ${countryCode}`);
  return { code, type, countryCode };
}

/**
 * Contacts list, check, info, create, update, delete under /repp/v1/contacts (REPP document, "Contacts"):
 * 404/410 for another's or a deleted contact, 2302 custom id taken, 2005 bad e-mail/phone/ident, 2305 in use.
 */
export const contactRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repp/v1/contacts',
    key: 'contacts:list',
    handle(ctx) {
      const mine = [...ctx.store.contacts.values()].filter((c) => c.registrar === ctx.registrar.id);
      const { limit, offset } = page(ctx.query);
      const slice = mine.slice(offset, offset + limit);
      const details = flag(ctx.query, 'details');
      return { data: { contacts: slice.map((c) => (details ? contactView(ctx.store, c, false) : c.code)), count: mine.length } };
    },
  },
  {
    method: 'GET',
    path: '/repp/v1/contacts/check/:contact_id',
    key: 'contact:check',
    handle: (ctx) => ({ data: { contact: { code: ctx.params.contact_id, available: !ctx.store.contacts.has(ctx.params.contact_id) } } }),
  },
  {
    method: 'GET',
    path: '/repp/v1/contacts/:contact_id',
    key: 'contact:info',
    handle: (ctx) => ({ data: { contact: contactView(ctx.store, findContact(ctx, ctx.params.contact_id), flag(ctx.query, 'simple')) } }),
  },
  {
    method: 'POST',
    path: '/repp/v1/contacts',
    key: 'contact:create',
    handle(ctx) {
      const c = object(ctx.body, 'contact');
      const custom = optString(c, 'id', 'contact[id]');
      if (custom !== undefined && !CUSTOM_ID.test(custom)) throw new ParameterSyntax('contact[id]', 'may hold letters, digits, "-" and "_" (at most 40)');
      const code = ctx.store.contactCode(ctx.registrar.id, custom);
      const record = {
        code,
        registrar: ctx.registrar.id,
        name: string(c, 'name', 'contact[name]'),
        email: email(c, true)!,
        phone: phone(c, true)!,
        ident: ident(c),
        authInfo: randomBytes(11).toString('hex'),
        statuses: new Map<string, string>(),
        createdAt: ctx.now,
        updatedAt: ctx.now,
      };
      if (ctx.store.contacts.has(code)) throw new ContactCodeTaken();
      ctx.store.contacts.set(code, record);
      ctx.store.removed.delete(`contact:${code}`);
      return { data: { contact: { code } } };
    },
  },
  {
    method: 'PUT',
    path: '/repp/v1/contacts/:contact_id',
    key: 'contact:update',
    handle(ctx) {
      const contact = findContact(ctx, ctx.params.contact_id);
      const c = object(ctx.body, 'contact');
      const name = optString(c, 'name', 'contact[name]');
      const mail = email(c, false);
      const tel = phone(c, false);
      if (name !== undefined) contact.name = name;
      if (mail !== undefined) contact.email = mail;
      if (tel !== undefined) contact.phone = tel;
      contact.updatedAt = ctx.now;
      return { data: { contact: { code: contact.code } } };
    },
  },
  {
    method: 'DELETE',
    path: '/repp/v1/contacts/:contact_id',
    key: 'contact:delete',
    handle(ctx) {
      const contact = findContact(ctx, ctx.params.contact_id);
      if (ctx.store.domainsUsing(contact.code).length > 0) throw new ContactInUse();
      ctx.store.contacts.delete(contact.code);
      ctx.store.removed.add(`contact:${contact.code}`);
      return { data: {} };
    },
  },
];
