/**
 * The operator commands that open the gateway's database (key:create, key:list, key:revoke,
 * db:migrate) load the configuration through the gateway's own loader (loadConfig, use
 * 'command'): the same file and environment give the same settings, and a setting the gateway
 * refuses is refused for them with the same ConfigError. Only the secrets they never use (upstream
 * passwords and tokens, the idempotency key) are not demanded. They read only `databaseUrl` and
 * `dataDir` themselves before, so a misspelt key or a bad `database` value went unnoticed and
 * their PostgreSQL connections ran on the default time limits.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandConfig } from '../../../src/auth/create-api-key.js';
import { loadConfig, type ConfigUse } from '../../../src/config.js';
import { ConfigError } from '../../../src/config-error.js';
import { databaseTimeouts } from '../../../src/db/timeouts.js';

const dir = mkdtempSync(join(tmpdir(), 'rgw-config-command-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PG = 'postgresql://gateway@db.internal:5432/registry';

/** Real registries of every kind, with no secret anywhere: no password, no token, no idempotency key. */
const NO_SECRETS = {
  databaseUrl: PG,
  dataDir: './var/gateway',
  database: { connectTimeoutMs: 2500, statementTimeoutMs: 7000 },
  registrars: [{ id: 'acme', name: 'Acme' }],
  backends: [
    { name: 'nomulus', kind: 'epp', host: 'epp.example', port: 700, tls: {}, accounts: { acme: { clientId: 'acme-1' } } },
    { name: 'ee', kind: 'repp', url: 'https://repp.example', accounts: { acme: { username: 'acme' } } },
    { name: 'joker', kind: 'joker', url: 'https://dmapi.example', accounts: { acme: { uid: 'acme' } } },
    { name: 'hd', kind: 'headless', url: 'https://hd.example', accounts: { acme: { channelId: 'acme' } } },
  ],
  routes: [{ suffix: 'app', backend: 'nomulus' }],
};

function write(settings: unknown): void {
  writeFileSync(join(dir, 'gateway.config.json'), JSON.stringify(settings));
}

/** The error `f` throws; fails the test when it returns. */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a refusal');
}

const refusal = (use: ConfigUse, env: NodeJS.ProcessEnv = {}) => thrown(() => loadConfig(env, dir, use));

describe('loadConfig for a command', () => {
  it('takes a file whose secrets are elsewhere, with the settings the gateway would run with; the gateway demands them', () => {
    write(NO_SECRETS);
    const config = loadConfig({}, dir, 'command');
    expect(config).toMatchObject({ databaseUrl: PG, dataDir: './var/gateway', registrars: [{ id: 'acme' }] });
    expect(databaseTimeouts(config)).toMatchObject({ connectTimeoutMs: 2500, statementTimeoutMs: 7000, queryTimeoutMs: 12_000 });
    expect(refusal('gateway')).toBeInstanceOf(ConfigError);
    expect(refusal('gateway', { IDEMPOTENCY_KEY_SECRET: 'k'.repeat(64) }).message).toBe('config: backend "nomulus" account "acme" has no password (set GATEWAY_NOMULUS_ACME_PASSWORD)');
  });

  it('the environment means the same as to the gateway: DATABASE_URL, DATA_DIR and DATABASE_*_MS over the file', () => {
    write(NO_SECRETS);
    const env = { DATABASE_URL: 'postgresql://other@127.0.0.1:5432/test', DATA_DIR: '/srv/gw', DATABASE_CONNECT_TIMEOUT_MS: '300' };
    const config = loadConfig(env, dir, 'command');
    expect(config).toMatchObject({ databaseUrl: env.DATABASE_URL, dataDir: '/srv/gw' });
    expect(databaseTimeouts(config).connectTimeoutMs).toBe(300);
  });

  it('refuses everything else exactly as the gateway does: keys, values, environment, bulk and idempotency settings', () => {
    const cases: Array<[unknown, NodeJS.ProcessEnv, string]> = [
      [{ ...NO_SECRETS, databse: {} }, {}, 'config: databse is not a setting (did you mean database?)'],
      [{ ...NO_SECRETS, database: { statementTimeoutMs: 7000, queryTimeoutMs: 7000 } }, {}, 'config: database.queryTimeoutMs (DATABASE_QUERY_TIMEOUT_MS) must be more than'],
      [{ ...NO_SECRETS, database: { conectTimeoutMs: 1 } }, {}, 'config: database.conectTimeoutMs is not a setting (did you mean database.connectTimeoutMs?)'],
      [NO_SECRETS, { DATABASE_STATEMENT_TIMEOUT_MS: '5s' }, 'config: DATABASE_STATEMENT_TIMEOUT_MS must be a whole number from 0 to 2147483647'],
      [{ ...NO_SECRETS, databaseUrl: 'db.internal:5432/registry' }, {}, 'config: databaseUrl (DATABASE_URL) must be a PostgreSQL URL'],
      [{ ...NO_SECRETS, bulk: { maxItems: 0 } }, {}, 'config: bulk.maxItems must be a whole number, 1 or more'],
      [{ ...NO_SECRETS, idempotency: { ttlHours: -1 } }, {}, 'config: idempotency.ttlHours must be a positive number'],
      // A date past JavaScript's last (ttlHours 3e9: every record's expiry an Invalid Date, every mutation failed) is refused.
      [{ ...NO_SECRETS, idempotency: { ttlHours: 3e9 } }, {}, 'config: idempotency.ttlHours must be at most 876000 hours'],
      [{ ...NO_SECRETS, idempotency: { awaitHours: 876_001 } }, {}, 'config: idempotency.awaitHours must be at most 876000 hours'],
      [{ ...NO_SECRETS, commandLog: { retentionDays: 0 } }, {}, 'config: commandLog.retentionDays must be a positive number of days'],
      [{ ...NO_SECRETS, commandLog: { retentionDays: 1e9 } }, {}, 'config: commandLog.retentionDays must be at most 36500 days'],
      [{ ...NO_SECRETS, commandLog: { retentionDay: 30 } }, {}, 'config: commandLog.retentionDay is not a setting (did you mean commandLog.retentionDays?)'],
      [{ ...NO_SECRETS, routes: [{ suffix: 'app', backend: 'nomulsu' }] }, {}, 'config: route "app" names unknown backend "nomulsu"'],
    ];
    for (const [file, env, message] of cases) {
      write(file);
      // The gateway's refusal, with every secret given, is the command's.
      const secrets = { IDEMPOTENCY_KEY_SECRET: 'k'.repeat(64), GATEWAY_NOMULUS_ACME_PASSWORD: 'pw-123456', GATEWAY_EE_ACME_PASSWORD: 'pw', GATEWAY_JOKER_ACME_PASSWORD: 'pw', GATEWAY_HD_ACME_TOKEN: 't' };
      const gateway = refusal('gateway', { ...secrets, ...env });
      const command = refusal('command', env);
      expect(gateway, message).toBeInstanceOf(ConfigError);
      expect(gateway.message.startsWith(message), gateway.message).toBe(true);
      expect(command).toEqual(gateway);
      expect((command as ConfigError).file).toBe(join(dir, 'gateway.config.json'));
    }
  });

  it('a secret given is still checked (a bad EPP password from the environment, a tokenless file is not read)', () => {
    write(NO_SECRETS);
    expect(refusal('command', { GATEWAY_NOMULUS_ACME_PASSWORD: 'x' }).message).toMatch(/^config: backend "nomulus" account "acme" password must be 6 to 16 characters/);
  });
});

describe('commandConfig: the command\'s --database-url and --data-dir over the configuration', () => {
  it('the options win over the environment and the file; a --database-url that is not PostgreSQL is refused naming the option, not its value', () => {
    write(NO_SECRETS);
    expect(commandConfig({ 'database-url': 'postgres://x@h/db' }, { DATABASE_URL: PG }, dir)).toMatchObject({ databaseUrl: 'postgres://x@h/db' });
    expect(commandConfig({ 'data-dir': '/d' }, {}, dir)).toMatchObject({ dataDir: '/d', databaseUrl: PG });
    const message = thrown(() => commandConfig({ 'database-url': 'notaurl-s3cret' }, {}, dir)).message;
    expect(message).toBe('config: --database-url must be a PostgreSQL URL: postgresql://user:password@host:5432/database');
  });
});
