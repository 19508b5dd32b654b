/** Reading and checking the JSON payloads and URL values of REPP requests (the document's "Payload Parameters"). */
import { isIPv4, isIPv6 } from 'node:net';
import { ParameterMissing, ParameterPolicy, ParameterRange, ParameterSyntax } from './errors.js';
import type { Store } from './store.js';

/** A JSON object from a request body. */
export type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A required object member (`domain`, `contact`, `renews`, ...). */
export function object(from: unknown, key: string, path = key): Json {
  const v = isObj(from) ? from[key] : undefined;
  if (v === undefined || v === null) throw new ParameterMissing(path);
  if (!isObj(v)) throw new ParameterSyntax(path, 'must be an object');
  return v;
}

/** An optional object member: undefined when absent or null; 2005 when not an object. */
export function optObject(from: Json, key: string, path = key): Json | undefined {
  return from[key] === undefined || from[key] === null ? undefined : object(from, key, path);
}

/** A required string; numbers are accepted as their text (the document sends "257" and 257 alike). */
export function string(from: Json, key: string, path = key): string {
  const v = optString(from, key, path);
  if (v === undefined || v === '') throw new ParameterMissing(path);
  return v;
}

/** An optional string (numbers as text): undefined when absent or null; 2005 other types; 2004 over 4096 characters. */
export function optString(from: Json, key: string, path = key): string | undefined {
  const v = from[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') throw new ParameterSyntax(path, 'must be a string');
  if (v.length > 4096) throw new ParameterRange(path, 'is too long');
  return v;
}

/** An array member: 2003 when required and absent ([] otherwise); 2005 not an array; 2004 over 1000 elements. */
export function array(from: Json, key: string, path = key, required = true): unknown[] {
  const v = from[key];
  if (v === undefined || v === null) {
    if (required) throw new ParameterMissing(path);
    return [];
  }
  if (!Array.isArray(v)) throw new ParameterSyntax(path, 'must be an array');
  if (v.length > 1000) throw new ParameterRange(path, 'has too many elements');
  return v;
}

/** The list's elements as objects; 2005 naming `path[i]` for one that is not. */
export function elements(list: unknown[], path: string): Json[] {
  return list.map((e, i) => {
    if (!isObj(e)) throw new ParameterSyntax(`${path}[${i}]`, 'must be an object');
    return e;
  });
}

/** The list's elements as non-empty strings; 2005 naming `path[i]` for one that is not. */
export function strings(list: unknown[], path: string): string[] {
  return list.map((e, i) => {
    if (typeof e !== 'string' || e === '') throw new ParameterSyntax(`${path}[${i}]`, 'must be a non-empty string');
    return e;
  });
}

/** true/false, or their text. */
export function boolean(from: Json, key: string, path = key): boolean {
  const v = from[key];
  if (v === undefined || v === null) throw new ParameterMissing(path);
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new ParameterSyntax(path, 'must be true or false');
}

/** A whole number of 1-4 digits, given as a number or its text; 2003 absent, 2005 otherwise. */
export function integer(from: Json, key: string, path = key): number {
  const s = string(from, key, path);
  if (!/^\d{1,4}$/.test(s)) throw new ParameterSyntax(path, 'must be a whole number');
  return Number(s);
}

/** A query flag: "true" is true, anything else false. */
export const flag = (q: URLSearchParams, key: string) => q.get(key) === 'true';

/** limit/offset query parameters (defaults 200 and 0, the document's). */
export function page(q: URLSearchParams): { limit: number; offset: number } {
  const num = (key: string, dflt: number) => {
    const s = q.get(key);
    if (s === null || s === '') return dflt;
    if (!/^\d{1,9}$/.test(s)) throw new ParameterSyntax(key, 'must be a whole number');
    return Number(s);
  };
  return { limit: num('limit', 200), offset: num('offset', 0) };
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A host name: two or more LDH labels, at most 253 characters; lower-cased. */
export function hostname(value: string, path: string): string {
  const h = value.toLowerCase();
  const labels = h.split('.');
  if (h.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l))) throw new ParameterSyntax(path, 'is not a valid host name');
  return h;
}

/** A domain name directly under a zone the sandbox serves; lower-cased. */
export function domainName(store: Store, value: string, path = 'name'): string {
  const name = hostname(value, path);
  if (!store.serves(name)) throw new ParameterPolicy(`${path} must be a name directly under ${store.cfg.tlds.map((t) => `.${t}`).join(', ')}`);
  return name;
}

/** IPv4 or IPv6 address strings (`family`); 2005 naming `path[i]` for one that is not. */
export function addresses(list: unknown[], path: string, family: 4 | 6): string[] {
  return strings(list, path).map((a, i) => {
    if (!(family === 4 ? isIPv4(a) : isIPv6(a))) throw new ParameterSyntax(`${path}[${i}]`, `is not an IPv${family} address`);
    return a;
  });
}

/** A nameserver from a payload: lower-case host name and its glue addresses. */
export interface NameserverInput {
  hostname: string;
  ipv4: string[];
  ipv6: string[];
}

/** Name server objects; a name server under the domain itself needs an address (glue). */
export function nameservers(list: Json[], path: string, domain: string): NameserverInput[] {
  const out = list.map((n, i) => {
    const p = `${path}[${i}]`;
    const ns = {
      hostname: hostname(string(n, 'hostname', `${p}[hostname]`), `${p}[hostname]`),
      ipv4: addresses(array(n, 'ipv4', `${p}[ipv4]`, false), `${p}[ipv4]`, 4),
      ipv6: addresses(array(n, 'ipv6', `${p}[ipv6]`, false), `${p}[ipv6]`, 6),
    };
    if (ns.hostname.endsWith(`.${domain}`) && ns.ipv4.length + ns.ipv6.length === 0) {
      throw new ParameterMissing(`${p}[ipv4] (an address is required for a name server under ${domain})`);
    }
    return ns;
  });
  const names = out.map((n) => n.hostname);
  if (new Set(names).size !== names.length) throw new ParameterPolicy(`${path} names the same host twice`);
  return out;
}

/** A DNSKEY from a payload (dns_keys, dnskeys_attributes), checked by dnskey(). */
export interface DnskeyInput {
  flags: number;
  protocol: number;
  alg: number;
  publicKey: string;
}

const ALGORITHMS = [3, 5, 6, 7, 8, 10, 13, 14];

/** A DNSKEY: flags 0/256/257, protocol 3, one of the document's algorithms, a base64 public key. */
export function dnskey(k: Json, path: string): DnskeyInput {
  const num = (key: string, allowed: number[]) => {
    const v = string(k, key, `${path}[${key}]`);
    if (!/^\d+$/.test(v) || !allowed.includes(Number(v))) throw new ParameterRange(`${path}[${key}]`, `must be one of ${allowed.join(', ')}`);
    return Number(v);
  };
  const publicKey = string(k, 'public_key', `${path}[public_key]`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(publicKey)) throw new ParameterSyntax(`${path}[public_key]`, 'must be base64');
  return { flags: num('flags', [0, 256, 257]), protocol: num('protocol', [3]), alg: num('alg', ALGORITHMS), publicKey };
}

/** Bulk renew's `renew_period` values, as the document lists them ("3m, 6m, 9m, 1y ... 10y"), with their months. */
const RENEW_PERIODS: ReadonlyMap<string, number> = new Map([
  ['3m', 3],
  ['6m', 6],
  ['9m', 9],
  ...Array.from({ length: 10 }, (_, i) => [`${i + 1}y`, 12 * (i + 1)] as [string, number]),
]);

/**
 * Bulk renew's `renew_period` in months: exactly one of the document's values, "3m, 6m, 9m, 1y ...
 * 10y" ("Bulk domain renew"); 2005 for a value that is not a number and m or y, 2004 for any other
 * (12m or 24m for whole years, 01y, 11y, 1m).
 */
export function renewPeriodMonths(value: string): number {
  if (!/^\d+[my]$/.test(value)) throw new ParameterSyntax('renew_period', 'must look like 3m, 6m, 9m, 1y ... 10y');
  const months = RENEW_PERIODS.get(value);
  if (months === undefined) throw new ParameterRange('renew_period', 'must be one of 3m, 6m, 9m, 1y ... 10y');
  return months;
}

/**
 * A registration or renewal period in months: 3, 6 or 9 months, or 1 to 10 years. `path` names the
 * period's field and `unitPath` the unit's, as the document spells them (`domain[period]` and
 * `domain[period_unit]`, `renews[period]` and `renews[period_unit]`); 2005 naming `unitPath` for a
 * unit other than y or m, 2004 naming `path` for a period out of range.
 */
export function periodMonths(value: number, unit: string, path: string, unitPath: string): number {
  if (unit !== 'y' && unit !== 'm') throw new ParameterSyntax(unitPath, 'must be y or m');
  const months = unit === 'y' ? value * 12 : value;
  if (!([3, 6, 9].includes(months) || (months % 12 === 0 && months >= 12 && months <= 120))) {
    throw new ParameterRange(path, 'must be 3, 6 or 9 months or 1 to 10 years');
  }
  return months;
}
