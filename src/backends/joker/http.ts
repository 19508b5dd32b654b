/**
 * The DMAPI wire client of one reseller account (document, "Basics"): a form-encoded POST over TLS
 * to <url>/request/<name>, the reply parsed by reply.ts. It logs in on first use (api-key, or
 * username and password) and sends the Auth-Sid with every request. A request refused for
 * authorization (the session expired or became invalid) is sent again once after a new login, as
 * the document asks ("send login again, and only if it fails, stop"); a second refusal, or a
 * refused login, is UPSTREAM_AUTHENTICATION_ERROR; a login answered HTTP 429 is RATE_LIMITED and one
 * answered 5xx UPSTREAM_UNAVAILABLE (not applied: the request was not sent). close() logs out.
 *
 * A refused request (Error lines, a non-zero Status-Code) maps onto the gateway's errors by its
 * Status-Code where that is an EPP result code (>= 2000), else by the HTTP status. Error lines
 * mean the request was not processed (document, "Basics": "Presence of this line in headers is
 * indicative that processing didn't take place"), so every refusal carries a result code (2400
 * where the reply has none) and is logged as the registry's refusal, never as an unknown outcome;
 * a 5xx without Error lines leaves a change's outcome unknown (UPSTREAM_UNAVAILABLE with
 * maybeApplied), whatever Status-Code it carries: a 500 with `Status-Code: 2400` and no Error
 * line may have failed after the change was made. So does an HTTP 200 ("request was accepted and
 * processed or queued for processing") to a change whose Status-Code is not 0 ("Not 0 if error
 * occurred"; one that is not a number counts) without Error lines: an error occurred, but not the
 * refusal that says nothing was processed, so the retry reads the registry before sending again.
 * To a read such a reply is the error its Status-Code names, never a success; to a login it opens
 * no session (UPSTREAM_UNAVAILABLE, the request not sent). A rate-limit answer (HTTP 429,
 * or a refusal saying "too many requests" or "rate limit") is RATE_LIMITED with 2502 and the
 * Retry-After, if any: not applied, the idempotency key free to send again.
 *
 * What is not a refusal is not taken for one: a 200 to a change without a Status-Code (the
 * document's "standard reply" has one) is UPSTREAM_UNAVAILABLE with maybeApplied (core/errors.ts
 * unreadableAnswer), as is a change's answer lacking what its request returns (a contact-create's
 * Handle, driver/objects.ts): the outcome is unknown and the retry reconciles.
 */
import {
  LIMIT_EXCEEDED,
  registryErrorFor,
  UpstreamAuthenticationError,
  UpstreamFailureError,
  UpstreamRateLimitedError,
  UpstreamUnavailableError,
  unreadableAnswer,
  type GatewayError,
} from '../../core/errors.js';
import { clipEchoes as clipValues } from '../echoes.js';
import type { ConnectionWaits } from '../../core/port.js';
import { endpointUrl, NotAnswered, RegistryConnections, type ExchangeLog, type RawAnswer } from '../http-exchange.js';
import { retryAfterMs } from '../repp/retry.js';
import { maskSecrets } from '../portable.js';
import { parseReply, rows, statusFailed, type DmapiReply } from './reply.js';

/** Where and as whom a JokerClient talks DMAPI: https base URL, API key (or password with `username`), TLS trust, timeout (ms, default 30000), largest reply (bytes, default 16 MiB), kept-alive connections. */
export interface JokerEndpoint {
  url: string;
  /** API key, or the password with `username`. */
  secret: string;
  username?: string;
  tls?: { ca?: string; servername?: string; rejectUnauthorized?: boolean };
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Keep-alive connections (default 4). */
  maxSockets?: number;
}

/** One DMAPI request: its name (the path after /request/, e.g. "domain-renew"), its form variables (undefined ones left out), and whether it changes registry state. */
export interface DmapiRequest {
  name: string;
  vars?: Record<string, string | undefined>;
  /** The request changes registry state (a lost answer leaves its outcome unknown). */
  changesState: boolean;
  /** Background work (a bulk job's: CallContext.background): given a connection after every interactive request waiting (RegistryConnections). */
  background?: boolean;
}

const short = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}...` : s);

/**
 * The request's variable values a refusal may echo and clipEchoes may cut: not the secrets
 * (transfer-auth-id, passwords, keys), which the portable layer masks whole and a cut copy would
 * hide from it.
 */
export function echoable(req: Pick<DmapiRequest, 'vars'>): string[] {
  return Object.entries(req.vars ?? {})
    .filter(([k, v]) => typeof v === 'string' && !/auth|pass|key|secret|sid/i.test(k))
    .map(([, v]) => v as string);
}

/**
 * `message` with every echo of a value the request sent (`echoes`: its variables; list variables
 * such as ns-list "a:b" also by item) that is longer than MAX_QUOTE cut to its first MAX_QUOTE
 * characters and "…" (src/backends/echoes.ts): DMAPI's refusals name the objects asked for ("not
 * registered: name server <name>"), and no error message quotes more than 32 characters of what a
 * client sent (README, Errors).
 */
export function clipEchoes(message: string, echoes: readonly string[]): string {
  return clipValues(message, echoes.flatMap((v) => [v, ...v.split(/[:,]/)]));
}

/** The request was refused because the session is not (or no longer) valid. */
function authRefused(status: number, r: DmapiReply): boolean {
  return status === 401 || status === 403 || r.statusCode === 2200;
}

/**
 * The gateway error for a refused reply (Error lines or a non-zero Status-Code); `retryAfterMs`:
 * the reply's Retry-After, if any; `changesState`: the reply answers a request that changes
 * registry state (DmapiRequest.changesState), whose outcome a 2xx without Error lines leaves
 * unknown. See the file's comment for what is applied.
 */
export function refusal(status: number, r: DmapiReply, backend: string | undefined, secrets: readonly string[], retryAfterMs?: number, echoes: readonly string[] = [], changesState = false): GatewayError {
  const message = short(clipEchoes(maskSecrets([r.statusText, ...r.errors].filter(Boolean).join(': ') || `HTTP ${status}`, secrets), echoes));
  if (status === 429 || /too many requests|rate limit/i.test([r.statusText, ...r.errors].join(' '))) {
    const retryAfter = retryAfterMs === undefined ? undefined : Math.max(1, Math.ceil(retryAfterMs / 1000));
    return new UpstreamRateLimitedError(`registry rate limit (HTTP ${status})${retryAfter === undefined ? '' : `: retry after ${retryAfter} s`}`, {
      backend,
      upstreamCode: LIMIT_EXCEEDED,
      upstreamMessage: message,
      ...(retryAfter === undefined ? {} : { retryAfter }),
    });
  }
  const code = r.statusCode !== undefined && r.statusCode >= 2000 ? r.statusCode : undefined;
  const unprocessed = r.errors.length > 0;
  // Only Error lines say that processing did not take place: a 5xx without them may have failed
  // after processing (its Status-Code, 2400 or any other, does not say otherwise), so the outcome
  // is unknown, and the retry reads the registry before sending again.
  if (status >= 500 && !unprocessed) return new UpstreamUnavailableError(`registry failed (HTTP ${status}) without saying the request was not processed: ${message}`, { backend, upstreamCode: code, upstreamMessage: message, maybeApplied: true });
  // Document, "Basics": HTTP 200 is "request was accepted and processed or queued for processing";
  // a non-zero Status-Code that "error occurred"; only Error lines that it was not processed.
  if (changesState && status < 300 && !unprocessed) {
    const said = (r.headers.get('status-code')?.at(-1) ?? '').slice(0, 16);
    return new UpstreamUnavailableError(`registry answered HTTP ${status} with Status-Code "${said}" (an error occurred) without saying the request was not processed: ${message}`, { backend, upstreamCode: code, upstreamMessage: message, maybeApplied: true });
  }
  if (code !== undefined) return registryErrorFor(code, message, backend);
  if (status >= 500) return new UpstreamUnavailableError(`registry failed (HTTP ${status}), request not processed: ${message}`, { backend, upstreamCode: 2400, upstreamMessage: message, maybeApplied: false });
  return new UpstreamFailureError(`registry refused the request (HTTP ${status}): ${message}`, { backend, upstreamCode: 2400, upstreamMessage: message, retryable: false });
}

/**
 * One reseller account's DMAPI session (document, "Basics", "login"): logs in on first use, sends Auth-Sid with every request, re-logs in once when
 * refused (then UPSTREAM_AUTHENTICATION_ERROR); a refusal throws `refusal`'s error, a lost answer UPSTREAM_UNAVAILABLE (maybeApplied for a change).
 */
export class JokerClient {
  private readonly connections: RegistryConnections;
  private readonly base: URL;
  private sid: string | undefined;
  private loggingIn: Promise<string> | undefined;
  /** The TLDs the reseller may register, from the login reply. */
  tlds: string[] = [];

  /**
   * `epochMs`: now in ms since the epoch on the backend's clock, against which a Retry-After given
   * as an HTTP date is measured (default Date.now). `logger`: the backend's, for one warn line per
   * failed connection (http-exchange.ts ExchangeLog; default none).
   */
  constructor(
    private readonly endpoint: JokerEndpoint,
    private readonly backend?: string,
    private readonly epochMs: () => number = Date.now,
    private readonly logger?: ExchangeLog['logger'],
  ) {
    this.base = new URL(endpoint.url);
    if (this.base.protocol !== 'https:') throw new Error('DMAPI accepts TLS only: the url must be https');
    this.connections = new RegistryConnections(this.base, endpoint.tls, endpoint.maxSockets ?? 4);
  }

  /** Sends one request with the session's Auth-Sid; logs in again once if the session was refused. */
  async send(req: DmapiRequest): Promise<DmapiReply> {
    for (let attempt = 1; ; attempt++) {
      const sid = await this.session();
      const { status, reply, retryAfter } = await this.exchange(req, sid);
      if (authRefused(status, reply)) {
        if (this.sid === sid) this.sid = undefined;
        if (attempt === 1) continue;
        throw new UpstreamAuthenticationError(`registry refused the session after a new login: ${maskSecrets(short(reply.errors.join('; ') || `HTTP ${status}`), [this.endpoint.secret])}`, { backend: this.backend, upstreamCode: reply.statusCode ?? 2200 });
      }
      if (status !== 200 || statusFailed(reply) || reply.errors.length > 0) throw refusal(status, reply, this.backend, [this.endpoint.secret], retryAfter, echoable(req), req.changesState);
      // "200 if everything is OK (request was accepted and processed or queued for processing)"
      // and the standard reply carries Status-Code: a 200 without one is not a DMAPI reply (a
      // proxy's page, a cut answer), so a change it answers may or may not have been accepted.
      if (req.changesState && reply.statusCode === undefined) throw unreadableAnswer(`${req.name}: registry answered HTTP 200 without a Status-Code`, { backend: this.backend });
      return reply;
    }
  }

  /**
   * The TLDs the reseller may register (the login reply's rows), logging in first when no session
   * was opened yet: a contact-create that is the first request of a fresh gateway still names its tld.
   */
  async registrableTlds(): Promise<string[]> {
    if (this.tlds.length === 0) await this.session();
    return this.tlds;
  }

  /** Logs out (the session may not be used any more) and closes the connections. */
  async close(): Promise<void> {
    const sid = this.sid;
    this.sid = undefined;
    if (sid) await this.exchange({ name: 'logout', changesState: false }, sid).catch(() => undefined);
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

  private session(): Promise<string> {
    if (this.sid) return Promise.resolve(this.sid);
    this.loggingIn ??= this.login().finally(() => (this.loggingIn = undefined));
    return this.loggingIn;
  }

  private async login(): Promise<string> {
    const e = this.endpoint;
    const vars = e.username ? { username: e.username, password: e.secret } : { 'api-key': e.secret };
    const { status, reply, retryAfter } = await this.exchange({ name: 'login', vars, changesState: false }, undefined);
    if (status !== 200 || !reply.authSid || statusFailed(reply)) {
      const why = maskSecrets(short([reply.statusText, ...reply.errors].filter(Boolean).join(': ') || `HTTP ${status}`), [e.secret]);
      // A login the registry did not get to (its rate limit, a failure of its own, or an error it
      // answered with HTTP 200 and a Status-Code other than 0 and 2200 "Authentication error")
      // says nothing of the credentials: RATE_LIMITED or UPSTREAM_UNAVAILABLE, to be tried again,
      // and the request that needed the session was never sent.
      const otherError = status === 200 && statusFailed(reply) && reply.statusCode !== 2200;
      if (status === 429 || status >= 500 || otherError) {
        const refused = refusal(status, reply, this.backend, [e.secret], retryAfter);
        if (refused instanceof UpstreamRateLimitedError) throw refused;
        throw new UpstreamUnavailableError(`registry could not log in (HTTP ${status}), request not sent: ${why}`, { backend: this.backend, upstreamMessage: why, maybeApplied: false });
      }
      throw new UpstreamAuthenticationError(`registry refused the login: ${why}`, { backend: this.backend, upstreamCode: reply.statusCode ?? 2200, upstreamMessage: why });
    }
    this.tlds = rows(reply).map((r) => r[0].toLowerCase());
    this.sid = reply.authSid;
    return reply.authSid;
  }

  private async exchange(req: DmapiRequest, sid: string | undefined): Promise<{ status: number; reply: DmapiReply; retryAfter?: number }> {
    try {
      const { status, text, headers } = await this.post(req, sid);
      return { status, reply: parseReply(text), retryAfter: retryAfterMs(headers['retry-after'], this.epochMs()) };
    } catch (err) {
      if (!(err instanceof NotAnswered)) throw err;
      throw new UpstreamUnavailableError(maskSecrets(err.message, [this.endpoint.secret]), { backend: this.backend, maybeApplied: err.sent && req.changesState });
    }
  }

  private async post(req: DmapiRequest, sid: string | undefined): Promise<RawAnswer> {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(req.vars ?? {})) if (v !== undefined) form.set(k, v);
    if (sid) form.set('auth-sid', sid);
    const body = Buffer.from(form.toString(), 'utf8');
    return this.connections.exchange({
      url: endpointUrl(this.base, `/request/${req.name}`),
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': body.length },
      body,
      timeoutMs: this.endpoint.timeoutMs ?? 30_000,
      maxResponseBytes: this.endpoint.maxResponseBytes ?? 16 * 1024 * 1024,
      label: req.name,
      log: this.logger && { logger: this.logger, backend: this.backend ?? 'joker' },
      background: req.background === true,
    });
  }
}
