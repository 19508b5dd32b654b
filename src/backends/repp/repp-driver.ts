/**
 * The REPP driver (driver.ts): the port's operations as REPP requests (driver/*.ts), one HTTP client
 * per account. What the Estonian registry offers is fixed by its API, not read from a greeting.
 */
import type { Capabilities, KnownCapabilities } from '../../core/capabilities.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type * as M from '../../core/model/index.js';
import type { Driver, DriverCall } from '../driver.js';
import type { BackendLimits, CommandArguments, ConnectionWaits, ListPage } from '../../core/port.js';
import { sumWaiting } from '../concurrency.js';
import type { ReppBackendConfig } from './config.js';
import * as account from './driver/account.js';
import type { ReppCall } from './driver/call.js';
import { UnsupportedByBackendError } from '../../core/errors.js';
import * as contacts from './driver/contacts.js';
import { checkSupported, updateDomain } from './driver/domain-update.js';
import * as domains from './driver/domains.js';
import { registryDate, reppRenewedExpiry } from './codec/read.js';
import { ReppHttpClient } from './http.js';
import type { Timer } from './retry.js';
import type { ExchangeLog } from '../http-exchange.js';

/** REPP's capabilities: contacts without custom-free ids, name servers on the domain, DNSKEY data, immediate transfers, notifications, a balance, a domain list. */
export const REPP_CAPABILITIES: Capabilities = {
  contacts: true,
  hostObjects: false,
  dnssec: true,
  dnssecDsData: false,
  restore: false,
  transferActions: false,
  poll: true,
  balance: true,
  listDomains: true,
  contactIdsAssigned: true,
  contactIdent: true,
  bulk: true,
  contactList: true,
  periodUnits: ['y', 'm'],
};

/** Keep-alive connections per account (ReppHttpClient's default maxSockets). */
export const REPP_CONNECTIONS = 4;

/** Domains per bulk request unless the config says otherwise (REPP's list page size; the document sets no bulk limit). */
export const REPP_BULK_LIMIT = 200;

/**
 * The REPP Driver (REPP document, shared/upstream/002_13834b2b835d5bf6.txt): each port operation as REPP requests (driver/*.ts) on the account's
 * ReppHttpClient; capabilities are fixed (REPP_CAPABILITIES). Approve/reject/cancel of a transfer throw UNSUPPORTED_BY_BACKEND (.ee transfers complete at once).
 */
export class ReppDriver implements Driver {
  readonly kind = 'repp';
  readonly name: string;
  /**
   * REPP has no check command (the document's API): availability is one `GET /domains/:name` per
   * name, so a check "command" is one name; the account's HTTP client keeps REPP_CONNECTIONS
   * keep-alive connections, its sessions; a bulk request carries at most `bulkLimit` domains.
   */
  readonly limits: BackendLimits;
  /** The .ee registry's zones (domains.EE_ZONES), so that a route for `ee` alone takes names under .med.ee and .fie.ee too. */
  readonly zones = domains.EE_ZONES;
  private readonly clients = new Map<string, ReppHttpClient>();
  private readonly clock: Clock;

  private readonly timer?: Timer;
  private readonly logger?: ExchangeLog['logger'];

  /**
   * @param opts.clock the gateway's clock (DriverDeps.clock); default the system's
   * @param opts.timer sleeps and time for the 429/503 retry back-off (DriverDeps.timer; tests only); default setTimeout and performance.now()
   * @param opts.logger the gateway's logger (DriverDeps.logger): failed connections are logged with host, port and OS error; default none
   */
  constructor(
    private readonly config: ReppBackendConfig,
    opts: { clock?: Clock; timer?: Timer; logger?: ExchangeLog['logger'] } = {},
  ) {
    this.name = config.name;
    this.limits = { checkNames: 1, sessions: REPP_CONNECTIONS, bulkNames: config.bulkLimit ?? REPP_BULK_LIMIT };
    this.clock = opts.clock ?? systemClock;
    this.timer = opts.timer;
    this.logger = opts.logger;
  }

  hasAccount(registrarId: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.config.accounts, registrarId);
  }

  upstreamId(registrarId: string): string {
    return this.config.accounts[registrarId].username;
  }

  accountSecrets(registrarId: string): string[] {
    return this.hasAccount(registrarId) ? [this.config.accounts[registrarId].password] : [];
  }

  async capabilities(): Promise<Capabilities> {
    return REPP_CAPABILITIES;
  }

  /** REPP's capabilities are fixed by its document: all known without a request. */
  knownCapabilities(): KnownCapabilities {
    return { capabilities: REPP_CAPABILITIES, unknown: [] };
  }

  /** REPP takes 3, 6 or 9 months or 1 to 10 years (the document's renew_period: "3m, 6m, 9m, 1y ... 10y"). */
  periodRefusal(_name: string, period: M.Period): string | null {
    return domains.periodRefusal(period);
  }

  /**
   * What REPP has no request or field for, refused before anything is sent (Driver.refuseArguments):
   * a domain's billing contact (domains.checkCreate, checkSupported), removing its registrant,
   * statuses other than clientHold, DS data; a contact's fax, disclosure, postal address, a missing
   * or emptied phone, an Estonian identity code of the wrong length (contacts.checkCreateSupported,
   * checkCreate, checkUpdate). The same functions the methods below run first.
   */
  refuseArguments(_registrarId: string, a: CommandArguments): void {
    switch (a.command) {
      case 'domain:create':
        return domains.checkCreate(this.name, a.input);
      case 'domain:update':
        return checkSupported(this.name, a.input);
      case 'contact:create':
        contacts.checkCreateSupported(this.name, a.input);
        contacts.checkCreate(a.input);
        return;
      case 'contact:update':
        return contacts.checkUpdate(this.name, a.input);
    }
  }

  /** The day `exp_date` names: the registry's calendar day (config timeZone, Europe/Tallinn). */
  expiryDay(d: Date): string {
    return registryDate(d, this.config.timeZone);
  }

  /** A renewal's new expiry: the period added to the day `from` falls on in the registry's calendar (config timeZone), at its local midnight (reppRenewedExpiry). */
  renewedExpiry(from: Date, period: M.Period): Date {
    return reppRenewedExpiry(from, period, this.config.timeZone);
  }

  checkDomains = (c: DriverCall, names: string[]) => this.run(c, (r) => domains.checkDomains(r, names));
  infoDomain = (c: DriverCall, name: string, authInfo?: string | null) => this.run(c, (r) => domains.infoDomain(r, name, authInfo));
  createDomain = (c: DriverCall, input: M.DomainCreateInput) => {
    this.refuseArguments(c.ctx.registrarId, { command: 'domain:create', input });
    return this.run(c, (r) => domains.createDomain(r, input));
  };
  renewDomain = (c: DriverCall, input: M.DomainRenewInput) => this.run(c, (r) => domains.renewDomain(r, input));
  updateDomain = (c: DriverCall, input: M.DomainUpdateInput) => {
    this.refuseArguments(c.ctx.registrarId, { command: 'domain:update', input });
    return this.run(c, (r) => updateDomain(r, this.name, input));
  };
  deleteDomain = (c: DriverCall, name: string) => this.run(c, (r) => domains.deleteDomain(r, name));
  listDomains = (c: DriverCall, page: ListPage) => this.run(c, (r) => domains.listDomains(r, page));
  transferDomain = (c: DriverCall, op: M.TransferOp | 'query', name: string, opts: { authInfo?: string | null }) => {
    if (op !== 'request' && op !== 'query') throw new UnsupportedByBackendError(this.name, `transfer ${op} (.ee transfers complete at once)`);
    return this.run(c, (r) => domains.transferDomain(r, op, name, opts));
  };

  checkContacts = (c: DriverCall, ids: string[]) => this.run(c, (r) => contacts.checkContacts(r, ids));
  infoContact = (c: DriverCall, id: string) => this.run(c, (r) => contacts.infoContact(r, id));
  createContact = (c: DriverCall, input: M.ContactCreateInput) => {
    this.refuseArguments(c.ctx.registrarId, { command: 'contact:create', input });
    return this.run(c, (r) => contacts.createContact(r, input));
  };
  updateContact = (c: DriverCall, input: M.ContactUpdateInput) => {
    this.refuseArguments(c.ctx.registrarId, { command: 'contact:update', input });
    return this.run(c, (r) => contacts.updateContact(r, this.name, input));
  };
  deleteContact = (c: DriverCall, id: string) => this.run(c, (r) => contacts.deleteContact(r, id));
  listContacts = (c: DriverCall, page: { limit: number; offset: number }) => this.run(c, (r) => contacts.listContacts(r, page));

  pollRequest = (c: DriverCall) => this.run(c, (r) => account.pollRequest(r));
  pollAck = (c: DriverCall, id: string) => this.run(c, (r) => account.pollAck(r, id));
  balance = (c: DriverCall) => this.run(c, (r) => account.balance(r));
  balanceTransactions = (c: DriverCall, range: M.DateRange) => this.run(c, (r) => account.transactions(r, range));

  bulkTransfer = (c: DriverCall, items: { name: string; transferCode: string }[]) => this.run(c, (r) => account.bulkTransfer(r, items));
  bulkReplaceTechContact = (c: DriverCall, x: { current: string; next: string }) => this.run(c, (r) => account.bulkTechContactReplace(r, x.current, x.next));
  bulkChangeNameserver = (c: DriverCall, x: { from: string; to: M.DomainNameserver; domains?: string[] }) => this.run(c, (r) => account.bulkNameserverChange(r, x.from, x.to, x.domains));
  bulkRenew = (c: DriverCall, x: { names: string[]; period: M.Period }) => this.run(c, (r) => account.bulkRenew(r, x.names, x.period));

  /** RegistryPort.unregistrable: the .ee registry's letter set and zones (domains.unregistrable). */
  unregistrable(name: string): string | null {
    return domains.unregistrable(name);
  }

  /** Driver.abandon: every account's exchanges under way (RegistryConnections.abandon). */
  abandon(): number {
    return [...this.clients.values()].reduce((n, c) => n + c.abandon(), 0);
  }

  async close(): Promise<void> {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }

  /** One attempt (REPP never resends on its own: a lost answer is reconciled above). */
  private run<T>(c: DriverCall, fn: (r: ReppCall) => Promise<M.PortResult<T>>): Promise<M.PortResult<T>> {
    const id = c.ctx.registrarId;
    return c.attempt((a) =>
      fn({
        client: this.client(id),
        upstreamId: this.upstreamId(id),
        clock: this.clock,
        policy: { timeZone: this.config.timeZone, verified: this.config.verified },
        requestId: a.clTRID,
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

  private client(registrarId: string): ReppHttpClient {
    let c = this.clients.get(registrarId);
    if (!c) {
      const a = this.config.accounts[registrarId];
      c = new ReppHttpClient(
        { url: this.config.url, username: a.username, password: a.password, tls: this.config.tls, timeoutMs: this.config.timeoutMs, retry: this.config.retry, maxSockets: REPP_CONNECTIONS },
        { backend: this.name, timer: this.timer, clock: this.clock, logger: this.logger },
      );
      this.clients.set(registrarId, c);
    }
    return c;
  }
}
