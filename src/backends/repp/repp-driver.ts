/**
 * The REPP driver (driver.ts): the port's operations as REPP requests (driver/*.ts), one HTTP client
 * per account. What the Estonian registry offers is fixed by its API, not read from a greeting.
 */
import type { Capabilities } from '../../core/capabilities.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type * as M from '../../core/model/index.js';
import type { Driver, DriverCall } from '../driver.js';
import type { ReppBackendConfig } from './config.js';
import * as account from './driver/account.js';
import type { ReppCall } from './driver/call.js';
import * as contacts from './driver/contacts.js';
import { updateDomain } from './driver/domain-update.js';
import * as domains from './driver/domains.js';
import { ReppHttpClient } from './http.js';

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
  periodUnits: ['y', 'm'],
};

export class ReppDriver implements Driver {
  readonly kind = 'repp';
  readonly name: string;
  private readonly clients = new Map<string, ReppHttpClient>();
  private readonly clock: Clock;

  constructor(
    private readonly config: ReppBackendConfig,
    opts: { clock?: Clock } = {},
  ) {
    this.name = config.name;
    this.clock = opts.clock ?? systemClock;
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

  checkDomains = (c: DriverCall, names: string[]) => domains.checkDomains(this.call(c), names);
  infoDomain = (c: DriverCall, name: string) => domains.infoDomain(this.call(c), name);
  createDomain = (c: DriverCall, input: M.DomainCreateInput) => domains.createDomain(this.call(c), input);
  renewDomain = (c: DriverCall, input: M.DomainRenewInput) => domains.renewDomain(this.call(c), input);
  updateDomain = (c: DriverCall, input: M.DomainUpdateInput) => updateDomain(this.call(c), this.name, input);
  deleteDomain = (c: DriverCall, name: string) => domains.deleteDomain(this.call(c), name);
  transferDomain = (c: DriverCall, op: M.TransferOp | 'query', name: string, opts: { authInfo?: string | null }) => domains.transferDomain(this.call(c), op, name, opts);

  checkContacts = (c: DriverCall, ids: string[]) => contacts.checkContacts(this.call(c), ids);
  infoContact = (c: DriverCall, id: string) => contacts.infoContact(this.call(c), id);
  createContact = (c: DriverCall, input: M.ContactCreateInput) => contacts.createContact(this.call(c), input);
  updateContact = (c: DriverCall, input: M.ContactUpdateInput) => contacts.updateContact(this.call(c), this.name, input);
  deleteContact = (c: DriverCall, id: string) => contacts.deleteContact(this.call(c), id);

  pollRequest = (c: DriverCall) => account.pollRequest(this.call(c));
  pollAck = (c: DriverCall, id: string) => account.pollAck(this.call(c), id);
  balance = (c: DriverCall) => account.balance(this.call(c));

  async close(): Promise<void> {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }

  private call(c: DriverCall): ReppCall {
    const id = c.ctx.registrarId;
    return {
      client: this.client(id),
      upstreamId: this.upstreamId(id),
      clock: this.clock,
      policy: { timeZone: this.config.timeZone, verified: this.config.verified },
      requestId: c.clTRID,
      beforeWrite: () => c.beforeWrite(),
    };
  }

  private client(registrarId: string): ReppHttpClient {
    let c = this.clients.get(registrarId);
    if (!c) {
      const a = this.config.accounts[registrarId];
      c = new ReppHttpClient(
        { url: this.config.url, username: a.username, password: a.password, tls: this.config.tls, timeoutMs: this.config.timeoutMs, retry: this.config.retry },
        { backend: this.name },
      );
      this.clients.set(registrarId, c);
    }
    return c;
  }
}
