/**
 * The EPP driver (src/backends/driver.ts): the port's operations as EPP commands over pooled
 * sessions, one pool per gateway registrar, capabilities from the greeting each account's own
 * session received. The portable layer (src/backends/portable.ts) does the account check,
 * capability checks, command-log events, the log-before-send hook, timing and masking; a command
 * the registry never processed because it ended the session's login is sent once more on a fresh
 * login, as a second attempt.
 */
import type { Capabilities, KnownCapabilities } from '../../core/capabilities.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { unreadableAnswer, UpstreamAuthenticationError, UpstreamUnavailableError } from '../../core/errors.js';
import type { Attempt, Driver, DriverCall } from '../driver.js';
import type { BackendLimits, CommandArguments, ConnectionWaits } from '../../core/port.js';
import { sumWaiting } from '../concurrency.js';
import { refuseGlue } from '../glue.js';
import type * as M from '../../core/model/index.js';
import type { EppAccountConfig, EppBackendConfig } from '../../config.types.js';
import * as contactCheck from './commands/contact-check.js';
import * as contactCreate from './commands/contact-create.js';
import * as contactDelete from './commands/contact-delete.js';
import * as contactInfo from './commands/contact-info.js';
import * as contactUpdate from './commands/contact-update.js';
import * as domainCheck from './commands/domain-check.js';
import * as domainCreate from './commands/domain-create.js';
import * as domainDelete from './commands/domain-delete.js';
import * as domainInfo from './commands/domain-info.js';
import * as domainRenew from './commands/domain-renew.js';
import * as domainRestore from './commands/domain-restore.js';
import * as domainTransfer from './commands/domain-transfer.js';
import * as domainUpdate from './commands/domain-update.js';
import { capabilitiesFrom, knownCapabilitiesOf } from './commands/hello.js';
import * as hostCheck from './commands/host-check.js';
import * as hostCreate from './commands/host-create.js';
import * as hostDelete from './commands/host-delete.js';
import * as hostInfo from './commands/host-info.js';
import * as hostUpdate from './commands/host-update.js';
import * as poll from './commands/poll.js';
import { ensureSuccess, registryText } from './result.js';
import type { ConnectionOptions } from './session/connection.js';
import { startIoThread } from './session/io-thread.js';
import { SessionPool } from './session/pool.js';
import { EppSession } from './session/session.js';
import { ClTridGenerator } from './session/trid.js';
import { silentLogger, type EppLogger } from './types.js';
import type { EppGreeting, EppResponse } from './xml/envelope.js';
import { EppProtocolError } from './xml/tree.js';
import { redact } from './xml/redact.js';

/** EppDriver's options: clock (clTRIDs), logger (redacted frames at debug), clTRID prefix, and the per-account session queue bounds. */
export interface EppDriverOptions {
  clock?: Clock;
  logger?: EppLogger;
  /** clTRID prefix of the sessions' own commands (login, hello, logout). */
  clTRIDPrefix?: string;
  /** Callers that may wait for a session per account (default 100). */
  maxQueue?: number;
  /** How long a caller may wait for a session (default 60 s). */
  queueTimeoutMs?: number;
}

interface CommandSpec<T> {
  secrets?: Array<string | null | undefined>;
  build: (clTRID: string) => string;
  parse: (resp: EppResponse, raw: string) => T;
}

/** Why a name server's addresses are refused at a registry that takes host objects (refuseGlue). */
const HOST_OBJECT_GLUE = "this registry takes name servers as host objects (RFC 5731 domain:hostObj): a host's addresses are the host's own, set with createHost or updateHost; name the host here without them";

/** Names per domain:check unless the config says otherwise: Nomulus refuses more than 50 (2306 "Too many resource checks requested in one check command"). */
export const EPP_CHECK_LIMIT = 50;

/**
 * Whether a call's command may wait ahead in a busy session's connection, to be written by the EPP
 * I/O thread after the answer in flight (SessionPool RunOptions.ahead): a call without an
 * idempotency key (reads: nothing to prove at the write), or one whose fence the thread checks
 * itself, its time limit on the real clock and its revocation flag shared (a bulk item's,
 * src/bulk/runner.ts). A single mutation waits for a free session instead, and its owner proves its
 * lease on this thread right before the write (src/idempotency/service.ts), as the owner whose
 * process stalled must find it lost at that moment.
 */
export function mayGoAhead(ctx: M.CallContext): boolean {
  return ctx.idempotencyKey === undefined || ctx.fence?.revoked !== undefined;
}

/**
 * The EPP Driver: each port operation is one command module's build/parse on a pooled, logged-in session of the caller's account
 * (RFC 5730-5734, RFC 5910, RFC 3915). Result codes >= 2000 throw registryErrorFor's class (ensureSuccess); transport failures
 * throw UpstreamUnavailableError saying whether the frame was written (maybeApplied); a success whose response data cannot be
 * read throws it with maybeApplied true (unreadableAnswer).
 */
export class EppDriver implements Driver {
  readonly kind = 'epp';
  readonly name: string;
  readonly limits: BackendLimits;
  private readonly pools = new Map<string, SessionPool>();
  /** Pools close() is closing (no longer in `pools`), which abandon() still reaches. */
  private readonly closingPools = new Set<SessionPool>();
  private readonly trid: ClTridGenerator;
  private readonly logger: EppLogger;
  /** Registrars whose account's last login the registry refused (loginOutcome). */
  private readonly refusedLogins = new Set<string>();
  /** The greeting each account's sessions last received, by gateway registrar id. */
  private readonly greetings = new Map<string, EppGreeting>();
  /** knownCapabilities: fixed by the config (periodUnits, transferPeriods) at construction. */
  private readonly known: KnownCapabilities;

  constructor(
    private readonly config: EppBackendConfig,
    private readonly opts: EppDriverOptions = {},
  ) {
    this.name = config.name;
    this.limits = { checkNames: config.checkLimit ?? EPP_CHECK_LIMIT, sessions: Math.max(1, config.poolSize ?? 2) };
    this.logger = opts.logger ?? silentLogger;
    this.trid = new ClTridGenerator(opts.clTRIDPrefix, opts.clock ?? systemClock);
    this.known = knownCapabilitiesOf(config.periodUnits, config.transferPeriods);
    // The thread boots (some 30-50 ms on another core) while the gateway goes on starting, not when the first session opens.
    if (config.ioThread ?? true) startIoThread((fields, message) => this.logger.warn(fields, message));
  }

  hasAccount(registrarId: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.config.accounts, registrarId);
  }

  upstreamId(registrarId: string): string {
    return this.account(registrarId).clientId;
  }

  accountSecrets(registrarId: string): string[] {
    return this.hasAccount(registrarId) ? [this.account(registrarId).password] : [];
  }

  /**
   * What the backend offers the caller's account, from the greeting that account's own session
   * received (it logs in when it has no session yet). One account's failing login fails only that
   * account's calls.
   */
  async capabilities(ctx: M.CallContext): Promise<Capabilities> {
    if (!this.greetings.has(ctx.registrarId)) await this.pool(ctx.registrarId).warm();
    const greeting = this.greetings.get(ctx.registrarId);
    if (!greeting) throw new UpstreamUnavailableError(`backend ${this.name}: no greeting received`, { backend: this.name, maybeApplied: false });
    return capabilitiesFrom(greeting, this.config.periodUnits, this.config.transferPeriods);
  }

  /**
   * Driver.refuseArguments: name servers given addresses on a create or an update's `add`, where
   * the registry takes host objects (refuseGlue). Known only once `registrarId`'s sessions have
   * had a greeting (host-1.0 in it); before that the create and update methods refuse the same
   * after reading it, still before anything is sent.
   */
  refuseArguments(registrarId: string, a: CommandArguments): void {
    const greeting = this.greetings.get(registrarId);
    if (!greeting || !capabilitiesFrom(greeting, this.config.periodUnits, this.config.transferPeriods).hostObjects) return;
    if (a.command === 'domain:create') refuseGlue(a.input.nameservers, 'input.nameservers', HOST_OBJECT_GLUE);
    else if (a.command === 'domain:update') refuseGlue(a.input.add.nameservers, 'input.add.nameservers', HOST_OBJECT_GLUE);
  }

  /** Without a greeting: what EPP and the config's periodUnits fix; contacts, hosts, DNSSEC and restore are the greeting's (GREETING_CAPABILITIES). */
  knownCapabilities(): KnownCapabilities {
    return this.known;
  }

  /** Logs in up to `sessions` of the account's sessions ahead of commands known to be coming (SessionPool.prepare); a failed login is left to those commands. */
  prepare(registrarId: string, sessions: number): Promise<void> {
    return this.pool(registrarId).prepare(sessions);
  }

  // ---- domains ----
  checkDomains = (c: DriverCall, names: string[]) => this.exec(c, { build: (t) => domainCheck.build(names, t), parse: domainCheck.parse });
  infoDomain = (c: DriverCall, name: string, authInfo?: string | null) =>
    this.exec(c, { secrets: [authInfo], build: (t) => domainInfo.build(name, authInfo, t), parse: domainInfo.parse });
  createDomain = async (c: DriverCall, input: M.DomainCreateInput) => {
    const { hostObjects } = await this.capabilities(c.ctx);
    if (hostObjects) refuseGlue(input.nameservers, 'input.nameservers', HOST_OBJECT_GLUE);
    return this.exec(c, { secrets: [input.authInfo], build: (t) => domainCreate.build(input, { hostObjects }, t), parse: domainCreate.parse });
  };
  renewDomain = (c: DriverCall, input: M.DomainRenewInput) => this.exec(c, { build: (t) => domainRenew.build(input, t), parse: domainRenew.parse });
  updateDomain = async (c: DriverCall, input: M.DomainUpdateInput) => {
    const { hostObjects } = await this.capabilities(c.ctx);
    if (hostObjects) refuseGlue(input.add.nameservers, 'input.add.nameservers', HOST_OBJECT_GLUE);
    return this.exec(c, { secrets: [input.authInfo], build: (t) => domainUpdate.build(input, { hostObjects }, t), parse: domainUpdate.parse });
  };
  deleteDomain = (c: DriverCall, name: string) => this.exec(c, { build: (t) => domainDelete.build(name, t), parse: (r) => domainDelete.parse(r, name) });
  /**
   * RGP restore request (RFC 3915 section 4.2.5). The answer's optional rgp:upData (pendingRestore) is not read: the port's
   * result is null, and the mutation's `domain` is read after the command, its rgpStatuses from domain:info.
   */
  restoreDomain = (c: DriverCall, name: string) => this.exec(c, { build: (t) => domainRestore.build(name, t), parse: () => null });
  transferDomain = (c: DriverCall, op: M.TransferOp | 'query', name: string, opts: domainTransfer.DomainTransferOptions = {}) =>
    this.exec(c, { secrets: [opts.authInfo], build: (t) => domainTransfer.build(op, name, opts, t), parse: domainTransfer.parse });

  // ---- contacts ----
  checkContacts = (c: DriverCall, ids: string[]) => this.exec(c, { build: (t) => contactCheck.build(ids, t), parse: contactCheck.parse });
  infoContact = (c: DriverCall, id: string, authInfo?: string | null) =>
    this.exec(c, { secrets: [authInfo], build: (t) => contactInfo.build(id, authInfo, t), parse: contactInfo.parse });
  createContact = (c: DriverCall, input: M.ContactCreateInput) => this.exec(c, { secrets: [input.authInfo], build: (t) => contactCreate.build(input, t), parse: contactCreate.parse });
  updateContact = (c: DriverCall, input: M.ContactUpdateInput) => this.exec(c, { secrets: [input.authInfo], build: (t) => contactUpdate.build(input, t), parse: contactUpdate.parse });
  deleteContact = (c: DriverCall, id: string) => this.exec(c, { build: (t) => contactDelete.build(id, t), parse: contactDelete.parse });

  // ---- hosts ----
  checkHosts = (c: DriverCall, names: string[]) => this.exec(c, { build: (t) => hostCheck.build(names, t), parse: hostCheck.parse });
  infoHost = (c: DriverCall, name: string) => this.exec(c, { build: (t) => hostInfo.build(name, t), parse: hostInfo.parse });
  createHost = (c: DriverCall, input: M.HostCreateInput) => this.exec(c, { build: (t) => hostCreate.build(input, t), parse: hostCreate.parse });
  updateHost = (c: DriverCall, input: M.HostUpdateInput) => this.exec(c, { build: (t) => hostUpdate.build(input, t), parse: hostUpdate.parse });
  deleteHost = (c: DriverCall, name: string) => this.exec(c, { build: (t) => hostDelete.build(name, t), parse: hostDelete.parse });

  // ---- poll (EPP has no standard balance command: no balance method) ----
  pollRequest = (c: DriverCall) => this.exec(c, { build: (t) => poll.buildRequest(t), parse: (r, raw) => poll.parseRequest(r, redact(raw)) });
  pollAck = (c: DriverCall, messageId: string) => this.exec(c, { build: (t) => poll.buildAck(messageId, t), parse: poll.parseAck });

  /** Commands of this account waiting for a free session now, those handed a busy one ahead included (SessionPool.queued; for tests). */
  queued(registrarId: string): number {
    return this.pools.get(registrarId)?.queued ?? 0;
  }

  /** Driver.waiting: commands in the queues of every account's session pool now, by class. */
  waiting(): ConnectionWaits {
    return sumWaiting(this.pools.values());
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    pools.forEach((p) => this.closingPools.add(p));
    await Promise.allSettled(pools.map((p) => p.close()));
    pools.forEach((p) => this.closingPools.delete(p));
  }

  /** Driver.abandon: every account's sessions with a command under way, closing or not (SessionPool.abandon). */
  abandon(): number {
    return [...this.pools.values(), ...this.closingPools].reduce((n, p) => n + p.abandon(), 0);
  }

  // ---- plumbing ----
  private account(registrarId: string): EppAccountConfig {
    if (!this.hasAccount(registrarId)) throw new Error(`EPP driver ${this.name}: no account for ${registrarId} (the portable layer checks first)`);
    return this.config.accounts[registrarId];
  }

  /**
   * A registry's refusal of an account's login (a wrong clientId or password in the config) is a
   * warning, once until a login of that account succeeds again (then an info line): the client is
   * told UPSTREAM_AUTHENTICATION_ERROR at every command, the operator had nothing at the default
   * log level (found in an operator's trial). The registry's words are masked of the password.
   */
  private loginOutcome(registrarId: string, clientId: string, refused: UpstreamAuthenticationError | null): void {
    if (refused) {
      if (this.refusedLogins.has(registrarId)) return;
      this.refusedLogins.add(registrarId);
      this.logger.warn({ backend: this.name, registrarId, clientId, upstreamCode: refused.details.upstreamCode, reason: refused.message }, "epp login refused by the registry: check this account's clientId and password (backends[].accounts); logged again once a login succeeds");
    } else if (this.refusedLogins.delete(registrarId)) {
      this.logger.info({ backend: this.name, registrarId, clientId }, 'epp login accepted again');
    }
  }

  private pool(registrarId: string): SessionPool {
    const account = this.account(registrarId);
    let p = this.pools.get(registrarId);
    if (!p) {
      p = new SessionPool({
        backend: this.name,
        size: this.limits.sessions,
        maxQueue: this.opts.maxQueue ?? 100,
        queueTimeoutMs: this.opts.queueTimeoutMs ?? 60_000,
        onGreeting: (g) => {
          this.greetings.set(registrarId, g);
        },
        create: () =>
          new EppSession({
            backend: this.name,
            connection: this.connectionOptions(),
            clientId: account.clientId,
            password: account.password,
            commandTimeoutMs: this.config.commandTimeoutMs ?? 30_000,
            keepAliveMs: this.config.keepAliveMs ?? 60_000,
            nextClTRID: () => this.trid.next(),
            logger: this.logger,
            onLogin: (refused) => this.loginOutcome(registrarId, account.clientId, refused),
          }),
      });
      this.pools.set(registrarId, p);
    }
    return p;
  }

  private connectionOptions(): ConnectionOptions {
    return { host: this.config.host, port: this.config.port, tls: this.config.tls ?? {}, connectTimeoutMs: this.config.connectTimeoutMs ?? 10_000, ioThread: this.config.ioThread ?? true };
  }

  /**
   * One command on a pooled session (a background call's, CallContext.background, after every
   * interactive one waiting); the pool runs it again on a fresh login when the registry ended the
   * session's login first.
   */
  private exec<T>(c: DriverCall, spec: CommandSpec<T>): Promise<M.PortResult<T>> {
    return this.pool(c.ctx.registrarId).run((s) => c.attempt((a) => this.send(s, c.ctx, a, spec)), { ahead: mayGoAhead(c.ctx), background: c.ctx.background === true });
  }

  /**
   * One attempt on one session. An answer that the registry ended the session's login throws
   * UpstreamUnavailableError(maybeApplied false), which the pool retries once on a fresh login.
   * A success (1xxx) whose response data the command's parser cannot read (no <resData> child it
   * needs, a malformed date: EppProtocolError) throws core/errors.ts unreadableAnswer
   * (UPSTREAM_UNAVAILABLE, maybeApplied true): the registry processed the command, so the outcome
   * is unknown and the idempotency key reconciles, as after a lost answer.
   */
  private async send<T>(s: EppSession, ctx: M.CallContext, a: Attempt, spec: CommandSpec<T>): Promise<M.PortResult<T>> {
    const secrets = [...(spec.secrets ?? []), this.account(ctx.registrarId).password];
    const xml = spec.build(a.clTRID);
    await a.beforeWrite();
    const { response, xml: raw, loginEnded } = await s.execute(xml, a.clTRID, secrets, a.fence);
    // What the registry says may echo what the command sent: secrets masked whole, other values cut to 32 characters (README, Errors).
    const message = registryText(response.message, secrets, xml);
    if (loginEnded) {
      throw new UpstreamUnavailableError(`EPP command ${a.clTRID} to ${this.name} was not processed: the registry ended the session's login (${response.code} ${message})`, {
        backend: this.name,
        maybeApplied: false,
        upstreamCode: response.code,
        upstreamMessage: message,
      });
    }
    ensureSuccess(response, this.name, secrets, xml);
    let data: T;
    try {
      data = spec.parse(response, raw);
    } catch (e) {
      if (!(e instanceof EppProtocolError)) throw e;
      // The registry said it processed the command (1xxx), so its effect is the registry's, not refused:
      // outcome unknown (the idempotency key reconciles before sending again), never a failure the key replays.
      throw unreadableAnswer(`EPP command ${a.clTRID} to ${this.name}: the registry answered ${response.code} but its answer cannot be read (${e.detail}); the outcome is unknown`, {
        backend: this.name,
        upstreamMessage: message,
      });
    }
    return { data, trid: { client: a.clTRID, server: response.svTRID }, code: response.code, message };
  }
}
