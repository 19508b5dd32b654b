/**
 * The Joker DMAPI driver (driver.ts): the port's operations as DMAPI requests (driver/*.ts), one
 * session per reseller account (http.ts). What DMAPI offers is fixed by its document, not read
 * from a greeting: contacts with registry-assigned handles, name servers as host objects, DS
 * records, redemption (domain-redeem), transfers-in only, results of asynchronous requests as the
 * poll queue, the account balance, the reseller's domain list, periods in months.
 */
import type { Capabilities, KnownCapabilities } from '../../core/capabilities.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { UnsupportedByBackendError } from '../../core/errors.js';
import type * as M from '../../core/model/index.js';
import type { BackendLimits, CommandArguments, ConnectionWaits } from '../../core/port.js';
import { sumWaiting } from '../concurrency.js';
import type { Driver, DriverCall } from '../driver.js';
import type { JokerBackendConfig } from './config.js';
import type { JokerCall, KeptResults, PollRound } from './driver/call.js';
import { result, send } from './driver/call.js';
import { checkSupported, updateDomain } from './driver/domain-update.js';
import * as domains from './driver/domains.js';
import * as objects from './driver/objects.js';
import * as results from './driver/results.js';
import { JokerClient } from './http.js';
import type { ExchangeLog } from '../http-exchange.js';

/** Keep-alive connections per account (http.ts), the requests one account has in flight at once. */
export const JOKER_CONNECTIONS = 4;

/**
 * What DMAPI offers, fixed by its document: registry-assigned contact handles, host objects, DS data
 * (`tag:alg:digest-type:digest`, the form for com/net/org/tv/cc; not on the TLDs of
 * driver/domain-update.ts KEY_FORM_TLDS, .de, whose keys DMAPI takes as key data: refused there),
 * domain-redeem, transfers-in only, result-list as poll, balance, domain list; periods in y or m (sent as months).
 */
export const JOKER_CAPABILITIES: Capabilities = {
  contacts: true,
  hostObjects: true,
  dnssec: true,
  dnssecDsData: true,
  restore: true,
  transferActions: false,
  poll: true,
  balance: true,
  listDomains: true,
  contactIdsAssigned: true,
  contactIdent: false,
  bulk: false,
  periodUnits: ['y', 'm'],
};

/**
 * The Joker DMAPI Driver (shared/upstream/004_3d0c9974b3057d3e.txt): each port operation as DMAPI requests (driver/*.ts) on the account's JokerClient;
 * asynchronous requests answer 1001 until their result arrives (result-list/result-retrieve, delivered as poll messages).
 */
export class JokerDriver implements Driver {
  readonly kind = 'joker';
  /** A modifying request is answered with its Proc-ID and may still wait for processing (results.ts). */
  readonly queuesRequests = true;
  readonly name: string;
  /** DMAPI has no check: each name is one query-whois. */
  readonly limits: BackendLimits = { checkNames: 1, sessions: JOKER_CONNECTIONS };
  private readonly clients = new Map<string, JokerClient>();
  private readonly clock: Clock;
  /** Where failed connections are logged (http-exchange.ts ExchangeLog). */
  private readonly logger?: ExchangeLog['logger'];
  /** Pending requests shared by the domain reads of one loader batch (results.ts). */
  private readonly pending = new results.PendingLists();
  /** Each poll round's read of the queue, by its CallContext.pollRound (results.ts pollRequest). */
  private readonly rounds = new WeakMap<object, PollRound>();
  /** Per registrar: its results delivered but left upstream (results.ts LEFT_UPSTREAM). */
  private readonly kept = new Map<string, KeptResults>();

  /** @param opts.logger the gateway's logger (DriverDeps.logger): failed connections are logged with host, port and OS error */
  constructor(
    private readonly config: JokerBackendConfig,
    opts: { clock?: Clock; logger?: ExchangeLog['logger'] } = {},
  ) {
    this.name = config.name;
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger;
  }

  hasAccount(registrarId: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.config.accounts, registrarId);
  }
  upstreamId(registrarId: string): string {
    return this.config.accounts[registrarId].uid;
  }
  accountSecrets(registrarId: string): string[] {
    return this.hasAccount(registrarId) ? [this.config.accounts[registrarId].password] : [];
  }
  async capabilities(): Promise<Capabilities> {
    return JOKER_CAPABILITIES;
  }

  /** DMAPI's capabilities are fixed by its document: all known without a request. */
  knownCapabilities(): KnownCapabilities {
    return { capabilities: JOKER_CAPABILITIES, unknown: [] };
  }

  /** Whole years (1-120 months) unless the domain's TLD is one of the account's monthly TLDs (domains.toMonths). */
  periodRefusal(name: string, period: M.Period): string | null {
    return domains.periodRefusal(this.monthlyTlds(), name, period);
  }

  /**
   * What DMAPI has no request or field for, whatever the object holds, refused before anything is
   * sent (Driver.refuseArguments): on a domain, DNSSEC on create, no name server, a missing contact
   * role, name server addresses (domains.checkCreate), statuses other than the transfer lock, auth
   * info, the registrant, key data, DNSSEC on .de (checkSupported); on a contact, an id, a third street line,
   * disclosure, statuses, an emptied phone, postal code, fax, org or state, nothing to change
   * (objects.checkCreateContact, checkUpdateContact); on a host, more than one address of a
   * family or an IPv6 without an IPv4 on create, statuses or a rename (objects.checkCreateHost,
   * checkUpdateHost); a transfer request without the account's transferContact.
   */
  refuseArguments(registrarId: string, a: CommandArguments): void {
    switch (a.command) {
      case 'domain:create':
        return domains.checkCreate(this.name, a.input);
      case 'domain:update':
        return checkSupported(this.name, a.input);
      case 'contact:create':
        return objects.checkCreateContact(this.name, a.input);
      case 'contact:update':
        return objects.checkUpdateContact(this.name, a.input);
      case 'host:create':
        return objects.checkCreateHost(a.input);
      case 'host:update':
        return objects.checkUpdateHost(this.name, a.input);
      case 'domain:transfer:request':
        domains.checkTransferRequest(this.name, this.config.accounts[registrarId] ?? {}, a.input.authInfo);
        return;
    }
  }

  checkDomains = (c: DriverCall, names: string[]) => this.run(c, (j) => domains.checkDomains(j, names));
  /** query-whois. With `authInfo`: UnsupportedByBackendError before anything is sent (DMAPI shows no Auth-ID and has no request that checks one). */
  infoDomain = (c: DriverCall, name: string, authInfo?: string | null) => {
    if (authInfo) throw new UnsupportedByBackendError(this.name, 'checking a transfer auth code without requesting the transfer (DMAPI has no such request; leave authInfo out of domain)', 'authInfo');
    return this.run(c, (j) => domains.infoDomain(j, name));
  };
  createDomain = (c: DriverCall, input: M.DomainCreateInput) => this.run(c, (j) => domains.createDomain(j, input));
  renewDomain = (c: DriverCall, input: M.DomainRenewInput) => this.run(c, (j) => domains.renewDomain(j, input));
  updateDomain = (c: DriverCall, input: M.DomainUpdateInput) => {
    this.refuseArguments(c.ctx.registrarId, { command: 'domain:update', input });
    return this.run(c, async (j) => updateDomain(j, (await domains.infoDomain(j, input.name)).data, input));
  };
  deleteDomain = (c: DriverCall, name: string) => this.run(c, (j) => domains.deleteDomain(j, name));
  restoreDomain = (c: DriverCall, name: string) => this.run(c, (j) => domains.restoreDomain(j, name));
  listDomains = (c: DriverCall, page: { limit: number; offset: number }) => this.run(c, (j) => domains.listDomains(j, page));
  transferDomain = (c: DriverCall, op: M.TransferOp | 'query', name: string, opts: { authInfo?: string | null }) => {
    if (op !== 'request' && op !== 'query') throw new UnsupportedByBackendError(this.name, `transfer ${op} (DMAPI has transfers-in only)`);
    // Refused before the attempt (as infoDomain's): nothing is sent, so the command log has no entry of it.
    if (op === 'query' && opts.authInfo) throw domains.transferQueryAuthInfo(this.name);
    return this.run(c, (j) => domains.transferDomain(j, op, name, opts));
  };

  checkContacts = (c: DriverCall, ids: string[]) => this.run(c, (j) => objects.check(j, 'contact', ids));
  infoContact = (c: DriverCall, id: string) => this.run(c, (j) => objects.infoContact(j, id));
  createContact = (c: DriverCall, input: M.ContactCreateInput) => {
    this.refuseArguments(c.ctx.registrarId, { command: 'contact:create', input });
    return this.run(c, (j) => objects.createContact(j, input));
  };
  updateContact = (c: DriverCall, input: M.ContactUpdateInput) => {
    this.refuseArguments(c.ctx.registrarId, { command: 'contact:update', input });
    return this.run(c, (j) => objects.updateContact(j, input));
  };
  deleteContact = (c: DriverCall, id: string) => this.run(c, (j) => objects.deleteContact(j, id));
  listContacts = (c: DriverCall, page: { limit: number; offset: number }) => this.run(c, (j) => objects.listContacts(j, page));

  checkHosts = (c: DriverCall, names: string[]) => this.run(c, (j) => objects.check(j, 'host', names));
  infoHost = (c: DriverCall, name: string) => this.run(c, (j) => objects.infoHost(j, name));
  createHost = (c: DriverCall, input: M.HostCreateInput) => this.run(c, (j) => objects.createHost(j, input));
  updateHost = (c: DriverCall, input: M.HostUpdateInput) => {
    this.refuseArguments(c.ctx.registrarId, { command: 'host:update', input });
    return this.run(c, (j) => objects.updateHost(j, input));
  };
  deleteHost = (c: DriverCall, name: string) => this.run(c, (j) => objects.deleteHost(j, name));

  pollRequest = (c: DriverCall) => this.run(c, (j) => results.pollRequest(j));
  pollAck = (c: DriverCall, id: string) => this.run(c, (j) => results.pollAck(j, id));
  queuedRequest = (c: DriverCall, clTRID: string) => this.run(c, (j) => results.queuedRequest(j, clTRID));
  /** The Account-Balance header (query-profile's reply carries it; its body's "balance" where the header is absent). */
  balance = (c: DriverCall) =>
    this.run(c, async (j) => {
      const r = await send(j, { name: 'query-profile', changesState: false });
      const body = /^balance:\s*(-?\d+(?:\.\d+)?)\s*$/im.exec(r.body)?.[1];
      return result(j, r, { amount: r.accountBalance ?? body ?? '0', currency: this.config.currency ?? 'EUR' });
    });

  /** Driver.abandon: every account's exchanges under way (RegistryConnections.abandon). */
  abandon(): number {
    return [...this.clients.values()].reduce((n, c) => n + c.abandon(), 0);
  }

  /** Logs every account out. */
  async close(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.close()));
  }

  /** One attempt: a refused session is logged in again inside the client, before anything is applied. */
  private run<T>(c: DriverCall, fn: (j: JokerCall) => Promise<M.PortResult<T>>): Promise<M.PortResult<T>> {
    const id = c.ctx.registrarId;
    return c.attempt((a) => {
      const j: JokerCall = {
        client: this.client(id),
        uid: this.upstreamId(id),
        backend: this.name,
        clock: this.clock,
        clTRID: a.clTRID,
        account: { transferContact: this.config.accounts[id].transferContact },
        currency: this.config.currency ?? 'EUR',
        monthlyTlds: this.monthlyTlds(),
        beforeWrite: () => a.beforeWrite(),
        applied: (changes) => a.applied(changes),
        background: c.ctx.background === true,
        pendingList: c.ctx.readBatch ? () => this.pending.get(c.ctx.readBatch!, id, () => results.readPending(j)) : undefined,
        changed: () => this.pending.changed(id),
        pollRound: c.ctx.pollRound ? this.round(c.ctx.pollRound) : undefined,
        kept: this.keptOf(id),
        pollStored: c.ctx.pollStored,
      };
      return fn(j);
    });
  }

  /** The state of one poll round (kept while its CallContext.pollRound object lives). */
  private round(scope: object): PollRound {
    let r = this.rounds.get(scope);
    if (!r) this.rounds.set(scope, (r = {}));
    return r;
  }

  private keptOf(registrarId: string): KeptResults {
    let k = this.kept.get(registrarId);
    if (!k) this.kept.set(registrarId, (k = { delivered: new Set() }));
    return k;
  }

  /** The config's monthlyTlds, lower case, without a leading dot. */
  private monthlyTlds(): string[] {
    return (this.config.monthlyTlds ?? []).map((t) => t.toLowerCase().replace(/^\./, ''));
  }

  /** Driver.waiting: requests waiting for a connection of any account's client now, by class. */
  waiting(): ConnectionWaits {
    return sumWaiting(this.clients.values());
  }

  private client(registrarId: string): JokerClient {
    let c = this.clients.get(registrarId);
    if (!c) {
      const a = this.config.accounts[registrarId];
      c = new JokerClient({ url: this.config.url, secret: a.password, username: a.username, tls: this.config.tls, timeoutMs: this.config.timeoutMs, maxSockets: JOKER_CONNECTIONS }, this.name, () => this.clock.now().getTime(), this.logger);
      this.clients.set(registrarId, c);
    }
    return c;
  }
}
