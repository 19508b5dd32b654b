/**
 * The registrar API's commands (document, "Current Commands"), one handler each. A handler gets
 * the authenticated channel and the parsed body and answers a status and a body; the server
 * (server.ts) does authentication, rate limit, idempotency and the audit row around it.
 */
import { Errors } from './errors.js';
import { addYears, resetFixtures, newRegistration } from './fixtures.js';
import { applyStatus, queue, tick } from './lifecycle.js';
import type { ApiKey, Channel, Registrant, Registration, Store } from './store.js';
import { auditView, registrationView, statusView } from './views.js';

/** What every command gets: the store, the clock, the backend apply delay (ms), and a key's rate-limit state for GET /status. */
export interface Env {
  store: Store;
  now(): Date;
  applyDelayMs: number;
  rateState(key: ApiKey): { limit: number; remaining: number; windowSeconds: number; resetAt: Date };
}

/** An authenticated request: the key's channel and key, path params, query, JSON body, its command id and Idempotency-Key. */
export interface Request {
  channel: Channel;
  key: ApiKey;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  commandId: string;
  idempotencyKey: string | null;
}

/** A command's HTTP status and JSON body (the server writes it as is), plus what its audit row records. */
export interface Reply {
  status: number;
  body: unknown;
  /** Audit: the domain concerned and whether a backend apply stays pending. */
  domain?: string | null;
  pendingApply?: boolean;
}

/** One command of the packet's "Current Commands": method, path under BASE_PATH, audit name, whether it mutates, handler (throws ApiError). */
export interface Route {
  method: string;
  /** Path under the base URL, `:domain` a parameter. */
  path: string;
  /** Audit command name; mutating commands need an Idempotency-Key and write an audit row. */
  command: string;
  mutating: boolean;
  handle(env: Env, req: Request): Reply;
}

const LDH = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const str = (v: unknown): v is string => typeof v === 'string';

function domainName(channel: Channel, raw: unknown, field = 'domain'): string {
  if (!str(raw)) throw Errors.invalid(field, 'a domain name is required');
  const d = raw.toLowerCase().replace(/\.$/, '');
  if (!LDH.test(d)) throw Errors.invalidValue(field, raw, 'a valid domain name');
  const tld = d.slice(d.indexOf('.') + 1);
  if (!channel.namespaces.includes(tld)) throw Errors.namespaceNotApproved(tld);
  return d;
}

function held(env: Env, req: Request): Registration {
  const d = domainName(req.channel, req.params.domain);
  const r = env.store.registrations.get(d);
  if (!r) throw Errors.notFound(d);
  if (r.channelId !== req.channel.id) throw Errors.notHolder(d);
  if (r.state !== 'active') throw Errors.lifecycle(d, r.state);
  return r;
}

function years(v: unknown): number {
  if (v === undefined) return 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 10) throw Errors.invalid('years', 'a whole number of years, 1 to 10');
  return v;
}

function nameservers(v: unknown): string[] {
  if (!Array.isArray(v) || v.length > 13) throw Errors.invalid('nameservers', 'a list of at most 13 host names');
  const out = v.map((n, i) => {
    if (!str(n)) throw Errors.invalid(`nameservers[${i}]`, 'not a host name');
    if (!LDH.test(n.toLowerCase())) throw Errors.invalidValue(`nameservers[${i}]`, n, 'a host name');
    return n.toLowerCase();
  });
  return [...new Set(out)];
}

function registrant(v: unknown, base: Registrant): Registrant {
  if (v === undefined) return base;
  if (typeof v !== 'object' || v === null) throw Errors.invalid('registrant', 'an object');
  const o = v as Record<string, unknown>;
  const next = { ...base };
  for (const f of ['name', 'email', 'organization'] as const) {
    if (o[f] === undefined) continue;
    if (f === 'organization' && o[f] === null) next.organization = null;
    else if (!str(o[f]) || (o[f] as string).length > 255) throw Errors.invalid(`registrant.${f}`, 'a string of at most 255 characters');
    else next[f] = o[f] as string;
  }
  if (!next.email.includes('@')) throw Errors.invalidValue('registrant.email', next.email, 'an e-mail address');
  return next;
}

const view = (env: Env, req: Request, r: Registration) => registrationView(env.store, r, req.channel.id);

/**
 * The packet's commands: GET /status, POST /sandbox/reset, POST /domains/check, POST /domains (201), GET/PATCH/DELETE
 * /domains/:domain, POST .../renew, POST .../transfer and PUT .../nameservers (202, backend apply pending), GET /poll
 * (after, limit 1-500). A held command needs the caller's active registration (404, 403 not_registrar_of_record, 409).
 */
export const ROUTES: Route[] = [
  { method: 'GET', path: '/status', command: 'status', mutating: false, handle: (env, req) => ({ status: 200, body: statusView(req.channel, req.key, env.rateState(req.key), env.applyDelayMs) }) },
  {
    method: 'POST', path: '/sandbox/reset', command: 'sandbox.reset', mutating: true,
    handle(env, req) {
      const f = resetFixtures(env.store, req.channel, req.channel.namespaces[0], env.now());
      const fixtures = { available: f.available, renewal: f.renewal, update: f.update, transfer: { domain: f.transfer, auth_code: f.transferAuthCode }, nameservers: f.nameservers, delete: f.delete };
      return { status: 200, body: { command_id: req.commandId, reset_at: env.now().toISOString(), registrar_channel_id: req.channel.id, fixtures } };
    },
  },
  {
    method: 'POST', path: '/domains/check', command: 'domains.check', mutating: false,
    handle(env, req) {
      const b = req.body;
      const raw = b.domain ?? (str(b.label) && str(b.tld) ? `${b.label}.${b.tld}` : undefined);
      const d = domainName(req.channel, raw);
      const r = env.store.registrations.get(d);
      const reason = !r ? null : r.state === 'protected_recovery' ? 'protected_recovery_record' : 'registered';
      return { status: 200, body: { domain: d, available: !r, reason } };
    },
  },
  {
    method: 'POST', path: '/domains', command: 'domains.create', mutating: true,
    handle(env, req) {
      const b = req.body;
      const d = domainName(req.channel, b.domain ?? (str(b.label) && str(b.tld) ? `${b.label}.${b.tld}` : undefined));
      const existing = env.store.registrations.get(d);
      if (existing) throw existing.state === 'protected_recovery' ? Errors.protectedRecord(d) : Errors.exists(d);
      if (b.auth_code !== undefined && (!str(b.auth_code) || b.auth_code.length < 6 || b.auth_code.length > 64)) throw Errors.invalid('auth_code', '6 to 64 characters');
      const ns = b.nameservers === undefined ? [] : nameservers(b.nameservers);
      const r = newRegistration({ domain: d, channelId: req.channel.id, now: env.now(), years: years(b.years), authCode: b.auth_code as string | undefined });
      r.registrant = registrant(b.registrant, r.registrant);
      r.desiredNameservers = ns;
      r.appliedNameservers = [...ns];
      env.store.registrations.set(d, r);
      return { status: 201, body: { command_id: req.commandId, registration: view(env, req, r) }, domain: d };
    },
  },
  {
    method: 'GET', path: '/domains/:domain', command: 'domains.read', mutating: false,
    handle(env, req) {
      const d = domainName(req.channel, req.params.domain);
      const r = env.store.registrations.get(d);
      if (!r) throw Errors.notFound(d);
      return { status: 200, body: { registration: view(env, req, r) } };
    },
  },
  {
    method: 'POST', path: '/domains/:domain/renew', command: 'domains.renew', mutating: true,
    handle(env, req) {
      const r = held(env, req);
      const cur = req.body.current_expires_at;
      // The calendar date (UTC) is compared, as EPP curExpDate is: a client may only know the date.
      if (cur !== undefined && (!str(cur) || Number.isNaN(Date.parse(cur)) || new Date(cur).toISOString().slice(0, 10) !== r.expiresAt.toISOString().slice(0, 10))) throw Errors.expiryMismatch();
      const y = years(req.body.years);
      r.expiresAt = addYears(r.expiresAt, y);
      r.updatedAt = env.now();
      return { status: 200, body: { command_id: req.commandId, registration: view(env, req, r) }, domain: r.domain };
    },
  },
  {
    method: 'PATCH', path: '/domains/:domain', command: 'domains.patch', mutating: true,
    handle(env, req) {
      const r = held(env, req);
      const b = req.body;
      const next = registrant(b.registrant, r.registrant);
      const lc = (b.lifecycle ?? {}) as Record<string, unknown>;
      for (const f of ['client_hold', 'transfer_lock']) if (lc[f] !== undefined && typeof lc[f] !== 'boolean') throw Errors.invalid(`lifecycle.${f}`, 'true or false');
      for (const f of Object.keys(lc)) if (f !== 'client_hold' && f !== 'transfer_lock') throw Errors.invalid(`lifecycle.${f}`, 'not a supported lifecycle status field (client_hold, transfer_lock)');
      if (b.auth_code !== undefined && (!str(b.auth_code) || b.auth_code.length < 6 || b.auth_code.length > 64)) throw Errors.invalid('auth_code', '6 to 64 characters');
      r.registrant = next;
      if (typeof lc.client_hold === 'boolean') r.clientHold = lc.client_hold;
      if (typeof lc.transfer_lock === 'boolean') r.transferLock = lc.transfer_lock;
      if (str(b.auth_code)) r.authCode = b.auth_code;
      r.updatedAt = env.now();
      return { status: 200, body: { command_id: req.commandId, registration: view(env, req, r) }, domain: r.domain };
    },
  },
  {
    method: 'POST', path: '/domains/:domain/transfer', command: 'domains.transfer', mutating: true,
    handle(env, req) {
      const d = domainName(req.channel, req.params.domain);
      const r = env.store.registrations.get(d);
      if (!r) throw Errors.notFound(d);
      if (r.channelId === req.channel.id) throw Errors.alreadyHolder(d);
      if (r.state !== 'active') throw Errors.lifecycle(d, r.state);
      if (!str(req.body.auth_code) || req.body.auth_code !== r.authCode) throw Errors.badAuthCode();
      if (r.transferLock) throw Errors.transferLocked(d);
      r.transfer = { state: 'intent_recorded', gainingChannelId: req.channel.id, losingChannelId: r.channelId, recordedAt: env.now(), completedAt: null };
      queue(env.store, { domain: d, kind: 'transfer', commandId: req.commandId, idempotencyKey: req.idempotencyKey, channelId: req.channel.id }, env.now(), env.applyDelayMs);
      tick(env.store, env.now());
      return { status: 202, body: { command_id: req.commandId, registration: view(env, req, r) }, domain: d, pendingApply: applyStatus(env.store, d, 'transfer') === 'pending' };
    },
  },
  {
    method: 'PUT', path: '/domains/:domain/nameservers', command: 'domains.nameservers', mutating: true,
    handle(env, req) {
      const r = held(env, req);
      r.desiredNameservers = nameservers(req.body.nameservers);
      r.updatedAt = env.now();
      queue(env.store, { domain: r.domain, kind: 'nameservers', commandId: req.commandId, idempotencyKey: req.idempotencyKey, channelId: req.channel.id }, env.now(), env.applyDelayMs);
      tick(env.store, env.now());
      return { status: 202, body: { command_id: req.commandId, registration: view(env, req, r) }, domain: r.domain, pendingApply: applyStatus(env.store, r.domain, 'nameservers') === 'pending' };
    },
  },
  {
    method: 'DELETE', path: '/domains/:domain', command: 'domains.cancel', mutating: true,
    handle(env, req) {
      const r = held(env, req);
      r.state = 'pending_cancel';
      r.updatedAt = env.now();
      queue(env.store, { domain: r.domain, kind: 'cancel', commandId: req.commandId, idempotencyKey: req.idempotencyKey, channelId: req.channel.id }, env.now(), env.applyDelayMs);
      tick(env.store, env.now());
      return { status: 202, body: { command_id: req.commandId, registration: view(env, req, r) }, domain: r.domain, pendingApply: applyStatus(env.store, r.domain, 'cancel') === 'pending' };
    },
  },
  {
    method: 'GET', path: '/poll', command: 'poll', mutating: false,
    handle(env, req) {
      const after = req.query.get('after');
      const limit = Number(req.query.get('limit') ?? 100);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw Errors.invalid('limit', '1 to 500');
      const own = env.store.audit.filter((a) => a.channelId === req.channel.id);
      const start = after ? own.findIndex((a) => a.id === after) + 1 : 0;
      if (after && start === 0 && !/^aud_\d{16}$/.test(after)) throw Errors.invalid('after', 'an audit row id');
      const rest = after && start === 0 ? own.filter((a) => a.id > after) : own.slice(start);
      const events = rest.slice(0, limit).map(auditView);
      return { status: 200, body: { events, has_more: rest.length > limit, registrar_channel_id: req.channel.id } };
    },
  },
];
