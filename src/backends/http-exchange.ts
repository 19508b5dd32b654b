/**
 * One HTTP(S) exchange with a registry's web API: the transport shared by the REPP, HeadlessDomains
 * and Joker DMAPI wire clients (src/backends/{repp,headless,joker}/http.ts), which keep their own
 * authentication, envelopes, retries and error mapping.
 *
 * What it guarantees to them:
 * - an answer with any HTTP status (the caller maps it), or a {@link NotAnswered} saying whether
 *   the request may have reached the registry (`sent`): a new connection counts as sent once it is
 *   connected (TLS: after the handshake), a kept-alive one at once. A change whose request was sent
 *   and not answered has an unknown outcome; one never sent was not applied.
 * - `timeoutMs` is one deadline for the whole exchange, from the call to the last byte of the answer
 *   (what each backend's `timeoutMs` setting documents: "how long one request may wait for its
 *   answer"), not an idle timeout that a slowly trickling answer would keep extending.
 * - an answer larger than `maxResponseBytes` is cut off and becomes NotAnswered (sent), never
 *   buffered whole.
 * An answer that arrives but that the caller cannot read (not the document's format or shape) is
 * no refusal: the request was sent, so the caller answers it as core/errors.ts unreadableAnswer
 * (maybeApplied), as it does a NotAnswered that was sent.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import PQueue from 'p-queue';
import type { ConnectionWaits } from '../core/port.js';
import { connectFailureClass } from './connect-failure.js';

/** An answer as received: status, headers and the body decoded as UTF-8. */
export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** The exchange failed before an answer arrived; `sent` says whether the request may have reached the registry. */
export class NotAnswered extends Error {
  constructor(
    message: string,
    /** The request may have reached the registry. */
    readonly sent: boolean,
    /** The raw failure (it names hosts and ports: for the log, never for an API client). */
    cause?: unknown,
  ) {
    super(message, { cause });
  }
}

/** One request. `label` starts every failure message (e.g. "POST /repp/v1/domains"); it must hold no secret. */
export interface HttpExchange {
  url: URL;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers: Record<string, string | number>;
  body?: Buffer;
  /** Deadline for the whole exchange, in ms. */
  timeoutMs: number;
  /** Largest answer body accepted, in bytes. */
  maxResponseBytes: number;
  label: string;
  /** Where a failed exchange is reported to the operator (one warn line per failure); none: not logged. */
  log?: ExchangeLog;
  /**
   * Background work (a bulk job's item: CallContext.background): RegistryConnections hands it a
   * connection only when no interactive exchange waits. Default false.
   */
  background?: boolean;
}

const BACKGROUND = 0;
const INTERACTIVE = 1;
/** A background exchange that has waited RegistryConnections' agingMs: served before interactive ones. */
const AGED = 2;

/**
 * After how long (ms) a background exchange still waiting for a connection is served before
 * interactive ones (as src/backends/epp/session/pool.ts BACKGROUND_AGING_MS): interactive traffic
 * that keeps every connection busy slows a bulk job down but cannot starve it.
 */
export const CONNECTION_AGING_MS = 10_000;

/**
 * One account's kept-alive connections to a registry's web API (keepAliveAgent) and the queue in
 * front of them (p-queue): at most `maxSockets` exchanges at once, the next free connection going
 * to the first interactive exchange waiting, else to the first background one (a bulk job's items),
 * each class in its order, except a background exchange that has waited agingMs, which goes first
 * (looked at whenever an exchange is added or ends). So a query sent while a job runs waits behind
 * the exchanges under way, not behind the job's queue, as on an EPP account's session pool
 * (src/backends/epp/session/pool.ts).
 * An exchange's `timeoutMs` counts its wait here: one that finds no connection free within it fails
 * as NotAnswered, not sent (the warn line's code TIMEOUT).
 */
export class RegistryConnections {
  private readonly agent: http.Agent;
  private readonly queue: PQueue;
  private seq = 0;
  /** Background exchanges waiting and not aged yet, by id, with when they began to wait: in that order (a Map keeps it). */
  private readonly backgroundSince = new Map<string, number>();
  private readonly agingMs: number;
  private readonly now: () => number;

  /**
   * @param opts.agingMs after how long a background exchange waiting goes ahead of interactive ones (default CONNECTION_AGING_MS)
   * @param opts.now the clock waits are measured on, in ms (default performance.now; tests)
   */
  constructor(base: URL, tls: ExchangeTls | undefined, maxSockets: number, opts: { agingMs?: number; now?: () => number } = {}) {
    this.agent = keepAliveAgent(base, tls, maxSockets);
    this.queue = new PQueue({ concurrency: maxSockets });
    this.agingMs = opts.agingMs ?? CONNECTION_AGING_MS;
    this.now = opts.now ?? (() => performance.now());
  }

  /** Sends one request when a connection is free (interactive first); resolves and rejects as `exchange`. */
  exchange(req: HttpExchange): Promise<RawAnswer> {
    const started = performance.now();
    const waited = new AbortController();
    const timer = setTimeout(() => waited.abort(ownError(`no connection free within ${req.timeoutMs} ms`, 'TIMEOUT')), req.timeoutMs);
    // Those waited long enough are aged before this one joins them.
    this.age();
    const id = `x${++this.seq}`;
    if (req.background) this.backgroundSince.set(id, this.now());
    const run = () => {
      clearTimeout(timer);
      this.backgroundSince.delete(id);
      // Before the queue picks the next exchange (its own handler runs after this one), those waited long enough are aged.
      return exchange(this.agent, { ...req, timeoutMs: Math.max(1, req.timeoutMs - (performance.now() - started)) }).finally(() => this.age());
    };
    return this.queue.add(run, { id, priority: req.background ? BACKGROUND : INTERACTIVE, signal: waited.signal }).catch((e: unknown) => {
      this.backgroundSince.delete(id);
      if (e instanceof NotAnswered || !waited.signal.aborted) throw e;
      const err = e as Error;
      req.log?.logger.warn({ backend: req.log.backend, host: req.url.hostname, code: 'TIMEOUT', cause: err.message, sent: false, request: req.label }, 'registry connection failed');
      throw new NotAnswered(`${req.label}: ${err.message}`, false, err);
    });
  }

  /** Exchanges waiting for a connection now, by class (HttpExchange.background; an aged one is still background). */
  get waiting(): ConnectionWaits {
    return { interactive: this.queue.sizeBy({ priority: INTERACTIVE }), background: this.queue.sizeBy({ priority: BACKGROUND }) + this.queue.sizeBy({ priority: AGED }) };
  }

  /** Moves the background exchanges that have waited agingMs ahead of the interactive ones (the oldest first, as they began to wait). */
  private age(): void {
    const now = this.now();
    for (const [id, since] of this.backgroundSince) {
      if (now - since < this.agingMs) break; // the rest began to wait later
      this.backgroundSince.delete(id);
      try {
        this.queue.setPriority(id, AGED);
      } catch {
        // started or given up meanwhile: nothing waits under that id
      }
    }
  }

  /** Closes the kept-alive connections (exchanges under way fail as their sockets close). */
  destroy(): void {
    this.agent.destroy();
  }

  /**
   * RegistryPort.abandon for this account: closes every connection, so the exchanges under way
   * fail now (their outcome unknown); the agent opens new ones for whatever is sent after. Returns
   * how many exchanges were under way.
   */
  abandon(): number {
    const underWay = this.queue.pending;
    if (underWay > 0) this.agent.destroy();
    return underWay;
  }
}

/**
 * The backend's logger and name, for the one warn line `exchange` writes per failure:
 * `{ backend, host, port, code, cause, sent, request }` with the message "registry connection failed",
 * where `code` is the OS or TLS error code (ECONNREFUSED, ENOTFOUND, ECONNRESET, ERR_TLS_CERT_ALTNAME_INVALID,
 * DEPTH_ZERO_SELF_SIGNED_CERT, ...), or TIMEOUT / TOO_LARGE for the exchange's own deadline and size
 * limit; `cause` is connect-failure.ts's class and `request` the exchange's label. The request's
 * headers and body (credentials, API keys, transfer codes) are never logged.
 */
export interface ExchangeLog {
  logger: { warn(obj: object, msg?: string): void };
  backend: string;
}

/** TLS settings of an account's connections (PEM strings). */
export interface ExchangeTls {
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  /** Default true. */
  rejectUnauthorized?: boolean;
}

/**
 * A keep-alive agent for `base`'s scheme: for https, TLS 1.2 or later with the given CA, client
 * certificate and server name, verifying the registry's certificate unless told not to.
 */
export function keepAliveAgent(base: URL, tls: ExchangeTls | undefined, maxSockets: number): http.Agent {
  if (base.protocol !== 'https:') return new http.Agent({ keepAlive: true, maxSockets });
  const t = tls ?? {};
  return new https.Agent({ keepAlive: true, maxSockets, ca: t.ca, cert: t.cert, key: t.key, servername: t.servername, rejectUnauthorized: t.rejectUnauthorized ?? true, minVersion: 'TLSv1.2' });
}

/**
 * The URL of a document path under the endpoint's base (its own path prefix kept, e.g.
 * https://host/api + /domains/x → https://host/api/domains/x), with the defined query values set.
 */
export function endpointUrl(base: URL, path: string, query?: Record<string, string | number | boolean | undefined>): URL {
  const url = new URL(base.pathname.replace(/\/$/, '') + path, base);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url;
}

/** The exchange's own failures (a deadline, a size), whose messages hold nothing internal. */
const own = new WeakSet<Error>();
const ownError = (message: string, code: 'TIMEOUT' | 'TOO_LARGE'): Error => {
  const e = Object.assign(new Error(message), { code });
  own.add(e);
  return e;
};

/** The OS or TLS code of a failure (Node's `code`), or "UNKNOWN". */
const codeOf = (e: Error): string => {
  const c = (e as { code?: unknown }).code;
  return typeof c === 'string' && c ? c : 'UNKNOWN';
};

/** Sends one request on `agent` and resolves with the answer whatever its status; rejects with NotAnswered only, after one warn line on `req.log` (ExchangeLog). */
export function exchange(agent: http.Agent, req: HttpExchange): Promise<RawAnswer> {
  const secure = req.url.protocol === 'https:';
  return new Promise<RawAnswer>((resolve, reject) => {
    let sent = false;
    let settled = false;
    // Settles once: destroying the request after its answer began emits errors of its own.
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // The class of cause only: the raw error names the registry's host and port (kept as `cause`,
      // and written to the operator's log here, where the backend's name and address are known).
      req.log?.logger.warn(
        {
          backend: req.log.backend,
          host: req.url.hostname,
          port: Number(req.url.port) || (secure ? 443 : 80),
          code: codeOf(e),
          cause: own.has(e) ? e.message : connectFailureClass(e),
          sent,
          request: req.label,
        },
        'registry connection failed',
      );
      reject(new NotAnswered(`${req.label}: ${own.has(e) ? e.message : connectFailureClass(e)}`, sent, e));
      r.destroy();
    };
    const r = (secure ? https : http).request(req.url, { method: req.method, headers: req.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > req.maxResponseBytes) fail(ownError(`answer larger than ${req.maxResponseBytes} bytes`, 'TOO_LARGE'));
        else chunks.push(c);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', fail);
    });
    const timer = setTimeout(() => fail(ownError(`no answer within ${req.timeoutMs} ms`, 'TIMEOUT')), req.timeoutMs);
    r.on('socket', (s: Socket) => {
      if (!s.connecting) sent = true;
      else s.once(secure ? 'secureConnect' : 'connect', () => (sent = true));
    });
    r.on('error', fail);
    r.end(req.body);
  });
}
