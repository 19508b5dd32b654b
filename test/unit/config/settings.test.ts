/**
 * Top-level settings of the config file with the wrong type or range are refused at load, naming
 * the setting: `{"port": "x"}` was taken, and the gateway said "gateway listening", printed
 * http://127.0.0.1:undefined/graphql and listened on a Unix socket named `x`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bulkSettings } from '../../../src/bulk/config.js';
import { loadConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/config-error.js';
import { openCommandDatabase } from '../../../src/auth/create-api-key.js';
import { validateReppConfig } from '../../../src/backends/repp/config.js';
import { validateJokerConfig } from '../../../src/backends/joker/config.js';
import { validateHeadlessConfig } from '../../../src/backends/headless/config.js';
import { exportTimeoutMs } from '../../../src/observe/tracing.js';

const dir = mkdtempSync(join(tmpdir(), 'rgw-config-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A config file for real registries, valid as it is. */
const VALID = {
  port: 4000,
  registrars: [{ id: 'acme', name: 'Acme' }],
  backends: [{ name: 'real-epp', kind: 'epp', host: 'epp.example', port: 700, tls: {}, accounts: { acme: { clientId: 'acme-1', password: 'in-file-Pw1' } } }],
  routes: [{ suffix: 'example', backend: 'real-epp' }],
  defaultBackend: 'real-epp',
};

function load(settings: Record<string, unknown>, env: Record<string, string> = {}) {
  writeFileSync(join(dir, 'gateway.config.json'), JSON.stringify({ ...VALID, ...settings }));
  return loadConfig(env, dir);
}

function refusal(settings: Record<string, unknown>, env: Record<string, string> = {}): ConfigError {
  try {
    load(settings, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).file).toBe(join(dir, 'gateway.config.json'));
    return err as ConfigError;
  }
  throw new Error(`the config was taken: ${JSON.stringify(settings)}`);
}

describe('top-level settings of the config file', () => {
  it('takes the valid file, and ports 0 to 65535', () => {
    expect(load({}).port).toBe(4000);
    for (const port of [0, 1, 65535]) expect(load({ port }).port).toBe(port);
  });

  it('refuses a port that is not a whole number from 0 to 65535, naming port', () => {
    for (const port of ['x', '4000', 4000.5, -1, 65536, null, true]) {
      expect(refusal({ port }).message, JSON.stringify(port)).toBe('config: port (PORT) must be a whole number from 0 to 65535');
    }
  });

  it('refuses host, dataDir, logLevel, URLs and lists of the wrong type, naming each', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ host: 4000 }, /^config: host \(HOST\) must be/],
      [{ host: '' }, /^config: host \(HOST\) must be/],
      [{ dataDir: 7 }, /^config: dataDir \(DATA_DIR\) must be/],
      [{ logLevel: 'verbose' }, /^config: logLevel \(LOG_LEVEL\) must be one of fatal, error, warn, info, debug, trace, silent$/],
      [{ databaseUrl: 5432 }, /^config: databaseUrl \(DATABASE_URL\) must be/],
      [{ redisUrl: 6379 }, /^config: redisUrl \(REDIS_URL\) must be/],
      [{ redisPrefix: 1 }, /^config: redisPrefix \(REDIS_PREFIX\) must be a string$/],
      [{ defaultBackend: 1 }, /^config: defaultBackend must be the name of a backend$/],
      [{ registrars: [{ name: 'no id' }] }, /^config: registrars\[0\]\.id must be a non-empty string$/],
      [{ routes: [{ suffix: 'example' }] }, /^config: routes\[0\] must be/],
      [{ poll: { intervalMs: '2000' } }, /^config: poll\.intervalMs \(POLL_INTERVAL_MS\) must be a whole number of milliseconds/],
      [{ poll: { enabled: 'no' } }, /^config: poll\.enabled must be true or false$/],
      [{ trustProxy: 'loopback' }, /^config: trustProxy \(TRUST_PROXY\) must be a list of proxy addresses or subnets/],
      [{ trustProxy: ['10.0.0.0/33'] }, /^config: trustProxy \(TRUST_PROXY\): invalid range on address: 10\.0\.0\.0\/33$/],
      [{ trustProxy: ['proxy.example'] }, /^config: trustProxy \(TRUST_PROXY\): invalid IP address: proxy\.example$/],
    ];
    for (const [settings, message] of cases) expect(refusal(settings).message, JSON.stringify(settings)).toMatch(message);
  });

  it('limits.checkSplitCommands: a whole number, 0 (no splitting) or more; a misspelling is named with it', () => {
    for (const v of [0, 1, 40]) expect(load({ limits: { maxDepth: 12, maxBatch: 5000, checkSplitCommands: v } }).limits.checkSplitCommands).toBe(v);
    for (const v of [-1, 1.5, '12', null]) {
      expect(refusal({ limits: { maxDepth: 12, maxBatch: 5000, checkSplitCommands: v } }).message, JSON.stringify(v)).toBe('config: limits.checkSplitCommands must be a whole number, 0 or more');
    }
    expect(refusal({ limits: { checkSplitCommand: 4 } }).message).toBe('config: limits.checkSplitCommand is not a setting (did you mean limits.checkSplitCommands?)');
  });

  // Changed on purpose (it said "a valid environment override wins over a bad file value"): the
  // file's own value is validated too, so a bad one is refused even under PORT
  // (test/unit/config/env-over-file.test.ts); a valid one is still overridden.
  it('a valid environment override wins over a valid file value; a bad file value is refused even under one', () => {
    expect(load({ port: 4000 }, { PORT: '4001' }).port).toBe(4001);
    expect(refusal({ port: 'x' }, { PORT: '4001' }).message).toMatch(/^config: port \(PORT\) must be a whole number from 0 to 65535 \(this is the config file's value: the environment variable PORT overrides it/);
  });

  it('TRUST_PROXY is a comma-separated list of addresses, subnets or proxy-addr names, over the file', () => {
    expect(load({ trustProxy: ['10.0.0.1'] }, { TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(() => load({}, { TRUST_PROXY: 'loopback,not-an-ip' })).toThrow(/^config: trustProxy \(TRUST_PROXY\): invalid IP address: not-an-ip$/);
  });
});

describe('numeric environment variables', () => {
  const refusalOf = (env: Record<string, string>) => {
    try {
      loadConfig(env, mkdtempSync(join(dir, 'no-file-')));
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error(`the config was taken: ${JSON.stringify(env)}`);
  };

  it('PORT must be a whole number from 0 to 65535, named in the message (abc reached listen() and its RangeError stack)', () => {
    for (const port of ['abc', '4000x', '-1', '65536', '1.5', '0x10']) expect(refusalOf({ PORT: port }), port).toBe('config: PORT must be a whole number from 0 to 65535');
    expect(loadConfig({ PORT: '0' }, mkdtempSync(join(dir, 'no-file-'))).port).toBe(0);
    expect(loadConfig({ PORT: '8080' }, mkdtempSync(join(dir, 'no-file-'))).port).toBe(8080);
  });

  it("a delay that becomes a timer's is refused above Node's timer limit (2^31 - 1 ms): SHUTDOWN_DELAY_MS=1e99 was taken, and on SIGTERM the drain was 1 ms with a TimeoutOverflowWarning", () => {
    const noFile = () => mkdtempSync(join(dir, 'no-file-'));
    for (const v of ['1e99', '2147483648', 'Infinity', '-1']) expect(refusalOf({ SHUTDOWN_DELAY_MS: v }), v).toBe('config: shutdownDelayMs (SHUTDOWN_DELAY_MS) must be a number of milliseconds, 0 to 2147483647');
    // Forms Number() takes that are no decimal number of milliseconds: refused, not read as 16, 1000 or 0.
    for (const v of ['0x10', '1e3', '   ', '5ms', '0b1']) expect(refusalOf({ SHUTDOWN_DRAIN_MS: v }), v).toBe('config: shutdownDrainMs (SHUTDOWN_DRAIN_MS) must be a number of milliseconds, 0 to 2147483647');
    expect(loadConfig({ SHUTDOWN_DRAIN_MS: ' 1500.5 ' }, noFile()).shutdownDrainMs).toBe(1500.5);
    expect(loadConfig({ SHUTDOWN_DELAY_MS: '2147483647' }, noFile()).shutdownDelayMs).toBe(2147483647);
    for (const v of ['1e99', '-1', 'soon']) expect(refusalOf({ SHUTDOWN_DRAIN_MS: v }), v).toBe('config: shutdownDrainMs (SHUTDOWN_DRAIN_MS) must be a number of milliseconds, 0 to 2147483647');
    expect(loadConfig({ SHUTDOWN_DRAIN_MS: '5000' }, noFile()).shutdownDrainMs).toBe(5000);
    expect(refusalOf({ POLL_INTERVAL_MS: '2147483648' })).toBe('config: POLL_INTERVAL_MS must be a whole number from 1 to 2147483647');
    expect(() => load({ poll: { enabled: true, intervalMs: 2000, leaseMs: 3e12, maxBackoffMs: 60000 } })).toThrow('config: poll.leaseMs must be a whole number of milliseconds, 1 to 2147483647');
    expect(() => load({ auth: { revocationCheckMs: 1e10 } })).toThrow('config: auth.revocationCheckMs must be a number of milliseconds, 100 to 2147483647');
  });

  it('POLL_INTERVAL_MS (1 to 2147483647: a timer) and BULK_CONCURRENCY (1 or more) likewise', () => {
    for (const v of ['fast', '0', '1e99', '99999999999999']) expect(refusalOf({ POLL_INTERVAL_MS: v }), v).toBe('config: POLL_INTERVAL_MS must be a whole number from 1 to 2147483647');
    expect(refusalOf({ BULK_CONCURRENCY: 'many' })).toBe('config: BULK_CONCURRENCY must be a whole number, 1 or more');
    const cfg = loadConfig({ POLL_INTERVAL_MS: '500', BULK_CONCURRENCY: '4' }, mkdtempSync(join(dir, 'no-file-')));
    expect([cfg.poll.intervalMs, cfg.bulk?.concurrency]).toEqual([500, 4]);
  });

  it('BULK_MAX_OPEN_JOBS and BULK_MAX_PENDING_ITEMS set the bulk limits (1 or more); pending items below a full job are refused', () => {
    expect(refusalOf({ BULK_MAX_OPEN_JOBS: '0' })).toBe('config: BULK_MAX_OPEN_JOBS must be a whole number, 1 or more');
    expect(refusalOf({ BULK_MAX_PENDING_ITEMS: 'lots' })).toBe('config: BULK_MAX_PENDING_ITEMS must be a whole number, 1 or more');
    const cfg = loadConfig({ BULK_MAX_OPEN_JOBS: '5', BULK_MAX_PENDING_ITEMS: '30000' }, mkdtempSync(join(dir, 'no-file-')));
    expect(bulkSettings(cfg)).toMatchObject({ maxOpenJobs: 5, maxPendingItems: 30000, maxItems: 20000 });
    expect(bulkSettings(loadConfig({}, mkdtempSync(join(dir, 'no-file-'))))).toMatchObject({ maxOpenJobs: 20, maxPendingItems: 60000 });
    expect(() => bulkSettings({ bulk: { maxPendingItems: 10_000 } })).toThrow('config: bulk.maxPendingItems (10000) must be at least bulk.maxItems (20000)');
  });

  it('BULK_RETENTION_DAYS (bulk.retentionDays) sets how long a finished job is kept: 30 days by default, 1 to 36500', () => {
    expect(refusalOf({ BULK_RETENTION_DAYS: '0' })).toBe('config: BULK_RETENTION_DAYS must be a whole number, 1 or more');
    expect(bulkSettings(loadConfig({ BULK_RETENTION_DAYS: '400' }, mkdtempSync(join(dir, 'no-file-'))))).toMatchObject({ retentionDays: 400 });
    expect(bulkSettings(loadConfig({}, mkdtempSync(join(dir, 'no-file-'))))).toMatchObject({ retentionDays: 30 });
    expect(() => bulkSettings({ bulk: { retentionDays: 36_501 } })).toThrow('config: bulk.retentionDays must be at most 36500 days');
    expect(() => bulkSettings({ bulk: { retentionDays: 1.5 } })).toThrow('config: bulk.retentionDays must be a whole number, 1 or more');
  });

  it('API_ENABLED=false (api.enabled false) makes a worker: only with DATABASE_URL, registries of its own (no in-process sandboxes), and bulk or poll on (BULK_ENABLED, POLL_ENABLED); any other value than true or false is refused', () => {
    const PG = 'postgresql://gw@db.internal:5432/gw';
    const SECRET = { IDEMPOTENCY_KEY_SECRET: 'a'.repeat(64) };
    // A file for real registries, the database and the switch from the environment (a deployment's usual split).
    expect(load({}, { API_ENABLED: 'false', DATABASE_URL: PG, ...SECRET }).api).toEqual({ enabled: false });
    // The switch in the file, DATABASE_URL from the environment: the file leaves it to the environment, which is not a bad value.
    expect(load({ api: { enabled: false } }, { DATABASE_URL: PG, ...SECRET }).api).toEqual({ enabled: false });
    expect(load({ api: { enabled: false }, databaseUrl: PG }, SECRET).api).toEqual({ enabled: false });
    expect(loadConfig({ API_ENABLED: 'TRUE' }, mkdtempSync(join(dir, 'no-file-'))).api).toEqual({ enabled: true });
    for (const v of ['no', '0', 'off']) expect(refusalOf({ API_ENABLED: v }), v).toBe('config: API_ENABLED must be true or false');
    expect(refusal({}, { API_ENABLED: 'false' }).message).toMatch(/^config: api.enabled \(API_ENABLED\) is false, which makes a worker .*: set DATABASE_URL/);
    // The zero-setup default's in-process sandboxes would be the worker's own registries.
    expect(refusalOf({ API_ENABLED: 'false', DATABASE_URL: PG, ...SECRET })).toMatch(/in-process sandboxes .* are each process's own: run them once as a process of their own \(npm run sandbox\)/);
    expect(refusal({ api: { enabled: 'no' } }).message).toBe('config: api.enabled (API_ENABLED) must be true or false');
    expect(refusal({ api: true }).message).toBe('config: api must be an object ({ "enabled": false })');
    const nothing = 'config: api.enabled (API_ENABLED), bulk.enabled (BULK_ENABLED) and poll.enabled (POLL_ENABLED) are all false: the instance would have nothing to do';
    expect(refusal({ api: { enabled: false }, databaseUrl: PG, bulk: { enabled: false }, poll: { intervalMs: 2000, leaseMs: 10_000, maxBackoffMs: 60_000, enabled: false } }, SECRET).message).toBe(nothing);
    expect(refusal({}, { API_ENABLED: 'false', BULK_ENABLED: 'false', POLL_ENABLED: 'FALSE', DATABASE_URL: PG, ...SECRET }).message).toBe(nothing);
    const api = loadConfig({ BULK_ENABLED: 'false', POLL_ENABLED: ' false ' }, mkdtempSync(join(dir, 'no-file-')));
    expect([api.bulk?.enabled, api.poll.enabled]).toEqual([false, false]);
    for (const name of ['BULK_ENABLED', 'POLL_ENABLED']) expect(refusalOf({ [name]: 'yes' })).toBe(`config: ${name} must be true or false`);
  });
});

describe("every setting in milliseconds that reaches a timer (or a limit of the same size) is refused above Node's timer limit, 2147483647 ms (timerMs)", () => {
  const MAX = 2147483647;
  const epp = VALID.backends[0];
  // Each setting, the file it is given in, and where loadConfig leaves it: 2147483647 is taken,
  // 2147483648 and 1e99 are refused naming the setting (and its variable) and the range.
  const cases: Array<[string, (v: number) => Record<string, unknown>, (cfg: ReturnType<typeof load>) => unknown, string]> = [
    ['tracing.exportTimeoutMs', (v) => ({ tracing: { exportTimeoutMs: v } }), (c) => c.tracing?.exportTimeoutMs, 'config: tracing.exportTimeoutMs must be a whole number of milliseconds, 1 to 2147483647'],
    ['limits.requestTimeoutMs', (v) => ({ limits: { requestTimeoutMs: v } }), (c) => c.limits.requestTimeoutMs, 'config: limits.requestTimeoutMs (HTTP_REQUEST_TIMEOUT_MS) must be a whole number of milliseconds, 1 to 2147483647'],
    ['limits.headersTimeoutMs', (v) => ({ limits: { requestTimeoutMs: MAX, headersTimeoutMs: v } }), (c) => c.limits.headersTimeoutMs, 'config: limits.headersTimeoutMs (HTTP_HEADERS_TIMEOUT_MS) must be a whole number of milliseconds, 1 to 2147483647'],
    ['database.connectTimeoutMs', (v) => ({ database: { connectTimeoutMs: v } }), (c) => c.database?.connectTimeoutMs, 'config: database.connectTimeoutMs (DATABASE_CONNECT_TIMEOUT_MS) must be a whole number of milliseconds, 0 (no limit) to 2147483647'],
    ['database.statementTimeoutMs', (v) => ({ database: { statementTimeoutMs: v, queryTimeoutMs: 0 } }), (c) => c.database?.statementTimeoutMs, 'config: database.statementTimeoutMs (DATABASE_STATEMENT_TIMEOUT_MS) must be a whole number of milliseconds, 0 (no limit) to 2147483647'],
    ['database.queryTimeoutMs', (v) => ({ database: { queryTimeoutMs: v } }), (c) => c.database?.queryTimeoutMs, 'config: database.queryTimeoutMs (DATABASE_QUERY_TIMEOUT_MS) must be a whole number of milliseconds, 0 (no limit) to 2147483647'],
    ['database.idleInTransactionSessionTimeoutMs', (v) => ({ database: { idleInTransactionSessionTimeoutMs: v } }), (c) => c.database?.idleInTransactionSessionTimeoutMs, 'config: database.idleInTransactionSessionTimeoutMs (DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS) must be a whole number of milliseconds, 0 (no limit) to 2147483647'],
    ['database.keepAliveInitialDelayMs', (v) => ({ database: { keepAliveInitialDelayMs: v } }), (c) => c.database?.keepAliveInitialDelayMs, 'config: database.keepAliveInitialDelayMs must be a whole number of milliseconds, 0 (no limit) to 2147483647'],
    ['bulk.leaseMs', (v) => ({ bulk: { leaseMs: v } }), (c) => bulkSettings(c).leaseMs, 'config: bulk.leaseMs must be a whole number of milliseconds, 1 to 2147483647'],
    ['bulk.idleMs', (v) => ({ bulk: { idleMs: v } }), (c) => bulkSettings(c).idleMs, 'config: bulk.idleMs must be a whole number of milliseconds, 1 to 2147483647'],
    ['bulk.overdueCheckMs', (v) => ({ bulk: { overdueCheckMs: v } }), (c) => bulkSettings(c).overdueCheckMs, 'config: bulk.overdueCheckMs must be a whole number of milliseconds, 1 to 2147483647'],
    ['idempotency.leaseMs', (v) => ({ idempotency: { leaseMs: v } }), (c) => c.idempotency?.leaseMs, 'config: idempotency.leaseMs must be a number of milliseconds, 1 to 2147483647'],
    ['idempotency.purgeIntervalMs', (v) => ({ idempotency: { purgeIntervalMs: v } }), (c) => c.idempotency?.purgeIntervalMs, 'config: idempotency.purgeIntervalMs must be a number of milliseconds, 1 to 2147483647'],
    ['an EPP backend connectTimeoutMs', (v) => ({ backends: [{ ...epp, connectTimeoutMs: v }] }), (c) => (c.backends[0] as { connectTimeoutMs?: number }).connectTimeoutMs, 'config: backend "real-epp" connectTimeoutMs must be a whole number of milliseconds, 1 to 2147483647'],
    ['an EPP backend commandTimeoutMs', (v) => ({ backends: [{ ...epp, commandTimeoutMs: v }] }), (c) => (c.backends[0] as { commandTimeoutMs?: number }).commandTimeoutMs, 'config: backend "real-epp" commandTimeoutMs must be a whole number of milliseconds, 1 to 2147483647'],
    ['an EPP backend keepAliveMs', (v) => ({ backends: [{ ...epp, keepAliveMs: v }] }), (c) => (c.backends[0] as { keepAliveMs?: number }).keepAliveMs, 'config: backend "real-epp" keepAliveMs must be a whole number of milliseconds, 0 (no keep-alive) to 2147483647'],
    ['shutdownDelayMs', (v) => ({ shutdownDelayMs: v }), (c) => c.shutdownDelayMs, 'config: shutdownDelayMs (SHUTDOWN_DELAY_MS) must be a number of milliseconds, 0 to 2147483647'],
    ['poll.maxBackoffMs', (v) => ({ poll: { maxBackoffMs: v } }), (c) => c.poll.maxBackoffMs, 'config: poll.maxBackoffMs must be a whole number of milliseconds, 1 to 2147483647'],
    ['auth.revocationCheckMs', (v) => ({ auth: { revocationCheckMs: v } }), (c) => c.auth?.revocationCheckMs, 'config: auth.revocationCheckMs must be a number of milliseconds, 100 to 2147483647'],
  ];

  it.each(cases)('%s: 2147483647 is taken, more is refused naming it and the range', (_name, file, taken, message) => {
    expect(taken(load(file(MAX)))).toBe(MAX);
    for (const v of [MAX + 1, 1e99]) expect(refusal(file(v)).message, String(v)).toBe(message);
  });

  it('the REPP, Joker and HeadlessDomains backends\' request timeouts and waits likewise (each becomes, or bounds, a setTimeout)', () => {
    const sandboxed = { accounts: {}, url: '', sandbox: {} };
    const kinds: Array<[string, (v: number) => void, string]> = [
      ['repp timeoutMs', (v) => validateReppConfig({ ...sandboxed, name: 'ee', kind: 'repp', timeoutMs: v }), 'config: backend "ee" timeoutMs must be a whole number of milliseconds, 1 to 2147483647'],
      ['repp retry.budgetMs', (v) => validateReppConfig({ ...sandboxed, name: 'ee', kind: 'repp', retry: { budgetMs: v } }), 'config: backend "ee" retry.budgetMs must be a whole number of milliseconds, 0 to 2147483647'],
      ['repp retry.baseDelayMs', (v) => validateReppConfig({ ...sandboxed, name: 'ee', kind: 'repp', retry: { baseDelayMs: v } }), 'config: backend "ee" retry.baseDelayMs must be a whole number of milliseconds, 0 to 2147483647'],
      ['repp retry.maxDelayMs', (v) => validateReppConfig({ ...sandboxed, name: 'ee', kind: 'repp', retry: { maxDelayMs: v } }), 'config: backend "ee" retry.maxDelayMs must be a whole number of milliseconds, 0 to 2147483647'],
      ['joker timeoutMs', (v) => validateJokerConfig({ ...sandboxed, name: 'jk', kind: 'joker', timeoutMs: v }), 'config: backend "jk" timeoutMs must be a whole number of milliseconds, 1 to 2147483647'],
      ['headless timeoutMs', (v) => validateHeadlessConfig({ ...sandboxed, name: 'hd', kind: 'headless', timeoutMs: v }), 'config: backend "hd" timeoutMs must be a whole number of milliseconds, 1 to 2147483647'],
      ['headless rateLimitBudgetMs', (v) => validateHeadlessConfig({ ...sandboxed, name: 'hd', kind: 'headless', rateLimitBudgetMs: v }), 'config: backend "hd" rateLimitBudgetMs must be a whole number of milliseconds, 0 to 2147483647'],
    ];
    for (const [name, check, message] of kinds) {
      expect(() => check(MAX), name).not.toThrow();
      for (const v of [MAX + 1, 1e99, -1, 1.5]) expect(() => check(v), `${name} ${v}`).toThrow(new ConfigError(message));
    }
  });

  it('the environment variables of such settings likewise: HTTP_*_TIMEOUT_MS and DATABASE_*_MS up to 2147483647, 1e99 refused with the range', () => {
    const noFile = () => mkdtempSync(join(dir, 'no-file-'));
    const refusalOf = (env: Record<string, string>) => {
      try {
        loadConfig(env, noFile());
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error(`the config was taken: ${JSON.stringify(env)}`);
    };
    const variables: Array<[string, number, Record<string, string>, (c: ReturnType<typeof loadConfig>) => unknown]> = [
      ['HTTP_REQUEST_TIMEOUT_MS', 1, {}, (c) => c.limits.requestTimeoutMs],
      ['HTTP_HEADERS_TIMEOUT_MS', 1, { HTTP_REQUEST_TIMEOUT_MS: String(MAX) }, (c) => c.limits.headersTimeoutMs],
      ['DATABASE_CONNECT_TIMEOUT_MS', 0, {}, (c) => c.database?.connectTimeoutMs],
      ['DATABASE_STATEMENT_TIMEOUT_MS', 0, { DATABASE_QUERY_TIMEOUT_MS: '0' }, (c) => c.database?.statementTimeoutMs],
      ['DATABASE_QUERY_TIMEOUT_MS', 0, {}, (c) => c.database?.queryTimeoutMs],
      ['DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS', 0, {}, (c) => c.database?.idleInTransactionSessionTimeoutMs],
    ];
    for (const [name, min, others, taken] of variables) {
      expect(taken(loadConfig({ ...others, [name]: String(MAX) }, noFile())), name).toBe(MAX);
      for (const v of ['1e99', '2147483648', '99999999999999']) expect(refusalOf({ ...others, [name]: v }), `${name}=${v}`).toBe(`config: ${name} must be a whole number from ${min} to 2147483647`);
    }
  });

  it("OTEL_BSP_EXPORT_TIMEOUT above 2147483647 is passed over as the SDK passes over one it cannot read (the default, 2000 ms), not taken as the SDK's 1 ms", () => {
    expect(exportTimeoutMs({}, { OTEL_BSP_EXPORT_TIMEOUT: String(MAX) })).toBe(MAX);
    for (const v of ['2147483648', '1e99', 'soon']) expect(exportTimeoutMs({}, { OTEL_BSP_EXPORT_TIMEOUT: v }), v).toBe(2000);
  });
});

describe('REDIS_URL and DATABASE_URL', () => {
  const noFile = () => mkdtempSync(join(dir, 'no-file-'));
  const secret = 's3cret-Pw';
  const refusalOf = (env: Record<string, string>) => {
    try {
      loadConfig({ IDEMPOTENCY_KEY_SECRET: 'k'.repeat(64), ...env }, noFile());
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error(`the config was taken: ${JSON.stringify(env)}`);
  };

  it('a REDIS_URL that is not a redis:// or rediss:// URL is a configuration error naming REDIS_URL, without its value (it started, and /readyz stayed not ready)', () => {
    for (const url of ['notaurl', `localhost:6379`, `http://:${secret}@redis:6379`, `:${secret}@redis`, `redis://:${secret}@redis:6379/notaurl`, 'redis://localhost/1/2']) {
      const message = refusalOf({ REDIS_URL: url });
      expect(message, url).toMatch(/^config: redisUrl \(REDIS_URL\) must be a redis:\/\/ or rediss:\/\/ \(TLS\) URL/);
      expect(message).not.toContain(secret);
      expect(message).not.toContain('notaurl');
    }
    for (const url of ['redis://127.0.0.1:6379', `rediss://:${secret}@redis.internal:6380/2`, 'redis://localhost']) {
      expect(loadConfig({ REDIS_URL: url }, noFile()).redisUrl).toBe(url);
    }
  });

  it('a DATABASE_URL that is not a postgres:// or postgresql:// URL likewise, naming DATABASE_URL, without its value', () => {
    for (const url of ['notaurl', `mysql://u:${secret}@db/gw`, `db.internal:5432/gw`]) {
      const message = refusalOf({ DATABASE_URL: url });
      expect(message, url).toMatch(/^config: databaseUrl \(DATABASE_URL\) must be a PostgreSQL URL/);
      expect(message).not.toContain(secret);
    }
    for (const url of ['postgresql://postgres@127.0.0.1:5432/test', `postgres://gw:${secret}@db.internal/gw?sslmode=require`]) {
      expect(loadConfig({ DATABASE_URL: url, IDEMPOTENCY_KEY_SECRET: 'k'.repeat(64) }, noFile()).databaseUrl).toBe(url);
    }
  });

  it('the key and migrate commands refuse such a database URL too, before opening anything, naming where it came from', () => {
    expect(() => openCommandDatabase({ 'database-url': `notaurl-${secret}` }, {})).toThrow(/^config: --database-url must be a PostgreSQL URL/);
    // DATABASE_URL is the gateway's own setting: refused with the gateway's message (loadConfig).
    expect(() => openCommandDatabase({}, { DATABASE_URL: `db:${secret}` })).toThrow(/^config: databaseUrl \(DATABASE_URL\) must be a PostgreSQL URL: postgresql:\/\/user:password@host:5432\/database$/);
  });

  it('on/off switches given as strings are refused, not taken as on (operator trial: "false" left /metrics, the bulk runner and tracing on)', () => {
    expect(refusal({ metrics: { enabled: 'false' } }).message).toBe('config: metrics.enabled must be true or false');
    expect(refusal({ bulk: { enabled: 'false' } }).message).toBe('config: bulk.enabled (BULK_ENABLED) must be true or false');
    expect(refusal({ tracing: { enabled: 'false' } }).message).toBe('config: tracing.enabled must be true or false');
    expect(load({ metrics: { enabled: false }, bulk: { enabled: false }, tracing: { enabled: false } })).toMatchObject({ metrics: { enabled: false }, bulk: { enabled: false } });
  });

  it('metrics.token and tracing values of the wrong type are refused naming the setting, never quoting the value (a numeric token answered every /metrics 500 and logged itself)', () => {
    const token = refusal({ metrics: { token: 12345678 } }).message;
    expect(token).toBe('config: metrics.token (METRICS_TOKEN) must be a non-empty string');
    const endpoint = `https://ingest:${secret}@otel collector:4318/v1/traces`;
    for (const e of [endpoint, 'collector:4318', 42]) {
      const m = refusal({ tracing: { enabled: true, endpoint: e } }).message;
      expect(m, String(e)).toBe("config: tracing.endpoint must be the collector's http:// or https:// URL, such as http://collector:4318/v1/traces");
    }
    expect(refusal({ tracing: { headers: { authorization: 5 } } }).message).toBe('config: tracing.headers must be an object of header names and string values');
    expect(refusal({ tracing: { serviceName: '' } }).message).toBe('config: tracing.serviceName must be a non-empty string');
    expect(refusal({ metrics: 'off' }).message).toMatch(/^config: metrics must be an object/);
    expect(load({ tracing: { enabled: true, endpoint: 'http://collector:4318/v1/traces' } }).tracing?.endpoint).toBe('http://collector:4318/v1/traces');
  });

  it('an OTLP endpoint variable that is not an http(s) URL is refused when tracing is on, naming it without its value (the exporter warned and fell back to localhost)', () => {
    expect(refusalOf({ OTEL_EXPORTER_OTLP_ENDPOINT: `not a url ${secret}` })).toBe("config: OTEL_EXPORTER_OTLP_ENDPOINT must be the collector's http:// or https:// URL, such as http://collector:4318");
    expect(refusalOf({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318', OTEL_TRACES_EXPORTER: 'otlp' })).toMatch(/^config: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be/);
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, noFile()).tracing?.enabled).toBe(true);
  });

  it('bulk.backendConcurrency names backends: a name that is none is refused with the closest backend (it was taken, and applied to nothing)', () => {
    expect(refusal({ bulk: { backendConcurrency: { 'real-ep': 4 } } }).message).toBe('config: bulk.backendConcurrency names no backend: "real-ep" (did you mean real-epp?)');
    expect(refusal({ bulk: { backendConcurrency: [4] } }).message).toMatch(/^config: bulk.backendConcurrency must be an object/);
    expect(load({ bulk: { backendConcurrency: { 'real-epp': 4 } } }).bulk?.backendConcurrency).toEqual({ 'real-epp': 4 });
  });

  it('a route suffix is taken as the router reads it: a leading dot and capitals dropped (".NET" showed as a TLD ".net"); one that names nothing is refused', () => {
    expect(load({ routes: [{ suffix: '.Example', backend: 'real-epp' }] }).routes).toEqual([{ suffix: 'example', backend: 'real-epp' }]);
    expect(refusal({ routes: [{ suffix: '.', backend: 'real-epp' }] }).message).toMatch(/^config: routes\[0\].suffix must name a domain suffix/);
  });
});
