/**
 * The driver interface: what a backend kind implements to speak its protocol, and nothing more
 * (go-cloud's blob/driver/driver.go under blob/blob.go; its internal/docs/design.md, "Portable
 * Types and Drivers"). The portable layer (portable.ts) wraps a driver as a RegistryPort and does,
 * once for every backend: the account check, capability checks from one table with one wording,
 * command-log events with the typed command names of src/core/commands.ts, the log-before-send
 * hook, timing, secret masking and the mapping of unexpected failures.
 *
 * A driver method gets a DriverCall and the port method's arguments, sends its requests inside
 * `call.attempt`, and returns the port's result or throws a GatewayError (RegistryError with the
 * upstream code, UpstreamUnavailableError saying whether the change may have been applied). It
 * calls the attempt's `beforeWrite()` just before its first request that changes registry state;
 * if that throws, it sends nothing.
 * Methods a backend kind cannot serve are left out, and its capabilities say so.
 */
import type { Capabilities, KnownCapabilities } from '../core/capabilities.js';
import type * as M from '../core/model/index.js';
import type { BackendLimits, CommandArguments, ConnectionWaits, DomainList, ListPage } from '../core/port.js';
import type { WriteFence } from '../core/write-fence.js';

/** One attempt at sending a port call's command. */
export interface Attempt {
  /** The attempt's client transaction id (EPP clTRID; REPP X-Request-Id). */
  clTRID: string;
  /**
   * Run just before the attempt's first request that changes registry state (the portable layer
   * writes the command log entry there); at most once. If it throws, send nothing.
   */
  beforeWrite(): Promise<void>;
  /**
   * Reports a request of the attempt that changed registry state and was answered as done, naming
   * the parts of the port call's input it carried (input paths: `input.add.nameservers`,
   * `input.authInfo`). A driver that sends one port call as several changes (an update at REPP,
   * HeadlessDomains or Joker) calls it after each; when a later request of the same attempt is
   * refused or fails, the portable layer says what was applied before (GatewayError
   * details.partlyApplied, the command log's PARTIAL) instead of a clean refusal.
   */
  applied(changes: readonly string[]): void;
  /**
   * The call's fence (CallContext.fence) when the attempt's command changes registry state under an
   * idempotency key, else none: a driver that hands the command to a writer that writes it later
   * (the EPP I/O thread) gives the writer this, which it checks at the write (src/core/write-fence.ts).
   */
  fence?: WriteFence;
}

/** What the portable layer hands a driver method: the caller's context and the attempt runner (one event per attempt). */
export interface DriverCall {
  ctx: M.CallContext;
  /**
   * Runs one attempt; the portable layer gives it a transaction id and reports one event per
   * attempt with its outcome. A driver makes a second attempt only after the first failed without
   * reaching the registry (UpstreamUnavailableError, maybeApplied false), e.g. on a fresh login.
   */
  attempt<T>(send: (a: Attempt) => Promise<M.PortResult<T>>): Promise<M.PortResult<T>>;
}

type Op<A extends unknown[], T> = (call: DriverCall, ...args: A) => Promise<M.PortResult<T>>;

/**
 * One backend kind's protocol speaker behind the portable layer (go-cloud blob/driver/driver.go):
 * methods return the port's result with transaction ids or throw a GatewayError; optional
 * methods absent where the kind cannot serve them (PortableBackend then answers UNSUPPORTED_BY_BACKEND).
 */
export interface Driver {
  /** Backend name from the config. */
  readonly name: string;
  /** Backend kind ("epp", "repp", ...), the folder under src/backends/. */
  readonly kind: string;
  /** Names per check command and sessions per account, from the backend's config or protocol. */
  readonly limits: BackendLimits;

  /** The gateway registrar has an account (a login) on this backend. */
  hasAccount(registrarId: string): boolean;
  /** The registrar's login at the registry (only asked for a registrar that has an account). */
  upstreamId(registrarId: string): string;
  /** RegistryPort.zones: zones the registry registers names under besides the routed suffixes. */
  readonly zones?: readonly string[];

  /** RegistryPort.unregistrable: the registry's own rule for a name under one of its zones (pure). Absent: none. */
  unregistrable?(name: string): string | null;
  /** RegistryPort.queuesRequests: a 1001 answer names a queued request whose result arrives as a poll message; such a driver has queuedRequest. */
  readonly queuesRequests?: boolean;
  /** The account's secrets (passwords), masked from every message the layer passes on. */
  accountSecrets(registrarId: string): string[];
  /** What the backend offers this caller's account (EPP: from the greeting that account's session received). */
  capabilities(ctx: M.CallContext): Promise<Capabilities>;
  /**
   * What the kind and the backend's config fix of capabilities() for every account, known without
   * a round trip (KnownCapabilities: the flags only the registry tells are listed as unknown).
   * Synchronous and free: the pre-pass of a mutation document and the checks an operation makes
   * before its idempotency key is read use it (src/operations/checks.ts).
   */
  knownCapabilities(): KnownCapabilities;

  /**
   * Opens up to `sessions` of the account's connections ahead of commands known to be coming (a
   * restarted bulk runner's items), where the protocol has connections worth opening early (EPP:
   * logged-in sessions). Resolves when they are open or have failed; never rejects for a login
   * the commands would retry themselves. Absent: nothing to open ahead.
   */
  prepare?(registrarId: string, sessions: number): Promise<void>;
  /** RegistryPort.waiting: calls waiting for a connection of any account now, by class. Absent: none ever wait in the driver. */
  waiting?(): ConnectionWaits;

  /**
   * Why the registry would refuse `period` for the domain `name` (a message naming the rule, e.g.
   * "must be 3, 6 or 9 months or 1 to 10 years"), or null when it takes it. Pure: sends nothing;
   * asked before anything is written or sent (RegistryPort.checkPeriod). Absent: the period
   * units (capabilities.periodUnits) and 1-10 years are the only rules the gateway knows.
   */
  periodRefusal?(name: string, period: M.Period): string | null;

  /**
   * RegistryPort.refuseArguments for this kind: throws what the kind and the account's config
   * (`registrarId`'s) cannot send in `args`, the very error the driver's method gives for it (each
   * driver method still checks its own arguments first when called). Pure and synchronous: sends
   * and reads nothing. Absent: the kind sends every argument the port's model has.
   */
  refuseArguments?(registrarId: string, args: CommandArguments): void;

  /**
   * The calendar day (YYYY-MM-DD) the registry takes a renewal's current expiry as, and compares
   * with the domain's: REPP's `exp_date` is the day in the registry's time zone. Absent: the UTC
   * date, as EPP's curExpDate (RFC 5731 section 3.2.3).
   */
  expiryDay?(d: Date): string;

  /**
   * The expiry a registry gives a domain whose expiry `from` it renews by `period`, where its
   * answer does not say (REPP's bulk renew answers names only): REPP adds the period to the day in
   * its time zone, keeping local midnight. Pure. Absent: addPeriod, UTC (RFC 5731 section 3.2.3
   * leaves the arithmetic to the server; EPP registries add calendar years and months).
   */
  renewedExpiry?(from: Date, period: M.Period): Date;

  checkDomains: Op<[names: string[]], M.CheckResult[]>;
  infoDomain: Op<[name: string, authInfo?: string | null], M.Domain>;
  createDomain: Op<[input: M.DomainCreateInput], M.DomainCreated>;
  renewDomain: Op<[input: M.DomainRenewInput], M.DomainRenewed>;
  updateDomain: Op<[input: M.DomainUpdateInput], null>;
  deleteDomain: Op<[name: string], M.DomainDeleted>;
  restoreDomain?: Op<[name: string], null>;
  listDomains?: Op<[page: ListPage], DomainList>;
  transferDomain: Op<[op: M.TransferOp | 'query', name: string, opts: { authInfo?: string | null; period?: M.Period | null }], M.Transfer>;

  checkContacts?: Op<[ids: string[]], M.CheckResult[]>;
  infoContact?: Op<[id: string, authInfo?: string | null], M.Contact>;
  createContact?: Op<[input: M.ContactCreateInput], { id: string; createdAt: Date }>;
  updateContact?: Op<[input: M.ContactUpdateInput], null>;
  deleteContact?: Op<[id: string], null>;
  listContacts?: Op<[page: { limit: number; offset: number }], { contacts: M.Contact[]; total: number }>;

  checkHosts?: Op<[names: string[]], M.CheckResult[]>;
  infoHost?: Op<[name: string], M.Host>;
  createHost?: Op<[input: M.HostCreateInput], { name: string; createdAt: Date }>;
  updateHost?: Op<[input: M.HostUpdateInput], null>;
  deleteHost?: Op<[name: string], null>;

  pollRequest?: Op<[], M.PollQueue>;
  pollAck?: Op<[messageId: string], { count: number }>;
  balance?: Op<[], M.Money>;
  balanceTransactions?: Op<[range: M.DateRange], M.BalanceStatement>;

  bulkTransfer?: Op<[items: { name: string; transferCode: string }[]], M.BulkTransferResult>;
  bulkReplaceTechContact?: Op<[change: { current: string; next: string }], M.BulkReplaceResult>;
  bulkChangeNameserver?: Op<[change: { from: string; to: M.DomainNameserver; domains?: string[] }], M.BulkReplaceResult & { nameserver: M.DomainNameserver }>;
  bulkRenew?: Op<[renew: { names: string[]; period: M.Period }], { renewed: string[] }>;
  queuedRequest?: Op<[clTRID: string], M.QueuedRequest | null>;
  accountStatus?: Op<[], M.AccountStatus>;
  sandboxReset?: Op<[], M.SandboxResetResult>;

  close(): Promise<void>;

  /** RegistryPort.abandon: closes the connections of the commands still under way; returns how many. Absent: none to abandon. */
  abandon?(): number;
}
