/**
 * The HeadlessDomains driver (driver.ts): the port's operations as registrar API v1 requests
 * (commands.ts), one HTTP client per account with that account's bearer token. Capabilities come
 * from GET /status on the caller's own account (the registry service's command list: a poll
 * queue only where `poll` is listed), read once per account and kept.
 *
 * Poll: GET /poll lists the channel's audit rows after a cursor; the queue's head is the first row
 * after the last one acknowledged (the cursor lives in this process: after a restart rows are read
 * again and the poll store keeps each once, by audit row id). One GET /poll answers up to 500 rows:
 * they are kept and handed out one by one, acknowledging moves the cursor over them, and the next
 * GET /poll is sent only when they are used up, so a drain costs one request per 500 rows. These
 * requests spend the poller's share of the registry's rate limit (budget.ts), never the requests'.
 * With Redis (`opts.redis`) the shares are counted across every gateway instance.
 */
import { NO_CAPABILITIES, type Capabilities, type KnownCapabilities } from '../../core/capabilities.js';
import { ForbiddenError } from '../../core/errors.js';
import type * as M from '../../core/model/index.js';
import type { BackendLimits, CommandArguments, ConnectionWaits } from '../../core/port.js';
import { sumWaiting } from '../concurrency.js';
import type { Driver, DriverCall } from '../driver.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type { Timer } from '../repp/retry.js';
import { parseAuditRow } from './codec.js';
import * as cmd from './commands.js';
import { readToken, type HeadlessBackendConfig } from './config.js';
import { HeadlessHttpClient } from './http.js';
import { SharedRateCounts } from './budget.js';
import type { Logger } from '../../logger.js';

/**
 * Capabilities of an account whose /status lists `commands`: domains with name servers as
 * attributes, registrant metadata on the domain, years only; a poll queue where `poll` is listed.
 */
export function capabilitiesFrom(commands: string[]): Capabilities {
  return { ...NO_CAPABILITIES, registrantInfo: true, poll: commands.includes('poll') };
}

/** What a HeadlessDomains account offers before its /status is read (Driver.knownCapabilities): everything but the poll queue is fixed (capabilitiesFrom). */
export const HEADLESS_KNOWN_CAPABILITIES: KnownCapabilities = { capabilities: capabilitiesFrom([]), unknown: ['poll'] };

/**
 * The HeadlessDomains registrar API v1 Driver (shared/upstream/000_1527c6e3181c1cc7.txt): each port operation as commands.ts requests on the account's
 * HeadlessHttpClient (bearer token, Idempotency-Key on changes); capabilities from GET /status; the poll queue from GET /poll audit rows after an in-process cursor.
 */
export class HeadlessDriver implements Driver {
  readonly kind = 'headless';
  /** One name per check request (POST /domains/check); four connections per account. */
  readonly limits: BackendLimits = { checkNames: 1, sessions: 4 };
  readonly name: string;
  private readonly clients = new Map<string, HeadlessHttpClient>();
  private readonly caps = new Map<string, Promise<Capabilities>>();
  private readonly cursors = new Map<string, string>();
  /** Rows after the cursor from the last GET /poll, per account, with whether more followed them. */
  private readonly fetched = new Map<string, { rows: M.UpstreamPollMessage[]; hasMore: boolean; requestId: string }>();

  /** With Redis: where every account's rate-limit shares are counted across instances (budget.ts). */
  private readonly shared?: SharedRateCounts;

  /**
   * @param opts.clock the gateway's clock (DriverDeps.clock): the registry's rate-limit windows are
   *   counted on it (budget.ts), as the in-process sandbox counts them on the same clock, and a create
   *   whose answer names no creation time is dated by it (commands.ts); default the system's
   * @param opts.timer sleeps and time (now(): ms since the epoch; tests only, taking precedence over
   *   `clock` for the windows); default setTimeout and the clock
   * @param opts.redis the deployment's Redis (REDIS_URL) and key prefix (REDIS_PREFIX): the
   *   registry's rate limit is then shared out across every instance, not per instance
   * @param opts.logger where a Redis outage (required with `redis`) and a failed connection to the registry are reported
   */
  constructor(
    private readonly config: HeadlessBackendConfig,
    private readonly opts: { clock?: Clock; timer?: Timer; env?: NodeJS.ProcessEnv; redis?: { url: string; keyPrefix: string }; logger?: Logger } = {},
  ) {
    this.name = config.name;
    if (opts.redis) {
      if (!opts.logger) throw new Error('HeadlessDriver: a logger is needed with redis');
      this.shared = new SharedRateCounts(opts.redis.url, opts.redis.keyPrefix, config.name, opts.logger);
    }
  }

  hasAccount(registrarId: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.config.accounts, registrarId);
  }

  /** The registrar channel id the account's key is bound to (config `channelId`, checked against /status). */
  upstreamId(registrarId: string): string {
    return this.config.accounts[registrarId].channelId ?? registrarId;
  }

  accountSecrets(registrarId: string): string[] {
    return this.hasAccount(registrarId) ? [this.token(registrarId)] : [];
  }

  /** Every capability but `poll` is fixed for the kind (capabilitiesFrom): known without GET /status. */
  knownCapabilities(): KnownCapabilities {
    return HEADLESS_KNOWN_CAPABILITIES;
  }

  capabilities(ctx: M.CallContext): Promise<Capabilities> {
    const id = ctx.registrarId;
    let p = this.caps.get(id);
    if (!p) {
      const call: DriverCall = { ctx, attempt: (send) => send({ clTRID: `caps-${Date.now().toString(36)}`, beforeWrite: async () => {}, applied: () => {} }) };
      p = this.run(call, (c) => cmd.accountStatus(c)).then((r) => capabilitiesFrom(r.data.commands));
      p.catch(() => this.caps.delete(id));
      this.caps.set(id, p);
    }
    return p;
  }

  /**
   * What HeadlessDomains' API has no field for, refused before anything is sent
   * (Driver.refuseArguments): a period in months, name server addresses (cmd.checkCreate); a status
   * other than clientHold and clientTransferProhibited, a name server added with addresses
   * (cmd.checkUpdate). The same functions createDomain and updateDomain run first.
   */
  refuseArguments(_registrarId: string, a: CommandArguments): void {
    if (a.command === 'domain:create') cmd.checkCreate(this.name, a.input);
    else if (a.command === 'domain:update') cmd.checkUpdate(this.name, a.input);
  }

  checkDomains = (c: DriverCall, names: string[]) => this.run(c, (h) => cmd.checkDomains(h, names));
  /**
   * GET /domains/{domain}. HeadlessDomains answers any channel's registration; the registrant
   * metadata (name, e-mail, organisation) of one another channel sponsors is left out
   * (`registrantInfo: null`), as the gateway shows no other registrar's contact data.
   */
  infoDomain = async (c: DriverCall, name: string, authInfo?: string | null) => {
    const r = await this.run(c, (h) => cmd.infoDomain(h, name, authInfo));
    if (r.data.sponsor === this.upstreamId(c.ctx.registrarId)) return r;
    return { ...r, data: { ...r.data, registrantInfo: null } };
  };
  createDomain = (c: DriverCall, input: M.DomainCreateInput) => this.run(c, (h) => cmd.createDomain(h, this.name, input));
  renewDomain = (c: DriverCall, input: M.DomainRenewInput) => this.run(c, (h) => cmd.renewDomain(h, this.name, input));
  updateDomain = (c: DriverCall, input: M.DomainUpdateInput) => this.run(c, (h) => cmd.updateDomain(h, this.name, input));
  deleteDomain = (c: DriverCall, name: string) => this.run(c, (h) => cmd.deleteDomain(h, name));
  transferDomain = (c: DriverCall, op: M.TransferOp | 'query', name: string, opts: { authInfo?: string | null }) =>
    this.run(c, (h) => cmd.transferDomain(h, op as 'request' | 'query', name, opts.authInfo));
  accountStatus = (c: DriverCall) =>
    this.run(c, async (h) => {
      const r = await cmd.accountStatus(h);
      this.caps.set(c.ctx.registrarId, Promise.resolve(capabilitiesFrom(r.data.commands)));
      return r;
    });
  /** Only for a sandbox backend (config `sandboxReset`, set by the in-process sandbox): FORBIDDEN elsewhere, before anything is sent. */
  sandboxReset = (c: DriverCall) => {
    if (!this.config.sandboxReset) throw new ForbiddenError(`backend "${this.name}" is not a sandbox: sandboxReset is refused`, { backend: this.name });
    return this.run(c, (h) => cmd.sandboxReset(h));
  };

  pollRequest = (c: DriverCall) =>
    this.run(c, async (h) => {
      const id = c.ctx.registrarId;
      let batch = this.fetched.get(id);
      if (!batch || batch.rows.length === 0) {
        const query = { after: this.cursors.get(id), limit: 500 };
        const a = await h.client.send({ method: 'GET', path: '/poll', query, changesState: false, lane: 'poller' }, h.requestId);
        const events = Array.isArray(a.body.events) ? a.body.events : [];
        batch = { rows: events.map(parseAuditRow), hasMore: a.body.has_more === true, requestId: a.requestId };
        this.fetched.set(id, batch);
      }
      const head = batch.rows[0] ?? null;
      const count = batch.rows.length + (batch.hasMore ? 1 : 0);
      return { data: { message: head && { ...head, count }, count: head ? count : 0 }, trid: { client: batch.requestId, server: null }, code: head ? 1301 : 1300 };
    });

  /** Acknowledges up to this audit row (the cursor moves past it); answers how many rows are known to follow. Sends nothing. */
  pollAck = (c: DriverCall, rowId: string) =>
    this.run(c, async (h) => {
      const id = c.ctx.registrarId;
      this.cursors.set(id, rowId);
      const batch = this.fetched.get(id);
      const at = batch ? batch.rows.findIndex((r) => r.id === rowId) : -1;
      if (!batch || at < 0) this.fetched.delete(id);
      else batch.rows.splice(0, at + 1);
      const left = at < 0 ? 0 : batch!.rows.length + (batch!.hasMore ? 1 : 0);
      return { data: { count: left }, trid: { client: h.requestId, server: null }, code: 1000 };
    });

  /** Driver.abandon: every account's exchanges under way (RegistryConnections.abandon). */
  abandon(): number {
    return [...this.clients.values()].reduce((n, c) => n + c.abandon(), 0);
  }

  async close(): Promise<void> {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
    this.shared?.close();
  }

  private token(registrarId: string): string {
    return readToken(this.config, registrarId, this.opts.env);
  }

  private run<T>(c: DriverCall, fn: (h: cmd.HeadlessCall) => Promise<M.PortResult<T>>): Promise<M.PortResult<T>> {
    const id = c.ctx.registrarId;
    return c.attempt((a) =>
      fn({
        client: this.client(id),
        backend: this.name,
        clock: this.opts.clock ?? systemClock,
        requestId: a.clTRID,
        idempotencyKey: c.ctx.idempotencyKey ?? `gw-${a.clTRID}`,
        checkConcurrency: this.config.checkConcurrency ?? 4,
        background: c.ctx.background === true,
        beforeWrite: () => a.beforeWrite(),
        applied: (changes) => a.applied(changes),
      }),
    );
  }

  /** Driver.waiting: requests waiting for a connection of any account's client now, by class. */
  waiting(): ConnectionWaits {
    return sumWaiting(this.clients.values());
  }

  private client(registrarId: string): HeadlessHttpClient {
    let c = this.clients.get(registrarId);
    if (!c) {
      c = new HeadlessHttpClient(
        {
          url: this.config.url,
          token: this.token(registrarId),
          tls: this.config.tls,
          timeoutMs: this.config.timeoutMs,
          rateLimitBudgetMs: this.config.rateLimitBudgetMs,
          rateLimit: this.config.rateLimit,
        },
        { backend: this.name, timer: this.opts.timer, clock: this.opts.clock, shared: this.shared && { counts: this.shared, account: registrarId }, logger: this.opts.logger },
      );
      this.clients.set(registrarId, c);
    }
    return c;
  }
}
