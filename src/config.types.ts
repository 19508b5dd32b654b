import type { JokerBackendConfig } from './backends/joker/config.js';
import type { HeadlessBackendConfig } from './backends/headless/config.js';
import type { ReppBackendConfig } from './backends/repp/config.js';

/** HeadlessDomains registrar API backend (src/backends/headless/config.ts); re-exported, as the two below, so BackendConfig's members come from one place. */
export type { HeadlessBackendConfig } from './backends/headless/config.js';
/** Estonian Internet Foundation's REPP REST API backend (src/backends/repp/config.ts). */
export type { ReppBackendConfig } from './backends/repp/config.js';
/** Joker DMAPI reseller backend (src/backends/joker/config.ts). */
export type { JokerBackendConfig } from './backends/joker/config.js';

/**
 * Shape of the gateway's config file (gateway.config.json, or the file named by GATEWAY_CONFIG).
 * Secrets may be left out of the file and given in the environment (see src/config.ts).
 */

/** One gateway registrar's login at an EPP registry (RFC 5730 section 2.9.1.1 <login> clID and pw). */
export interface EppAccountConfig {
  /** EPP clID the gateway registrar logs in as. */
  clientId: string;
  /** EPP password; env override GATEWAY_<BACKEND>_<REGISTRAR>_PASSWORD. */
  password: string;
}

/**
 * An EPP registry over TLS (RFC 5734: `host`, `port`, usually 700): times in ms, `tls` as node:tls
 * takes it. Unknown keys are refused at start (src/config-keys.ts).
 */
export interface EppBackendConfig {
  name: string;
  kind: 'epp';
  host: string;
  port: number;
  tls: {
    /** PEM of the CA that signed the server certificate (a path or the PEM itself). */
    ca?: string;
    /** Client certificate and key (PEM or paths), which many registries require. */
    cert?: string;
    key?: string;
    servername?: string;
    rejectUnauthorized?: boolean;
  };
  /** Gateway registrar id -> upstream login. */
  accounts: Record<string, EppAccountConfig>;
  /** Logged-in sessions per account (one command in flight per session). Default 2. */
  poolSize?: number;
  /**
   * Most names in one domain:check command (the registry's policy; RFC 5730 leaves it to the
   * server). Default 50, Nomulus's limit (more answers 2306). Longer checks are split.
   */
  checkLimit?: number;
  connectTimeoutMs?: number;
  /** Time to wait for a response before the outcome is declared unknown. Default 30000. */
  commandTimeoutMs?: number;
  /** Idle time after which a <hello/> keeps the session alive. Default 60000. */
  keepAliveMs?: number;
  /**
   * Hold this backend's sessions' sockets in the EPP I/O thread (src/backends/epp/session/io-thread.ts),
   * which reads each answer at once and writes the session's next command, when one waits, without
   * waiting for the gateway's thread. Default true; false keeps them in the gateway's thread.
   */
  ioThread?: boolean;
  /**
   * Period units the registry's policy accepts for domain create, renew and transfer (RFC 5731
   * allows y and m; the greeting does not say). Default ["y", "m"]; Nomulus and the EPP sandboxes
   * take years only: ["y"] (the default for a backend with `sandbox`). A period in another unit is
   * refused with BAD_USER_INPUT (`period.unit`) before anything is written or sent.
   */
  periodUnits?: Array<'y' | 'm'>;
  /**
   * Which periods the registry's policy takes on a transfer request's `<domain:period>` (RFC 5731
   * section 3.2.4 lets a request carry one; how many years a transfer may add is the registry's
   * policy, which the greeting does not say): "any" (default) or "one-year", as Nomulus, which
   * answers any other 2306 "Domain transfer period must be one year." (the default for a backend
   * with `sandbox`: the sandboxes follow Nomulus). With "one-year", a requestTransfer or bulkTransfer
   * asking for another period is refused with UNSUPPORTED_BY_BACKEND naming `period` before
   * anything is written or sent, instead of each transfer failing at the registry.
   */
  transferPeriods?: 'any' | 'one-year';
  /** When set, the gateway starts an in-process sandbox for this backend and points host/port at it. */
  sandbox?: { profile: 'contacts' | 'nomulus'; transferPeriodMs?: number };
}

/** One entry of `backends`: its `kind` (epp, repp, joker, headless) says which shape. */
export type BackendConfig = EppBackendConfig | ReppBackendConfig | JokerBackendConfig | HeadlessBackendConfig;

/** One `routes` entry: names under `suffix` go to `backend` (src/routing/router.ts). */
export interface RouteConfig {
  /** Domain suffix without leading dot ("com", "co.uk"); the longest matching suffix wins. */
  suffix: string;
  backend: string;
}

/** A gateway registrar: `id` is what API keys belong to and backends' `accounts` are keyed by; `name` for display. */
export interface RegistrarConfig {
  id: string;
  name: string;
}

/** The whole config (defaults: defaultConfig in src/config.ts; environment overrides listed there; README "Configuration"). */
export interface GatewayConfig {
  port: number;
  host: string;
  /** PostgreSQL URL; absent: embedded PGlite under dataDir. */
  databaseUrl?: string;
  /** Time limits of the PostgreSQL connections (src/db/timeouts.ts); ignored for the embedded database. */
  database?: DatabaseConfig;
  redisUrl?: string;
  /**
   * Start of every Redis channel name (env REDIS_PREFIX), so deployments sharing one Redis stay
   * apart. Default: "rgw:" and 16 hex characters derived from the idempotency key (the same on
   * every instance of a deployment, different between deployments).
   */
  redisPrefix?: string;
  dataDir: string;
  logLevel: string;
  registrars: RegistrarConfig[];
  backends: BackendConfig[];
  routes: RouteConfig[];
  /** Backend for contact and host commands when the caller names none and the host name routes nowhere. */
  defaultBackend?: string;
  /**
   * maxBatch: names per checkDomains (default 5,000); fanOut: the per-request fan-out budget, the
   * most commands one request has at one backend at once (default 8, and never more than the
   * account's sessions: src/fanout/scheduler.ts); maxSubscriptions: open subscriptions per
   * WebSocket connection; the operation limits (tokens, depth, aliases, directives, fields, same-name fields, cost, errors
   * per answer, the per-key rate limit, WebSocket messages and connections) are described, with their defaults, in src/limits/limits.ts.
   */
  limits: {
    maxDepth: number;
    maxBatch: number;
    fanOut?: number;
    /**
     * Extra check commands one checkDomains may send to split the commands a registry refuses as
     * a whole, per check command it sends first (counting at least 4), pooled over the request's commands (default 12;
     * 0: no splitting; src/fanout/check-domains.ts). Beyond, the names not yet narrowed down carry
     * the refused command's error.
     */
    checkSplitCommands?: number;
    maxSubscriptions?: number;
    maxTokens?: number;
    maxAliases?: number;
    maxDirectives?: number;
    maxFields?: number;
    maxSameNameFields?: number;
    maxCost?: number;
    maxErrors?: number;
    rateLimit?: { points: number; durationSec: number } | false;
    wsMessages?: { messages: number; durationSec: number };
    wsConnectionsPerKey?: number;
    wsConnectionsPerAddress?: number;
    /** HTTP connections one TCP peer address may hold open at once (src/limits/limits.ts; default 1024). */
    httpConnectionsPerAddress?: number;
    /** HTTP: ms to receive a whole request / its headers (env HTTP_REQUEST_TIMEOUT_MS / HTTP_HEADERS_TIMEOUT_MS; src/limits/limits.ts). */
    requestTimeoutMs?: number;
    headersTimeoutMs?: number;
    wsRetainedBytes?: number;
    wsBufferedBytes?: number;
  };
  /**
   * API keys: how often open WebSocket connections are checked against revocation besides when a
   * change is announced (default 5000 ms), and how long a resolved key is trusted in memory
   * without an announcement (default 10000 ms; src/auth/key-cache.ts).
   */
  auth?: { revocationCheckMs?: number; keyCacheTtlMs?: number };
  /** Poll ingestion: how often each upstream queue is read, and the lease that keeps it to one instance. */
  poll: { intervalMs: number; leaseMs: number; maxBackoffMs: number; enabled: boolean };
  /**
   * On SIGTERM/SIGINT, how long the instance keeps serving while GET /readyz says "shutting down",
   * before it drains and stops: set it to what the load balancer needs to notice. Default 0.
   */
  shutdownDelayMs?: number;
  /**
   * Then, how long the HTTP requests in flight may take to finish before their connections are
   * cut (env SHUTDOWN_DRAIN_MS). Default 15,000; shutdownDelayMs plus this is what the instance
   * needs of the orchestrator's grace period before SIGKILL.
   */
  shutdownDrainMs?: number;
  /**
   * Proxies whose X-Forwarded-For is believed (env TRUST_PROXY, comma-separated): addresses,
   * CIDR subnets, or proxy-addr's names `loopback`, `linklocal`, `uniquelocal`. The client's
   * address is then the nearest one in X-Forwarded-For that is not a trusted proxy (proxy-addr),
   * and limits.wsConnectionsPerAddress counts it instead of the proxy's. Default: none (the TCP peer).
   */
  trustProxy?: string[];
  /** GET /metrics (Prometheus). On by default; with a token (env METRICS_TOKEN) it asks for `Authorization: Bearer <token>`. */
  metrics?: { enabled?: boolean; token?: string };
  /** Idempotency records (see src/idempotency/config.ts for the defaults). */
  idempotency?: IdempotencyConfig;
  /** The command log (README "Command log"; src/commandlog/retention.ts). */
  commandLog?: CommandLogConfig;
  /** OpenTelemetry traces (src/observe/tracing.ts); off by default. The standard OTEL_* variables turn it on too (src/config.ts). */
  tracing?: TracingConfig;
  /** Bulk jobs (see src/bulk/config.ts for the defaults). */
  bulk?: BulkConfig;
  /**
   * The GraphQL API (HTTP and graphql-ws on PORT). On by default. `enabled: false` (env
   * API_ENABLED=false) makes the instance a worker beside the instances that serve the API on one
   * PostgreSQL: it runs bulk items (bulk.enabled) and poll ingestion (poll.enabled), and serves
   * only GET /healthz, /readyz and /metrics (src/http/worker-http.ts), without loading the API's
   * code. Needs DATABASE_URL, and bulk or poll enabled (src/config.ts validateConfig).
   */
  api?: { enabled?: boolean };
}

/** OpenTelemetry trace export over OTLP (README "Traces"); the OTEL_* environment variables override or fill it. */
export interface TracingConfig {
  /** Export a span per GraphQL operation and per upstream command. Default false. */
  enabled?: boolean;
  /** OTLP transport: "http/protobuf" (default), "http/json" or "grpc" (env OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, OTEL_EXPORTER_OTLP_PROTOCOL). */
  protocol?: 'http/protobuf' | 'http/json' | 'grpc';
  /** The collector's traces URL, e.g. http://collector:4318/v1/traces (default: the exporter's, from OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT or localhost). */
  endpoint?: string;
  /** Headers sent with every export (http protocols; env OTEL_EXPORTER_OTLP_(TRACES_)HEADERS is read by the exporter). */
  headers?: Record<string, string>;
  /** service.name of the spans. Default "registry-gateway"; OTEL_SERVICE_NAME wins. */
  serviceName?: string;
  /**
   * How long one export of spans may take, retries included, in ms; also the last one at shutdown,
   * so a collector that is down delays a stop by at most this long. Default: OTEL_BSP_EXPORT_TIMEOUT,
   * else 2000.
   */
  exportTimeoutMs?: number;
}

/** How bulk jobs run (src/bulk/runner.ts). */
export interface BulkConfig {
  /** Items of one backend one instance runs at once (within the backend's sessions). Default 16. */
  concurrency?: number;
  /** Per backend name: its own concurrency (e.g. a registry's rate limit allows fewer). */
  backendConcurrency?: Record<string, number>;
  /** Attempts of an item before a transient failure is final. Default 8. */
  maxAttempts?: number;
  /** First back-off after a transient failure, doubled each attempt up to 60 s. Default 1000. */
  backoffMs?: number;
  /** A claimed item's lease; another instance takes it over this long after its holder stops renewing. Default 30000. */
  leaseMs?: number;
  /** How often an idle runner looks for work (submissions on this instance wake it at once). Default 500. */
  idleMs?: number;
  /** Items one job may have. Default 20000. */
  maxItems?: number;
  /**
   * Jobs one registrar may have not finished (state RUNNING: items pending, running or awaiting
   * the registry); a submission beyond is refused, nothing written (BULK_LIMIT_REACHED). Env
   * BULK_MAX_OPEN_JOBS. Default 20.
   */
  maxOpenJobs?: number;
  /**
   * Items one registrar's jobs may have not run yet (PENDING or RUNNING), the new job's included;
   * a submission beyond is refused whole, nothing written (BULK_LIMIT_REACHED, field `domains`).
   * At least maxItems. Env BULK_MAX_PENDING_ITEMS. Default 60000 (three full jobs).
   */
  maxPendingItems?: number;
  /**
   * Days a finished bulk job (its items, their results, and its items' idempotency records) is
   * kept after its finishedAt; then the hourly housekeeping (idempotency.purgeIntervalMs) deletes
   * it, and its idempotency key is free again: the same key (the bulk CLI's default key: the same
   * command and file) submits a new job instead of answering the old one. A whole number, 1 to
   * 36500. Env BULK_RETENTION_DAYS. Default 30.
   */
  retentionDays?: number;
  /**
   * How often a runner looks for items AWAITING_REGISTRY the gateway stopped waiting for
   * (`idempotency.awaitHours` after they were sent), to settle them FAILED with OUTCOME_UNKNOWN. Default 60000.
   */
  overdueCheckMs?: number;
  /**
   * This instance's identity as the holder of items (env BULK_INSTANCE_ID): a restarted instance
   * with the same identity takes its own unfinished items back at once instead of after their
   * lease. Set it only to a name no other live instance has (a StatefulSet pod name). Default:
   * "embedded" with the embedded database (one process by construction), else random per start.
   */
  instanceId?: string;
  /** Off: this instance accepts jobs but runs no items (another instance does). Default on. */
  enabled?: boolean;
}

/** The `commandLog` section (README "Command log"). */
export interface CommandLogConfig {
  /**
   * How long an entry is kept, in days (a positive number; ConfigError otherwise): older entries
   * are deleted by the housekeeping that purges expired idempotency records (every
   * idempotency.purgeIntervalMs), except those of an idempotency key whose record is still kept.
   * Default 90.
   */
  retentionDays?: number;
}

/**
 * The `idempotency` section (README "Idempotency contract"): hours where the key says Hours, else
 * ms; numbers must be positive, leaseMs and purgeIntervalMs (timers' delays) 1 to 2147483647
 * (ConfigError otherwise).
 */
export interface IdempotencyConfig {
  /** How long a record (and so the replay of an answer) is kept. Default 168 (7 days). */
  ttlHours?: number;
  /** How long a request waits for another one with the same key before IDEMPOTENCY_IN_PROGRESS. Default 10000. */
  waitMs?: number;
  /** A running request renews its record this often (a third of it); a record not renewed for this long belongs to a dead process. Default 15000. */
  leaseMs?: number;
  /** How often expired records are deleted. Default 3600000 (hourly). */
  purgeIntervalMs?: number;
  /**
   * How long a command the registry only queued (answered 1001 with its result to come, as
   * Joker's DMAPI does) waits for that result: its record is kept that long even past ttlHours,
   * and a bulk item still AWAITING_REGISTRY after it is settled FAILED with OUTCOME_UNKNOWN.
   * Default 2160 (90 days, as long as Joker keeps a result not retrieved).
   */
  awaitHours?: number;
  /**
   * Secret key of the request fingerprints (HMAC-SHA-256), at least 32 bytes; env
   * IDEMPOTENCY_KEY_SECRET. The same on every instance sharing a database. Required with
   * PostgreSQL (this or keyFile); the embedded database generates one into <dataDir>/idempotency.key.
   */
  keySecret?: string;
  /** A file holding that key (env IDEMPOTENCY_KEY_FILE). */
  keyFile?: string;
  /**
   * Deliberate rotation (env IDEMPOTENCY_KEY_ROTATE_FROM): the id (16 hex digits) of the key the
   * database records, which a start refused for another key names. A start with a new key and
   * this setting records the new key in its place, only while the database still records that
   * one (src/idempotency/key-check.ts; README "Rotating the key"). Without it a start whose key
   * differs from the recorded one is refused.
   */
  keyRotateFrom?: string;
}

/**
 * Time limits of the gateway's PostgreSQL connections, in milliseconds, 0 for none (src/db/timeouts.ts
 * says what each does). Environment overrides: DATABASE_CONNECT_TIMEOUT_MS, DATABASE_STATEMENT_TIMEOUT_MS,
 * DATABASE_QUERY_TIMEOUT_MS, DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS.
 */
export interface DatabaseConfig {
  /** Opening a connection, and waiting for a free one of a pool. Default 10000. */
  connectTimeoutMs?: number;
  /** PostgreSQL's statement_timeout: the server cancels a longer statement (SQLSTATE 57014). Default 30000. */
  statementTimeoutMs?: number;
  /** The gateway's own wait for a statement's answer; more than statementTimeoutMs. Default statementTimeoutMs + 5000. */
  queryTimeoutMs?: number;
  /** PostgreSQL's idle_in_transaction_session_timeout (SQLSTATE 25P03). Default 60000. */
  idleInTransactionSessionTimeoutMs?: number;
  /** TCP keep-alive on the connections. Default true. */
  keepAlive?: boolean;
  /** Idle time before the first keep-alive probe. Default 10000. */
  keepAliveInitialDelayMs?: number;
}
