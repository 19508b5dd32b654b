/**
 * The config's `database` section (PostgreSQL time limits, src/db/timeouts.ts) and its environment
 * variables: defaults, overrides, and refusals that name the setting and the variable.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/config-error.js';
import { databaseTimeouts } from '../../../src/db/timeouts.js';

const dir = mkdtempSync(join(tmpdir(), 'rgw-config-database-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function limits(file: Record<string, unknown>, env: Record<string, string> = {}) {
  writeFileSync(join(dir, 'gateway.config.json'), JSON.stringify(file));
  return databaseTimeouts(loadConfig(env, dir));
}

function refusal(file: Record<string, unknown>, env: Record<string, string> = {}): string {
  try {
    limits(file, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error(`taken: ${JSON.stringify(file)} ${JSON.stringify(env)}`);
}

describe('database time limits', () => {
  it('defaults: connect 10 s, statement 30 s, the client 5 s longer, idle in a transaction 60 s, keep-alive on', () => {
    expect(limits({})).toEqual({ connectTimeoutMs: 10_000, statementTimeoutMs: 30_000, queryTimeoutMs: 35_000, idleInTransactionSessionTimeoutMs: 60_000, keepAlive: true, keepAliveInitialDelayMs: 10_000 });
  });

  it('takes the file, the environment over it, and a client limit that follows the statement limit', () => {
    expect(limits({ database: { statementTimeoutMs: 60_000, keepAlive: false } })).toMatchObject({ statementTimeoutMs: 60_000, queryTimeoutMs: 65_000, keepAlive: false });
    expect(
      limits(
        { database: { connectTimeoutMs: 1, statementTimeoutMs: 2 } },
        { DATABASE_CONNECT_TIMEOUT_MS: '2500', DATABASE_STATEMENT_TIMEOUT_MS: '4000', DATABASE_QUERY_TIMEOUT_MS: '9000', DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '0' },
      ),
    ).toMatchObject({ connectTimeoutMs: 2500, statementTimeoutMs: 4000, queryTimeoutMs: 9000, idleInTransactionSessionTimeoutMs: 0 });
    expect(limits({}, { DATABASE_STATEMENT_TIMEOUT_MS: '0' })).toMatchObject({ statementTimeoutMs: 0, queryTimeoutMs: 35_000 });
  });

  it('refuses a limit that is not whole milliseconds, a client limit not above the statement limit, and a database that is not an object', () => {
    expect(refusal({ database: { connectTimeoutMs: '10s' } })).toBe('config: database.connectTimeoutMs (DATABASE_CONNECT_TIMEOUT_MS) must be a whole number of milliseconds, 0 (no limit) to 2147483647');
    expect(refusal({ database: { statementTimeoutMs: -1 } })).toMatch(/^config: database\.statementTimeoutMs \(DATABASE_STATEMENT_TIMEOUT_MS\) must be/);
    expect(refusal({ database: { keepAliveInitialDelayMs: 1.5 } })).toMatch(/^config: database\.keepAliveInitialDelayMs must be/);
    expect(refusal({ database: { keepAlive: 'yes' } })).toBe('config: database.keepAlive must be true or false');
    expect(refusal({ database: [] })).toMatch(/^config: database must be an object/);
    expect(refusal({}, { DATABASE_STATEMENT_TIMEOUT_MS: '30s' })).toBe('config: DATABASE_STATEMENT_TIMEOUT_MS must be a whole number from 0 to 2147483647');
    expect(refusal({ database: { queryTimeoutMs: 20_000 } })).toMatch(/^config: database\.queryTimeoutMs \(DATABASE_QUERY_TIMEOUT_MS\) must be more than database\.statementTimeoutMs/);
  });

  it("the client limit that follows the statement limit stays within Node's timer limit (2147483647 ms: it becomes pg's setTimeout)", () => {
    expect(limits({ database: { statementTimeoutMs: 2147483646 } })).toMatchObject({ statementTimeoutMs: 2147483646, queryTimeoutMs: 2147483647 });
    expect(limits({ database: { statementTimeoutMs: 2147483000 } })).toMatchObject({ queryTimeoutMs: 2147483647 });
    // At the limit itself there is no room for it: refused, saying where the client limit came from.
    expect(refusal({ database: { statementTimeoutMs: 2147483647 } })).toBe(
      'config: database.queryTimeoutMs (DATABASE_QUERY_TIMEOUT_MS) must be more than database.statementTimeoutMs (DATABASE_STATEMENT_TIMEOUT_MS), so that PostgreSQL cancels a long statement before the gateway gives up on its connection (not given, it is database.statementTimeoutMs + 5000, at most 2147483647: give a shorter statementTimeoutMs, or queryTimeoutMs 0)',
    );
    expect(limits({ database: { statementTimeoutMs: 2147483647, queryTimeoutMs: 0 } })).toMatchObject({ statementTimeoutMs: 2147483647, queryTimeoutMs: 0 });
  });
});
