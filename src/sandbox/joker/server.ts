/**
 * The Joker sandbox's HTTPS server (DMAPI document, "Basics"): requests are POST (or GET) to
 * /request/<name> with www-form variables (names case-insensitive); every request but login needs
 * the "auth-sid" variable of a live session (idle sessions expire); replies are plain text with
 * MIME-like headers, an empty line and the body. A refused request answers a non-zero Status-Code
 * with Error lines; a modifying request answers a Proc-ID and is processed later (process.ts).
 */
import http from 'node:http';
import https from 'node:https';
import { SandboxListener } from '../listener.js';
import type { Clock } from '../../core/clock.js';
import { tick } from './process.js';
import type { Reseller } from './records.js';
import { NotAuthenticated, Refusal, TooManyRequests, UnknownRequest } from './refusal.js';
import { writeReply, type Header } from './reply.js';
import { Params, type Ctx, type JobKind } from './requests/common.js';
import { REQUESTS } from './requests/index.js';
import type { Store } from './store.js';

/** What JokerHttpServer needs: the store, the clock, the session idle timeout and job delays (ms), the largest body (bytes), a request hook. */
export interface ServerOptions {
  store: Store;
  clock: Clock;
  /** Idle time after which a session expires, in ms. */
  sessionIdleMs: number;
  /** Processing delay per job kind, in ms. */
  delays: Record<JobKind, number>;
  maxBodyBytes: number;
  onRequest(name: string): void;
  /** Called with how many body lines each answered request's reply carries. */
  onRows?(name: string, rows: number): void;
  /** Called after each request is handled, before its answer is sent (the state file's write); a rejection fails the request (HTTP 500). */
  persist?(): Promise<void>;
}

function readBody(req: http.IncomingMessage, max: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) return resolve(null);
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function params(url: URL, body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const src of [url.searchParams, new URLSearchParams(body)]) for (const [k, v] of src) out.set(k.toLowerCase(), v);
  return out;
}

/**
 * The DMAPI HTTPS front (see the file comment): 404/2101 unknown request, 401/2200 without a live session, 413/2001 body too
 * large, a Refusal's status and Error lines, else Status-Code 0 with Tracking-Id, Proc-ID (jobs) and Account-Balance.
 */
export class JokerHttpServer {
  private listener?: SandboxListener;
  /** A fault for tests: every session is refused as expired, right after its login too. */
  refuseSessions = false;
  /** A fault for tests: request name -> Retry-After of the 429 its next request gets (once): seconds, written as such or as the HTTP date that far after the clock's now. */
  readonly tooManyRequests = new Map<string, { seconds: number; as: 'seconds' | 'http-date' }>();
  /** A fault for tests: request name -> the raw text (HTTP 200) its next request is answered with after it was processed (once). */
  readonly garbleAfterApply = new Map<string, string>();
  /**
   * A fault for tests: request names whose next request is accepted (and its job queued) as usual,
   * then answered HTTP 500 with `Status-Code: 2400` and no Error lines (once). The document allows
   * such a reply ("otherwise the reason will be provided in Error header lines (or, if this is
   * absent, HTTP error code should be used)"), and without Error lines it does not say the request
   * was not processed: here it was.
   */
  readonly failAfterApply = new Set<string>();
  /**
   * A fault for tests: request names whose next request's result keeps its status only, without
   * its detailed content (no Status-Code, Status-Text, Result or Error lines), as the document
   * allows ("result-retrieve": "If detailed information (content) is not available, only status
   * will be returned"); once.
   */
  readonly statusOnlyResult = new Set<string>();
  /**
   * A fault for tests: request name -> the non-zero Status-Code (and Status-Text) its next request
   * is answered with, HTTP 200 and no Error lines, after it was accepted and processed (its job
   * queued) as usual; once. The document allows such a reply: "Status-Code: Not 0 if error
   * occurred", while Error lines "May be returned if (and only if) the request was rejected" and
   * alone say "that processing didn't take place" ("Basics").
   */
  readonly errorWithoutErrorLines = new Map<string, { statusCode: string; statusText: string }>();

  constructor(private readonly opts: ServerOptions) {}

  listen(host: string, port: number, tls: { key: string; cert: string }): Promise<{ host: string; port: number }> {
    const server = https.createServer({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' }, (req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        console.error('[joker-sandbox] unexpected error', e);
        if (!res.headersSent) this.send(res, 500, [['Status-Code', '2400'], ['Status-Text', 'Command failed'], ['Error', 'internal error']]);
      });
    });
    this.listener = new SandboxListener(server);
    return this.listener.listen(host, port);
  }

  async close(): Promise<void> {
    await this.listener?.close();
  }

  private send(res: http.ServerResponse, status: number, headers: Header[], body: string[] = [], retryAfter?: string): void {
    const text = writeReply(headers, body);
    const retry = retryAfter === undefined ? {} : { 'Retry-After': retryAfter };
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...retry });
    res.end(text);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { store } = this.opts;
    const tracking: Header = ['Tracking-Id', store.nextTrackingId()];
    const raw = await readBody(req, this.opts.maxBodyBytes);
    if (raw === null) return this.send(res, 413, [tracking, ['Status-Code', '2001'], ['Status-Text', 'Command syntax error'], ['Error', 'request too large']]);
    const url = new URL(req.url ?? '/', 'https://sandbox');
    const name = decodeURIComponent(url.pathname.replace(/^\/request\//, '')).toLowerCase();
    const now = this.opts.clock.now().getTime();
    let reseller: Reseller | undefined;
    try {
      const handler = url.pathname.startsWith('/request/') ? REQUESTS[name] : undefined;
      if (!handler) throw new UnknownRequest(name);
      const limited = this.tooManyRequests.get(name);
      if (limited !== undefined) {
        this.tooManyRequests.delete(name);
        throw new TooManyRequests(limited.seconds, limited.as === 'http-date' ? new Date(now + limited.seconds * 1000).toUTCString() : undefined);
      }
      tick(store, now);
      const p = new Params(params(url, req.method === 'POST' ? raw : ''));
      if (name !== 'login') reseller = this.session(p.get('auth-sid'), now);
      const ctx: Ctx = { store, now, reseller: reseller!, p };
      store.tracking = true; // what the request looks up counts as changed (the state file journals it)
      let answer: ReturnType<typeof handler>;
      try {
        answer = handler(ctx);
      } finally {
        store.tracking = false;
      }
      reseller = ctx.reseller;
      this.opts.onRequest(name);
      this.opts.onRows?.(name, answer.body?.length ?? 0);
      const headers: Header[] = [tracking, ['Status-Code', '0'], ['Status-Text', 'Command completed successfully']];
      if (answer.job) {
        const procId = store.nextProcId();
        const spec = answer.job;
        const statusOnly = this.statusOnlyResult.delete(name);
        store.noteJob(procId);
        store.jobs.push({ ...spec, procId, svTrId: tracking[1], cltrid: p.get('cltrid') ?? '-', reseller: reseller.uid, acceptedAt: now, dueAt: now + this.opts.delays[spec.kind], status: '?', answer: null, deleted: false, statusOnly });
        headers.push(['Proc-ID', procId]);
      }
      headers.push(...(answer.headers ?? []), ['Account-Balance', (reseller.balanceCents / 100).toFixed(2)]);
      await this.opts.persist?.();
      if (this.failAfterApply.delete(name)) return this.send(res, 500, [tracking, ['Status-Code', '2400'], ['Status-Text', 'Command failed']]);
      const error = this.errorWithoutErrorLines.get(name);
      if (error !== undefined) {
        this.errorWithoutErrorLines.delete(name);
        const kept = headers.filter(([k]) => k !== 'Status-Code' && k !== 'Status-Text');
        return this.send(res, 200, [kept[0]!, ['Status-Code', error.statusCode], ['Status-Text', error.statusText], ...kept.slice(1)]);
      }
      const garbled = this.garbleAfterApply.get(name);
      if (garbled !== undefined) {
        this.garbleAfterApply.delete(name);
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        return void res.end(garbled);
      }
      this.send(res, 200, headers, answer.body);
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      await this.opts.persist?.(); // processing due requests (tick) may have changed the state
      const balance: Header[] = reseller ? [['Account-Balance', (reseller.balanceCents / 100).toFixed(2)]] : [];
      this.send(res, e.httpStatus, [tracking, ['Status-Code', String(e.statusCode)], ['Status-Text', e.statusText], ...e.errors.map((m): Header => ['Error', m]), ...balance], [], e.retryAfter ?? (e.retryAfterSeconds === undefined ? undefined : String(e.retryAfterSeconds)));
    }
  }

  /** The reseller of a live session; the session's idle time starts again. */
  private session(sid: string | undefined, now: number): Reseller {
    if (!sid) throw new NotAuthenticated('auth-sid required (log in first)');
    const s = this.opts.store.sessions.get(sid);
    if (!s || now - s.lastSeen > this.opts.sessionIdleMs || this.refuseSessions) {
      if (s) this.opts.store.sessions.delete(sid);
      throw new NotAuthenticated('session expired or invalid: log in again');
    }
    s.lastSeen = now;
    return this.opts.store.resellers.get(s.uid)!;
  }
}
