/**
 * The registry-neutral port. Every backend (EPP, REPP, HeadlessDomains, Joker) implements it;
 * resolvers and services call only this, through the router. Adapters never see GraphQL, and
 * nothing above an adapter sees XML or upstream JSON.
 *
 * Every method returns the neutral model plus the upstream transaction ids. Errors are thrown as
 * RegistryError subclasses (core/errors.ts) carrying the upstream result code and message.
 */
import type { Capabilities, KnownCapabilities } from './capabilities.js';
import type {
  BalanceStatement,
  BulkReplaceResult,
  BulkTransferResult,
  AccountStatus,
  CallContext,
  DateRange,
  DomainNameserver,
  CheckResult,
  Contact,
  ContactCreateInput,
  ContactUpdateInput,
  Domain,
  DomainCreated,
  DomainCreateInput,
  DomainDeleted,
  DomainRenewed,
  DomainRenewInput,
  DomainUpdateInput,
  Host,
  HostCreateInput,
  HostUpdateInput,
  Money,
  Period,
  PollQueue,
  PortResult,
  QueuedRequest,
  SandboxResetResult,
  Transfer,
  TransferOp,
} from './model/index.js';

/** How reads of many objects are split and scheduled at one backend (src/fanout/). */
export interface BackendLimits {
  /**
   * Most names one check command carries. EPP leaves it to the registry (RFC 5730 section
   * 2.9.2.1); Nomulus refuses more than 50 with 2306, so EPP backends default to 50 (config
   * `checkLimit`). REPP has no check command: each name is one `GET /repp/v1/domains/:name`, so 1.
   */
  checkNames: number;
  /** Commands one account can have in flight at once: EPP `poolSize` sessions, REPP keep-alive connections. */
  sessions: number;
  /**
   * Most domains one native bulk request carries (capability `bulk`: REPP's "Bulk actions"
   * endpoints take a list of domains); a bulk job's items go to such a backend in chunks of at
   * most this many (src/bulk/native.ts). Absent: the backend has no native bulk endpoints.
   */
  bulkNames?: number;
}

/** One page of a registry's own list: `limit` items from `offset`; `details` asks for the objects themselves, not only their names. */
export interface ListPage {
  limit: number;
  offset: number;
  details?: boolean;
}

/**
 * A page of the registrar's domains: their names, how many it has in all, and with `details`
 * the domains as infoDomain answers them (REPP `GET /repp/v1/domains?details=true`), in the
 * names' order, so a page of them costs one request instead of one per domain.
 */
export interface DomainList {
  names: string[];
  total: number;
  domains?: Domain[];
}

/**
 * A state-changing command's arguments as the backend's own argument rules read them
 * (RegistryPort.refuseArguments): the commands whose arguments a backend kind may have no place
 * for, or take only in part (a REPP contact has no postal address; Joker's contact-modify cannot
 * empty a field; HeadlessDomains sets two statuses). `input` is the checked neutral model.
 */
export type CommandArguments =
  | { command: 'domain:create'; input: DomainCreateInput }
  | { command: 'domain:update'; input: DomainUpdateInput }
  | { command: 'contact:create'; input: ContactCreateInput }
  | { command: 'contact:update'; input: ContactUpdateInput }
  | { command: 'host:create'; input: HostCreateInput }
  | { command: 'host:update'; input: HostUpdateInput }
  | { command: 'domain:transfer:request'; input: { name: string; authInfo: string | null } };

/**
 * The registry-neutral port every backend implements (src/backends/portable.ts over one driver):
 * each method takes the neutral model (names in lower-case A-labels) and returns a PortResult,
 * throwing a GatewayError (RegistryError subclasses by RFC 5730 result code, registryErrorFor).
 */
/** Calls waiting for one of a backend's connections now (EPP sessions, an HTTP API's kept-alive connections), by class (CallContext.background). */
export interface ConnectionWaits {
  interactive: number;
  background: number;
}

export interface RegistryPort {
  /** Backend name from the config (e.g. "nomulus", "ee"). */
  readonly name: string;
  /** Protocol kind ("epp", "repp", "headless", "joker"). */
  readonly kind: string;
  /** Names per check command and sessions per account: how fan-out is split and scheduled. */
  readonly limits: BackendLimits;
  /**
   * Zones (suffixes without the leading dot, "med.ee") the registry registers names directly
   * under, besides the suffixes routed to the backend: a name one label below one of them is not
   * refused by Router.unregistrable even when only a shorter suffix ("ee") is routed. Absent: the
   * routed suffixes only.
   */
  readonly zones?: readonly string[];
  /**
   * Why the registry could never hold `name` (an A-label name one label under one of its zones),
   * beyond where it sits: its own rule for a label's characters (the .ee registry's letter set), or
   * null. Pure; sends nothing. Router.unregistrable asks it after the zones, so every domain
   * mutation, bulk item, read and check refuses or answers such a name without a command.
   * Absent: any name under a zone may exist there.
   */
  unregistrable?(name: string): string | null;
  /**
   * True where the registry may answer a modifying request 1001 with the id of the request it
   * queued (trid.server, PortResult.awaitsCompletion) and report its outcome later as a poll
   * message whose upstream id is that id (Joker DMAPI, "Basics": Proc-ID, result-list). A command
   * of such a backend whose answer was lost (or not kept) may still be carried out, so
   * reconciliation asks queuedRequest before it sends one again (src/idempotency/reconcile/record.ts).
   * Absent: false.
   */
  readonly queuesRequests?: boolean;

  /**
   * What the backend offers the caller's account (EPP: from the greeting that account's own
   * session received, so this may log in once). Only the caller's account is used: another
   * account's failing login never fails this call. Throws ForbiddenError when the registrar has
   * no account here, and the account's own login error.
   */
  capabilities(ctx: CallContext): Promise<Capabilities>;
  /**
   * What capabilities() would answer for the registrar's account as far as the backend's kind and
   * config fix it, without a round trip (KnownCapabilities: the flags only the registry can tell,
   * such as an EPP greeting's, are listed as unknown). Synchronous, sends nothing. Throws
   * ForbiddenError, as capabilities() does, when the registrar has no account here.
   */
  knownCapabilities(registrarId: string): KnownCapabilities;
  /** The gateway registrar has an account (a login) on this backend. */
  hasAccount(registrarId: string): boolean;
  /** The upstream registrar id the gateway registrar logs in as on this backend (FORBIDDEN without an account: ask hasAccount). */
  upstreamId(registrarId: string): string;

  /**
   * Opens up to `sessions` of the registrar's connections to the backend ahead of commands known
   * to be coming (EPP: logs in sessions; a backend with nothing to open ahead does nothing).
   * Resolves once they are open or have failed (a failure is the coming commands' to meet); does
   * nothing for a registrar without an account here.
   */
  prepare(registrarId: string, sessions: number): Promise<void>;

  /**
   * Calls waiting now for a connection of any of the backend's accounts, by class (interactive
   * ones are handed a free connection first): for /metrics (rgw_upstream_waiting). Sends nothing.
   */
  waiting(): ConnectionWaits;

  /**
   * Why the registry would not take `period` for the domain `name` (a message naming its rule,
   * "must be 3, 6 or 9 months or 1 to 10 years"), or null when it takes it or has no rule beyond
   * its period units. Pure: sends nothing.
   */
  periodRefusal(name: string, period: Period): string | null;

  /**
   * Refuses a period the registry does not take for the domain `name` (beyond its period units:
   * REPP takes 3, 6 or 9 months or whole years; Joker whole years outside its monthly TLDs), with
   * BAD_USER_INPUT naming `field` (e.g. "input.period") and the registry (in the message and
   * extensions.registry: `must be ... at registry "sandbox-repp"`), before anything is sent;
   * `which`: the domains of a list it is about, in parentheses after the registry (a bulk job's
   * first domain there and how many more). Sends nothing. Throws ValidationError.
   */
  checkPeriod(name: string, period: Period, field: string, which?: string): void;

  /**
   * Refuses what the backend's kind and configuration cannot send in a command's arguments,
   * without a round trip: a field the registry's protocol has no place for or cannot empty, a
   * value it requires (REPP: a billing contact, a postal address, a fax, an unremovable registrant
   * or phone; Joker: statuses other than the transfer lock, a contact field emptied, name server
   * addresses on a domain; HeadlessDomains: statuses other than clientHold and
   * clientTransferProhibited, glue). Throws the error the command gives when it is sent
   * (UnsupportedByBackendError, or ValidationError where the registry requires the value), naming
   * the argument (`input.fax`, `input.postalInfo[0].org`); ForbiddenError when the registrar has
   * no account here. Sends nothing, reads nothing. What depends on the object's state at the
   * registry (the name servers a domain keeps after an update) is the command's to refuse when sent.
   */
  refuseArguments(registrarId: string, args: CommandArguments): void;

  /**
   * The calendar day (YYYY-MM-DD) the registry takes a renewal's current expiry `d` as, and
   * compares with the domain's (RFC 5731 section 3.2.3 curExpDate: the UTC date; REPP's exp_date:
   * the day in the registry's time zone). Pure. Absent: the UTC date.
   */
  expiryDay?(d: Date): string;

  /**
   * The expiry the registry gives a domain whose expiry `from` it renews by `period`, for an answer
   * that does not say (REPP's bulk renew): REPP's calendar is its time zone's. Pure. Absent: addPeriod (UTC).
   */
  renewedExpiry?(from: Date, period: Period): Date;

  /** One check command: at most `limits.checkNames` names (more: split them, see src/fanout/check-domains.ts). */
  checkDomains(ctx: CallContext, names: string[]): Promise<PortResult<CheckResult[]>>;
  /** Info for one domain; authInfo is sent to read a domain the caller does not sponsor. */
  infoDomain(ctx: CallContext, name: string, authInfo?: string | null): Promise<PortResult<Domain>>;
  createDomain(ctx: CallContext, input: DomainCreateInput): Promise<PortResult<DomainCreated>>;
  renewDomain(ctx: CallContext, input: DomainRenewInput): Promise<PortResult<DomainRenewed>>;
  updateDomain(ctx: CallContext, input: DomainUpdateInput): Promise<PortResult<null>>;
  deleteDomain(ctx: CallContext, name: string): Promise<PortResult<DomainDeleted>>;
  /**
   * One page of the registrar's domains as the registry lists them, and how many it has in all
   * (capability listDomains: REPP; EPP has no such command, the gateway keeps its own index).
   */
  listDomains(ctx: CallContext, page: ListPage): Promise<PortResult<DomainList>>;
  /** RGP restore request (RFC 3915). */
  restoreDomain(ctx: CallContext, name: string): Promise<PortResult<null>>;

  /** Transfer query/request/approve/reject/cancel. authInfo is required for request. */
  transferDomain(
    ctx: CallContext,
    op: TransferOp | 'query',
    name: string,
    opts?: { authInfo?: string | null; period?: { value: number; unit: 'y' | 'm' } | null },
  ): Promise<PortResult<Transfer>>;

  checkContacts(ctx: CallContext, ids: string[]): Promise<PortResult<CheckResult[]>>;
  infoContact(ctx: CallContext, id: string, authInfo?: string | null): Promise<PortResult<Contact>>;
  createContact(ctx: CallContext, input: ContactCreateInput): Promise<PortResult<{ id: string; createdAt: Date }>>;
  updateContact(ctx: CallContext, input: ContactUpdateInput): Promise<PortResult<null>>;
  deleteContact(ctx: CallContext, id: string): Promise<PortResult<null>>;
  /** One page of the registrar's contacts with their data, and how many it has (capability contactIdsAssigned: REPP). */
  listContacts(ctx: CallContext, page: { limit: number; offset: number }): Promise<PortResult<{ contacts: Contact[]; total: number }>>;

  checkHosts(ctx: CallContext, names: string[]): Promise<PortResult<CheckResult[]>>;
  infoHost(ctx: CallContext, name: string): Promise<PortResult<Host>>;
  createHost(ctx: CallContext, input: HostCreateInput): Promise<PortResult<{ name: string; createdAt: Date }>>;
  updateHost(ctx: CallContext, input: HostUpdateInput): Promise<PortResult<null>>;
  deleteHost(ctx: CallContext, name: string): Promise<PortResult<null>>;

  /** Read the head of the registrar's poll queue without acknowledging it. */
  pollRequest(ctx: CallContext): Promise<PortResult<PollQueue>>;
  /** Acknowledge (dequeue) one message; returns the number left. */
  pollAck(ctx: CallContext, messageId: string): Promise<PortResult<{ count: number }>>;

  /** Account balance, where the backend has one. */
  balance(ctx: CallContext): Promise<PortResult<Money>>;
  /**
   * The balance and the account's transactions in `range` (registry calendar days; from inclusive,
   * until exclusive), newest first (capability balance; REPP's detailed balance with from/until).
   */
  balanceTransactions(ctx: CallContext, range: DateRange): Promise<PortResult<BalanceStatement>>;

  // ---- native bulk actions (capability bulk: REPP's four "Bulk actions" endpoints) ----
  // Each is ONE registry request for many domains, state-changing, announced once before it is
  // sent like any mutation. The registry applies what it can and says per name what it refused;
  // the answer (not an error) carries both. Errors are thrown only when the request as a whole fails.

  /**
   * Transfers each domain to the caller with its transfer code (REPP POST /repp/v1/domains/transfer).
   * Transfer codes are secrets: masked in every message and event.
   */
  bulkTransfer(ctx: CallContext, items: { name: string; transferCode: string }[]): Promise<PortResult<BulkTransferResult>>;
  /**
   * Replaces tech contact `current` by `next` on every domain of the caller that has it
   * (REPP PATCH /repp/v1/domains/contacts); contact ids as the registry gives them ("ATSAA:KARL").
   */
  bulkReplaceTechContact(ctx: CallContext, change: { current: string; next: string }): Promise<PortResult<BulkReplaceResult>>;
  /**
   * Replaces name server `from` (a host name) by `to` (a new host name with its addresses) on the
   * caller's domains, or only on `domains` when given (REPP PUT /repp/v1/registrar/nameservers).
   */
  bulkChangeNameserver(ctx: CallContext, change: { from: string; to: DomainNameserver; domains?: string[] }): Promise<PortResult<BulkReplaceResult & { nameserver: DomainNameserver }>>;
  /**
   * Renews each domain by `period` from its current expiry (REPP POST /repp/v1/domains/renew/bulk;
   * months 3, 6, 9 or years 1-10). Answers the names renewed; read a domain for its new expiry.
   */
  bulkRenew(ctx: CallContext, renew: { names: string[]; period: Period }): Promise<PortResult<{ renewed: string[] }>>;

  /**
   * The request this registry queued for the command sent with `clTRID` (RegistryPort.queuesRequests;
   * Joker DMAPI "result-list" filtered by cltrid, deleted results included), or null when the
   * registry lists none: it never accepted such a request. UNSUPPORTED_BY_BACKEND where the
   * registry does not queue requests.
   */
  queuedRequest(ctx: CallContext, clTRID: string): Promise<PortResult<QueuedRequest | null>>;

  /** What the registry says about the caller's account (HeadlessDomains GET /status); UNSUPPORTED_BY_BACKEND elsewhere. */
  accountStatus(ctx: CallContext): Promise<PortResult<AccountStatus>>;
  /** Re-creates the registry's test fixtures for the caller (HeadlessDomains POST /sandbox/reset): sandbox accounts only. */
  sandboxReset(ctx: CallContext): Promise<PortResult<SandboxResetResult>>;

  /**
   * For a stop that has given the commands under way their grace (src/server.ts,
   * UPSTREAM_STOP_GRACE_MS): closes the connections of those still waiting for the registry, so
   * that their callers (a cut request's operation, a bulk item, a poll round) get
   * UPSTREAM_UNAVAILABLE with the outcome unknown now, as after a crash, instead of after the
   * command timeout; the idempotency records written before sending leave them to reconciliation.
   * Returns how many connections it closed. Absent: the backend has none to abandon.
   */
  abandon?(): number;
  /** Close sessions and sockets. */
  close(): Promise<void>;
}
