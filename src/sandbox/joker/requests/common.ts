/**
 * What a sandbox request handler gets and answers. A handler either answers at once (queries,
 * login) or accepts a modifying request as a job (`job`): the server gives it a Proc-ID and the
 * job is applied after the configured delay, its answer kept for result-list / result-retrieve
 * until result-delete (DMAPI document, "Basics" and "result-list").
 */
import type { Reseller } from '../records.js';
import { BadValue, MissingField, NotFound, NotYours } from '../refusal.js';
import type { Header } from '../reply.js';
import type { Store } from '../store.js';

/** Request variables by lower-cased name (names are case-insensitive). */
export class Params {
  constructor(private readonly map: Map<string, string>) {}
  get(name: string): string | undefined {
    const v = this.map.get(name);
    return v === undefined || v === '' ? undefined : v;
  }
  has(name: string): boolean {
    return this.map.has(name);
  }
  req(name: string): string {
    const v = this.get(name);
    if (v === undefined) throw new MissingField(name);
    return v;
  }
  /** Every variable, for "at least one of" checks. */
  names(): string[] {
    return [...this.map.keys()];
  }
}

/** Which delay a job waits: contacts and name servers, or domains (registry round trips). */
export type JobKind = 'object' | 'domain';

/** A modifying request accepted for later processing: its result type and object (result-list columns), delay kind, apply(). */
export interface JobSpec {
  type: string;
  object: string;
  kind: JobKind;
  /** Applies the request at processing time (re-checking what may have changed); extra answer headers. */
  apply(now: number): Header[];
}

/** A handler's answer: extra headers, body lines, and a job when the request is processed asynchronously (a Proc-ID is given). */
export interface Answer {
  headers?: Header[];
  body?: string[];
  job?: JobSpec;
}

/** What a handler gets: the store, the request time (ms), the session's reseller and the request variables. */
export interface Ctx {
  store: Store;
  now: number;
  /** The session's reseller (undefined only for login). */
  reseller: Reseller;
  p: Params;
}

/** One DMAPI request: answers at once, or returns a job; refuses by throwing a Refusal. */
export type Handler = (c: Ctx) => Answer;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A lower-cased FQDN (ASCII / A-labels), or BadValue naming the field. */
export function fqdn(field: string, v: string): string {
  const n = v.toLowerCase().replace(/\.$/, '');
  if (n.length > 253 || n.split('.').length < 2 || !n.split('.').every((l) => LABEL.test(l))) throw new BadValue(field, v, 'not a host name');
  return n;
}

/** A domain under a served TLD, one label below it. */
export function servedDomain(c: Ctx, field = 'domain'): string {
  const name = fqdn(field, c.p.req(field));
  if (!c.store.tldOf(name)) throw new BadValue(field, name, `not under a TLD this reseller may register (${c.store.cfg.tlds.join(', ')})`);
  return name;
}

/** The caller's own domain (live or in redemption when `deleted`), or NotFound / NotYours. */
export function ownDomain(c: Ctx, name: string, opts: { deleted?: boolean } = {}) {
  const d = c.store.domains.get(name);
  if (!d || (d.deletedAt !== null) !== Boolean(opts.deleted)) throw new NotFound('domain', name);
  if (d.reseller !== c.reseller.uid) throw new NotYours('domain', name);
  return d;
}

/** The success headers (DMAPI "Basics"): Status-Code 0, Status-Text "Command completed successfully". */
export const STATUS_OK: Header[] = [
  ['Status-Code', '0'],
  ['Status-Text', 'Command completed successfully'],
];

/** A glob ("*" and "?", document "result-list") as a whole-string, case-insensitive test; no pattern matches all. */
export function glob(pattern: string | undefined): (s: string) => boolean {
  if (!pattern) return () => true;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return (s) => re.test(s);
}
