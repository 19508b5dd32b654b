/**
 * Transfers (REPP document, "Transfers"): transfer_info, readable by a non-sponsor with the domain's
 * transfer code in the Auth-Code header, and the transfer itself, which the .ee registry performs at
 * once (no approval by the losing registrar).
 */
import type { ReppRequest } from '../http.js';
import type { ContactIdent, ReppContact } from './contacts.js';
import { arr, obj, optStr, seg, statusMap, str, unexpected, type Json } from './read.js';
import { withPostalType } from '../../../core/model/index.js';

/** "Get transfer info" read back: the domain name and its registrant, admin and tech contacts (address, flat ident). */
export interface ReppTransferInfo {
  name: string;
  registrant: ReppContact | null;
  admin: ReppContact[];
  tech: ReppContact[];
}

/** GET /repp/v1/domains/:domain_name/transfer_info ("Get transfer info"), with the transfer code in the Auth-Code header (a secret) when given. */
export function buildInfo(name: string, authCode?: string | null): ReppRequest {
  return {
    command: 'domain:transfer:info',
    method: 'GET',
    path: `/repp/v1/domains/${seg(name)}/transfer_info`,
    headers: authCode ? { 'Auth-Code': authCode } : undefined,
    secrets: [authCode],
    changesState: false,
  };
}

/** A contact as transfer_info shows it: flat ident fields, statuses as a list, address fields. */
function contact(v: unknown, path: string): ReppContact {
  const o: Json = obj(v, path);
  const { statuses, notes } = statusMap(o.statuses ?? [], `${path}.statuses`);
  const type = optStr(o, 'ident_type', path);
  if (type !== null && type !== 'priv' && type !== 'org' && type !== 'birthday') throw unexpected(`${path}.ident_type`, 'is not priv, org or birthday');
  const ident = optStr(o, 'ident', path);
  const street = optStr(o, 'street', path);
  return {
    contact: {
      id: str(o, 'code', path),
      roid: null,
      statuses,
      postalInfo: [withPostalType({ name: str(o, 'name', path), street: street ? [street] : [], city: optStr(o, 'city', path) ?? '', pc: optStr(o, 'zip', path), cc: optStr(o, 'country_code', path) ?? '' })],
      voice: optStr(o, 'phone', path),
      email: optStr(o, 'email', path) ?? '',
      sponsor: '',
    },
    ident: ident !== null && type !== null ? ({ code: ident, type, countryCode: optStr(o, 'ident_country_code', path) ?? '' } as ContactIdent) : null,
    statusNotes: notes,
    domains: [],
  };
}

/**
 * `data` of "Get transfer info" (domain, registrant, admin_contacts, tech_contacts) -> ReppTransferInfo;
 * UPSTREAM_UNAVAILABLE when domain or a contact's code/name is missing, or ident_type is not priv/org/birthday.
 */
export function parseInfo(data: unknown): ReppTransferInfo {
  const o = obj(data, 'data');
  return {
    name: str(o, 'domain', 'data'),
    registrant: o.registrant ? contact(o.registrant, 'data.registrant') : null,
    admin: arr(o.admin_contacts ?? [], 'data.admin_contacts').map((c, i) => contact(c, `data.admin_contacts[${i}]`)),
    tech: arr(o.tech_contacts ?? [], 'data.tech_contacts').map((c, i) => contact(c, `data.tech_contacts[${i}]`)),
  };
}

/** POST /repp/v1/domains/:domain_name/transfer ("Transfer domain"): `transfer.transfer_code` (a secret); the registry transfers at once. */
export function buildTransfer(name: string, transferCode: string): ReppRequest {
  return {
    command: 'domain:transfer:request',
    method: 'POST',
    path: `/repp/v1/domains/${seg(name)}/transfer`,
    body: { transfer: { transfer_code: transferCode } },
    secrets: [transferCode],
    changesState: true,
  };
}

/** `data.domain` of "Transfer domain": its name and type; UPSTREAM_UNAVAILABLE when either is missing. */
export function parseTransfer(data: unknown): { name: string; type: string } {
  const d = obj(obj(data, 'data').domain, 'data.domain');
  return { name: str(d, 'name', 'data.domain'), type: str(d, 'type', 'data.domain') };
}
