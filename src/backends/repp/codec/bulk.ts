/**
 * The four bulk endpoints (REPP document, "Bulk actions"): bulk transfer, bulk tech-contact
 * replace, bulk name-server change (optionally limited to some domains), bulk renew.
 */
import { ValidationError } from '../../../core/errors.js';
import type { DomainNameserver, Period } from '../../../core/model/index.js';
import type { ReppRequest } from '../http.js';
import { nameserverBody, parseNameserver } from './domains.js';
import { arr, num, obj, optStr, str, strings } from './read.js';

/** POST /repp/v1/domains/transfer (REPP document, "Bulk domain transfer"): `data.domain_transfers[]` of domain_name and transfer_code; the codes are the request's secrets. */
export function buildTransfer(items: { name: string; transferCode: string }[]): ReppRequest {
  return {
    command: 'bulk:transfer',
    method: 'POST',
    path: '/repp/v1/domains/transfer',
    body: { data: { domain_transfers: items.map((i) => ({ domain_name: i.name, transfer_code: i.transferCode })) } },
    secrets: items.map((i) => i.transferCode),
    changesState: true,
  };
}

/** A bulk transfer's answer: the names transferred, and per failed name its errors (EPP-style code or null, message). */
export interface BulkTransferResult {
  transferred: string[];
  failed: { name: string; errors: { code: number | null; message: string }[] }[];
}

/**
 * `data` of "Bulk domain transfer" (`success[].domain_name`, `failed[]` with `errors[].code/msg`) -> BulkTransferResult;
 * UPSTREAM_UNAVAILABLE (maybeApplied; read.ts unexpected) when the lists or a name are missing.
 */
export function parseTransfer(data: unknown): BulkTransferResult {
  const o = obj(data, 'data');
  return {
    transferred: arr(o.success, 'data.success').map((s, i) => str(obj(s, `data.success[${i}]`), 'domain_name', `data.success[${i}]`)),
    failed: arr(o.failed, 'data.failed').map((f, i) => {
      const p = `data.failed[${i}]`;
      const x = obj(f, p);
      return {
        name: str(x, 'domain_name', p),
        errors: arr(x.errors ?? [], `${p}.errors`).map((e, j) => {
          const y = obj(e, `${p}.errors[${j}]`);
          return { code: y.code === null || y.code === undefined ? null : num(y, 'code', `${p}.errors[${j}]`), message: optStr(y, 'msg', `${p}.errors[${j}]`) ?? '' };
        }),
      };
    }),
  };
}

/** Replaces one tech contact by another on every domain of the registrar that has it. */
export function buildTechContactReplace(current: string, next: string): ReppRequest {
  return { command: 'bulk:tech-contacts', method: 'PATCH', path: '/repp/v1/domains/contacts', body: { current_contact_id: current, new_contact_id: next }, changesState: true };
}

/** `data.affected_domains` and `data.skipped_domains` (name lists, absent = []) of "Bulk tech contact replace" and "Bulk nameserver change"; UPSTREAM_UNAVAILABLE when not string lists. */
export function parseAffected(data: unknown): { affected: string[]; skipped: string[] } {
  const o = obj(data, 'data');
  return { affected: strings(o.affected_domains, 'data.affected_domains'), skipped: strings(o.skipped_domains, 'data.skipped_domains') };
}

/** Replaces name server `from` by `to` on the registrar's domains (only `domains` when given); `to` needs a new host name. */
export function buildNameserverChange(from: string, to: DomainNameserver, domains?: string[]): ReppRequest {
  return {
    command: 'bulk:nameservers',
    method: 'PUT',
    path: '/repp/v1/registrar/nameservers',
    body: { data: { type: 'nameserver', id: from, ...(domains ? { domains } : {}), attributes: nameserverBody(to) } },
    changesState: true,
  };
}

/** `data` of "Bulk nameserver change": the new name server (`data.attributes`: hostname, ipv4, ipv6) and the affected/skipped names; UPSTREAM_UNAVAILABLE when malformed. */
export function parseNameserverChange(data: unknown): { nameserver: DomainNameserver; affected: string[]; skipped: string[] } {
  const o = obj(data, 'data');
  return { nameserver: parseNameserver(o.attributes, 'data.attributes'), ...parseAffected(data) };
}

/**
 * `period` as "Bulk domain renew"'s `renew_period`, one of the values the document lists: "3m",
 * "6m", "9m", "1y" ... "10y"; whole years given in months are sent in years (12 months: "1y", 24
 * months: "2y"). Throws ValidationError on `period` for any other period (the bulk submission
 * checks refuse those first: driver/domains.ts periodRefusal).
 */
export function renewPeriod(period: Period): string {
  const months = period.unit === 'y' ? period.value * 12 : period.value;
  if (Number.isInteger(months) && [3, 6, 9].includes(months)) return `${months}m`;
  if (Number.isInteger(months) && months % 12 === 0 && months >= 12 && months <= 120) return `${months / 12}y`;
  throw new ValidationError('period', 'must be 3, 6 or 9 months or 1 to 10 years (REPP bulk renew_period: 3m, 6m, 9m, 1y ... 10y)');
}

/** Renews the domains for one period (renew_period "3m", "6m", "9m", "1y" ... "10y": renewPeriod) from their current expiry; ValidationError on `period` for any other. */
export function buildRenew(names: string[], period: Period): ReppRequest {
  return { command: 'bulk:renew', method: 'POST', path: '/repp/v1/domains/renew/bulk', body: { domains: names, renew_period: renewPeriod(period) }, changesState: true };
}

/** `data.updated_domains` of "Bulk domain renew" (names renewed; absent = []); UPSTREAM_UNAVAILABLE when `data` is not an object or the list not strings. */
export function parseRenew(data: unknown): { renewed: string[] } {
  return { renewed: strings(obj(data, 'data').updated_domains, 'data.updated_domains') };
}
