/**
 * Checks of the gateway's top-level settings (src/config.ts validateConfig): each value of the
 * config file (as the file gives it, and again after the environment's overrides: src/config.ts
 * checkFileValues) must have the type and range its consumer
 * needs, or the gateway starts with it and fails later and elsewhere (`"port": "x"` listened on a
 * Unix socket named `x`). Every refusal is a ConfigError naming the setting and, where one
 * overrides it, the environment variable; values are never quoted (a URL may hold a password).
 */
import proxyAddr from 'proxy-addr';
import type { GatewayConfig } from './config.types.js';
import { ConfigError } from './config-error.js';

/** pino's levels (LOG_LEVEL, `logLevel`); another one made the logger throw at start. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The whole number an environment variable holds, digits only, from `min` to `max`; undefined
 * when it is unset or empty. Throws ConfigError naming the variable otherwise (`PORT=abc` reached
 * net.Server.listen and ended in a RangeError stack trace).
 */
export function envInteger(env: NodeJS.ProcessEnv, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = /^\s*\d{1,15}\s*$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) throw new ConfigError(`config: ${name} must be a whole number${range(min, max)}`);
  return value;
}

/**
 * The boolean an environment variable holds, `true` or `false` (any case, blanks around allowed);
 * undefined when it is unset or empty. Throws ConfigError naming the variable otherwise
 * (`API_ENABLED=no`): a switch that turns a part of the instance off is never guessed.
 */
export function envBoolean(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  if (raw !== 'true' && raw !== 'false') throw new ConfigError(`config: ${name} must be true or false`);
  return raw === 'true';
}

const range = (min: number, max: number) => (max === Number.MAX_SAFE_INTEGER ? `, ${min} or more` : ` from ${min} to ${max}`);

/**
 * True for a `redis://` or `rediss://` (TLS) URL, the connection-string forms of ioredis'
 * documentation. ioredis (utils parseURL) also reads `host:port`, `/socket/path` and any other
 * word as a host name, so `REDIS_URL=notaurl` connected to a host called notaurl, retried for
 * ever, and /readyz never answered ready: the gateway takes only the URL forms, with no path or a
 * database number as the path (`/2`). Whether the server has that database is asked at start
 * (src/pubsub/redis-database.ts).
 */
export function isRedisUrl(value: string): boolean {
  // The path, where there is one, is the database's number (redis://host:6379/2), as ioredis reads it.
  return urlWith(value, ['redis:', 'rediss:']) && /^\/?(\d{1,9})?$/.test(new URL(value).pathname);
}

/**
 * True for a PostgreSQL connection URL, `postgres://` or `postgresql://` (libpq's URI form, which
 * pg-connection-string reads; it took `notaurl` as the database notaurl on a host called `base`).
 */
export function isPostgresUrl(value: string): boolean {
  return urlWith(value, ['postgres:', 'postgresql:']);
}

function urlWith(value: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** A route suffix as the router reads it: no blanks, no leading or trailing dots, lower case (".NET." -> "net"). */
export const routeSuffix = (suffix: string): string => suffix.trim().toLowerCase().replace(/^\.+|\.+$/g, '');

const isString = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const isWhole = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

/**
 * The longest delay Node's timers take (ms): 2^31 - 1, about 24.8 days. A longer one is taken as 1 ms
 * with a TimeoutOverflowWarning, so a setting that becomes a timer's delay is refused above it.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Checks a setting in milliseconds that reaches a timer or a limit of the same size: Node's
 * setTimeout/setInterval (a longer delay fires after 1 ms with a TimeoutOverflowWarning), its HTTP
 * server's requestTimeout and headersTimeout (read modulo 2^32 ms: 4294967396 answered 408 after
 * some 100 ms), and PostgreSQL's statement_timeout and idle_in_transaction_session_timeout (at
 * most 2^31 - 1 ms). Returns `value` when it is a whole number of milliseconds from `min` (default
 * 1) to MAX_TIMER_MS, or with `fractions` any number in that range; throws ConfigError otherwise:
 * `config: <setting> must be a whole number of milliseconds, <min> to 2147483647` (`a number of
 * milliseconds` with `fractions`; `lowest` words the lower end instead of `min`, e.g. "0 (no
 * limit)"). `setting` names the setting and, where one overrides it, its environment variable:
 * `poll.intervalMs (POLL_INTERVAL_MS)`, `backend "epp-1" commandTimeoutMs`. The value is never quoted.
 */
export function timerMs(value: unknown, setting: string, opts: { min?: number; fractions?: boolean; lowest?: string } = {}): number {
  const min = opts.min ?? 1;
  const ok = typeof value === 'number' && (opts.fractions ? Number.isFinite(value) : Number.isInteger(value)) && value >= min && value <= MAX_TIMER_MS;
  if (!ok) throw new ConfigError(`config: ${setting} must be a ${opts.fractions ? 'number' : 'whole number'} of milliseconds, ${opts.lowest ?? min} to ${MAX_TIMER_MS}`);
  return value;
}

/**
 * Refuses a top-level setting of the wrong type or range (ConfigError naming it and its
 * environment variable): `port` a whole number 0-65535 (PORT), `host` a non-empty string
 * (HOST), `dataDir` (DATA_DIR), `logLevel` one of LOG_LEVELS (LOG_LEVEL), `databaseUrl` a
 * PostgreSQL URL (DATABASE_URL), `redisUrl` a redis:// or rediss:// URL (REDIS_URL),
 * `redisPrefix` a string (REDIS_PREFIX),
 * `defaultBackend` a string, `registrars` a list of
 * `{ id, name }`, `backends` and `routes` lists, `poll` whole milliseconds and a boolean,
 * `trustProxy` addresses or subnets proxy-addr compiles (TRUST_PROXY), `metrics` a switch and a
 * token (METRICS_TOKEN), `tracing` a switch, an http(s) collector URL (also as
 * OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, which the exporter reads
 * itself), string headers and service name. A switch given as a string (`"enabled": "false"`) is
 * refused, not taken as on.
 */
export function checkSettings(cfg: GatewayConfig): void {
  const fail = (message: string): never => {
    throw new ConfigError(`config: ${message}`);
  };
  if (!isWhole(cfg.port, 0, 65535)) fail('port (PORT) must be a whole number from 0 to 65535');
  if (!isString(cfg.host)) fail('host (HOST) must be an interface address or host name, such as "127.0.0.1" or "0.0.0.0"');
  if (!isString(cfg.dataDir)) fail('dataDir (DATA_DIR) must be a folder path');
  if (!(LOG_LEVELS as readonly unknown[]).includes(cfg.logLevel)) fail(`logLevel (LOG_LEVEL) must be one of ${LOG_LEVELS.join(', ')}`);
  // The message never quotes a URL: it may hold a password.
  if (cfg.databaseUrl !== undefined && !(typeof cfg.databaseUrl === 'string' && isPostgresUrl(cfg.databaseUrl))) {
    fail('databaseUrl (DATABASE_URL) must be a PostgreSQL URL: postgresql://user:password@host:5432/database');
  }
  if (cfg.redisUrl !== undefined && !(typeof cfg.redisUrl === 'string' && isRedisUrl(cfg.redisUrl))) {
    fail('redisUrl (REDIS_URL) must be a redis:// or rediss:// (TLS) URL: redis://[:password@]host:6379[/db]');
  }
  if (cfg.redisPrefix !== undefined && typeof cfg.redisPrefix !== 'string') fail('redisPrefix (REDIS_PREFIX) must be a string');
  if (cfg.defaultBackend !== undefined && !isString(cfg.defaultBackend)) fail('defaultBackend must be the name of a backend');
  for (const key of ['registrars', 'backends', 'routes'] as const) if (!Array.isArray(cfg[key])) fail(`${key} must be a list ([...])`);
  cfg.registrars.forEach((r, i) => {
    if (!r || typeof r !== 'object' || !isString(r.id)) fail(`registrars[${i}].id must be a non-empty string`);
    if (r.name !== undefined && typeof r.name !== 'string') fail(`registrars[${i}].name must be a string`);
  });
  cfg.routes.forEach((r, i) => {
    if (!r || typeof r !== 'object' || !isString(r.suffix) || !isString(r.backend)) fail(`routes[${i}] must be { "suffix": "<domain suffix>", "backend": "<backend name>" }`);
    if (routeSuffix(r.suffix) === '') fail(`routes[${i}].suffix must name a domain suffix, such as "com" or "co.uk" (a leading dot is dropped)`);
  });
  if (!cfg.poll || typeof cfg.poll !== 'object') fail('poll must be an object ({ "intervalMs": 2000, ... })');
  for (const key of ['intervalMs', 'leaseMs', 'maxBackoffMs'] as const) timerMs(cfg.poll[key], `poll.${key}${key === 'intervalMs' ? ' (POLL_INTERVAL_MS)' : ''}`);
  if (typeof cfg.poll.enabled !== 'boolean') fail('poll.enabled must be true or false');
  const metrics = cfg.metrics as Record<string, unknown> | undefined;
  if (metrics !== undefined && (metrics === null || typeof metrics !== 'object' || Array.isArray(metrics))) fail('metrics must be an object ({ "enabled": true, "token": "..." })');
  if (metrics?.enabled !== undefined && typeof metrics.enabled !== 'boolean') fail('metrics.enabled must be true or false');
  if (metrics?.token !== undefined && !isString(metrics.token)) fail('metrics.token (METRICS_TOKEN) must be a non-empty string');
  checkTracing(cfg.tracing as Record<string, unknown> | undefined, fail);
  if (cfg.trustProxy !== undefined) {
    if (!Array.isArray(cfg.trustProxy) || !cfg.trustProxy.every(isString)) fail('trustProxy (TRUST_PROXY) must be a list of proxy addresses or subnets, such as ["10.0.0.0/8", "loopback"]');
    try {
      proxyAddr.compile(cfg.trustProxy);
    } catch (err) {
      // proxy-addr's own words: "invalid IP address: x", "invalid range on address: ..."
      fail(`trustProxy (TRUST_PROXY): ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/**
 * The `tracing` settings' types (src/config.types.ts TracingConfig; protocol and exportTimeoutMs are
 * checked in validateConfig): `enabled` a boolean, `endpoint` an http or https URL (an unparsable
 * one made the OTLP exporter throw at start, its message quoting the URL and any password in it),
 * `headers` an object of strings, `serviceName` a non-empty string. Never quotes a value.
 */
function checkTracing(t: Record<string, unknown> | undefined, fail: (message: string) => never): void {
  if (t === undefined) return;
  if (t === null || typeof t !== 'object' || Array.isArray(t)) fail('tracing must be an object ({ "enabled": true, "endpoint": "http://collector:4318/v1/traces" })');
  if (t.enabled !== undefined && typeof t.enabled !== 'boolean') fail('tracing.enabled must be true or false');
  if (t.endpoint !== undefined && !(typeof t.endpoint === 'string' && urlWith(t.endpoint, ['http:', 'https:']))) {
    fail("tracing.endpoint must be the collector's http:// or https:// URL, such as http://collector:4318/v1/traces");
  }
  const headers = t.headers;
  if (headers !== undefined && (headers === null || typeof headers !== 'object' || Array.isArray(headers) || !Object.values(headers).every((v) => typeof v === 'string'))) {
    fail('tracing.headers must be an object of header names and string values');
  }
  if (t.serviceName !== undefined && !isString(t.serviceName)) fail('tracing.serviceName must be a non-empty string');
}

/**
 * The OTLP endpoint variables the exporter reads itself (OTEL_EXPORTER_OTLP_ENDPOINT,
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), when set and tracing is on: an http or https URL, else a
 * ConfigError naming the variable (the exporter only warned and fell back to localhost). Never
 * quotes the value.
 */
export function checkOtlpEndpointVariables(env: NodeJS.ProcessEnv): void {
  for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) {
    const v = env[name];
    if (v !== undefined && v.trim() !== '' && !urlWith(v.trim(), ['http:', 'https:'])) {
      throw new ConfigError(`config: ${name} must be the collector's http:// or https:// URL, such as http://collector:4318`);
    }
  }
}
