/**
 * The REPP wire client: one HTTPS (or HTTP) exchange per request, JSON both ways, HTTP Basic with
 * the API user (REPP document, "Authentication": base64 of "username:password") and, where the
 * registry asks for it, the client certificate. Keeps connections alive per account.
 *
 * It tells apart a request that never left (connection refused, TLS refused: not applied) from one
 * that was sent and got no answer (outcome unknown for a change), so exactly-once handling above
 * can reconcile only what needs it. 429 and 503 are retried after a delay (see retry.ts).
 *
 * An answer that came but cannot be read is never taken for a refusal: a 2xx whose body is not a
 * REPP result, or whose `data` lacks what the document shows (codec/read.ts unexpected), is
 * UPSTREAM_UNAVAILABLE with maybeApplied (outcome unknown for a change: the retry reconciles);
 * only the statuses of the document's error table are refusals (errors.ts).
 */
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../../core/clock.js';
import { unreadableAnswer, UpstreamUnavailableError, type GatewayError } from '../../core/errors.js';
import type { ConnectionWaits } from '../../core/port.js';
import { endpointUrl, NotAnswered, RegistryConnections, type ExchangeLog, type RawAnswer } from '../http-exchange.js';
import { errorFor, maskSecrets, type Envelope } from './errors.js';
import { DEFAULT_RETRY, retryAfterMs, systemTimer, withRetry, type RetryPolicy, type Timer } from './retry.js';

/** Where and as whom a ReppHttpClient talks to REPP: base URL, API user (HTTP Basic, REPP document "Authentication"), TLS and client certificate, timeout and retry bounds. */
export interface ReppEndpoint {
  /** Base URL; the document's paths (/repp/v1/...) go after it. E.g. https://testrepp.internet.ee */
  url: string;
  username: string;
  password: string;
  tls?: {
    /** PEM of the CA that signed the registry's certificate. */
    ca?: string;
    /** Client certificate and key (PEM), the ones used for EPP (REPP document, "Authentication"). */
    cert?: string;
    key?: string;
    servername?: string;
    rejectUnauthorized?: boolean;
  };
  /** How long one attempt may wait for the answer, in ms. Default 30000. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Connections kept per account. Default 4. */
  maxSockets?: number;
  /** Largest answer accepted, in bytes. Default 16 MiB. */
  maxResponseBytes?: number;
}

/** One REPP request, as the codec builds it. */
export interface ReppRequest {
  /** The command's name for logs and the command log, e.g. "domain:create". */
  command: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The document's path, e.g. "/repp/v1/domains/kasskoer.ee/renew" (values already encoded). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Extra headers, e.g. Auth-Code. */
  headers?: Record<string, string>;
  /** Values never to show in errors (transfer codes, auth codes). */
  secrets?: Array<string | null | undefined>;
  /** The request changes registry state. */
  changesState: boolean;
}

/** A successful answer: the body's code (1000), message and data. */
export interface ReppAnswer {
  status: number;
  code: number;
  message: string;
  data: unknown;
  /** The X-Request-Id sent with the request (the registry echoes it in its logs and answer). */
  requestId: string;
  /** Attempts made (more than one after a 429 or 503). */
  attempts: number;
}

function parseEnvelope(text: string): (Envelope & { data?: unknown }) | null {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    const o = v as Record<string, unknown>;
    return {
      code: typeof o.code === 'number' ? o.code : typeof o.code === 'string' && /^\d{4}$/.test(o.code) ? Number(o.code) : undefined,
      message: typeof o.message === 'string' ? o.message : undefined,
      data: o.data,
    };
  } catch {
    return null;
  }
}

/**
 * One account's REPP HTTP client: JSON requests with HTTP Basic and X-Request-Id over kept-alive connections, 429/503 retried (retry.ts);
 * a non-2xx status or a body code >= 2000 throws errors.ts errorFor's class; a lost or unreadable answer UPSTREAM_UNAVAILABLE (maybeApplied).
 */
export class ReppHttpClient {
  private readonly base: URL;
  private readonly connections: RegistryConnections;
  private readonly authorization: string;
  private readonly retry: RetryPolicy;
  private readonly prefix = `GW${randomBytes(3).toString('hex')}`;
  private seq = 0;

  /** The backend's configured name (an error's `registry`), when given. */
  get backend(): string | undefined {
    return this.opts.backend;
  }

  /**
   * @param opts.backend the backend's configured name (errors' `registry`)
   * @param opts.timer sleeps and time of the 429/503 retries (tests); default setTimeout and performance.now()
   * @param opts.clock the backend's clock, which a Retry-After given as an HTTP date is measured against; default the system's
   * @param opts.logger the backend's logger: one warn line per failed connection (http-exchange.ts ExchangeLog); default none
   */
  constructor(
    private readonly endpoint: ReppEndpoint,
    private readonly opts: { backend?: string; timer?: Timer; clock?: Clock; logger?: ExchangeLog['logger'] } = {},
  ) {
    this.base = new URL(endpoint.url);
    if (this.base.protocol !== 'https:' && this.base.protocol !== 'http:') throw new Error(`REPP url must be http(s): ${endpoint.url.slice(0, 64)}`);
    this.connections = new RegistryConnections(this.base, endpoint.tls, endpoint.maxSockets ?? 4);
    this.authorization = `Basic ${Buffer.from(`${endpoint.username}:${endpoint.password}`, 'utf8').toString('base64')}`;
    this.retry = { ...DEFAULT_RETRY, ...endpoint.retry };
  }

  /**
   * Sends the request (retrying 429/503 within the budget) and returns the successful answer, or
   * throws the gateway error for it (errors.ts). `budgetMs` caps the time spent on retries;
   * `requestId` is sent as X-Request-Id (default: one of the client's own); `background`: a bulk
   * job's request, given a connection after every interactive one waiting (RegistryConnections).
   */
  async send(req: ReppRequest, opts: { budgetMs?: number; requestId?: string; background?: boolean } = {}): Promise<ReppAnswer> {
    const requestId = opts.requestId ?? `${this.prefix}-${++this.seq}`;
    const budgetMs = opts.budgetMs;
    const secrets = [...(req.secrets ?? []), this.endpoint.password];
    const ctx = { backend: this.opts.backend, secrets, changesState: req.changesState };
    const timer = this.opts.timer ?? systemTimer;
    // Retry-After as an HTTP date is the registry's time: measured on the backend's clock, not the machine's.
    const clock = this.opts.clock ?? systemClock;
    const epochMs = () => clock.now().getTime();
    const { raw, attempts } = await withRetry(
      () => this.exchange(req, requestId, opts.background === true),
      { ...this.retry, budgetMs: budgetMs ?? this.retry.budgetMs },
      timer,
      epochMs,
    ).catch((e: unknown) => {
      if (e instanceof NotAnswered) {
        // Sent and not answered: a change's outcome is unknown; a read's entry says NO_ANSWER, not NOT_SENT.
        throw new UpstreamUnavailableError(maskSecrets(e.message, secrets), { backend: this.opts.backend, maybeApplied: e.sent });
      }
      throw e;
    });
    const env = parseEnvelope(raw.text);
    if (raw.status < 200 || raw.status >= 300 || (env?.code ?? 0) >= 2000) throw errorFor(raw.status, env, { ...ctx, retryAfterMs: retryAfterMs(raw.headers['retry-after'], epochMs()) }) satisfies GatewayError;
    // A 2xx whose body is not the document's result ({"code": 1000, "message": ..., "data": ...}):
    // not a refusal the document names, so the request may have been processed (unreadableAnswer).
    if (!env || env.code === undefined) throw unreadableAnswer(`registry answered HTTP ${raw.status} without a REPP result`, { backend: this.opts.backend });
    return { status: raw.status, code: env.code, message: maskSecrets(env.message ?? '', secrets), data: env.data ?? {}, requestId, attempts };
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.connections.destroy();
  }

  /** RegistryConnections.abandon: the exchanges under way fail now; returns how many there were. */
  abandon(): number {
    return this.connections.abandon();
  }

  /** Requests waiting for a connection now, by class. */
  get waiting(): ConnectionWaits {
    return this.connections.waiting;
  }

  /** One attempt: an answer with any status, or NotAnswered. */
  private exchange(req: ReppRequest, requestId: string, background: boolean): Promise<RawAnswer> {
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body), 'utf8');
    const headers: Record<string, string | number> = {
      Authorization: this.authorization,
      Accept: 'application/json',
      'X-Request-Id': requestId,
      ...(body ? { 'Content-Type': 'application/json', 'Content-Length': body.length } : {}),
      ...req.headers,
    };
    return this.connections.exchange({
      url: endpointUrl(this.base, req.path, req.query),
      method: req.method,
      headers,
      body,
      timeoutMs: this.endpoint.timeoutMs ?? 30_000,
      maxResponseBytes: this.endpoint.maxResponseBytes ?? 16 * 1024 * 1024,
      label: `${req.method} ${req.path.slice(0, 80)}`,
      log: this.opts.logger && { logger: this.opts.logger, backend: this.opts.backend ?? 'repp' },
      background,
    });
  }
}

/** The retry bounds (ms, attempts) and the injected time source of retry.ts. */
export type { RetryPolicy, Timer } from './retry.js';
