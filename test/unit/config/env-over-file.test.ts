/**
 * A value of the config file is validated as the file's own, even when an environment variable
 * overrides it. A fresh-user trial found `"port": "abc"` (or an empty `host`, a bad limit, a bad
 * backend password) taken without a word whenever PORT (HOST, ...) was set: the file stayed wrong,
 * and was used as soon as the variable was gone. Now the start is refused with the ConfigError of
 * the setting, which adds that the value is the file's and which variable overrides it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeConfigError, loadConfig, type ConfigUse } from '../../../src/config.js';
import { ConfigError } from '../../../src/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'rgw-config-env-over-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FILE = join(dir, 'gateway.config.json');

/** A config file for a real registry, valid as it is. */
const VALID = {
  port: 4000,
  registrars: [{ id: 'acme', name: 'Acme' }],
  backends: [{ name: 'real-epp', kind: 'epp', host: 'epp.example', port: 700, tls: {}, accounts: { acme: { clientId: 'acme-1', password: 'in-file-Pw1' } } }],
  routes: [{ suffix: 'example', backend: 'real-epp' }],
};

function load(file: Record<string, unknown>, env: Record<string, string>, use: ConfigUse = 'gateway') {
  writeFileSync(FILE, JSON.stringify(file));
  return loadConfig(env, dir, use);
}

function refusal(file: Record<string, unknown>, env: Record<string, string>, use: ConfigUse = 'gateway'): ConfigError {
  try {
    load(file, env, use);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).file).toBe(FILE);
    return err as ConfigError;
  }
  throw new Error(`the config was taken: ${JSON.stringify(file)} with ${JSON.stringify(env)}`);
}

const overridden = (variable: string) => ` (this is the config file's value: the environment variable ${variable} overrides it, but every value in the file must be valid too; correct it or remove it from the file)`;

describe('a config file value an environment variable overrides', () => {
  const cases: Array<[string, Record<string, unknown>, Record<string, string>, string]> = [
    ['port', { port: 'abc' }, { PORT: '4000' }, `config: port (PORT) must be a whole number from 0 to 65535${overridden('PORT')}`],
    ['host', { host: '' }, { HOST: '127.0.0.1' }, `config: host (HOST) must be an interface address or host name, such as "127.0.0.1" or "0.0.0.0"${overridden('HOST')}`],
    ['host (not a string)', { host: 4000 }, { HOST: '0.0.0.0' }, `config: host (HOST) must be an interface address or host name, such as "127.0.0.1" or "0.0.0.0"${overridden('HOST')}`],
    ['a numeric limit', { limits: { requestTimeoutMs: 0 } }, { HTTP_REQUEST_TIMEOUT_MS: '30000' }, `config: limits.requestTimeoutMs (HTTP_REQUEST_TIMEOUT_MS) must be a whole number of milliseconds, 1 to 2147483647${overridden('HTTP_REQUEST_TIMEOUT_MS')}`],
    ['a bulk number', { bulk: { concurrency: 'many' } }, { BULK_CONCURRENCY: '4' }, `config: bulk.concurrency must be a whole number, 1 or more${overridden('BULK_CONCURRENCY')}`],
    ['the poll interval', { poll: { intervalMs: -5 } }, { POLL_INTERVAL_MS: '2000' }, `config: poll.intervalMs (POLL_INTERVAL_MS) must be a whole number of milliseconds, 1 to 2147483647${overridden('POLL_INTERVAL_MS')}`],
    [
      "a backend account's password (too short for RFC 5730's pwType)",
      { backends: [{ ...VALID.backends[0], accounts: { acme: { clientId: 'acme-1', password: 'abc' } } }] },
      { GATEWAY_REAL_EPP_ACME_PASSWORD: 'from-env-Pw1' },
      `config: backend "real-epp" account "acme" password must be 6 to 16 characters with no leading, trailing or double spaces, tabs or line breaks (RFC 5730 pwType; a registry refuses any other login with 2001), set in the config file or GATEWAY_REAL_EPP_ACME_PASSWORD${overridden('GATEWAY_REAL_EPP_ACME_PASSWORD')}`,
    ],
    ['the database URL', { databaseUrl: 'notaurl' }, { DATABASE_URL: 'postgresql://gw:secret-pw@db:5432/registry', IDEMPOTENCY_KEY_SECRET: 'k'.repeat(64) }, `config: databaseUrl (DATABASE_URL) must be a PostgreSQL URL: postgresql://user:password@host:5432/database${overridden('DATABASE_URL')}`],
  ];

  it.each(cases)('%s: refused, naming the file key and the variable that overrides it', (_name, settings, env, message) => {
    // Taken with the variable alone: the variable is valid, the file is not.
    const err = refusal({ ...VALID, ...settings }, env);
    expect(err.message).toBe(message);
    // Printed as every ConfigError is (src/main.ts, the operator commands): the message, then the file.
    expect(describeConfigError(err, env, dir)).toBe(`${message}\n  (config file ${FILE}; README "Configuration")`);
    // Never a variable's value (DATABASE_URL's holds a password): the exact message above has none.
    expect(err.message).not.toContain('secret-pw');
  });

  it('the operator commands (key:create, db:migrate) refuse it the same way', () => {
    expect(refusal({ ...VALID, port: 'abc' }, { PORT: '4000' }, 'command').message).toBe(`config: port (PORT) must be a whole number from 0 to 65535${overridden('PORT')}`);
  });

  it('a file inconsistent on its own is refused even when a variable makes it consistent (poll.leaseMs under 3 x poll.intervalMs)', () => {
    const err = refusal({ ...VALID, poll: { intervalMs: 5000, leaseMs: 10_000 } }, { POLL_INTERVAL_MS: '1000' });
    expect(err.message).toBe(`config: poll.leaseMs must be at least 3 x poll.intervalMs${overridden('POLL_INTERVAL_MS')}`);
  });

  it('a bad file value no variable touches is refused as before, without the note', () => {
    expect(refusal({ ...VALID, port: 'abc' }, { HOST: '127.0.0.1', LOG_LEVEL: 'warn' }).message).toBe('config: port (PORT) must be a whole number from 0 to 65535');
  });

  it('a bad variable is still named as the variable, and printed without the config file, which it did not come from (an operator\'s trial: PORT=abc pointed at the file)', () => {
    const env = { PORT: 'xyz' };
    const err = refusal({ ...VALID, port: 'abc' }, env);
    expect(err.message).toBe('config: PORT must be a whole number from 0 to 65535');
    expect(describeConfigError(err, env, dir)).toBe('config: PORT must be a whole number from 0 to 65535');
    for (const [variable, value] of [['BULK_ENABLED', 'yes'], ['DATABASE_URL', 'notaurl'], ['REDIS_URL', 'user:RedisPW9@127.0.0.1:6379']] as const) {
      const e = { [variable]: value, IDEMPOTENCY_KEY_SECRET: 'k'.repeat(64) };
      const bad = refusal(VALID, e);
      expect(describeConfigError(bad, e, dir)).toMatch(new RegExp(`^config: [^\\n]*\\b${variable}\\b[^\\n]*$`)); // one line, naming the variable
      expect(describeConfigError(bad, e, dir)).not.toContain('RedisPW9');
    }
  });

  it('a valid file with valid overrides: the variables win, as before', () => {
    const cfg = load(
      { ...VALID, host: '10.0.0.5', limits: { requestTimeoutMs: 20_000 }, bulk: { concurrency: 2 } },
      { PORT: '4001', HOST: '127.0.0.1', HTTP_REQUEST_TIMEOUT_MS: '30000', BULK_CONCURRENCY: '4', GATEWAY_REAL_EPP_ACME_PASSWORD: 'from-env-Pw1' },
    );
    expect([cfg.port, cfg.host, cfg.limits.requestTimeoutMs, cfg.bulk?.concurrency]).toEqual([4001, '127.0.0.1', 30_000, 4]);
    expect((cfg.backends[0]!.accounts as Record<string, { password: string }>).acme!.password).toBe('from-env-Pw1');
  });

  it('a password left out of the file for the environment to give is not a bad file value', () => {
    const cfg = load({ ...VALID, backends: [{ ...VALID.backends[0], accounts: { acme: { clientId: 'acme-1', password: '' } } }] }, { GATEWAY_REAL_EPP_ACME_PASSWORD: 'from-env-Pw1' });
    expect((cfg.backends[0]!.accounts as Record<string, { password: string }>).acme!.password).toBe('from-env-Pw1');
  });
});
