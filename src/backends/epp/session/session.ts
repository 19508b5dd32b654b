/**
 * One logged-in EPP session: connect, read the greeting, log in with the services the adapter
 * understands, run one command at a time, send <hello/> after idle, log out on close.
 */
import { UpstreamAuthenticationError, UpstreamUnavailableError } from '../../../core/errors.js';
import * as hello from '../commands/hello.js';
import * as login from '../commands/login.js';
import * as logout from '../commands/logout.js';
import { errorFor, isSuccess } from '../result.js';
import { parseResponse, type EppGreeting, type EppResponse } from '../xml/envelope.js';
import { maskSecrets, redact } from '../xml/redact.js';
import { EppProtocolError } from '../xml/tree.js';
import type { EppLogger } from '../types.js';
import { EppConnection, TransportError, type ConnectionOptions, type EppTransport } from './connection.js';
import { ThreadedConnection } from './io-thread.js';
import { connectFailureClass } from '../../connect-failure.js';
import type { WriteFence } from '../../../core/write-fence.js';

/** EppSession's options: connection, the account's clID and password, command timeout and keep-alive idle time in ms, the clTRID source and the logger. */
export interface SessionOptions {
  backend: string;
  connection: ConnectionOptions;
  clientId: string;
  password: string;
  commandTimeoutMs: number;
  /** Idle time before a <hello/> keeps the session alive (0 disables). */
  keepAliveMs: number;
  nextClTRID: () => string;
  logger: EppLogger;
  /** Told each login's outcome: null when it succeeded, the registry's refusal (2200, 2501: UPSTREAM_AUTHENTICATION_ERROR) when it refused the account's credentials. */
  onLogin?: (refused: UpstreamAuthenticationError | null) => void;
}

/** A session's state: new, opening (connect, greeting, login), idle, busy (one command in flight or a keep-alive hello), closed. */
export type SessionState = 'new' | 'opening' | 'idle' | 'busy' | 'closed';

/** Raised when nothing reached the server: safe to retry on another session. */
export function notSent(backend: string, message: string): UpstreamUnavailableError {
  return new UpstreamUnavailableError(message, { backend, maybeApplied: false });
}

/** What registries answer (with 2002) to a command on a connection whose login they ended. */
const NOT_LOGGED_IN = /\bnot\s+logged[\s-]*in\b|\blog(?:ged)?[\s-]*in\s+(?:first|required)\b|\bnot\s+authenticated\b|\bsession\s+(?:has\s+)?(?:expired|ended|timed\s+out)\b/i;

/**
 * Whether an answer says the registry no longer honours the session's login: RFC 5730 2002
 * "Command use error" naming the missing login ("Registrar is not logged in." from Nomulus, and
 * the sandbox), or, on a session that has served before (registries end idle logins), the bare
 * standard text with no reason. Such a command was not processed (every 2xxx answer means so).
 */
export function loginEnded(resp: EppResponse, reused: boolean): boolean {
  if (resp.code !== 2002) return false;
  if (NOT_LOGGED_IN.test(resp.message)) return true;
  const bare = /^\s*command use error\.?\s*$/i.test(resp.message) && (resp.results[0]?.reasons.length ?? 0) === 0;
  return reused && bare;
}

/**
 * A login refused. 2200 and 2501 are authentication errors (this account's credentials); any other
 * refusal (2502 session limit, 2002/2307 services) leaves the account without a session for now.
 * Either way the command the session was opened for was never sent.
 */
function loginRefused(resp: EppResponse, backend: string, password: string): Error {
  if (resp.code === 2200 || resp.code === 2501) {
    const e = errorFor(resp, backend, [password]);
    return new UpstreamAuthenticationError(e.message, { upstreamCode: resp.code, upstreamMessage: e.details.upstreamMessage, backend });
  }
  return new UpstreamUnavailableError(`EPP login to ${backend} refused (${resp.code}): ${maskSecrets(resp.message, [password])}; nothing was sent`, {
    backend,
    maybeApplied: false,
    upstreamCode: resp.code,
    upstreamMessage: maskSecrets(resp.message, [password]),
  });
}

/**
 * The services a greeting offers that the adapter understands (login.servicesFor), as one
 * comparable string (order-free): two greetings with the same key log in with the same services.
 */
export function servicesKey(g: EppGreeting): string {
  const s = login.servicesFor(g);
  return JSON.stringify([[...s.objURIs].sort(), [...s.extURIs].sort()]);
}

let sessionSeq = 0;
/** A logout that gets no answer does not hold up close() for long. */
const LOGOUT_TIMEOUT_MS = 5_000;

/**
 * One EPP session (RFC 5730 section 2, RFC 5734): connect, greeting, `<login>` with the understood services, one command
 * at a time, `<hello/>` after keepAliveMs idle, `<logout/>` on close. Closed after a 2500-2502 answer or an ended login.
 */
export class EppSession {
  readonly id = ++sessionSeq;
  state: SessionState = 'new';
  greeting: EppGreeting | null = null;
  /** Called when the session becomes available again after a keep-alive, or closes. */
  onAvailable: () => void = () => {};
  /**
   * Called with a keep-alive's greeting (RFC 5730 section 2.4) that offers other understood
   * services (servicesKey) than the session logged in with: the session is then logged out, and
   * the next one logs in with what the registry offers now.
   */
  onGreeting: (g: EppGreeting) => void = () => {};
  onClosed: (s: EppSession) => void = () => {};
  /** Commands (including hello/login/logout) this session has written; for tests and metrics. */
  commandsSent = 0;
  private conn: EppTransport | null = null;
  private keepAliveTimer: NodeJS.Timeout | null = null;
  private keepAliveRun: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  /** servicesKey of the greeting the session logged in after. */
  private loginServices: string | null = null;
  /** While open() connects: aborts the connect (abortOpen). */
  private connectAbort: AbortController | null = null;

  constructor(private readonly opts: SessionOptions) {}

  /** Connect and log in. Failures are UpstreamUnavailableError(maybeApplied false) or the login error. */
  async open(): Promise<EppGreeting> {
    this.state = 'opening';
    const { backend, logger } = this.opts;
    try {
      const abort = (this.connectAbort = new AbortController());
      const { connection, greetingXml } = this.opts.connection.ioThread
        ? await ThreadedConnection.connect(this.opts.connection, abort.signal)
        : await EppConnection.connect(this.opts.connection, abort.signal);
      this.connectAbort = null;
      this.conn = connection;
      connection.onClose((reason) => this.closed(reason));
      logger.debug({ backend, session: this.id, frame: redact(greetingXml) }, 'epp greeting');
      this.greeting = hello.parse(greetingXml);
      const services = login.servicesFor(this.greeting);
      this.loginServices = servicesKey(this.greeting);
      const clTRID = this.opts.nextClTRID();
      const xml = login.build({ clientId: this.opts.clientId, password: this.opts.password, ...services }, clTRID);
      // The login is part of opening the session (nothing is at stake yet): it has the connect
      // time, not only a command's, so a short command timeout does not fail logins under load.
      const { response } = await this.exchange(xml, clTRID, [], Math.max(this.opts.commandTimeoutMs, this.opts.connection.connectTimeoutMs));
      if (!isSuccess(response.code)) throw loginRefused(response, backend, this.opts.password);
      this.opts.onLogin?.(null);
      this.state = 'busy';
      logger.info({ backend, session: this.id, clientId: this.opts.clientId }, 'epp session logged in');
      return this.greeting;
    } catch (e) {
      this.destroy('login failed');
      if (e instanceof UpstreamAuthenticationError) this.opts.onLogin?.(e);
      if (e instanceof UpstreamAuthenticationError || e instanceof UpstreamUnavailableError) throw e;
      // A broken connection or an unreadable greeting/login answer: the command was never sent.
      // The client is told the class of cause; hosts, ports, paths and OS errors go to the log only.
      logger.warn({ backend, session: this.id, detail: (e as Error).message }, 'epp session could not be opened');
      throw notSent(backend, `could not open a session to backend ${backend} (${e instanceof EppProtocolError ? 'unreadable answer to the greeting or login' : connectFailureClass(e)})`);
    }
  }

  get isIdle(): boolean {
    return this.state === 'idle';
  }

  /**
   * Callers the pool has handed the session to and that have not released it: 1 while a command is
   * in flight, 2 when the next caller was handed it ahead (takesNext) and waits in the connection.
   */
  holders = 0;

  /** The pool hands the session to one more caller (the keep-alive timer stays: it finds the session busy and does nothing, or markIdle re-arms it). */
  markBusy(): void {
    this.state = 'busy';
    this.holders++;
  }

  /** A holder is done with the session: true when another holder still has it (the session stays busy). */
  markReleased(): boolean {
    this.holders = Math.max(0, this.holders - 1);
    return this.holders > 0;
  }

  markIdle(): void {
    if (this.state === 'closed') return;
    this.state = 'idle';
    this.holders = 0;
    this.scheduleKeepAlive();
  }

  /**
   * Whether the pool may hand the session to one more caller now, while its one holder's command is
   * in flight: only on a connection that accepts a next request (ThreadedConnection, which writes it
   * once the answer before it is read), not while a keep-alive or the logout runs.
   */
  get takesNext(): boolean {
    return this.state === 'busy' && this.holders === 1 && !!this.conn?.queues && !this.conn.closed && !this.keepAliveRun && !this.closing;
  }

  /** Whether the session had written more than its login before now (it may have gone stale since). */
  get reused(): boolean {
    return this.commandsSent > 1;
  }

  /**
   * Send a command frame and parse the response; `fence` (Attempt.fence): checked when the frame is
   * written, which it is not once the fence no longer holds (not sent). Transport failures become
   * UpstreamUnavailableError with maybeApplied = whether the frame was written. A session the
   * registry no longer honours is closed: after 2500-2502 (the server ends it), and after an
   * answer that its login has ended (`loginEnded` true in the result: the command was not processed).
   */
  async execute(
    xml: string,
    clTRID: string,
    secrets: ReadonlyArray<string | null | undefined> = [],
    fence?: WriteFence,
  ): Promise<{ response: EppResponse; xml: string; loginEnded: boolean }> {
    const { backend } = this.opts;
    const reused = this.reused;
    try {
      const out = await this.exchange(xml, clTRID, secrets, this.opts.commandTimeoutMs, fence);
      const ended = loginEnded(out.response, reused);
      // 2500-2502: the server ends the session after answering.
      if (out.response.code >= 2500) this.destroy(`server answered ${out.response.code}`);
      else if (ended) {
        this.opts.logger.info({ backend, session: this.id, code: out.response.code }, 'epp session: the registry ended the login; replacing the session');
        this.destroy('the registry ended the login');
      }
      return { ...out, loginEnded: ended };
    } catch (e) {
      if (e instanceof TransportError) {
        throw new UpstreamUnavailableError(
          e.written
            ? `EPP command ${clTRID} to ${backend}: ${e.message}; the outcome is unknown`
            : `EPP command ${clTRID} to ${backend} was not sent: ${e.message}`,
          { backend, maybeApplied: e.written },
        );
      }
      if (e instanceof EppProtocolError) {
        this.destroy('unreadable response');
        throw new UpstreamUnavailableError(`EPP command ${clTRID} to ${backend}: ${e.message}; the outcome is unknown`, {
          backend,
          maybeApplied: true,
        });
      }
      throw e;
    }
  }

  /** Log out (best effort) and close. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.logoutAndClose();
    return this.closing;
  }

  private async logoutAndClose(): Promise<void> {
    this.clearKeepAlive();
    if (this.keepAliveRun) await this.keepAliveRun.catch(() => {});
    if (this.state === 'closed' || !this.conn) return;
    this.state = 'busy';
    try {
      const clTRID = this.opts.nextClTRID();
      await this.exchange(logout.build(clTRID), clTRID, [], Math.min(this.opts.commandTimeoutMs, LOGOUT_TIMEOUT_MS));
    } catch {
      // the session is going away either way
    }
    this.destroy('logged out');
  }

  /**
   * For a stop that has waited long enough (SessionPool.abandon): a session still opening (its
   * connect, TLS handshake, greeting or login under way) is given up now, its open() rejecting with
   * UpstreamUnavailableError (nothing sent: no command was written on it) instead of after the
   * connect timeout. Returns whether it was opening.
   */
  abortOpen(reason: string): boolean {
    if (this.state !== 'opening') return false;
    if (this.conn) this.destroy(reason);
    else this.connectAbort?.abort(reason);
    return true;
  }

  destroy(reason: string): void {
    this.clearKeepAlive();
    this.conn?.destroy(reason);
    this.closed(reason);
  }

  private closed(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.clearKeepAlive();
    this.opts.logger.debug({ backend: this.opts.backend, session: this.id, reason }, 'epp session closed');
    this.onClosed(this);
  }

  /** Send and receive one frame; frames are logged redacted, with the command's secrets masked. */
  private async exchange(
    xml: string,
    clTRID: string,
    secrets: ReadonlyArray<string | null | undefined> = [],
    timeoutMs = this.opts.commandTimeoutMs,
    fence?: WriteFence,
  ): Promise<{ response: EppResponse; xml: string }> {
    const conn = this.conn;
    if (!conn || conn.closed) throw new TransportError('session is closed', false);
    const { backend, logger } = this.opts;
    const masked = [...secrets, this.opts.password];
    // Redacting a frame costs more than building it: only for a debug log that is written.
    const frames = logger.isLevelEnabled?.('debug') ?? true;
    if (frames) logger.debug({ backend, session: this.id, clTRID, frame: maskSecrets(redact(xml), masked) }, 'epp >>');
    this.commandsSent++;
    const raw = await conn.request(xml, timeoutMs, fence).catch((e: TransportError) => {
      if (e.timedOut) this.destroy('command timed out');
      throw e;
    });
    if (frames) logger.debug({ backend, session: this.id, clTRID, frame: maskSecrets(redact(raw), masked) }, 'epp <<');
    const response = parseResponse(raw);
    if (response.clTRID !== null && response.clTRID !== clTRID) {
      throw new EppProtocolError(`response clTRID ${response.clTRID} does not match ${clTRID}`);
    }
    return { response, xml: raw };
  }

  /**
   * A hello once the session has been idle for keepAliveMs. One timer, re-armed (`refresh()`) each
   * time the session becomes idle rather than made and cleared per command (0.01-0.02 ms of CPU
   * per command on bench/http.mjs's path, CPU profile on a loaded machine).
   */
  private scheduleKeepAlive(): void {
    if (this.opts.keepAliveMs <= 0) return;
    if (this.keepAliveTimer) {
      this.keepAliveTimer.refresh();
      return;
    }
    this.keepAliveTimer = setTimeout(() => {
      this.keepAliveTimer = null;
      if (this.state !== 'idle') return;
      this.keepAliveRun = this.sendHello().finally(() => {
        this.keepAliveRun = null;
      });
    }, this.opts.keepAliveMs);
    this.keepAliveTimer.unref();
  }

  private clearKeepAlive(): void {
    if (this.keepAliveTimer) clearTimeout(this.keepAliveTimer);
    this.keepAliveTimer = null;
  }

  /**
   * The keep-alive: `<hello/>`, answered by a greeting. One that offers other understood services
   * than the login used (a registry that added or dropped an extension or object) is handed to
   * onGreeting and the session is logged out, so that the backend's capabilities and the next
   * login follow the registry's offer rather than staying those of this session's login.
   */
  private async sendHello(): Promise<void> {
    const conn = this.conn;
    if (!conn) return;
    this.state = 'busy';
    try {
      this.opts.logger.debug({ backend: this.opts.backend, session: this.id }, 'epp >> hello (keep-alive)');
      this.commandsSent++;
      const raw = await conn.request(hello.build(), this.opts.commandTimeoutMs);
      this.greeting = hello.parse(raw);
    } catch (e) {
      this.opts.logger.warn({ backend: this.opts.backend, session: this.id, err: (e as Error).message }, 'epp keep-alive failed');
      this.destroy('keep-alive failed');
      return;
    }
    if (servicesKey(this.greeting) !== this.loginServices) {
      this.opts.logger.info({ backend: this.opts.backend, session: this.id }, 'epp keep-alive greeting offers other services than the login used: logging out, the next session logs in with them');
      this.onGreeting(this.greeting);
      // close() waits for this keep-alive run to end, then logs out; the session is busy until then.
      void this.close();
      return;
    }
    this.markIdle();
    this.onAvailable();
  }
}
