/**
 * The REPP sandbox's HTTP(S) server: route, authenticate (HTTP Basic with an API user), check the
 * user's role, apply a queued fault, parse the JSON body, run the route and answer
 * `{ code, message, data }` as the document's examples do.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { SandboxListener } from '../listener.js';
import type { Clock } from '../../core/clock.js';
import {
  InternalError,
  InvalidCredentials,
  InvalidJson,
  MethodNotAllowed,
  NotAcceptable,
  PayloadTooLarge,
  ReppError,
  RoleForbidden,
  RouteNotFound,
  ServiceUnavailable,
  TooManyRequests,
} from './errors.js';
import type { ReppFault, ReppFaultQueue } from './faults.js';
import { tick } from './lifecycle.js';
import type { ApiUser, RegistrarRecord } from './records.js';
import { Router } from './router.js';
import type { Ctx, Env, Route } from './routes/common.js';

/** What ReppHttpServer needs: route environment, clock, faults, routes, a hook per applied request, the largest body in bytes. */
export interface ServerOptions {
  env: Env;
  clock: Clock;
  faults: ReppFaultQueue;
  routes: readonly Route[];
  onApplied(key: string): void;
  maxBodyBytes: number;
}

/** HTTPS settings: the server's PEM key and certificate, and the client CAs when a client certificate is required. */
export interface TlsOptions {
  key: string;
  cert: string;
  /** PEMs of the CAs whose client certificates are accepted; when set, a client certificate is required. */
  clientCa?: string[];
}

/** A bug in the sandbox, not a client error: answered 500 and reported on stderr. */
function unexpected(e: unknown): void {
  console.error('[repp-sandbox] unexpected error', e);
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: http.ServerResponse, e: ReppError): void {
  send(res, e.status, e.code === null ? { message: e.message, data: {} } : { code: e.code, message: e.message, data: {} }, e.headers);
}

function readBody(req: http.IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new PayloadTooLarge());
        req.pause();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** `Authorization: Basic base64(username:password)`; the password may itself hold colons (RFC 7617). */
function credentials(header: string | undefined): { username: string; password: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  if (!m) return null;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? null : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** An Accept header that rules JSON out (absent, *\/* or application/* are fine). */
function refusesJson(accept: string | undefined): boolean {
  if (!accept) return false;
  return !accept.split(',').some((part) => /^\s*(\*\/\*|application\/\*|application\/json)\s*(;|$)/i.test(part));
}

/**
 * The REPP HTTP(S) front: checks Accept (406), route (404/405), Basic credentials (401), role (403) and the JSON
 * body (2001), then a queued 'status' fault answers instead; runs the route and answers 200 `{ code: 1000, message,
 * data }` or the ReppError's status and body. A queued after-apply fault is used only once the route applied.
 */
export class ReppHttpServer {
  private listener?: SandboxListener;
  private readonly router: Router;

  constructor(private readonly opts: ServerOptions) {
    this.router = new Router(opts.routes);
  }

  listen(host: string, port: number, tls?: TlsOptions): Promise<{ host: string; port: number }> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.handle(req, res).catch((e) => {
        unexpected(e);
        if (!res.headersSent) sendError(res, new InternalError());
      });
    };
    const server = tls
      ? https.createServer({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2', ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}) }, handler)
      : http.createServer(handler);
    this.listener = new SandboxListener(server);
    return this.listener.listen(host, port);
  }

  async close(): Promise<void> {
    await this.listener?.close();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // Like Rails' ActionDispatch::RequestId: the client's X-Request-Id when it is sane, else a new one.
    const given = req.headers['x-request-id'];
    res.setHeader('X-Request-Id', typeof given === 'string' && /^[\w-]{1,255}$/.test(given) ? given : randomUUID());
    let raw: string;
    try {
      raw = await readBody(req, this.opts.maxBodyBytes);
    } catch (e) {
      res.setHeader('Connection', 'close');
      return sendError(res, e instanceof ReppError ? e : new InvalidJson());
    }
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = (req.method ?? 'GET').toUpperCase();
    try {
      if (refusesJson(req.headers.accept)) throw new NotAcceptable();
      const match = this.router.match(method, url.pathname);
      if (!match) throw new RouteNotFound(url.pathname);
      if ('allowed' in match) throw new MethodNotAllowed(method, match.allowed);
      const who = this.authenticate(req);
      const roles = match.route.roles ?? ['super', 'epp'];
      if (!who.user.roles.some((r) => roles.includes(r))) throw new RoleForbidden();
      // Unreadable JSON is refused (2001) before a fault is used: the fault waits for the next request.
      const body = this.parse(raw);
      const before = this.opts.faults.take(match.route.key, 'before');
      if (before?.action === 'status') {
        if (before.status === 429) throw new TooManyRequests(this.retryAfter(before.retryAfterSeconds ?? 1, before.retryAfterAs));
        if (before.status === 503) throw new ServiceUnavailable(before.retryAfterSeconds === undefined ? undefined : this.retryAfter(before.retryAfterSeconds, before.retryAfterAs));
        throw new ReppError(null, `HTTP ${before.status}`, before.status);
      }
      const now = this.opts.clock.now();
      tick(this.opts.env.store, now);
      const ctx: Ctx = {
        env: this.opts.env,
        store: this.opts.env.store,
        now,
        registrar: who.registrar,
        params: match.params,
        query: url.searchParams,
        body,
        header: (name) => {
          const v = req.headers[name.toLowerCase()];
          return Array.isArray(v) ? v[0] : v;
        },
      };
      const reply = match.route.handle(ctx);
      this.opts.onApplied(match.route.key);
      // An after-apply fault is used only by a request that was applied (a refused one leaves it queued).
      const fault = this.opts.faults.take(match.route.key, 'after');
      if (fault?.action === 'drop-after-apply') return void req.socket.destroy();
      if (fault?.action === 'error-after-apply') throw new InternalError();
      if ((fault?.action === 'delay-after-apply' || fault?.action === 'hold-after-apply') && !(await this.holdBack(fault, req, res))) return;
      if (fault?.action === 'garble-after-apply') return void res.writeHead(fault.status ?? 200, { 'Content-Type': 'application/json' }).end(fault.body);
      send(res, 200, { code: 1000, message: reply.message ?? 'Command completed successfully', data: reply.data ?? {} });
    } catch (e) {
      if (e instanceof ReppError) return sendError(res, e);
      unexpected(e);
      sendError(res, new InternalError());
    }
  }

  /**
   * A Retry-After value `seconds` from now: delta-seconds, or the HTTP-date (IMF-fixdate, RFC 9110
   * sections 10.2.3 and 5.6.7) that many seconds after the sandbox's clock.
   */
  private retryAfter(seconds: number, as: 'seconds' | 'http-date' = 'seconds'): string {
    return as === 'http-date' ? new Date(this.opts.clock.now().getTime() + seconds * 1000).toUTCString() : String(seconds);
  }

  private held = 0;
  /** Requests applied whose answer a delay-after-apply or hold-after-apply fault is holding back now. */
  get answersHeld(): number {
    return this.held;
  }

  /**
   * Holds the answer back as a delay-after-apply (delayMs) or hold-after-apply (until release()) fault
   * says; true when it is time to answer, false (answer nothing) once the client has closed the
   * connection, which ends the wait at once, as the EPP sandbox's delay and hold do.
   */
  private async holdBack(fault: ReppFault, req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> {
    const gone = new AbortController();
    const onClose = () => gone.abort();
    res.once('close', onClose);
    if (req.socket.destroyed) gone.abort();
    this.held++;
    try {
      if (fault.action === 'delay-after-apply') return await sleep(fault.delayMs, true, { signal: gone.signal }).catch(() => false);
      const left = new Promise<false>((resolve) => gone.signal.addEventListener('abort', () => resolve(false), { once: true }));
      return !gone.signal.aborted && (await Promise.race([this.opts.faults.hold().then(() => true), left]));
    } finally {
      res.off('close', onClose);
      this.held--;
    }
  }

  private authenticate(req: http.IncomingMessage): { user: ApiUser; registrar: RegistrarRecord } {
    const c = credentials(req.headers.authorization);
    const who = c && this.opts.env.store.authenticate(c.username, c.password);
    if (!who) throw new InvalidCredentials();
    return who;
  }

  private parse(raw: string): Record<string, unknown> {
    if (raw.trim() === '') return {};
    try {
      const v: unknown = JSON.parse(raw);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidJson();
      return v as Record<string, unknown>;
    } catch {
      throw new InvalidJson();
    }
  }
}
