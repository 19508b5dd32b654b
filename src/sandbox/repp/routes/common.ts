/** What every REPP sandbox route gets, and the object look-ups they share. */
import { ObjectGone, ObjectNotFound, StatusProhibits } from '../errors.js';
import type { ContactRecord, DomainRecord, RegistrarRecord, Role } from '../records.js';
import type { Store } from '../store.js';

/** What the routes share across requests: the store and the simulated registrant's reply delay (ms). */
export interface Env {
  store: Store;
  /** How long the simulated registrant takes to confirm an unverified registrant change or deletion. */
  registrantReplyMs: number;
}

/** One authenticated request as a route sees it: time, caller's registrar, path params, query, JSON body, headers. */
export interface Ctx {
  env: Env;
  store: Store;
  now: Date;
  /** The authenticated API user's registrar. */
  registrar: RegistrarRecord;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body ({} when there is none). */
  body: Record<string, unknown>;
  header(name: string): string | undefined;
}

/** What a route answers; the server wraps it as { code, message, data }. */
export interface Reply {
  data?: unknown;
  message?: string;
}

/** One endpoint of the document: method, path pattern, counter/fault key, roles; handle() returns the data or throws ReppError. */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The document's path pattern, e.g. "/repp/v1/domains/:domain_name/renew". */
  path: string;
  /** Stable key for counters and faults, e.g. "domain:renew". */
  key: string;
  /** API user roles allowed (default: super and epp). */
  roles?: Role[];
  handle(ctx: Ctx): Reply;
}

/** A domain, or 404 (410 once deleted). `own`: only the caller's, as the registry's REPP looks them up. */
export function findDomain(ctx: Ctx, name: string, own: boolean): DomainRecord {
  const key = name.toLowerCase();
  const d = ctx.store.domains.get(key);
  if (!d) throw ctx.store.removed.has(`domain:${key}`) ? new ObjectGone() : new ObjectNotFound();
  if (own && d.registrar !== ctx.registrar.id) throw new ObjectNotFound();
  return d;
}

/** One of the caller's contacts, or 404 (410 once deleted). */
export function findContact(ctx: Ctx, code: string): ContactRecord {
  const c = ctx.store.contacts.get(code);
  if (!c || c.registrar !== ctx.registrar.id) {
    throw !c && ctx.store.removed.has(`contact:${code}`) ? new ObjectGone() : new ObjectNotFound();
  }
  return c;
}

/** Refuses when the domain carries one of these statuses (2304). */
export function prohibitedBy(d: DomainRecord, ...statuses: string[]): void {
  for (const s of statuses) if (d.statuses.has(s)) throw new StatusProhibits(s);
}

/** The statuses that stop a change of the domain's data. */
export const UPDATE_BLOCKERS = ['serverUpdateProhibited', 'pendingUpdate', 'pendingDeleteConfirmation', 'pendingDelete'] as const;

/** Sets the domain's updated_at to `now`. */
export function touch(d: DomainRecord, now: Date): void {
  d.updatedAt = now;
}
