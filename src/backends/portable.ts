/**
 * The portable layer: a RegistryPort over any Driver (driver.ts), as go-cloud's blob.Bucket wraps
 * a driver.Bucket. Every port call goes through `run`, which does once for every backend:
 *
 * 1. the account check (hasAccount: FORBIDDEN when the registrar has no login here),
 * 2. capability checks from requirements.ts (UNSUPPORTED_BY_BACKEND naming backend and operation),
 *    before anything is sent,
 * 3. the log-before-send hook (onCommandStart), run exactly once for a keyed state-changing
 *    command, when the driver is about to send its first change; if it fails, nothing is sent,
 * 4. one command event per port call (onCommand) with the typed command name, the transaction
 *    ids, the result code and the duration; none for a state-changing call the driver answered
 *    without sending a change (PortResult.unchanged: nothing reached the registry),
 * 5. masking of the account's and the call's secrets in every message it passes on,
 * 6. the stable code of the failure in the event (INTERNAL_SERVER_ERROR for anything unexpected),
 * 7. a renewal refused for its stale current expiry told apart from other refusals with the same
 *    code, as ExpiryMismatchError (renewDomain).
 */
import type { Capabilities, KnownCapabilities } from '../core/capabilities.js';
import { systemClock, type Clock } from '../core/clock.js';
import { changesState, type CommandName } from '../core/commands.js';
import { ExpiryMismatchError, ForbiddenError, GatewayError, maskedParts, namingAuthInfo, RegistryError, UnsupportedByBackendError, UpstreamRateLimitedError, UpstreamUnavailableError, ValidationError } from '../core/errors.js';
import { addPeriod, utcDate } from '../core/time.js';
import type * as M from '../core/model/index.js';
import type { BackendLimits, CommandArguments, ConnectionWaits, ListPage, RegistryPort } from '../core/port.js';
import type { Attempt, Driver, DriverCall } from './driver.js';
import { ClTridGenerator } from './epp/session/trid.js';
import { chunk } from '../fanout/chunk.js';
import { renewAnswer, replaceAnswer, transferAnswer, type BulkAnswer, type BulkDomains } from './bulk-detail.js';
import { createNeeds, needsOf, requireContactCreate, requireMet, updateNeeds, type Need } from './requirements.js';

/** For a command that carried an auth code: a rejection handler giving a 2202 the field `authInfo` (namingAuthInfo), rethrowing every error. */
const aboutAuthInfo = (authInfo: string | null | undefined) => (err: unknown): never => {
  throw authInfo ? namingAuthInfo(err) : err;
};

/**
 * One port call (one upstream command attempt), as the command log and metrics see it. Never
 * carries secrets: no passwords, no authInfo, no frames.
 */
export interface PortCommandEvent {
  backend: string;
  /** Gateway registrar id. */
  registrarId: string;
  /** The registrar's login at the registry (EPP clID). */
  clientId: string;
  /** Command name, e.g. "domain:create", "poll:req". */
  command: CommandName;
  /** Domain/host name or contact id the command concerns. */
  objectName?: string;
  clTRID: string;
  svTRID?: string;
  /** EPP result code (or the registry's, mapped onto EPP's), when a response arrived. */
  code?: number;
  /** Upstream message (secrets masked), when a response arrived. */
  message?: string;
  /** The gateway error code when the command failed (e.g. OBJECT_EXISTS, UPSTREAM_UNAVAILABLE). */
  errorCode?: string;
  /** For transport failures: whether the command may have reached the registry. */
  maybeApplied?: boolean;
  /** false when the command never reached the registry (e.g. its session was gone before the frame was written): nothing was applied. */
  sent?: boolean;
  /** Time from sending to the answer or failure, in ms. */
  durationMs: number;
  /**
   * true when the answer had nothing in it: a poll request that found the queue empty (EPP 1300
   * "Command completed successfully; no messages", RFC 5730 section 3, and each backend's empty
   * answer). The command log leaves such a command out (README "Command log").
   */
  empty?: boolean;
  idempotencyKey?: string;
  /** The port operation (e.g. "createDomain") the command served. */
  operation?: string;
  /** The idempotency attempt the command belongs to (CallContext.attempt), for the command log's watches. */
  attempt?: number;
  /** A native bulk transfer's or renewal's domains, as its answer counts them (bulk-detail.ts); absent for any other command. */
  bulkDomains?: BulkDomains;
  /** true when the command failed after earlier requests of it were applied (Attempt.applied): the entry is PARTIAL. */
  partlyApplied?: boolean;
}

/** PortableBackend's options: the clock (transaction ids, durations), the command-log hooks and a clTRID prefix. */
export interface PortableOptions {
  clock?: Clock;
  onCommand?: (e: PortCommandEvent) => void;
  /** Awaited before a keyed state-changing command is sent; a failure sends nothing. */
  onCommandStart?: (e: PortCommandEvent) => Promise<void>;
  clTRIDPrefix?: string;
}

interface Spec<T = unknown> {
  objectName?: string;
  secrets?: Array<string | null | undefined>;
  needs?: Need[];
  /**
   * What a native bulk answer says of its domains (bulk-detail.ts): what the command log adds to the
   * registry's message (the domains not done), and how many domains the request carried and how
   * many its answer shows not done (PortCommandEvent.bulkDomains).
   */
  bulk?(data: T): BulkAnswer;
  /** Whether the answer had nothing in it (PortCommandEvent.empty): an empty poll queue. */
  empty?(data: T): boolean;
}

/** Masks the secrets in an error's message and upstream message, and in the parts a message is rebuilt from (maskedParts). */
function mask(e: GatewayError, secrets: ReadonlyArray<string | null | undefined>): void {
  e.message = maskSecrets(e.message, secrets);
  maskedParts(e, (text) => maskSecrets(text, secrets));
  if (e.details.upstreamMessage) e.details.upstreamMessage = maskSecrets(e.details.upstreamMessage, secrets);
}

/**
 * Says in `e` what the registry applied before it (the input's parts, `changes`): details.partlyApplied
 * and the message's end. The error keeps its code (the refusal, or the failure, of the request
 * that was not applied). An UpstreamUnavailableError that says nothing was sent (maybeApplied
 * false) becomes one that may have been applied: the command as a whole was, in part, so the
 * key's outcome is unknown and a retry with it reads the registry before sending the rest.
 */
function partlyApplied(e: GatewayError, changes: string[]): GatewayError {
  const message = `${e.message} (applied before that: ${changes.join(', ')}; the registry takes this update as several requests and keeps those applied: read the domain)`;
  if (e instanceof UpstreamUnavailableError && !e.maybeApplied) return new UpstreamUnavailableError(message, { ...e.details, partlyApplied: changes, maybeApplied: true });
  e.details.partlyApplied = changes;
  e.message = message;
  return e;
}

/** A list of names as one command log object name, cut short (a bulk call may name thousands). */
function names(list: readonly string[]): string {
  const head = list.slice(0, 5).join(',');
  return list.length > 5 ? `${head},... (${list.length})` : head;
}

/** Replaces each secret (3+ characters) with "****". */
export function maskSecrets(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('****');
  return out;
}

/**
 * A RegistryPort over one Driver: every call checks the account (FORBIDDEN), the capabilities
 * (UNSUPPORTED_BY_BACKEND, before sending), runs the log-before-send hook once, emits one
 * PortCommandEvent per attempt and masks secrets (the steps in this file's header).
 */
export class PortableBackend implements RegistryPort {
  readonly name: string;
  readonly kind: string;
  readonly limits: BackendLimits;
  readonly zones?: readonly string[];
  readonly queuesRequests: boolean;
  private readonly trid: ClTridGenerator;

  constructor(
    readonly driver: Driver,
    private readonly opts: PortableOptions = {},
  ) {
    this.name = driver.name;
    this.kind = driver.kind;
    this.limits = driver.limits;
    this.zones = driver.zones;
    this.queuesRequests = driver.queuesRequests === true;
    this.trid = new ClTridGenerator(opts.clTRIDPrefix, opts.clock ?? systemClock);
  }

  /** RegistryPort.unregistrable: the driver's rule (Driver.unregistrable), null where it has none. */
  unregistrable(name: string): string | null {
    return this.driver.unregistrable?.(name) ?? null;
  }

  hasAccount(registrarId: string): boolean {
    return this.driver.hasAccount(registrarId);
  }

  /** What the backend offers the caller's account. FORBIDDEN when the registrar has no account here. */
  capabilities(ctx: M.CallContext): Promise<Capabilities> {
    this.account(ctx.registrarId);
    return this.driver.capabilities(ctx);
  }

  /** The driver's knownCapabilities. FORBIDDEN when the registrar has no account here, as capabilities(). */
  knownCapabilities(registrarId: string): KnownCapabilities {
    this.account(registrarId);
    return this.driver.knownCapabilities();
  }

  upstreamId(registrarId: string): string {
    this.account(registrarId);
    return this.driver.upstreamId(registrarId);
  }

  /** Driver.prepare for a registrar with an account here; nothing otherwise, or where the driver has nothing to open ahead. */
  async prepare(registrarId: string, sessions: number): Promise<void> {
    if (!this.driver.hasAccount(registrarId) || !this.driver.prepare) return;
    await this.driver.prepare(registrarId, sessions);
  }

  /** Driver.waiting, or none waiting where the driver keeps no queue. */
  waiting(): ConnectionWaits {
    return this.driver.waiting?.() ?? { interactive: 0, background: 0 };
  }

  /** The driver's period rule (Driver.periodRefusal), or null where it has none; sends nothing. */
  periodRefusal(name: string, period: M.Period): string | null {
    return this.driver.periodRefusal?.(name, period) ?? null;
  }

  /** The driver's period rule (Driver.periodRefusal) as BAD_USER_INPUT naming `field` and the registry (`which`: RegistryPort.checkPeriod); sends nothing. */
  checkPeriod(name: string, period: M.Period, field: string, which?: string): void {
    const why = this.periodRefusal(name, period);
    if (why) throw new ValidationError(field, `${why} at registry "${this.name}"${which ? ` (${which})` : ''}`, this.name);
  }

  /** The driver's argument rules (Driver.refuseArguments), after the account check (FORBIDDEN); sends nothing. */
  refuseArguments(registrarId: string, args: CommandArguments): void {
    this.account(registrarId);
    this.driver.refuseArguments?.(registrarId, args);
  }

  /** The driver's day of a current expiry (Driver.expiryDay), the UTC date where it has none. */
  expiryDay(d: Date): string {
    return this.driver.expiryDay?.(d) ?? utcDate(d);
  }

  /** The expiry after renewing `from` by `period` as the registry computes it (Driver.renewedExpiry), addPeriod where the driver has none. */
  renewedExpiry(from: Date, period: M.Period): Date {
    return this.driver.renewedExpiry?.(from, period) ?? addPeriod(from, period);
  }

  // ---- domains ----
  /**
   * Check commands of at most `limits.checkNames` names each, sent in parallel (within the
   * request's scheduler); the answer lists every name in order, with the first command's ids.
   * One refused command fails the whole call: src/fanout/check-domains.ts sends the commands
   * itself, so that a refusal marks only that command's names.
   */
  async checkDomains(ctx: M.CallContext, names: string[]): Promise<M.PortResult<M.CheckResult[]>> {
    const parts = await Promise.all(
      chunk(names, this.limits.checkNames).map((part) => this.run(ctx, 'domain:check', { objectName: part.join(',') }, (c) => this.driver.checkDomains(c, part))),
    );
    if (parts.length === 0) return this.run(ctx, 'domain:check', { objectName: '' }, (c) => this.driver.checkDomains(c, names));
    return { ...parts[0]!, data: parts.flatMap((p) => p.data) };
  }
  /** A 2202 to a read or transfer that carried an auth code names that code (namingAuthInfo: extensions.field `authInfo`). */
  infoDomain(ctx: M.CallContext, name: string, authInfo?: string | null) {
    return this.run(ctx, 'domain:info', { objectName: name, secrets: [authInfo] }, (c) => this.driver.infoDomain(c, name, authInfo)).catch(aboutAuthInfo(authInfo));
  }
  createDomain(ctx: M.CallContext, input: M.DomainCreateInput) {
    return this.run(ctx, 'domain:create', { objectName: input.name, secrets: [input.authInfo], needs: createNeeds(input) }, (c) => this.driver.createDomain(c, input));
  }
  async renewDomain(ctx: M.CallContext, input: M.DomainRenewInput) {
    try {
      return await this.run(ctx, 'domain:renew', { objectName: input.name }, (c) => this.driver.renewDomain(c, input));
    } catch (e) {
      throw (await this.expiryMismatch(ctx, input, e)) ?? e;
    }
  }

  /**
   * A renewal's refusal as ExpiryMismatchError (BAD_USER_INPUT naming input.currentExpiry) when the
   * current expiry sent is not the domain's, else null (the refusal stands as it is). Registries
   * answer a stale curExpDate with a parameter code that other refusals share (Nomulus 2004, also
   * for a period past ten years; REPP 2306; HeadlessDomains' expiry_mismatch, mapped to 2306), so the
   * domain is read (one info command, on this path only) and its expiry's day compared with the
   * one sent (Driver.expiryDay). A read that fails leaves the refusal as it is.
   */
  private async expiryMismatch(ctx: M.CallContext, input: M.DomainRenewInput, e: unknown): Promise<ExpiryMismatchError | null> {
    const code = e instanceof RegistryError ? e.details.upstreamCode : undefined;
    if (code !== 2004 && code !== 2306) return null;
    let actual: Date | null;
    try {
      actual = (await this.infoDomain(ctx, input.name)).data.expiresAt ?? null;
    } catch {
      return null;
    }
    if (!actual || this.expiryDay(actual) === this.expiryDay(input.currentExpiry)) return null;
    const { upstreamCode, upstreamMessage } = (e as RegistryError).details;
    return new ExpiryMismatchError(this.expiryDay(input.currentExpiry), this.expiryDay(actual), 'input.currentExpiry', { upstreamCode, upstreamMessage, backend: this.name }, actual);
  }
  updateDomain(ctx: M.CallContext, input: M.DomainUpdateInput) {
    return this.run(ctx, 'domain:update', { objectName: input.name, secrets: [input.authInfo], needs: updateNeeds(input) }, (c) => this.driver.updateDomain(c, input));
  }
  deleteDomain(ctx: M.CallContext, name: string) {
    return this.run(ctx, 'domain:delete', { objectName: name }, (c) => this.driver.deleteDomain(c, name));
  }
  listDomains(ctx: M.CallContext, page: ListPage) {
    return this.run(ctx, 'domain:list', { objectName: `${page.offset}+${page.limit}` }, (c) => this.op('listDomains', 'listing domains from the registry')(c, page));
  }
  restoreDomain(ctx: M.CallContext, name: string) {
    return this.run(ctx, 'domain:restore', { objectName: name }, (c) => this.op('restoreDomain', 'restore (rgp-1.0)')(c, name));
  }
  transferDomain(ctx: M.CallContext, op: M.TransferOp | 'query', name: string, opts: { authInfo?: string | null; period?: M.Period | null } = {}) {
    return this.run(ctx, `domain:transfer:${op}`, { objectName: name, secrets: [opts.authInfo] }, (c) => this.driver.transferDomain(c, op, name, opts)).catch(aboutAuthInfo(opts.authInfo));
  }

  // ---- contacts ----
  checkContacts(ctx: M.CallContext, ids: string[]) {
    return this.run(ctx, 'contact:check', { objectName: ids.join(',') }, (c) => this.op('checkContacts', 'contact objects')(c, ids));
  }
  infoContact(ctx: M.CallContext, id: string, authInfo?: string | null) {
    return this.run(ctx, 'contact:info', { objectName: id, secrets: [authInfo] }, (c) => this.op('infoContact', 'contact objects')(c, id, authInfo)).catch(aboutAuthInfo(authInfo));
  }
  /** The id where the registry takes the registrar's (EPP), optional where it assigns one (REPP); the identity where it keeps one. */
  async createContact(ctx: M.CallContext, input: M.ContactCreateInput) {
    this.account(ctx.registrarId);
    requireContactCreate(this.name, input, await this.driver.capabilities(ctx));
    return this.run(ctx, 'contact:create', { objectName: input.id ?? undefined, secrets: [input.authInfo] }, (c) => this.op('createContact', 'contact objects')(c, input));
  }
  updateContact(ctx: M.CallContext, input: M.ContactUpdateInput) {
    return this.run(ctx, 'contact:update', { objectName: input.id, secrets: [input.authInfo] }, (c) => this.op('updateContact', 'contact objects')(c, input));
  }
  listContacts(ctx: M.CallContext, page: { limit: number; offset: number }) {
    return this.run(ctx, 'contact:list', { objectName: `${page.offset}+${page.limit}` }, (c) => this.op('listContacts', 'listing contacts from the registry')(c, page));
  }
  deleteContact(ctx: M.CallContext, id: string) {
    return this.run(ctx, 'contact:delete', { objectName: id }, (c) => this.op('deleteContact', 'contact objects')(c, id));
  }

  // ---- hosts ----
  checkHosts(ctx: M.CallContext, names: string[]) {
    return this.run(ctx, 'host:check', { objectName: names.join(',') }, (c) => this.op('checkHosts', 'host objects')(c, names));
  }
  infoHost(ctx: M.CallContext, name: string) {
    return this.run(ctx, 'host:info', { objectName: name }, (c) => this.op('infoHost', 'host objects')(c, name));
  }
  createHost(ctx: M.CallContext, input: M.HostCreateInput) {
    return this.run(ctx, 'host:create', { objectName: input.name }, (c) => this.op('createHost', 'host objects')(c, input));
  }
  updateHost(ctx: M.CallContext, input: M.HostUpdateInput) {
    return this.run(ctx, 'host:update', { objectName: input.name }, (c) => this.op('updateHost', 'host objects')(c, input));
  }
  deleteHost(ctx: M.CallContext, name: string) {
    return this.run(ctx, 'host:delete', { objectName: name }, (c) => this.op('deleteHost', 'host objects')(c, name));
  }

  // ---- poll, balance ----
  pollRequest(ctx: M.CallContext) {
    const spec: Spec<M.PollQueue> = { empty: (d) => d.message === null };
    return this.run(ctx, 'poll:req', spec, (c) => this.op('pollRequest', 'a poll queue')(c));
  }
  pollAck(ctx: M.CallContext, messageId: string) {
    return this.run(ctx, 'poll:ack', { objectName: messageId }, (c) => this.op('pollAck', 'a poll queue')(c, messageId));
  }
  balance(ctx: M.CallContext) {
    return this.run(ctx, 'balance:info', {}, (c) => this.op('balance', 'balance')(c));
  }
  balanceTransactions(ctx: M.CallContext, range: M.DateRange) {
    return this.run(ctx, 'balance:info', {}, (c) => this.op('balanceTransactions', 'balance transactions')(c, range));
  }

  // ---- native bulk actions ----
  // Answered as a whole: the command log's entry adds the domains the registry did not do (bulk-detail.ts).
  bulkTransfer(ctx: M.CallContext, items: { name: string; transferCode: string }[]) {
    const spec: Spec<M.BulkTransferResult> = { objectName: names(items.map((i) => i.name)), secrets: items.map((i) => i.transferCode), bulk: (d) => transferAnswer(items.length, d) };
    return this.run(ctx, 'bulk:transfer', spec, (c) => this.op('bulkTransfer', 'bulk transfer')(c, items));
  }
  bulkReplaceTechContact(ctx: M.CallContext, change: { current: string; next: string }) {
    const spec: Spec<M.BulkReplaceResult> = { objectName: change.current, bulk: (d) => replaceAnswer(undefined, d) };
    return this.run(ctx, 'bulk:tech-contacts', spec, (c) => this.op('bulkReplaceTechContact', 'bulk tech contact replacement')(c, change));
  }
  bulkChangeNameserver(ctx: M.CallContext, change: { from: string; to: M.DomainNameserver; domains?: string[] }) {
    const spec: Spec<M.BulkReplaceResult & { nameserver: M.DomainNameserver }> = { objectName: change.from, bulk: (d) => replaceAnswer(change.domains?.length, d) };
    return this.run(ctx, 'bulk:nameservers', spec, (c) => this.op('bulkChangeNameserver', 'bulk name server change')(c, change));
  }
  bulkRenew(ctx: M.CallContext, renew: { names: string[]; period: M.Period }) {
    const spec: Spec<{ renewed: string[] }> = { objectName: names(renew.names), bulk: (d) => renewAnswer(renew.names, d) };
    return this.run(ctx, 'bulk:renew', spec, (c) => this.op('bulkRenew', 'bulk renew')(c, renew));
  }
  queuedRequest(ctx: M.CallContext, clTRID: string) {
    return this.run(ctx, 'request:query', { objectName: clTRID }, (c) => this.op('queuedRequest', 'queued requests')(c, clTRID));
  }
  accountStatus(ctx: M.CallContext) {
    return this.run(ctx, 'account:status', {}, (c) => this.op('accountStatus', 'account status')(c));
  }
  sandboxReset(ctx: M.CallContext) {
    return this.run(ctx, 'sandbox:reset', {}, (c) => this.op('sandboxReset', 'sandbox reset (sandbox accounts only)')(c));
  }

  /** RegistryPort.abandon: the driver's (Driver.abandon), 0 where it has none. */
  abandon(): number {
    return this.driver.abandon?.() ?? 0;
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  // ---- the one path of every call ----
  private account(registrarId: string): void {
    if (!this.driver.hasAccount(registrarId)) throw new ForbiddenError(`registrar "${registrarId}" has no account on backend "${this.name}"`, { backend: this.name });
  }

  /** An optional driver method, or UNSUPPORTED_BY_BACKEND when the kind has none. */
  private op<K extends keyof Driver>(key: K, what: string): NonNullable<Driver[K]> {
    const fn = this.driver[key];
    if (typeof fn !== 'function') throw new UnsupportedByBackendError(this.name, what);
    return (fn as (...a: unknown[]) => unknown).bind(this.driver) as NonNullable<Driver[K]>;
  }

  private async run<T>(ctx: M.CallContext, command: CommandName, spec: Spec<T>, send: (call: DriverCall) => Promise<M.PortResult<T>>): Promise<M.PortResult<T>> {
    this.account(ctx.registrarId);
    const needs = [...needsOf(command), ...(spec.needs ?? [])];
    if (needs.length > 0) requireMet(this.name, needs, await this.driver.capabilities(ctx));
    const secrets = [...(spec.secrets ?? []), ...this.driver.accountSecrets(ctx.registrarId)];
    const go = () => send({ ctx, attempt: (fn) => this.attempt(ctx, command, spec, secrets, fn) });
    try {
      // Within the request's fan-out budget (src/fanout/scheduler.ts), when it has one.
      return await (ctx.scheduler ? ctx.scheduler.run(this.name, this.limits.sessions, go) : go());
    } catch (e) {
      if (e instanceof GatewayError) mask(e, secrets);
      throw e;
    }
  }

  /**
   * One attempt, with its own transaction id and its own event. A keyed state-changing command is
   * announced (onCommandStart, awaited) when the driver is about to send its first change; a failed
   * announcement sends and reports nothing. `sent: false` when nothing reached the registry.
   */
  private async attempt<T>(
    ctx: M.CallContext,
    command: CommandName,
    spec: Spec,
    secrets: ReadonlyArray<string | null | undefined>,
    fn: (a: Attempt) => Promise<M.PortResult<T>>,
  ): Promise<M.PortResult<T>> {
    const event: PortCommandEvent = {
      backend: this.name,
      registrarId: ctx.registrarId,
      clientId: this.driver.upstreamId(ctx.registrarId),
      command,
      objectName: spec.objectName,
      clTRID: this.trid.next(),
      durationMs: 0,
      idempotencyKey: ctx.idempotencyKey,
      operation: ctx.operation,
      ...(ctx.attempt !== undefined ? { attempt: ctx.attempt } : {}),
    };
    const announce = ctx.idempotencyKey && changesState(command) ? this.opts.onCommandStart : undefined;
    let announced = false;
    let refused = false; // the announcement failed: nothing was sent, nothing to report
    let applied: Set<string> | undefined; // the input's parts earlier requests of this attempt changed (Attempt.applied)
    const a: Attempt = {
      applied: (changes) => changes.forEach((c) => (applied ??= new Set()).add(c)),
      clTRID: event.clTRID,
      ...(announce && ctx.fence ? { fence: ctx.fence } : {}),
      beforeWrite: async () => {
        if (announced) return;
        announced = true;
        if (!announce) return;
        // The checks the announcement runs (the watches' beforeSend) set the fence's time limit afresh.
        ctx.fence?.reset();
        try {
          await announce({ ...event });
        } catch (e) {
          refused = true;
          throw e;
        }
      },
    };
    const started = performance.now();
    let nothingSent = false; // answered without a change sent (PortResult.unchanged): no event
    try {
      const { unchanged, ...r } = await fn(a);
      // Only a driver that never reached beforeWrite sent nothing (driver.ts); otherwise the flag is dropped.
      nothingSent = unchanged === true && !announced;
      event.code = r.code;
      event.svTRID = r.trid.server ?? undefined;
      const message = r.message === undefined ? undefined : maskSecrets(r.message, secrets);
      // The entry's message: the registry's, then what the answer says of the domains a bulk request did not do.
      const bulk = spec.bulk?.(r.data);
      event.message = bulk?.detail ? maskSecrets([message, bulk.detail].filter(Boolean).join('; '), secrets) : message;
      if (bulk?.domains) event.bulkDomains = bulk.domains;
      if (spec.empty?.(r.data)) event.empty = true;
      return { ...r, message, ...(nothingSent ? { unchanged: true } : {}) };
    } catch (e) {
      if (e instanceof GatewayError) {
        mask(e, secrets);
        event.errorCode = e.code;
        event.code = e.details.upstreamCode;
        event.message = e.details.upstreamMessage;
      } else event.errorCode = 'INTERNAL_SERVER_ERROR';
      if (e instanceof UpstreamUnavailableError) {
        event.maybeApplied = e.maybeApplied;
        if (!e.maybeApplied && event.code === undefined) event.sent = false;
      }
      // Refused before it left: the gateway's share of a registry rate limit, or a state-changing
      // command that failed before the driver's first change (drivers run beforeWrite just before
      // it, driver.ts), e.g. a read the command needed first or the driver's own input check.
      if (e instanceof UpstreamRateLimitedError && !e.sent) event.sent = false;
      if (changesState(command) && !announced && event.code === undefined) event.sent = false;
      if (applied?.size) {
        // Earlier requests of this attempt were applied: neither a clean refusal nor "not sent".
        event.partlyApplied = true;
        event.sent = true;
        event.message = [event.message, `applied before it: ${[...applied].join(', ')}`].filter(Boolean).join('; ');
        if (e instanceof GatewayError) e = partlyApplied(e, [...applied]);
        if (e instanceof UpstreamUnavailableError) event.maybeApplied = e.maybeApplied;
      }
      throw e;
    } finally {
      event.durationMs = Math.round(performance.now() - started);
      if (!refused && !nothingSent) this.emit(event);
    }
  }

  private emit(event: PortCommandEvent): void {
    try {
      this.opts.onCommand?.(event);
    } catch {
      // an observer's failure is not the command's
    }
  }
}
