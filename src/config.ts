/**
 * Gateway configuration: one JSON file (gateway.config.json in the working directory, or the path
 * in GATEWAY_CONFIG), with environment overrides for deployment settings and secrets. Without a
 * file the gateway runs on its zero-setup defaults: embedded database, in-process sandboxes.
 *
 * Environment:
 *   PORT, HOST, DATABASE_URL, REDIS_URL, REDIS_PREFIX, DATA_DIR, LOG_LEVEL
 *   DATABASE_CONNECT_TIMEOUT_MS, DATABASE_STATEMENT_TIMEOUT_MS, DATABASE_QUERY_TIMEOUT_MS,
 *   DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS   PostgreSQL time limits (src/db/timeouts.ts)
 *   IDEMPOTENCY_KEY_SECRET / IDEMPOTENCY_KEY_FILE   key of the idempotency fingerprints
 *   IDEMPOTENCY_KEY_ROTATE_FROM   the id of the key the database records, to replace it (src/idempotency/key-check.ts)
 *   GATEWAY_<BACKEND>_<REGISTRAR>_PASSWORD   upstream password of one account (names upper-cased,
 *                                            non-alphanumerics as "_"), so files need no secrets
 *   OTEL_*   OpenTelemetry traces (tracingFromEnv below; README "Traces")
 *   API_ENABLED, BULK_ENABLED, POLL_ENABLED   true or false: the GraphQL API, the bulk runner,
 *                                            poll ingestion (api.enabled, bulk.enabled, poll.enabled)
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { kindOf } from './backends/kinds.js';
import { credentialVariable } from './backends/kind.js';
import type { BulkConfig, CommandLogConfig, DatabaseConfig, GatewayConfig, IdempotencyConfig, RegistrarConfig, RouteConfig, TracingConfig } from './config.types.js';
import { BACKEND_KINDS } from './backends/kinds.js';
import { checkKeys, keysOf, type KeyShape } from './config-keys.js';
import { resolveLimits } from './limits/limits.js';
import { DEFAULT_FAN_OUT } from './fanout/scheduler.js';
import { MAX_LIST_ITEMS } from './validation/text.js';
import { fingerprintKeyProblem } from './idempotency/fingerprint-key.js';
import { idempotencyOptions } from './idempotency/config.js';
import { commandLogRetentionMs } from './commandlog/retention.js';
import { bulkSettings } from './bulk/config.js';
import { ConfigError } from './config-error.js';
import { checkOtlpEndpointVariables, checkSettings, envBoolean, envInteger, MAX_TIMER_MS, routeSuffix, timerMs } from './config-settings.js';
import { suggestionList } from 'graphql/jsutils/suggestionList.js';
import { databaseFromEnv, databaseTimeouts } from './db/timeouts.js';

/** The config file's shape (src/config.types.ts). */
export type { GatewayConfig } from './config.types.js';

/** Suffixes routed to each zero-setup sandbox (defaultConfig): RFC 2606 test names or the registry's own (.ee); src/sandbox/main.ts serves the same. */
export const SANDBOX_TLDS = { contacts: ['example'], nomulus: ['tld'], repp: ['ee', 'com.ee', 'pri.ee'], joker: ['joker.test', 'dmapi.test'], headless: ['hdtest'] } as const;

/**
 * Zero-setup defaults: two in-process EPP sandboxes (with and without contact objects) and the
 * Estonian registry's REPP sandbox (.ee, .com.ee, .pri.ee) and a Joker DMAPI reseller sandbox
 * (.joker.test, .dmapi.test: RFC 2606 test names) and the HeadlessDomains sandbox on its test
 * namespace (.hdtest). They
 * listen on loopback only: the start prints fresh API keys and /metrics has no token, so the
 * network gets in only when asked (HOST=0.0.0.0). So does a config file's gateway that runs
 * sandboxes; one with real registries only listens on every interface unless the file says
 * otherwise (`host`; defaultHost).
 */
export function defaultConfig(): GatewayConfig {
  const sandboxAccounts = {}; // filled by the sandbox starter with the sandbox's own registrars
  return {
    port: 4000,
    host: '127.0.0.1',
    dataDir: './data',
    logLevel: 'info',
    registrars: [
      { id: 'NewRegistrar', name: 'New Registrar (sandbox)' },
      { id: 'TheRegistrar', name: 'The Registrar (sandbox)' },
    ],
    backends: [
      { name: 'sandbox-epp', kind: 'epp', host: '127.0.0.1', port: 0, tls: {}, accounts: sandboxAccounts, periodUnits: ['y'], transferPeriods: 'one-year', sandbox: { profile: 'contacts' } },
      { name: 'sandbox-nomulus', kind: 'epp', host: '127.0.0.1', port: 0, tls: {}, accounts: { ...sandboxAccounts }, periodUnits: ['y'], transferPeriods: 'one-year', sandbox: { profile: 'nomulus' } },
      { name: 'sandbox-repp', kind: 'repp', url: 'https://localhost', accounts: {}, sandbox: {} },
      { name: 'sandbox-joker', kind: 'joker', url: 'https://localhost', accounts: {}, sandbox: {} },
      { name: 'sandbox-headless', kind: 'headless', url: 'https://localhost', accounts: {}, sandbox: {} },
    ],
    routes: [
      ...SANDBOX_TLDS.contacts.map((suffix) => ({ suffix, backend: 'sandbox-epp' })),
      ...SANDBOX_TLDS.nomulus.map((suffix) => ({ suffix, backend: 'sandbox-nomulus' })),
      ...SANDBOX_TLDS.repp.map((suffix) => ({ suffix, backend: 'sandbox-repp' })),
      ...SANDBOX_TLDS.joker.map((suffix) => ({ suffix, backend: 'sandbox-joker' })),
      ...SANDBOX_TLDS.headless.map((suffix) => ({ suffix, backend: 'sandbox-headless' })),
    ],
    defaultBackend: 'sandbox-epp',
    limits: { maxDepth: 12, maxBatch: 5000, fanOut: DEFAULT_FAN_OUT, maxSubscriptions: 100 },
    poll: { intervalMs: 2000, leaseMs: 10_000, maxBackoffMs: 60_000, enabled: true },
  };
}

type Limits = GatewayConfig['limits'];

/**
 * Every key a config file may have (src/config-keys.ts), each object's list checked against its
 * type: a backend's are its kind's (BackendKind.configKeys); an unknown kind is left to kindOf.
 */
export const CONFIG_KEYS: KeyShape = keysOf<GatewayConfig>({
  port: 'value',
  host: 'value',
  databaseUrl: 'value',
  database: keysOf<DatabaseConfig>({
    connectTimeoutMs: 'value',
    statementTimeoutMs: 'value',
    queryTimeoutMs: 'value',
    idleInTransactionSessionTimeoutMs: 'value',
    keepAlive: 'value',
    keepAliveInitialDelayMs: 'value',
  }),
  redisUrl: 'value',
  redisPrefix: 'value',
  dataDir: 'value',
  logLevel: 'value',
  registrars: { each: keysOf<RegistrarConfig>({ id: 'value', name: 'value' }) },
  backends: {
    each: {
      select: (b) => BACKEND_KINDS.find((k) => k.kind === b.kind)?.configKeys,
      what: (b) => `backend kind "${String(b.kind)}"`,
    },
  },
  routes: { each: keysOf<RouteConfig>({ suffix: 'value', backend: 'value' }) },
  defaultBackend: 'value',
  limits: keysOf<Limits>({
    maxDepth: 'value',
    maxBatch: 'value',
    fanOut: 'value',
    checkSplitCommands: 'value',
    maxSubscriptions: 'value',
    maxTokens: 'value',
    maxAliases: 'value',
    maxDirectives: 'value',
    maxFields: 'value',
    maxCost: 'value',
    maxErrors: 'value',
    rateLimit: keysOf<Exclude<NonNullable<Limits['rateLimit']>, false>>({ points: 'value', durationSec: 'value' }),
    wsMessages: keysOf<NonNullable<Limits['wsMessages']>>({ messages: 'value', durationSec: 'value' }),
    wsConnectionsPerKey: 'value',
    wsConnectionsPerAddress: 'value',
    httpConnectionsPerAddress: 'value',
    requestTimeoutMs: 'value',
    headersTimeoutMs: 'value',
    wsRetainedBytes: 'value',
    wsBufferedBytes: 'value',
    maxSameNameFields: 'value',
  }),
  auth: keysOf<NonNullable<GatewayConfig['auth']>>({ revocationCheckMs: 'value', keyCacheTtlMs: 'value' }),
  poll: keysOf<GatewayConfig['poll']>({ intervalMs: 'value', leaseMs: 'value', maxBackoffMs: 'value', enabled: 'value' }),
  shutdownDelayMs: 'value',
  shutdownDrainMs: 'value',
  trustProxy: 'value',
  metrics: keysOf<NonNullable<GatewayConfig['metrics']>>({ enabled: 'value', token: 'value' }),
  idempotency: keysOf<IdempotencyConfig>({ ttlHours: 'value', waitMs: 'value', leaseMs: 'value', purgeIntervalMs: 'value', awaitHours: 'value', keySecret: 'value', keyFile: 'value', keyRotateFrom: 'value' }),
  commandLog: keysOf<CommandLogConfig>({ retentionDays: 'value' }),
  tracing: keysOf<TracingConfig>({ enabled: 'value', protocol: 'value', endpoint: 'value', headers: 'value', serviceName: 'value', exportTimeoutMs: 'value' }),
  api: keysOf<NonNullable<GatewayConfig['api']>>({ enabled: 'value' }),
  bulk: keysOf<BulkConfig>({
    concurrency: 'value',
    backendConcurrency: 'value',
    maxAttempts: 'value',
    backoffMs: 'value',
    leaseMs: 'value',
    idleMs: 'value',
    retentionDays: 'value',
    maxItems: 'value',
    overdueCheckMs: 'value',
    instanceId: 'value',
    enabled: 'value',
    maxOpenJobs: 'value',
    maxPendingItems: 'value',
  }),
});

/**
 * Who the configuration is loaded for. `gateway` (the server, src/main.ts): everything is checked.
 * `command` (the operator commands that open the gateway's database: key:create, key:list,
 * key:revoke, db:migrate): the same file, environment, defaults and checks, so that a setting
 * means the same to them as to the gateway and a bad one is refused with the same ConfigError,
 * except that the secrets only the gateway uses are neither demanded nor read: the upstream
 * accounts' passwords and tokens (GATEWAY_<BACKEND>_<REGISTRAR>_PASSWORD / _TOKEN, tokenFile) and
 * the idempotency fingerprint key (IDEMPOTENCY_KEY_SECRET / IDEMPOTENCY_KEY_FILE).
 */
export type ConfigUse = 'gateway' | 'command';

/**
 * The gateway's configuration: the config file (GATEWAY_CONFIG, else ./gateway.config.json, else
 * the zero-setup defaults) with the environment's overrides, validated (validateConfig; `use`:
 * ConfigUse). A file without `backends`
 * runs the sandboxes (their registrars, routes and defaultBackend unless it gives its own); a file
 * with `backends` must give `registrars` and `routes` too (requireOwnSettings). Throws ConfigError
 * (with the file, when one was read) for a file that is missing, not JSON or not an object, for
 * a key it may not have (CONFIG_KEYS: a misspelling, named with the key it is closest to), and
 * for any setting the checks refuse: the file's own values (checkFileValues: even one a variable
 * overrides) and the result of the overrides.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), use: ConfigUse = 'gateway'): GatewayConfig {
  const path = configFilePath(env, cwd);
  const base = defaultConfig();
  let cfg: GatewayConfig = base;
  const file = readConfigFile(env, cwd);
  const fromFile = file !== undefined;
  // A file that declares its own backends gets none of the sandboxes' registrars, routes or
  // defaultBackend: merged in, they named backends the file does not have ("defaultBackend
  // \"sandbox-epp\" is not a backend") and made the sandbox registrars in a real database.
  const ownBackends = Array.isArray(file?.backends);
  const sandboxOnly = ownBackends ? { registrars: undefined, routes: undefined, defaultBackend: undefined } : {};
  if (file) {
    cfg = { ...base, ...sandboxOnly, ...file, limits: { ...base.limits, ...(file.limits ?? {}) }, poll: { ...base.poll, ...(file.poll ?? {}) } } as GatewayConfig;
    // No `host`: loopback while sandboxes run (the start prints working API keys), every interface otherwise.
    if (file.host === undefined) cfg.host = defaultHost(cfg);
  }
  try {
    if (file) checkKeys(file, CONFIG_KEYS);
    if (ownBackends) requireOwnSettings(cfg);
    return withEnvironment(cfg, env, cwd, use, fromFile);
  } catch (e) {
    if (!fromFile) throw e;
    if (e instanceof ConfigError) throw new ConfigError(e.message, path, { cause: e });
    // A value of the wrong type where the checks expect an object or a list ("backends": {}).
    if (e instanceof TypeError) throw new ConfigError(`config: ${path} does not have the expected shape (${e.message})`, path, { cause: e });
    throw e;
  }
}

/**
 * Whether `cfg` runs in-process sandboxes (a backend with `sandbox`): the zero-setup start, a
 * config file without `backends`, or one whose backends include a sandbox. Such a start prints a
 * working API key per sandbox registrar (src/main.ts). False for a `backends` that is not a list
 * (left to the checks).
 */
export function runsSandboxes(cfg: Pick<GatewayConfig, 'backends'>): boolean {
  const backends: unknown = cfg.backends;
  return Array.isArray(backends) && backends.some((b: unknown) => b !== null && typeof b === 'object' && Boolean((b as { sandbox?: unknown }).sandbox));
}

/**
 * The interface a gateway listens on when neither the config file (`host`) nor HOST names one:
 * 127.0.0.1 (loopback only) when it runs sandboxes (runsSandboxes), since the sandbox API keys it
 * prints would let anyone who reaches the port in, as would /metrics without a token; else
 * 0.0.0.0 (every interface), a production gateway's default. README "Configuration", `host`.
 */
export function defaultHost(cfg: Pick<GatewayConfig, 'backends'>): string {
  return runsSandboxes(cfg) ? '127.0.0.1' : '0.0.0.0';
}

/**
 * The settings a config file with its own `backends` must give itself, since the zero-setup
 * defaults name the sandboxes: `registrars`, `routes` and each backend's `accounts` (ConfigError
 * saying which is missing; a backend with `sandbox` gets `{}`, to which its sandbox adds its own).
 * `defaultBackend` is optional: with one backend it is that one; with several and none named,
 * contact and host commands must name their registry.
 */
function requireOwnSettings(cfg: GatewayConfig): void {
  if (cfg.registrars === undefined) {
    throw new ConfigError('config: registrars is required when backends is given: the gateway registrars the accounts belong to, [{ "id": "acme", "name": "Acme Registrar" }]');
  }
  if (cfg.routes === undefined) {
    throw new ConfigError('config: routes is required when backends is given: which backend serves each domain suffix, [{ "suffix": "app", "backend": "<backend name>" }]');
  }
  if (cfg.defaultBackend === undefined && cfg.backends.length === 1 && typeof cfg.backends[0]?.name === 'string') cfg.defaultBackend = cfg.backends[0].name;
  // Every backend has its accounts (a sandbox adds its own registrars' to them, so one with `sandbox` may leave them out).
  for (const [i, b] of cfg.backends.entries()) {
    const backend = b as { name?: unknown; accounts?: unknown; sandbox?: unknown };
    if (backend.accounts === undefined && backend.sandbox) backend.accounts = {};
    if (backend.accounts === null || typeof backend.accounts !== 'object' || Array.isArray(backend.accounts)) {
      const which = typeof backend.name === 'string' ? `backend "${backend.name}"` : `backends[${i}]`;
      throw new ConfigError(`config: ${which} needs accounts: each gateway registrar id with its login at the registry, { "acme": { ... } } (Configuration, backends[].accounts)`);
    }
  }
}

/**
 * The config file's settings as written (configFilePath; undefined when there is none), not yet
 * checked. Throws ConfigError for a file GATEWAY_CONFIG names that does not exist, and for one that
 * is not JSON or not an object.
 */
function readConfigFile(env: NodeJS.ProcessEnv, cwd: string): Partial<GatewayConfig> | undefined {
  const path = configFilePath(env, cwd);
  if (!existsSync(path)) {
    if (env.GATEWAY_CONFIG) throw new ConfigError(`config: GATEWAY_CONFIG names ${path}, which does not exist`);
    return undefined;
  }
  let file: Partial<GatewayConfig>;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as Partial<GatewayConfig>;
  } catch (e) {
    throw new ConfigError(`config: ${path} is not valid JSON (${(e as Error).message})`, path);
  }
  if (file === null || typeof file !== 'object' || Array.isArray(file)) throw new ConfigError(`config: ${path} must hold a JSON object ({ "backends": [...], ... })`, path);
  return file;
}

/**
 * What the gateway and every operator command print for a ConfigError, before exiting 1: its
 * message (one line naming the setting and what it needs) and, when a config file was read or
 * exists and the value is not an environment variable's (badVariable), a second line naming it: `  (config file /etc/gw/gateway.config.json; README
 * "Configuration")`. One function, so that the same bad configuration reads the same from each.
 */
export function describeConfigError(err: ConfigError, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  // A value from an environment variable: the message names it, and the file is not where it came from.
  if (badVariable(err.message, env)) return err.message;
  // Found after loadConfig (while starting): the file is the one it read, if there is one.
  const file = err.file ?? (existsSync(configFilePath(env, cwd)) ? configFilePath(env, cwd) : undefined);
  return file ? `${err.message}\n  (config file ${file}; README "Configuration")` : err.message;
}

/** What the message of a file value a variable overrides says (validateFileValues' refusal). */
const OVERRIDDEN_NOTE = "this is the config file's value";

/**
 * Whether a ConfigError's message is about environment variables' values only: it names one or
 * more (`config: PORT must be ...`, `config: databaseUrl (DATABASE_URL) must be ...`) and every
 * word of its in capitals is a variable that is set (a set variable is the value used), and it
 * does not say the value is the file's (OVERRIDDEN_NOTE). A message naming a setting the file gives
 * (`... must be more than database.statementTimeoutMs (DATABASE_STATEMENT_TIMEOUT_MS)` with that
 * variable unset), or any other capitals (`not valid JSON`), is the file's. An operator's trial
 * found `PORT=abc` pointed at the config file.
 */
function badVariable(message: string, env: NodeJS.ProcessEnv): boolean {
  if (message.includes(OVERRIDDEN_NOTE)) return false;
  const named = message.match(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*\b/g)?.filter((w) => w.length >= 4) ?? [];
  return named.length > 0 && named.every((name) => env[name] !== undefined);
}

/** The config file's absolute path: GATEWAY_CONFIG (from `cwd`), else `cwd`/gateway.config.json; it may not exist. */
export function configFilePath(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return env.GATEWAY_CONFIG ? resolve(cwd, env.GATEWAY_CONFIG) : resolve(cwd, 'gateway.config.json');
}

/**
 * `cfg` with the environment's overrides applied, validated (ConfigError on a setting the checks
 * refuse). The numeric variables (PORT, POLL_INTERVAL_MS, BULK_CONCURRENCY, BULK_MAX_OPEN_JOBS,
 * BULK_MAX_PENDING_ITEMS, BULK_RETENTION_DAYS, HTTP_REQUEST_TIMEOUT_MS, HTTP_HEADERS_TIMEOUT_MS, the DATABASE_*_MS
 * limits: these last at most MAX_TIMER_MS) must be whole
 * numbers in their range, or the ConfigError names the variable (SHUTDOWN_DELAY_MS: validateConfig).
 * With `fromFile`, the file's own values are validated first, as if no variable were set
 * (checkFileValues): a variable that overrides a bad value does not make the file right.
 */
function withEnvironment(cfg: GatewayConfig, env: NodeJS.ProcessEnv, cwd: string, use: ConfigUse, fromFile: boolean): GatewayConfig {
  const asFile = fromFile ? structuredClone(cfg) : undefined;
  applyEnvironment(cfg, env, cwd);
  if (asFile) checkFileValues(asFile, env, cwd);
  validateConfig(cfg, use);
  if (cfg.tracing?.enabled) checkOtlpEndpointVariables(env);
  // A suffix as written in a TLD list (".net", "NET."): the name it routes, as the router reads it.
  for (const r of cfg.routes) r.suffix = routeSuffix(r.suffix);
  if (use === 'gateway') for (const b of cfg.backends) backendTls(b, cwd);
  return cfg;
}

/**
 * Validates the config file's settings as the file gives them (over the defaults, before any
 * environment variable), with the checks of an operator command (validateConfig 'command': the
 * secrets the environment may give are not demanded). A value the file gives that the checks
 * refuse stops the start even when a variable overrides it (`"port": "abc"` with PORT=4000): the
 * file is wrong, and would be used as soon as the variable is gone. The ConfigError is the check's
 * own (`config: port (PORT) must be ...`); when a variable set in `env` changes that outcome (it
 * overrides the value, or a setting the check compares it with), the message adds which, and that
 * the refused value is the file's. So a file that is inconsistent on its own (poll.leaseMs under 3
 * x poll.intervalMs) is refused even when POLL_INTERVAL_MS makes it consistent. Values are never
 * quoted; variables are named, not their values. Throws what the checks throw for a value of the
 * wrong shape (TypeError: loadConfig names the file).
 */
function checkFileValues(fileCfg: GatewayConfig, env: NodeJS.ProcessEnv, cwd: string): void {
  const refusal = (probe: () => GatewayConfig): string | undefined => {
    try {
      validateConfig(probe(), 'command');
      return undefined;
    } catch (e) {
      if (e instanceof ConfigError) return e.message;
      throw e;
    }
  };
  const problem = refusal(() => structuredClone(fileCfg));
  if (problem === undefined) return;
  // The variables that, each on its own over the file, change what the checks say.
  const overriding = Object.keys(env)
    .sort()
    .filter((name) => {
      if (!env[name]) return false;
      try {
        return refusal(() => applyEnvironment(structuredClone(fileCfg), { [name]: env[name] }, cwd)) !== problem;
      } catch {
        return false; // not one that says otherwise (the whole environment was applied without error before)
      }
    });
  if (overriding.length === 0) throw new ConfigError(problem);
  const which = overriding.length === 1 ? `the environment variable ${overriding[0]} overrides it` : `the environment variables ${overriding.join(', ')} override it`;
  throw new ConfigError(`${problem} (${OVERRIDDEN_NOTE}: ${which}, but every value in the file must be valid too; correct it or remove it from the file)`);
}

/**
 * Applies the environment's overrides (the variables of the header above) to `cfg`, in place, and
 * returns it; not validated. Throws ConfigError naming a numeric variable that is not a whole
 * number in its range (envInteger).
 */
function applyEnvironment(cfg: GatewayConfig, env: NodeJS.ProcessEnv, cwd: string): GatewayConfig {
  const port = envInteger(env, 'PORT', 0, 65535);
  if (port !== undefined) cfg.port = port;
  if (env.HOST) cfg.host = env.HOST;
  if (env.DATABASE_URL) cfg.databaseUrl = env.DATABASE_URL;
  cfg.database = databaseFromEnv(env, cfg.database);
  if (env.REDIS_URL) cfg.redisUrl = env.REDIS_URL;
  if (env.REDIS_PREFIX) cfg.redisPrefix = env.REDIS_PREFIX;
  if (env.IDEMPOTENCY_KEY_SECRET) cfg.idempotency = { ...cfg.idempotency, keySecret: env.IDEMPOTENCY_KEY_SECRET };
  if (env.IDEMPOTENCY_KEY_FILE) cfg.idempotency = { ...cfg.idempotency, keyFile: resolve(cwd, env.IDEMPOTENCY_KEY_FILE) };
  if (env.IDEMPOTENCY_KEY_ROTATE_FROM) cfg.idempotency = { ...cfg.idempotency, keyRotateFrom: env.IDEMPOTENCY_KEY_ROTATE_FROM };
  if (env.DATA_DIR) cfg.dataDir = env.DATA_DIR;
  if (env.LOG_LEVEL) cfg.logLevel = env.LOG_LEVEL;
  const pollInterval = envInteger(env, 'POLL_INTERVAL_MS', 1, MAX_TIMER_MS);
  if (pollInterval !== undefined) cfg.poll.intervalMs = pollInterval;
  if (env.BULK_INSTANCE_ID) cfg.bulk = { ...cfg.bulk, instanceId: env.BULK_INSTANCE_ID };
  const concurrency = envInteger(env, 'BULK_CONCURRENCY', 1);
  if (concurrency !== undefined) cfg.bulk = { ...cfg.bulk, concurrency };
  const maxOpenJobs = envInteger(env, 'BULK_MAX_OPEN_JOBS', 1);
  if (maxOpenJobs !== undefined) cfg.bulk = { ...cfg.bulk, maxOpenJobs };
  const maxPendingItems = envInteger(env, 'BULK_MAX_PENDING_ITEMS', 1);
  if (maxPendingItems !== undefined) cfg.bulk = { ...cfg.bulk, maxPendingItems };
  const retentionDays = envInteger(env, 'BULK_RETENTION_DAYS', 1);
  if (retentionDays !== undefined) cfg.bulk = { ...cfg.bulk, retentionDays };
  // Decimal milliseconds only (fractions allowed): Number() also took "0x10", "1e3" and blanks (as 0). validateConfig names a refused one.
  const decimalMs = (raw: string) => (/^\s*\d{1,16}(\.\d{1,16})?\s*$/.test(raw) ? Number(raw) : NaN);
  if (env.SHUTDOWN_DELAY_MS) cfg.shutdownDelayMs = decimalMs(env.SHUTDOWN_DELAY_MS);
  if (env.SHUTDOWN_DRAIN_MS) cfg.shutdownDrainMs = decimalMs(env.SHUTDOWN_DRAIN_MS);
  if (env.METRICS_TOKEN) cfg.metrics = { ...cfg.metrics, token: env.METRICS_TOKEN };
  // An instance's parts, on or off (a worker beside API instances: README "Scaling out").
  const apiEnabled = envBoolean(env, 'API_ENABLED');
  if (apiEnabled !== undefined) cfg.api = { ...cfg.api, enabled: apiEnabled };
  const bulkEnabled = envBoolean(env, 'BULK_ENABLED');
  if (bulkEnabled !== undefined) cfg.bulk = { ...cfg.bulk, enabled: bulkEnabled };
  const pollEnabled = envBoolean(env, 'POLL_ENABLED');
  if (pollEnabled !== undefined) cfg.poll.enabled = pollEnabled;
  // At most MAX_TIMER_MS, as limits.requestTimeoutMs and headersTimeoutMs (resolveLimits): a value
  // written otherwise (1e99) is refused with the range as well as one out of it.
  const requestTimeout = envInteger(env, 'HTTP_REQUEST_TIMEOUT_MS', 1, MAX_TIMER_MS);
  if (requestTimeout !== undefined) cfg.limits = { ...cfg.limits, requestTimeoutMs: requestTimeout };
  const headersTimeout = envInteger(env, 'HTTP_HEADERS_TIMEOUT_MS', 1, MAX_TIMER_MS);
  if (headersTimeout !== undefined) cfg.limits = { ...cfg.limits, headersTimeoutMs: headersTimeout };
  if (env.TRUST_PROXY) cfg.trustProxy = env.TRUST_PROXY.split(',').map((x) => x.trim()).filter(Boolean);
  cfg.tracing = tracingFromEnv(env, cfg.tracing);
  for (const backend of cfg.backends) {
    for (const [registrar, account] of Object.entries(backend.accounts)) {
      const secret = env[credentialVariable(backend.name, registrar, 'PASSWORD')];
      if (secret) account.password = secret;
    }
  }
  return cfg;
}

/**
 * A worker (api.enabled false, API_ENABLED=false; README "Scaling out") only makes sense beside
 * instances that serve the API on the same PostgreSQL, reaching the same registries: refused
 * (ConfigError) without DATABASE_URL (the embedded database admits one process), with in-process
 * sandbox backends (each process would run registries of its own, the API instance's domains
 * unknown to the worker's, both writing DATA_DIR/sandbox), and with nothing to run (bulk and poll off).
 */
function checkWorker(cfg: GatewayConfig, bulkEnabled: boolean): void {
  const what = 'config: api.enabled (API_ENABLED) is false, which makes a worker for the instances that serve the API on the same PostgreSQL';
  if (!cfg.databaseUrl) throw new ConfigError(`${what}: set DATABASE_URL (the embedded database admits one process)`);
  if (runsSandboxes(cfg)) {
    throw new ConfigError(
      `${what}, reaching the same registries; in-process sandboxes (backends[].sandbox, the zero-setup default) are each process's own: run them once as a process of their own (npm run sandbox) and give every instance its config line (README "Scaling out", Workers)`,
    );
  }
  if (!bulkEnabled && !cfg.poll.enabled) throw new ConfigError('config: api.enabled (API_ENABLED), bulk.enabled (BULK_ENABLED) and poll.enabled (POLL_ENABLED) are all false: the instance would have nothing to do');
}

/** The `tls` settings a backend kind may have (EPP, REPP: ca, cert, key; Joker, HeadlessDomains: ca). */
type TlsFiles = { ca?: unknown; cert?: unknown; key?: unknown };

/** One TLS setting's PEM text: the value itself when it holds a PEM block, else the file it names (from `cwd`). */
function tlsText(setting: string, value: unknown, cwd: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ConfigError(`config: ${setting} must be a PEM text or the path of a PEM file`);
  if (value.includes('-----BEGIN')) return value;
  const path = resolve(cwd, value);
  if (!existsSync(path)) throw new ConfigError(`config: ${setting}: file ${path} not found`);
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`config: ${setting}: file ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** The PEM CERTIFICATE blocks of `text` (a CA file may hold several). */
const certificateBlocks = (text: string): string[] => text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];

/**
 * Checks a backend's TLS files at load, so that a bad one is a ConfigError naming the setting
 * (`config: backend "<name>" tls.ca: file /x/ca.pem not found`, `...: not a PEM certificate`,
 * `...tls.key: not a PEM private key`, `tls.cert and tls.key are not a pair`) instead of every
 * session failing later: `ca` and `cert` must be PEM certificates (node:crypto X509Certificate),
 * `key` a PEM private key without a passphrase (createPrivateKey), and cert and key must match
 * (node:tls createSecureContext). A value holding `-----BEGIN` is the PEM itself, any other a
 * path (from `cwd`); each path is replaced by the file's text, so every backend kind's transport
 * gets PEM (the HTTP ones, REPP among them, took the value as PEM as it was). No message quotes a
 * value or a file's content. Sandbox backends (their TLS is made at start) are skipped.
 */
function backendTls(b: GatewayConfig['backends'][number], cwd: string): void {
  const tls = (b as { tls?: TlsFiles }).tls;
  if (b.sandbox || !tls || typeof tls !== 'object') return;
  const at = (key: string) => `backend "${b.name}" tls.${key}`;
  for (const key of ['ca', 'cert'] as const) {
    if (tls[key] === undefined) continue;
    const text = tlsText(at(key), tls[key], cwd);
    const blocks = certificateBlocks(text);
    if (blocks.length === 0) throw new ConfigError(`config: ${at(key)}: not a PEM certificate (no "-----BEGIN CERTIFICATE-----" block)`);
    for (const block of blocks) {
      try {
        new X509Certificate(block);
      } catch {
        throw new ConfigError(`config: ${at(key)}: not a PEM certificate (a CERTIFICATE block does not parse)`);
      }
    }
    tls[key] = text;
  }
  if (tls.key !== undefined) {
    const text = tlsText(at('key'), tls.key, cwd);
    try {
      createPrivateKey(text);
    } catch {
      throw new ConfigError(`config: ${at('key')}: not a PEM private key (or one protected by a passphrase, which the gateway cannot give)`);
    }
    tls.key = text;
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) throw new ConfigError(`config: ${at(tls.cert === undefined ? 'key' : 'cert')} is given without tls.${tls.cert === undefined ? 'cert' : 'key'}: a client certificate needs both`);
  if (tls.cert !== undefined && tls.key !== undefined) {
    try {
      createSecureContext({ cert: tls.cert as string, key: tls.key as string });
    } catch {
      throw new ConfigError(`config: ${at('cert')} and tls.key are not a pair: the key is not the certificate's`);
    }
  }
}

/** OTLP transports (OTEL_EXPORTER_OTLP_PROTOCOL values). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;

const present = (v: string | undefined) => v !== undefined && v.trim() !== '';

/**
 * Tracing as the standard OpenTelemetry variables set it, over the config file's `tracing`:
 * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turns it off; OTEL_TRACES_EXPORTER=otlp or
 * an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) turns it on;
 * OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL, picks the transport. With
 * none of them the file decides (off when it says nothing). Unlike an SDK's default (otlp), the
 * gateway exports nothing until asked to.
 */
export function tracingFromEnv(env: NodeJS.ProcessEnv, file: TracingConfig | undefined): TracingConfig | undefined {
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  let out = file;
  if (exporters.includes('otlp') || present(env.OTEL_EXPORTER_OTLP_ENDPOINT) || present(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)) out = { ...out, enabled: true };
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (present(protocol)) out = { ...out, protocol: protocol!.trim() as TracingConfig['protocol'] };
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true' || exporters.includes('none')) out = { ...out, enabled: false };
  return out;
}

/**
 * Throws ConfigError (naming the setting) for a configuration the gateway cannot run with: a
 * top-level setting of the wrong type or range (checkSettings), a database time limit, a limit,
 * the `bulk`, `idempotency` and `commandLog` settings (bulkSettings, idempotencyOptions,
 * commandLogRetentionMs: checked here, with the
 * rest, so that neither the gateway nor a command opens the database on a configuration the
 * gateway refuses), a backend's settings (its kind's validate), a route or defaultBackend naming
 * no backend, the idempotency key and an account without a password (both only for `use`
 * 'gateway', see ConfigUse).
 */
export function validateConfig(cfg: GatewayConfig, use: ConfigUse = 'gateway'): void {
  const secrets = use === 'gateway';
  checkSettings(cfg);
  databaseTimeouts(cfg); // throws on a database time limit that is not whole milliseconds
  const protocol = cfg.tracing?.protocol;
  if (protocol !== undefined && !(OTLP_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new ConfigError(`config: tracing.protocol (OTEL_EXPORTER_OTLP_PROTOCOL) must be one of ${OTLP_PROTOCOLS.join(', ')}`);
  }
  // Each of these becomes a timer's delay (timerMs): the export's (the SDK's setTimeout), the
  // shutdown delay's, the revocation check's setInterval.
  if (cfg.tracing?.exportTimeoutMs !== undefined) timerMs(cfg.tracing.exportTimeoutMs, 'tracing.exportTimeoutMs');
  if (cfg.shutdownDelayMs !== undefined) timerMs(cfg.shutdownDelayMs, 'shutdownDelayMs (SHUTDOWN_DELAY_MS)', { min: 0, fractions: true });
  if (cfg.shutdownDrainMs !== undefined) timerMs(cfg.shutdownDrainMs, 'shutdownDrainMs (SHUTDOWN_DRAIN_MS)', { min: 0, fractions: true });
  resolveLimits(cfg); // throws on a limit that is not a positive whole number, or an HTTP time limit above MAX_TIMER_MS
  for (const key of ['maxBatch', 'fanOut'] as const) {
    const v = cfg.limits[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new ConfigError(`config: limits.${key} must be a whole number, 1 or more`);
  }
  const split = cfg.limits.checkSplitCommands;
  if (split !== undefined && !(Number.isInteger(split) && split >= 0)) throw new ConfigError('config: limits.checkSplitCommands must be a whole number, 0 or more');
  if (cfg.limits.maxBatch > MAX_LIST_ITEMS) throw new ConfigError(`config: limits.maxBatch may be at most ${MAX_LIST_ITEMS} (the longest list any argument may be)`);
  if (cfg.auth?.revocationCheckMs !== undefined) timerMs(cfg.auth.revocationCheckMs, 'auth.revocationCheckMs', { min: 100, fractions: true });
  // Not a timer: a resolved key's entry ends when the clock passes now + keyCacheTtlMs.
  const ttl = cfg.auth?.keyCacheTtlMs;
  if (ttl !== undefined && !(Number.isFinite(ttl) && ttl >= 0)) throw new ConfigError('config: auth.keyCacheTtlMs must be a number of milliseconds, 0 or more');
  const bulk = bulkSettings(cfg);
  const backendNames = cfg.backends.map((b) => b.name);
  for (const name of Object.keys(bulk.backendConcurrency)) {
    if (backendNames.includes(name)) continue;
    const [close] = suggestionList(name, backendNames);
    throw new ConfigError(`config: bulk.backendConcurrency names no backend: ${JSON.stringify(name.slice(0, 40))}${close ? ` (did you mean ${close}?)` : ` (backends: ${backendNames.join(', ')})`}`);
  }
  if (cfg.api !== undefined && (cfg.api === null || typeof cfg.api !== 'object')) throw new ConfigError('config: api must be an object ({ "enabled": false })');
  const api = cfg.api?.enabled;
  if (api !== undefined && typeof api !== 'boolean') throw new ConfigError('config: api.enabled (API_ENABLED) must be true or false');
  // What a worker needs is checked on the configuration in force, file and environment together
  // (the file may leave DATABASE_URL to the environment), and only where it starts a gateway.
  if (api === false && use === 'gateway') checkWorker(cfg, bulk.enabled);
  idempotencyOptions(cfg);
  commandLogRetentionMs(cfg);
  if (secrets && cfg.idempotency?.keySecret !== undefined && cfg.idempotency.keyFile !== undefined) {
    // Refused rather than one winning: two keys given means one of them is not what the operator thinks is in use.
    throw new ConfigError('config: IDEMPOTENCY_KEY_SECRET (idempotency.keySecret) and IDEMPOTENCY_KEY_FILE (idempotency.keyFile) are both set: give the fingerprint key one way only');
  }
  const keyProblem = secrets ? fingerprintKeyProblem(cfg) : null;
  if (keyProblem) throw new ConfigError(keyProblem);
  if (cfg.poll.leaseMs < 3 * cfg.poll.intervalMs) throw new ConfigError('config: poll.leaseMs must be at least 3 x poll.intervalMs');
  const names = new Set(cfg.backends.map((b) => b.name));
  if (names.size !== cfg.backends.length) throw new ConfigError('config: backend names must be unique');
  for (const r of cfg.routes) {
    if (!names.has(r.backend)) throw new ConfigError(`config: route "${r.suffix}" names unknown backend "${r.backend}"`);
  }
  if (cfg.defaultBackend && !names.has(cfg.defaultBackend)) {
    throw new ConfigError(`config: defaultBackend "${cfg.defaultBackend}" is not a backend`);
  }
  for (const b of cfg.backends) {
    const kind = kindOf(b);
    const port = (b as { port?: unknown }).port;
    if (!b.sandbox && port !== undefined && !(Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535)) {
      throw new ConfigError(`config: backend "${b.name}" port must be a TCP port, 1 to 65535`);
    }
    kind.validate(b, { secrets });
    for (const [registrar, account] of Object.entries(b.accounts)) {
      if (secrets && !b.sandbox && !kind.ownCredentials && !account.password) {
        throw new ConfigError(`config: backend "${b.name}" account "${registrar}" has no password (set ${credentialVariable(b.name, registrar, 'PASSWORD')})`);
      }
    }
  }
}
