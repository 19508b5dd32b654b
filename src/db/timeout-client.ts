/**
 * The time limits of src/db/timeouts.ts applied to pg's clients and pools: pgTimeoutSettings gives
 * a Client's or Pool's settings, TimeoutSafeClient ends a connection whose statement timed out.
 */
import { hostname } from 'node:os';
import pg from 'pg';
import { QUERY_READ_TIMEOUT } from './errors.js';
import type { DatabaseTimeouts } from './timeouts.js';

/** Which limits a connection gets: all of them, or only those a migration can live with (see pgTimeoutSettings). */
export type TimeoutUse = 'statements' | 'migration';

/** The connections' application_name: the gateway, its host and process id (PostgreSQL keeps 63 bytes of it). */
const APPLICATION_NAME = `registry-gateway ${hostname()}:${process.pid}`.slice(0, 63);

/**
 * The pg Client/Pool settings for `t`, with TimeoutSafeClient as the pool's client class.
 * `use` 'migration' (the schema engine applying migrations, and the session holding the migration
 * lock) leaves out the statement and query limits: a migration may rightly run longer (an index on
 * a large table), and one cut short is recorded as failed in `_prisma_migrations`, which stops
 * every later start (P3009) until an operator resolves it; waiting for another instance's
 * migration is right too. The connection, keep-alive and idle-in-transaction limits still apply.
 */
export function pgTimeoutSettings(t: DatabaseTimeouts, use: TimeoutUse = 'statements'): pg.PoolConfig {
  const settings: pg.PoolConfig = {
    Client: TimeoutSafeClient,
    // pg_stat_activity tells the instances apart (a DATABASE_URL's own application_name wins).
    application_name: APPLICATION_NAME,
    connectionTimeoutMillis: t.connectTimeoutMs,
    keepAlive: t.keepAlive,
    keepAliveInitialDelayMillis: t.keepAliveInitialDelayMs,
  };
  if (t.idleInTransactionSessionTimeoutMs > 0) settings.idle_in_transaction_session_timeout = t.idleInTransactionSessionTimeoutMs;
  if (use === 'statements') {
    if (t.statementTimeoutMs > 0) settings.statement_timeout = t.statementTimeoutMs;
    if (t.queryTimeoutMs > 0) settings.query_timeout = t.queryTimeoutMs;
  }
  return settings;
}

const isReadTimeout = (err: unknown) => err instanceof Error && err.message === QUERY_READ_TIMEOUT;

/**
 * A pg Client that ends its connection when a statement's answer did not come in time (query_timeout).
 * pg reports the timeout but keeps the connection: the statement may still be running, or be
 * stuck on the wire, and the next statement on it would queue behind it; a pool would hand it out
 * again as it is (Prisma's adapter releases a transaction's connection without an error). Ended
 * (ending marks it so), a pool discards it on release and opens a new one when needed.
 */
export class TimeoutSafeClient extends pg.Client {
  // Every form of pg's query (callback, promise, submittable) passes here.
  override query(...args: any[]): any {
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const callback = args[last] as (err: unknown, res: unknown) => void;
      args[last] = (err: unknown, res: unknown) => {
        if (isReadTimeout(err)) this.discard();
        callback(err, res);
      };
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    const out = (super.query as (...a: unknown[]) => unknown)(...args);
    if (out instanceof Promise) {
      return out.catch((err: unknown) => {
        if (isReadTimeout(err)) this.discard();
        throw err;
      });
    }
    return out;
  }

  private discard(): void {
    void this.end().catch(() => undefined);
  }
}
