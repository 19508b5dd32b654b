/**
 * Contacts: /repp/v1/contacts (REPP document, "Contacts"): list (limit/offset/details), info,
 * create (the registry assigns the code unless a custom `id` is given), update, delete, check.
 *
 * The neutral Contact has no identity (ident) and needs the name inside a postal address; REPP has
 * the ident and no address. Until the model grows (src/backends/repp/README.md), the name is carried
 * in one postalInfo with empty address fields and the ident beside the contact.
 */
import type { CheckResult, Contact } from '../../../core/model/index.js';
import { withPostalType } from '../../../core/model/index.js';
import type { ReppRequest } from '../http.js';
import { arr, num, obj, optInstant, optStr, seg, statusMap, str, unexpected, type Json } from './read.js';

/** A contact's identity in the Estonian registry: personal or registry code, or birthday. */
export interface ContactIdent {
  code: string;
  type: 'priv' | 'org' | 'birthday';
  /** ISO 3166-1 alpha-2. */
  countryCode: string;
}

/** What POST /repp/v1/contacts ("Create a new contact") sends: optional custom id, name, email, phone and ident. */
export interface ReppContactInput {
  /** A custom id; the registry prefixes it with the registrar's code. Absent: the registry assigns one. */
  id?: string | null;
  name: string;
  email: string;
  /** "+372.5551234" ('.' after the country code). */
  phone: string;
  ident: ContactIdent;
}

/** A REPP contact read back: the neutral Contact (name in one address-less postalInfo), its ident, status notes and the domains using it. */
export interface ReppContact {
  contact: Contact;
  ident: ContactIdent | null;
  /** Status notes from the registry's status map (null when it gave none). */
  statusNotes: Record<string, string | null>;
  /** Domains using the contact, where the answer lists them. */
  domains: { name: string; roles: string[] }[];
}

const IDENT_TYPES = ['priv', 'org', 'birthday'];

function ident(o: Json | null, path: string): ContactIdent | null {
  if (!o) return null;
  const type = str(o, 'type', path);
  if (!IDENT_TYPES.includes(type)) throw unexpected(`${path}.type`, 'is not priv, org or birthday');
  return { code: str(o, 'code', path), type: type as ContactIdent['type'], countryCode: str(o, 'country_code', path) };
}

/**
 * A contact object of "Get a specific contact" / "Get all contacts" (details) -> ReppContact; `path` names it in errors.
 * Throws UPSTREAM_UNAVAILABLE (maybeApplied; read.ts unexpected) when code or name is missing, a date lacks its offset, or ident.type is not priv/org/birthday.
 */
export function parseContact(data: unknown, path = 'data.contact'): ReppContact {
  const o = obj(data, path);
  const { statuses, notes } = statusMap(o.statuses, `${path}.statuses`);
  const registrar = o.registrar === undefined || o.registrar === null ? null : obj(o.registrar, `${path}.registrar`);
  return {
    contact: {
      id: str(o, 'code', path),
      roid: null,
      statuses,
      postalInfo: [withPostalType({ name: str(o, 'name', path), street: [], city: '', cc: '' })],
      voice: optStr(o, 'phone', path),
      fax: null,
      email: optStr(o, 'email', path) ?? '',
      sponsor: registrar ? str(registrar, 'name', `${path}.registrar`) : '',
      createdAt: optInstant(o, 'created_at', path),
      authInfo: optStr(o, 'auth_info', path),
    },
    ident: ident(o.ident === undefined || o.ident === null ? null : obj(o.ident, `${path}.ident`), `${path}.ident`),
    statusNotes: notes,
    domains: arr(o.domains ?? [], `${path}.domains`).map((d, i) => {
      const p = `${path}.domains[${i}]`;
      const x = obj(d, p);
      return { name: str(x, 'name', p), roles: arr(x.roles ?? [], `${p}.roles`).map(String) };
    }),
  };
}

/** GET /repp/v1/contacts ("Get all contacts") with limit (the document's default 200), offset and details=true when asked. */
export function buildList(opts: { limit?: number; offset?: number; details?: boolean } = {}): ReppRequest {
  return { command: 'contact:list', method: 'GET', path: '/repp/v1/contacts', query: { limit: opts.limit, offset: opts.offset, details: opts.details || undefined }, changesState: false };
}

/** Codes (plain list) or whole contacts (details=true), and the registrar's total. */
export function parseList(data: unknown): { ids: string[]; contacts: ReppContact[]; count: number } {
  const o = obj(data, 'data');
  const parsed = arr(o.contacts, 'data.contacts').map((c, i) => (typeof c === 'string' ? c : parseContact(c, `data.contacts[${i}]`)));
  return {
    ids: parsed.map((p) => (typeof p === 'string' ? p : p.contact.id)),
    contacts: parsed.filter((p): p is ReppContact => typeof p !== 'string'),
    count: num(o, 'count', 'data'),
  };
}

/** GET /repp/v1/contacts/:contact_id ("Get a specific contact"), `simple=true` when asked; the code percent-encoded. */
export function buildInfo(id: string, opts: { simple?: boolean } = {}): ReppRequest {
  return { command: 'contact:info', method: 'GET', path: `/repp/v1/contacts/${seg(id)}`, query: { simple: opts.simple || undefined }, changesState: false };
}

/** `data.contact` of "Get a specific contact" -> ReppContact (parseContact; throws as it does). */
export function parseInfo(data: unknown): ReppContact {
  return parseContact(obj(data, 'data').contact);
}

/** POST /repp/v1/contacts ("Create a new contact"): `contact` with optional id, name, email, phone (+CC.NUMBER) and ident (ident, ident_type, ident_country_code). */
export function buildCreate(input: ReppContactInput): ReppRequest {
  return {
    command: 'contact:create',
    method: 'POST',
    path: '/repp/v1/contacts',
    body: {
      contact: {
        ...(input.id ? { id: input.id } : {}),
        name: input.name,
        email: input.email,
        phone: input.phone,
        ident: { ident: input.ident.code, ident_type: input.ident.type, ident_country_code: input.ident.countryCode },
      },
    },
    changesState: true,
  };
}

/** The code of the created or updated contact (assigned by the registry on create). */
export function parseCode(data: unknown): { id: string } {
  return { id: str(obj(obj(data, 'data').contact, 'data.contact'), 'code', 'data.contact') };
}

/** PUT /repp/v1/contacts/:contact_id ("Update an existing contact") with only the given name, email and phone (null/undefined left out). */
export function buildUpdate(id: string, changes: { name?: string | null; email?: string | null; phone?: string | null }): ReppRequest {
  const contact = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined && v !== null));
  return { command: 'contact:update', method: 'PUT', path: `/repp/v1/contacts/${seg(id)}`, body: { contact }, changesState: true };
}

/** DELETE /repp/v1/contacts/:contact_id ("Delete a specific contact"). */
export function buildDelete(id: string): ReppRequest {
  return { command: 'contact:delete', method: 'DELETE', path: `/repp/v1/contacts/${seg(id)}`, changesState: true };
}

/** GET /repp/v1/contacts/check/:contact_id ("Check contact code availability"), a read. */
export function buildCheck(id: string): ReppRequest {
  return { command: 'contact:check', method: 'GET', path: `/repp/v1/contacts/check/${seg(id)}`, changesState: false };
}

/** `data.contact` of "Check contact code availability" -> CheckResult (code, available, reason null); UPSTREAM_UNAVAILABLE when `available` is not a boolean or code is missing. */
export function parseCheck(data: unknown): CheckResult {
  const c = obj(obj(data, 'data').contact, 'data.contact');
  if (typeof c.available !== 'boolean') throw unexpected('data.contact.available', 'is not true or false');
  return { name: str(c, 'code', 'data.contact'), available: c.available, reason: null };
}
