/** The EPP backend: RegistryPort over pooled EPP sessions, one pool per gateway registrar. */
import type { Capabilities, Capability } from '../../core/capabilities.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { ForbiddenError, GatewayError, UnsupportedByBackendError, UpstreamUnavailableError } from '../../core/errors.js';
import type { RegistryPort } from '../../core/port.js';
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
import { capabilitiesFrom } from './commands/hello.js';
import * as hostCheck from './commands/host-check.js';
import * as hostCreate from './commands/host-create.js';
import * as hostDelete from './commands/host-delete.js';
import * as hostInfo from './commands/host-info.js';
import * as hostUpdate from './commands/host-update.js';
import * as poll from './commands/poll.js';
import { dnssecUpdateIsEmpty, hasDnssec } from './commands/secdns.js';
import { ensureSuccess, errorFor, isSuccess } from './result.js';
import type { ConnectionOptions } from './session/connection.js';
import { SessionPool } from './session/pool.js';
import { EppSession } from './session/session.js';
import { ClTridGenerator } from './session/trid.js';
import { silentLogger, type EppCommandEvent, type EppLogger } from './types.js';
import type { EppGreeting, EppResponse } from './xml/envelope.js';
import { maskSecrets, redact } from './xml/redact.js';

export interface EppBackendOptions {
  clock?: Clock;
  logger?: EppLogger;
  /** Called once per upstream command (never with secrets); for the gateway's command log. */
  onCommand?: (e: EppCommandEvent) => void;
  /**
   * Awaited just before a command that carries an idempotency key (a mutation) is sent, so the
   * command log holds it even if the process stops before the answer; a failure here sends nothing.
   */
  onCommandStart?: (e: EppCommandEvent) => Promise<void>;
  /** clTRID prefix (default: "GW" + 6 random hex digits). */
  clTRIDPrefix?: string;
  /** Callers that may wait for a session per account (default 100). */
  maxQueue?: number;
  /** How long a caller may wait for a session (default 60 s). */
  queueTimeoutMs?: number;
}

interface CommandSpec<T> {
  command: string;
  objectName?: string;
  secrets?: Array<string | null | undefined>;
  build: (clTRID: string) => string;
  parse: (resp: EppResponse, raw: string) => T;
}

/** Commands that change a registry object (not checks, reads, transfer queries or the poll queue). */
function changesState(command: string): boolean {
  return /^(domain|contact|host):(create|update|delete|renew|restore|transfer:(request|approve|reject|cancel))$/.test(command);
}

export class EppBackend implements RegistryPort {
  readonly kind = 'epp';
  readonly name: string;
  private readonly pools = new Map<string, SessionPool>();
  private readonly trid: ClTridGenerator;
  private readonly logger: EppLogger;
  /** The greeting each account's sessions last received, by gateway registrar id. */
  private readonly greetings = new Map<string, EppGreeting>();

  constructor(
    private readonly config: EppBackendConfig,
    private readonly opts: EppBackendOptions = {},
  ) {
    this.name = config.name;
    this.logger = opts.logger ?? silentLogger;
    this.trid = new ClTridGenerator(opts.clTRIDPrefix, opts.clock ?? systemClock);
  }

  /**
   * What the backend offers the caller's account, from the greeting that account's own session
   * received (it logs in when it has no session yet). One account's failing login fails only that
   * account's calls. Errors: ForbiddenError (no account here), the account's login error.
   */
  capabilities(ctx: M.CallContext): Promise<Capabilities> {
    return this.caps(ctx);
  }

  upstreamId(registrarId: string): string {
    return this.account(registrarId).clientId;
  }

  // ---- domains ----
  checkDomains(ctx: M.CallContext, names: string[]) {
    return this.exec(ctx, { command: 'domain:check', objectName: names.join(','), build: (t) => domainCheck.build(names, t), parse: domainCheck.parse });
  }
  infoDomain(ctx: M.CallContext, name: string, authInfo?: string | null) {
    return this.exec(ctx, { command: 'domain:info', objectName: name, secrets: [authInfo], build: (t) => domainInfo.build(name, authInfo, t), parse: domainInfo.parse });
  }
  async createDomain(ctx: M.CallContext, input: M.DomainCreateInput) {
    if (input.registrant || input.contacts.length > 0) await this.require(ctx, 'contacts', 'contacts (registrant/contacts on a domain)');
    if (hasDnssec(input.dnssec)) await this.require(ctx, 'dnssec', 'DNSSEC (secDNS-1.1)');
    const { hostObjects } = await this.caps(ctx);
    return this.exec(ctx, { command: 'domain:create', objectName: input.name, secrets: [input.authInfo], build: (t) => domainCreate.build(input, { hostObjects }, t), parse: domainCreate.parse });
  }
  renewDomain(ctx: M.CallContext, input: M.DomainRenewInput) {
    return this.exec(ctx, { command: 'domain:renew', objectName: input.name, build: (t) => domainRenew.build(input, t), parse: domainRenew.parse });
  }
  async updateDomain(ctx: M.CallContext, input: M.DomainUpdateInput) {
    if (input.registrant || input.add.contacts.length > 0 || input.remove.contacts.length > 0) {
      await this.require(ctx, 'contacts', 'contacts (registrant/contacts on a domain)');
    }
    if (!dnssecUpdateIsEmpty(input.dnssec)) await this.require(ctx, 'dnssec', 'DNSSEC (secDNS-1.1)');
    const { hostObjects } = await this.caps(ctx);
    return this.exec(ctx, { command: 'domain:update', objectName: input.name, secrets: [input.authInfo], build: (t) => domainUpdate.build(input, { hostObjects }, t), parse: domainUpdate.parse });
  }
  deleteDomain(ctx: M.CallContext, name: string) {
    return this.exec(ctx, { command: 'domain:delete', objectName: name, build: (t) => domainDelete.build(name, t), parse: (r) => domainDelete.parse(r, name) });
  }
  async restoreDomain(ctx: M.CallContext, name: string) {
    await this.require(ctx, 'restore', 'restore (rgp-1.0)');
    return this.exec(ctx, { command: 'domain:restore', objectName: name, build: (t) => domainRestore.build(name, t), parse: () => null });
  }
  transferDomain(ctx: M.CallContext, op: M.TransferOp | 'query', name: string, opts: domainTransfer.DomainTransferOptions = {}) {
    return this.exec(ctx, { command: `domain:transfer:${op}`, objectName: name, secrets: [opts.authInfo], build: (t) => domainTransfer.build(op, name, opts, t), parse: domainTransfer.parse });
  }

  // ---- contacts ----
  async checkContacts(ctx: M.CallContext, ids: string[]) {
    await this.require(ctx, 'contacts', 'contact objects');
    return this.exec(ctx, { command: 'contact:check', objectName: ids.join(','), build: (t) => contactCheck.build(ids, t), parse: contactCheck.parse });
  }
  async infoContact(ctx: M.CallContext, id: string, authInfo?: string | null) {
    await this.require(ctx, 'contacts', 'contact objects');
    return this.exec(ctx, { command: 'contact:info', objectName: id, secrets: [authInfo], build: (t) => contactInfo.build(id, authInfo, t), parse: contactInfo.parse });
  }
  async createContact(ctx: M.CallContext, input: M.ContactCreateInput) {
    await this.require(ctx, 'contacts', 'contact objects');
    return this.exec(ctx, { command: 'contact:create', objectName: input.id, secrets: [input.authInfo], build: (t) => contactCreate.build(input, t), parse: contactCreate.parse });
  }
  async updateContact(ctx: M.CallContext, input: M.ContactUpdateInput) {
    await this.require(ctx, 'contacts', 'contact objects');
    return this.exec(ctx, { command: 'contact:update', objectName: input.id, secrets: [input.authInfo], build: (t) => contactUpdate.build(input, t), parse: contactUpdate.parse });
  }
  async deleteContact(ctx: M.CallContext, id: string) {
    await this.require(ctx, 'contacts', 'contact objects');
    return this.exec(ctx, { command: 'contact:delete', objectName: id, build: (t) => contactDelete.build(id, t), parse: contactDelete.parse });
  }

  // ---- hosts ----
  async checkHosts(ctx: M.CallContext, names: string[]) {
    await this.require(ctx, 'hostObjects', 'host objects');
    return this.exec(ctx, { command: 'host:check', objectName: names.join(','), build: (t) => hostCheck.build(names, t), parse: hostCheck.parse });
  }
  async infoHost(ctx: M.CallContext, name: string) {
    await this.require(ctx, 'hostObjects', 'host objects');
    return this.exec(ctx, { command: 'host:info', objectName: name, build: (t) => hostInfo.build(name, t), parse: hostInfo.parse });
  }
  async createHost(ctx: M.CallContext, input: M.HostCreateInput) {
    await this.require(ctx, 'hostObjects', 'host objects');
    return this.exec(ctx, { command: 'host:create', objectName: input.name, build: (t) => hostCreate.build(input, t), parse: hostCreate.parse });
  }
  async updateHost(ctx: M.CallContext, input: M.HostUpdateInput) {
    await this.require(ctx, 'hostObjects', 'host objects');
    return this.exec(ctx, { command: 'host:update', objectName: input.name, build: (t) => hostUpdate.build(input, t), parse: hostUpdate.parse });
  }
  async deleteHost(ctx: M.CallContext, name: string) {
    await this.require(ctx, 'hostObjects', 'host objects');
    return this.exec(ctx, { command: 'host:delete', objectName: name, build: (t) => hostDelete.build(name, t), parse: hostDelete.parse });
  }

  // ---- poll, balance ----
  pollRequest(ctx: M.CallContext) {
    return this.exec(ctx, { command: 'poll:req', build: (t) => poll.buildRequest(t), parse: (r, raw) => poll.parseRequest(r, redact(raw)) });
  }
  pollAck(ctx: M.CallContext, messageId: string) {
    return this.exec(ctx, { command: 'poll:ack', objectName: messageId, build: (t) => poll.buildAck(messageId, t), parse: poll.parseAck });
  }
  async balance(ctx: M.CallContext): Promise<M.PortResult<M.Money>> {
    this.account(ctx.registrarId);
    throw new UnsupportedByBackendError(this.name, 'balance (EPP has no standard balance command)');
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map((p) => p.close()));
  }

  // ---- plumbing ----
  private account(registrarId: string): EppAccountConfig {
    const a = Object.prototype.hasOwnProperty.call(this.config.accounts, registrarId) ? this.config.accounts[registrarId] : undefined;
    if (!a) throw new ForbiddenError(`registrar "${registrarId}" has no account on backend "${this.name}"`, { backend: this.name });
    return a;
  }

  private pool(registrarId: string): SessionPool {
    const account = this.account(registrarId);
    let p = this.pools.get(registrarId);
    if (!p) {
      p = new SessionPool({
        backend: this.name,
        size: Math.max(1, this.config.poolSize ?? 2),
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
          }),
      });
      this.pools.set(registrarId, p);
    }
    return p;
  }

  private connectionOptions(): ConnectionOptions {
    return { host: this.config.host, port: this.config.port, tls: this.config.tls ?? {}, connectTimeoutMs: this.config.connectTimeoutMs ?? 10_000 };
  }

  /** Capabilities from the caller's own account's greeting, logging in first when it has none yet. */
  private async caps(ctx: M.CallContext): Promise<Capabilities> {
    this.account(ctx.registrarId);
    if (!this.greetings.has(ctx.registrarId)) await this.pool(ctx.registrarId).warm();
    const greeting = this.greetings.get(ctx.registrarId);
    if (!greeting) throw new UpstreamUnavailableError(`backend ${this.name}: no greeting received`, { backend: this.name, maybeApplied: false });
    return capabilitiesFrom(greeting);
  }

  private async require(ctx: M.CallContext, cap: Capability, what: string): Promise<void> {
    this.account(ctx.registrarId);
    if (!(await this.caps(ctx))[cap]) throw new UnsupportedByBackendError(this.name, what);
  }

  private async exec<T>(ctx: M.CallContext, spec: CommandSpec<T>): Promise<M.PortResult<T>> {
    const account = this.account(ctx.registrarId);
    const secrets = [...(spec.secrets ?? []), account.password];
    const announce = ctx.idempotencyKey && changesState(spec.command) ? this.opts.onCommandStart : undefined;
    const sent = await this.pool(ctx.registrarId).run((s) => this.attempt(s, ctx, account, spec, secrets, announce));
    const { response } = sent;
    ensureSuccess(response, this.name, secrets);
    return { data: spec.parse(response, sent.raw), trid: { client: sent.clTRID, server: response.svTRID }, code: response.code, message: sent.message };
  }

  /**
   * One attempt on one session, with its own clTRID and its own command-log event. A command that
   * changes a registry object under an idempotency key is announced first (awaited: a failed
   * announcement sends and reports nothing). The event is reported once the attempt has an answer
   * or failed; `sent: false` when the frame never reached the registry. An answer that the
   * registry ended the session's login throws UpstreamUnavailableError(maybeApplied false), which
   * the pool retries once on a fresh login.
   */
  private async attempt<T>(
    s: EppSession,
    ctx: M.CallContext,
    account: EppAccountConfig,
    spec: CommandSpec<T>,
    secrets: Array<string | null | undefined>,
    announce: EppBackendOptions['onCommandStart'],
  ): Promise<{ response: EppResponse; raw: string; clTRID: string; message: string }> {
    const clTRID = this.trid.next();
    const xml = spec.build(clTRID);
    const event: EppCommandEvent = {
      backend: this.name,
      registrarId: ctx.registrarId,
      clientId: account.clientId,
      command: spec.command,
      objectName: spec.objectName,
      clTRID,
      durationMs: 0,
      idempotencyKey: ctx.idempotencyKey,
      operation: ctx.operation,
    };
    if (announce) await announce({ ...event });
    const started = performance.now();
    try {
      const { response, xml: raw, loginEnded } = await s.execute(xml, clTRID, secrets);
      event.code = response.code;
      event.svTRID = response.svTRID ?? undefined;
      event.message = maskSecrets(response.message, secrets);
      if (loginEnded) {
        throw new UpstreamUnavailableError(`EPP command ${clTRID} to ${this.name} was not processed: the registry ended the session's login (${response.code} ${event.message})`, {
          backend: this.name,
          maybeApplied: false,
          upstreamCode: response.code,
          upstreamMessage: event.message,
        });
      }
      if (!isSuccess(response.code)) event.errorCode = errorFor(response, this.name, secrets).code;
      return { response, raw, clTRID, message: event.message };
    } catch (e) {
      event.errorCode = e instanceof GatewayError ? e.code : 'INTERNAL_SERVER_ERROR';
      if (e instanceof UpstreamUnavailableError) {
        event.maybeApplied = e.maybeApplied;
        if (!e.maybeApplied && event.code === undefined) event.sent = false;
      }
      throw e;
    } finally {
      event.durationMs = Math.round(performance.now() - started);
      this.emit(event);
    }
  }

  private emit(event: EppCommandEvent): void {
    if (!this.opts.onCommand) return;
    try {
      this.opts.onCommand(event);
    } catch (e) {
      this.logger.warn({ backend: this.name, err: (e as Error).message }, 'onCommand observer threw');
    }
  }
}
