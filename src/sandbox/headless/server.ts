/**
 * The sandbox's HTTP(S) server: everything around a command (routes.ts). In order: the base path,
 * the bearer token of a `registrar_api` key bound to an approved channel, the key's rate limit
 * (429 with Retry-After), due backend applies, for mutating commands the Idempotency-Key (a retry
 * with the same key and body is answered from the first response, marked `Idempotent-Replayed:
 * true`; another body with the same key is 422), then the command and its audit row.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { SandboxListener } from '../listener.js';
import { ApiError, Errors } from './errors.js';
import { tick } from './lifecycle.js';
import type { Env, Request, Route } from './routes.js';
import type { ApiKey } from './store.js';

/** The packet's base path ("Base URL" https://partners.headlessdomains.com/api/v1/registrar/v1); command paths go after it. */
export const BASE_PATH = '/api/v1/registrar/v1';

/** What HeadlessHttpServer needs: the command environment, the routes, the per-key rate limit (requests per window ms), the largest body in bytes. */
export interface ServerOptions {
  env: Env;
  routes: Route[];
  rateLimit: { limit: number; windowMs: number };
  maxBodyBytes: number;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function match(route: Route, method: string, path: string): Record<string, string> | null {
  if (route.method !== method) return null;
  const want = route.path.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

/** The sandbox's HTTP(S) server: authentication, rate limit, idempotent replay and audit rows around each command (see the file comment). */
export class HeadlessHttpServer {
  private listener?: SandboxListener;
  /** Requests counted per key in the current fixed window: key token -> [window start ms, count]. */
  private readonly windows = new Map<string, [number, number]>();
  /** Tests: per key token, the requests counted against its limit and those answered 429, since start. */
  readonly traffic = new Map<string, { requests: number; rateLimited: number }>();

  /** Tests: answers to replace, once each, after the request they match was applied (garbleAfterApply). */
  private readonly garbles: Array<{ method: string; path: string; status: number; body: string }> = [];

  constructor(private readonly opts: ServerOptions) {}

  /**
   * Tests: the next `method` request to `path` (under the base path, e.g. "/domains") is handled
   * as usual, then answered `body` as it is, with `status`: an answer the client cannot read.
   */
  garbleAfterApply(method: string, path: string, body: string, status = 200): void {
    this.garbles.push({ method: method.toUpperCase(), path, status, body });
  }

  /** The rate-limit state of a key, as /status reports it. */
  rateState(key: ApiKey) {
    const { limit, windowMs } = this.opts.rateLimit;
    const now = this.opts.env.now().getTime();
    const start = now - (now % windowMs);
    const w = this.windows.get(key.token);
    const used = w && w[0] === start ? w[1] : 0;
    return { limit, remaining: Math.max(0, limit - used), windowSeconds: Math.ceil(windowMs / 1000), resetAt: new Date(start + windowMs) };
  }

  listen(host: string, port: number, tls?: { key: string; cert: string }): Promise<{ host: string; port: number }> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.serve(req, res);
    const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, handler) : http.createServer(handler);
    this.listener = new SandboxListener(server);
    return this.listener.listen(host, port);
  }

  async close(): Promise<void> {
    await this.listener?.close();
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = String(req.headers['x-request-id'] ?? '').slice(0, 128) || `req_${randomBytes(6).toString('hex')}`;
    let answer: Answer;
    try {
      const text = await this.read(req);
      answer = this.dispatch(req, text, requestId);
    } catch (e) {
      answer = failure(e);
    }
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const g = this.garbles.findIndex((x) => x.method === req.method && BASE_PATH + x.path === url.pathname);
    if (g >= 0) {
      const [garbled] = this.garbles.splice(g, 1);
      res.writeHead(garbled.status, { 'Content-Type': 'application/json', 'X-Request-Id': requestId });
      return void res.end(garbled.body);
    }
    const body = JSON.stringify(answer.body);
    res.writeHead(answer.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Request-Id': requestId, ...answer.headers });
    res.end(body);
  }

  private read(req: http.IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > this.opts.maxBodyBytes) {
          reject(Errors.tooLarge());
          req.destroy();
        } else chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  private dispatch(req: http.IncomingMessage, text: string, requestId: string): Answer {
    const env = this.opts.env;
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (!url.pathname.startsWith(BASE_PATH + '/')) throw Errors.routeNotFound();
    const path = url.pathname.slice(BASE_PATH.length);
    const key = this.authenticate(req.headers.authorization);
    this.spend(key);
    tick(env.store, env.now());
    let route: Route | undefined;
    let params: Record<string, string> = {};
    for (const r of this.opts.routes) {
      const p = match(r, req.method ?? 'GET', path);
      if (p) [route, params] = [r, p];
      if (p) break;
    }
    if (!route) throw Errors.routeNotFound();
    const body = parseBody(text);
    const channel = env.store.channels.get(key.channelId)!;
    const idempotencyKey = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
    if (!route.mutating) return route.handle(env, { channel, key, params, query: url.searchParams, body, commandId: '', idempotencyKey: null });
    if (!idempotencyKey || idempotencyKey.length > 255) throw Errors.keyRequired();
    const records = env.store.idempotency.get(channel.id) ?? new Map();
    env.store.idempotency.set(channel.id, records);
    const fingerprint = createHash('sha256').update(`${req.method} ${path}\n${JSON.stringify(body)}`).digest('hex');
    const seen = records.get(idempotencyKey);
    if (seen) {
      if (seen.fingerprint !== fingerprint) throw Errors.keyReused();
      return { status: seen.status, body: seen.body, headers: { 'Idempotent-Replayed': 'true' } };
    }
    const commandId = env.store.nextCommandId();
    const request: Request = { channel, key, params, query: url.searchParams, body, commandId, idempotencyKey };
    const now = env.now();
    let answer: Answer;
    let domain: string | null = params.domain?.toLowerCase() ?? null;
    let pending = false;
    try {
      const r = route.handle(env, request);
      answer = r;
      domain = r.domain ?? domain;
      pending = Boolean(r.pendingApply);
    } catch (e) {
      answer = failure(e, commandId);
    }
    const ok = answer.status < 400;
    env.store.addAudit({ commandId, command: route.command, domain, idempotencyKey, requestId, httpStatus: answer.status, status: ok ? (pending ? 'pending_backend_apply' : 'succeeded') : 'failed', channelId: channel.id, createdAt: now, completedAt: pending ? null : now });
    records.set(idempotencyKey, { fingerprint, status: answer.status, body: answer.body });
    return answer;
  }

  private authenticate(header: string | undefined): ApiKey {
    const m = /^Bearer ([\x21-\x7e]+)$/.exec(header ?? '');
    const key = m ? this.opts.env.store.keys.get(m[1]) : undefined;
    if (!key) throw Errors.unauthorized();
    if (key.profile !== 'registrar_api') throw Errors.wrongProfile(key.profile);
    if (!this.opts.env.store.channels.get(key.channelId)?.approved) throw Errors.channelNotApproved();
    return key;
  }

  /** Counts the request against the key's window; 429 with Retry-After beyond the limit. */
  private spend(key: ApiKey): void {
    const { limit, windowMs } = this.opts.rateLimit;
    const now = this.opts.env.now().getTime();
    const start = now - (now % windowMs);
    const w = this.windows.get(key.token);
    const used = w && w[0] === start ? w[1] : 0;
    const t = this.traffic.get(key.token) ?? { requests: 0, rateLimited: 0 };
    this.traffic.set(key.token, t);
    if (used >= limit) {
      t.rateLimited++;
      throw Errors.rateLimited(Math.max(1, Math.ceil((start + windowMs - now) / 1000)));
    }
    t.requests++;
    this.windows.set(key.token, [start, used + 1]);
  }
}

function parseBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw Errors.badJson();
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw Errors.badJson();
  return v as Record<string, unknown>;
}

function failure(e: unknown, commandId?: string): Answer {
  const err = e instanceof ApiError ? e : new ApiError(500, 'internal_error', 'internal error');
  const headers = err.status === 429 ? { 'Retry-After': String(err.extra.retry_after_seconds) } : undefined;
  return { status: err.status, body: { error: { code: err.code, message: err.message, ...err.extra }, ...(commandId ? { command_id: commandId } : {}) }, headers };
}
