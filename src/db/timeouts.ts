/**
 * Time limits on the gateway's PostgreSQL connections, so that a database that stops answering
 * without refusing or closing anything (a network black hole, a host that froze) fails requests
 * within bounded time instead of holding them, and their pool connections, until the operating
 * system's TCP timeouts (some 15 minutes for data in flight, two hours for an idle connection).
 *
 * - connectTimeoutMs: pg's connectionTimeoutMillis, the time to open a connection (TCP, TLS,
 *   authentication); in a pg Pool also the longest wait for a free connection (pg-pool).
 * - statementTimeoutMs: PostgreSQL's statement_timeout, set for the session at connect: the server
 *   cancels a longer statement itself (SQLSTATE 57014) and the connection stays usable.
 * - queryTimeoutMs: pg's query_timeout, the client's own limit on waiting for a statement's answer
 *   ("Query read timeout"): what ends a statement the server never received or whose answer
 *   never comes. Above statementTimeoutMs, so that a statement the server does run ends with the
 *   server's clean cancel first. A connection whose statement timed out here is ended, not reused
 *   (TimeoutSafeClient).
 * - idleInTransactionSessionTimeoutMs: PostgreSQL's idle_in_transaction_session_timeout: the
 *   server ends a session left idle inside a transaction (SQLSTATE 25P03), such as one whose
 *   client vanished behind a black hole while holding locks (an idempotency key's advisory lock).
 * - keepAlive, keepAliveInitialDelayMs: TCP keep-alive probes on an idle connection (the LISTEN
 *   connection, idle pool connections), from this long after its last traffic.
 * 0 turns a limit off. Sources: node-postgres "Client" and "Pool" documentation (pg 8, pg-pool 3),
 * PostgreSQL docs "Client Connection Defaults". This module holds the settings (config `database`,
 * loaded without pg); src/db/timeout-client.ts applies them to pg's clients and pools.
 */
import type { DatabaseConfig } from '../config.types.js';
import { ConfigError } from '../config-error.js';
import { envInteger, MAX_TIMER_MS, timerMs } from '../config-settings.js';

/** The limits, all in milliseconds (0: none). */
export interface DatabaseTimeouts {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  queryTimeoutMs: number;
  idleInTransactionSessionTimeoutMs: number;
  keepAlive: boolean;
  keepAliveInitialDelayMs: number;
}

/** How much longer than statementTimeoutMs the client waits by default (queryTimeoutMs). */
export const QUERY_TIMEOUT_MARGIN_MS = 5000;

/** The defaults (config `database`, README "Configuration"). */
export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = {
  connectTimeoutMs: 10_000,
  statementTimeoutMs: 30_000,
  queryTimeoutMs: 30_000 + QUERY_TIMEOUT_MARGIN_MS,
  idleInTransactionSessionTimeoutMs: 60_000,
  keepAlive: true,
  keepAliveInitialDelayMs: 10_000,
};

/**
 * The limits `given` sets over the defaults. queryTimeoutMs, when not given, is statementTimeoutMs
 * plus QUERY_TIMEOUT_MARGIN_MS, at most MAX_TIMER_MS (it becomes pg's setTimeout), or the default
 * when statementTimeoutMs is 0. No checks: a config's values are checked by databaseTimeouts below.
 */
export function resolveDatabaseTimeouts(given: Partial<DatabaseTimeouts> = {}): DatabaseTimeouts {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<DatabaseTimeouts>;
  const t = { ...DEFAULT_DATABASE_TIMEOUTS, ...defined };
  if (defined.queryTimeoutMs === undefined && t.statementTimeoutMs > 0) t.queryTimeoutMs = Math.min(t.statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS, MAX_TIMER_MS);
  return t;
}

/** The config's millisecond limits, with the environment variable of each. */
const ENV: Record<Exclude<keyof DatabaseTimeouts, 'keepAlive'>, string | undefined> = {
  connectTimeoutMs: 'DATABASE_CONNECT_TIMEOUT_MS',
  statementTimeoutMs: 'DATABASE_STATEMENT_TIMEOUT_MS',
  queryTimeoutMs: 'DATABASE_QUERY_TIMEOUT_MS',
  idleInTransactionSessionTimeoutMs: 'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS',
  keepAliveInitialDelayMs: undefined,
};

/**
 * `given` (the config file's `database`) with the environment's DATABASE_*_MS variables over it
 * (digits only, 0 to MAX_TIMER_MS, or ConfigError naming the variable); undefined when neither
 * sets anything.
 */
export function databaseFromEnv(env: NodeJS.ProcessEnv, given: DatabaseConfig | undefined): DatabaseConfig | undefined {
  let out = given;
  for (const [key, name] of Object.entries(ENV)) {
    const v = name ? envInteger(env, name, 0, MAX_TIMER_MS) : undefined;
    if (v !== undefined) out = { ...out, [key]: v };
  }
  return out;
}

/**
 * The limits of a config's `database` section, defaults filled in (resolveDatabaseTimeouts).
 * Throws ConfigError naming the setting (and its variable): `database` not an object, a limit that
 * is not a whole number of milliseconds from 0 to MAX_TIMER_MS (timerMs: connectTimeoutMs and
 * queryTimeoutMs become pg's timers, statementTimeoutMs and idleInTransactionSessionTimeoutMs
 * PostgreSQL settings whose own limit is the same, keepAliveInitialDelayMs the sockets' keep-alive
 * delay), `keepAlive` not true or false, or a queryTimeoutMs not above statementTimeoutMs (both
 * on), which would cut statements off before the server cancels them cleanly and cost a
 * connection each time.
 */
export function databaseTimeouts(config: { database?: DatabaseConfig }): DatabaseTimeouts {
  const d = config.database;
  if (d === undefined) return resolveDatabaseTimeouts();
  if (d === null || typeof d !== 'object' || Array.isArray(d)) throw new ConfigError('config: database must be an object ({ "connectTimeoutMs": 10000, ... })');
  for (const [key, name] of Object.entries(ENV)) {
    const v = (d as Record<string, unknown>)[key];
    if (v !== undefined) timerMs(v, `database.${key}${name ? ` (${name})` : ''}`, { min: 0, lowest: '0 (no limit)' });
  }
  if (d.keepAlive !== undefined && typeof d.keepAlive !== 'boolean') throw new ConfigError('config: database.keepAlive must be true or false');
  const t = resolveDatabaseTimeouts(d);
  if (t.statementTimeoutMs > 0 && t.queryTimeoutMs > 0 && t.queryTimeoutMs <= t.statementTimeoutMs) {
    // Only a statementTimeoutMs of MAX_TIMER_MS leaves no room for the default (capped) queryTimeoutMs.
    const derived = d.queryTimeoutMs === undefined ? ` (not given, it is database.statementTimeoutMs + ${QUERY_TIMEOUT_MARGIN_MS}, at most ${MAX_TIMER_MS}: give a shorter statementTimeoutMs, or queryTimeoutMs 0)` : '';
    throw new ConfigError(`config: database.queryTimeoutMs (DATABASE_QUERY_TIMEOUT_MS) must be more than database.statementTimeoutMs (DATABASE_STATEMENT_TIMEOUT_MS), so that PostgreSQL cancels a long statement before the gateway gives up on its connection${derived}`);
  }
  return t;
}
