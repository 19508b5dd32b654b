/**
 * The HeadlessDomains wire client: one HTTPS (or HTTP) exchange per request, JSON both ways, the
 * account's bearer token in `Authorization` (document, "Prerequisites" 2), the gateway's
 * idempotency key as `Idempotency-Key` on every mutating command, and the port call's transaction
 * id as `X-Request-Id`. The token stays inside this object: it is masked out of every message.
 *
 * The registry's rate limit is shared out between the poller and requests (budget.ts): a
 * request whose share of the window is spent waits for its next window while that fits the
 * budget (`rateLimitBudgetMs`), else it is RATE_LIMITED with `retryAfter` in seconds, nothing sent.
 *
 * 429 (the key's window spent anyway, e.g. by another gateway instance or client of the same
 * key): the request is sent again after the advised delay (Retry-After, else the body's
 * `retry_after_seconds`, else the reset time GET /status last reported) while that fits the same
 * budget; past it, RATE_LIMITED with `retryAfter` in seconds, `upstreamCode` 2502 (LIMIT_EXCEEDED)
 * and the registry's message: the registry refused the request without processing it, so the
 * command log records its refusal (FAILED) and the idempotency key is free to send again.
 *
 * An answer that came but cannot be read is not a refusal: a 2xx whose body is not a JSON object
 * (here), or lacks what the command's answer carries (commands.ts), and a 4xx without the error
 * body ({"error": {"code": ...}}, errors.ts) are UPSTREAM_UNAVAILABLE with maybeApplied, the
 * outcome of a change unknown (the retry reconciles; the registry's own idempotency record answers
 * the same Idempotency-Key if it is sent again).
 *
 * A refusal's message names what it refuses as the request sent it (a domain, its namespace, a
 * host name, a registrant field): errors.ts cuts each such echo to 32 characters (README, Errors)
 * and masks the request's auth code whole, as the bearer token is.
 */
import type { Clock } from '../../core/clock.js';
import { LIMIT_EXCEEDED, unreadableAnswer, UpstreamRateLimitedError, UpstreamUnavailableError } from '../../core/errors.js';
import { retryAfterMs, systemTimer, type Timer } from '../repp/retry.js';
import { HeadlessRateBudget, type RateLane, type RateLimitShape, type SharedRateCounts } from './budget.js';
import { errorFor, masked, requestValues } from './errors.js';
import type { ConnectionWaits } from '../../core/port.js';
import { endpointUrl, NotAnswered, RegistryConnections, type ExchangeLog, type RawAnswer } from '../http-exchange.js';

/** Where and as whom a HeadlessHttpClient talks: base URL, bearer token, TLS trust, timeout (ms), rate-limit wait budget (ms, default 15000), the limit's shape until GET /status reports it, largest answer (bytes). */
export interface HeadlessEndpoint {
  /** Base URL the document's paths go after. */
  url: string;
  token: string;
  tls?: { ca?: string; servername?: string; rejectUnauthorized?: boolean };
  timeoutMs?: number;
  /** How long one request may spend waiting for its share of the rate limit or out 429s, in ms. Default 15000. */
  rateLimitBudgetMs?: number;
  /** The registry's limit and the poller's share, until GET /status reports the limit (budget.ts). */
  rateLimit?: Partial<RateLimitShape>;
  maxResponseBytes?: number;
}

/** One registrar API request: method, the document's path (values encoded), query, JSON body, Idempotency-Key (changes), whether it changes state, and its rate-limit lane. */
export interface HeadlessRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The document's path, values encoded: "/domains/a.hdtest/renew". */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Sent as Idempotency-Key (mutating commands). */
  idempotencyKey?: string;
  changesState: boolean;
  /** The share of the rate limit it spends: the poller's GET /poll, or requests (the default). */
  lane?: RateLane;
  /** Background work (a bulk job's: CallContext.background): given a connection after every interactive request waiting (RegistryConnections). */
  background?: boolean;
}

/** A 2xx answer: HTTP status (202: pending backend apply), the JSON object body, the X-Request-Id sent, and whether the registry replayed it from its idempotency record. */
export interface HeadlessAnswer {
  status: number;
  body: Record<string, unknown>;
  requestId: string;
  /** The registry answered from its idempotency record (`Idempotent-Replayed: true`). */
  replayed: boolean;
}

/**
 * One account's registrar API client: JSON over kept-alive HTTPS with the bearer token (masked from every message), the rate-limit lanes and 429s waited
 * out within rateLimitBudgetMs (then RATE_LIMITED, retryAfter in seconds), refusals by errors.ts, a lost or unreadable answer UPSTREAM_UNAVAILABLE (maybeApplied).
 */
export class HeadlessHttpClient {
  private readonly base: URL;
  private readonly connections: RegistryConnections;
  /** When the registry's rate-limit window resets, as GET /status last said (ms since epoch). */
  private rateResetAt?: number;
  private readonly budget: HeadlessRateBudget;
  /** Now, in ms since the epoch, on the timer or clock given (the registry's reset times are on the epoch). */
  private readonly epochMs: () => number;

  /**
   * @param opts.timer sleeps and time; its now() must be ms since the epoch (the registry's windows
   *   are), as a test's fake clock gives. Default: setTimeout, and the clock for the windows.
   * @param opts.clock the gateway's clock, on which the rate-limit windows are counted when no timer
   *   is given (the in-process sandbox counts its windows on the same clock). Default the system's.
   * @param opts.shared with Redis: the backend's counts shared by every instance, and this account's
   *   gateway registrar id (budget.ts)
   * @param opts.logger the backend's logger: one warn line per failed connection (http-exchange.ts ExchangeLog); default none
   */
  constructor(
    private readonly endpoint: HeadlessEndpoint,
    private readonly opts: { backend?: string; timer?: Timer; clock?: Clock; shared?: { counts: SharedRateCounts; account: string }; logger?: ExchangeLog['logger'] } = {},
  ) {
    this.base = new URL(endpoint.url);
    const timer = opts.timer;
    // Not systemTimer.now() (performance.now(): since this process started): the windows are the registry's, on the epoch.
    const clock = opts.clock;
    const epochMs = timer ? () => timer.now() : clock ? () => clock.now().getTime() : Date.now;
    this.epochMs = epochMs;
    this.budget = new HeadlessRateBudget(endpoint.rateLimit, epochMs, opts.shared);
    this.connections = new RegistryConnections(this.base, endpoint.tls, 4);
  }

  /**
   * Notes the rate limit GET /status reported: the limit and window the shares are cut from, and
   * the reset time (window alignment; the fallback delay for a 429 without Retry-After).
   */
  async noteRateLimit(reported: { limit?: number; windowSeconds?: number; resetAt?: Date | null } | null): Promise<void> {
    this.rateResetAt = reported?.resetAt?.getTime();
    await this.budget.adopt(reported);
  }

  /** Sends the request, waiting out 429s within the budget; answers a 2xx or throws the gateway error. */
  async send(req: HeadlessRequest, requestId: string): Promise<HeadlessAnswer> {
    const timer = this.opts.timer ?? systemTimer;
    const deadline = timer.now() + (this.endpoint.rateLimitBudgetMs ?? 15_000);
    const secrets = [this.endpoint.token];
    let sent = false; // whether any attempt of this request reached the registry
    for (;;) {
      const lane = req.lane ?? 'requests';
      const waitMs = await this.budget.take(lane);
      if (waitMs > 0) {
        if (timer.now() + waitMs > deadline) {
          const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
          throw new UpstreamRateLimitedError(`the ${lane === 'poller' ? "poller's" : "requests'"} share of the registry rate limit is spent for this window: retry after ${retryAfter} s`, { backend: this.opts.backend, retryAfter, sent });
        }
        await timer.sleep(waitMs);
        continue;
      }
      sent = true;
      const raw = await this.exchange(req, requestId).catch((e: unknown) => {
        if (!(e instanceof NotAnswered)) throw e;
        // Sent and not answered: a change's outcome is unknown (also after an earlier change of the same call); a read's entry says NO_ANSWER.
        throw new UpstreamUnavailableError(masked(e.message, secrets), { backend: this.opts.backend, maybeApplied: e.sent });
      });
      const body = parse(raw.text);
      if (raw.status === 429) {
        const waitMs = this.advisedDelay(raw, body);
        if (timer.now() + waitMs > deadline) {
          const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
          // The registry refused it before processing: the command log says so (FAILED, 2502), the key may be sent again.
          const err = body?.error as { code?: unknown; message?: unknown } | undefined;
          const upstreamMessage = masked(`${typeof err?.code === 'string' ? err.code : 'rate_limited'}: ${typeof err?.message === 'string' ? err.message.slice(0, 200) : 'HTTP 429'}`, secrets);
          throw new UpstreamRateLimitedError(`registry rate limit (HTTP 429): retry after ${retryAfter} s`, { backend: this.opts.backend, retryAfter, upstreamCode: LIMIT_EXCEEDED, upstreamMessage });
        }
        await timer.sleep(waitMs);
        continue;
      }
      if (raw.status < 200 || raw.status >= 300) {
        // The request's own secrets (auth_code) are masked here too, before the message is cut to its length: a cut one would escape the portable mask.
        const sent = requestValues(req);
        throw errorFor(raw.status, body, { backend: this.opts.backend, secrets: [...secrets, ...sent.secrets], changesState: req.changesState, echoes: sent.echoes });
      }
      if (!body) throw unreadableAnswer(`registry answered HTTP ${raw.status} without a JSON body`, { backend: this.opts.backend });
      return { status: raw.status, body, requestId, replayed: raw.headers['idempotent-replayed'] === 'true' };
    }
  }

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

  /** A 429's delay in ms: Retry-After (seconds or an HTTP date), else the body's retry_after_seconds, else until the reset GET /status last reported, else 1 s; dates against the client's clock (epochMs). */
  private advisedDelay(raw: RawAnswer, body: Record<string, unknown> | null): number {
    const header = retryAfterMs(raw.headers['retry-after'], this.epochMs());
    if (header !== undefined) return header;
    const err = body?.error as { retry_after_seconds?: unknown } | undefined;
    if (typeof err?.retry_after_seconds === 'number') return err.retry_after_seconds * 1000;
    if (this.rateResetAt !== undefined) return Math.max(0, this.rateResetAt - this.epochMs());
    return 1000;
  }

  /** One exchange: an answer with any status, or NotAnswered saying whether the request left. */
  private exchange(req: HeadlessRequest, requestId: string): Promise<RawAnswer> {
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body), 'utf8');
    const headers: Record<string, string | number> = { Authorization: `Bearer ${this.endpoint.token}`, Accept: 'application/json', 'X-Request-Id': requestId };
    if (payload) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': payload.length });
    if (req.idempotencyKey) headers['Idempotency-Key'] = req.idempotencyKey;
    return this.connections.exchange({
      url: endpointUrl(this.base, req.path, req.query),
      method: req.method,
      headers,
      body: payload,
      timeoutMs: this.endpoint.timeoutMs ?? 30_000,
      maxResponseBytes: this.endpoint.maxResponseBytes ?? 8 * 1024 * 1024,
      label: `${req.method} ${req.path.slice(0, 80)}`,
      log: this.opts.logger && { logger: this.opts.logger, backend: this.opts.backend ?? 'headless' },
      background: req.background === true,
    });
  }
}

function parse(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
