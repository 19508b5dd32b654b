/**
 * Raw statements for the gateway's hot batch writes (a bulk job's outcomes and idempotency
 * records, the command log's batches), sent on PostgreSQL straight through the pg Pool that
 * Prisma's adapter uses, instead of through Prisma's raw-query path. Measured on the development
 * machine with a 65-row JSON parameter: Prisma $executeRaw 1.7-2.2 ms of CPU per statement,
 * pg alone 0.4-0.6 ms; a 10,000-item bulk job sends about 300 such statements per 1,000 items.
 *
 * Only single statements outside any transaction belong here. The embedded PGlite (one
 * connection shared with Prisma's transactions) and any PrismaClient not opened by
 * src/db/client.ts go through Prisma's $executeRawUnsafe / $queryRawUnsafe with the same SQL
 * and parameters. Errors are the driver's own (pg's DatabaseError, or Prisma's), those of the pool
 * marked as the database's (fromDatabasePool, for isDatabaseUnavailable): callers here only log
 * them and try again.
 */
import type pg from 'pg';
import { fromDatabasePool } from './errors.js';
import type { PrismaClient } from './generated/client.js';

const pools = new WeakMap<PrismaClient, pg.Pool>();

/** Rethrows what the pool threw, marked as the database's (so that a socket error counts as it not answering: isDatabaseUnavailable). */
const rejectFromPool = (err: unknown): never => {
  throw fromDatabasePool(err);
};

/** Sends `prisma`'s raw hot writes through `pool` (the pool its PostgreSQL adapter uses). */
export function useRawPool(prisma: PrismaClient, pool: pg.Pool): void {
  pools.set(prisma, pool);
}

/** Whether `prisma`'s raw statements go straight through a pg Pool (PostgreSQL opened by src/db/client.ts), not through Prisma. */
export function hasRawPool(prisma: PrismaClient): boolean {
  return pools.has(prisma);
}

/** Runs one statement (`$1`.. placeholders); resolves with the rows it changed. */
export async function rawExecute(prisma: PrismaClient, sql: string, params: unknown[]): Promise<number> {
  const pool = pools.get(prisma);
  if (!pool) return prisma.$executeRawUnsafe(sql, ...params);
  return (await pool.query(sql, params).catch(rejectFromPool)).rowCount ?? 0;
}

/** Runs one statement that returns rows (`$1`.. placeholders). Columns come as the driver gives them: select text, not bigint. */
export async function rawQuery<T extends Record<string, unknown>>(prisma: PrismaClient, sql: string, params: unknown[]): Promise<T[]> {
  const pool = pools.get(prisma);
  if (!pool) return prisma.$queryRawUnsafe<T[]>(sql, ...params);
  return (await pool.query<T>(sql, params).catch(rejectFromPool)).rows;
}

/** One statement of a rawTransaction: its rows. */
export type RawQuery = <T extends Record<string, unknown>>(sql: string, params: unknown[]) => Promise<T[]>;

/**
 * Runs `work` in one transaction on a connection of `prisma`'s pool (PostgreSQL), committed when
 * it resolves and rolled back when it throws; resolves with undefined, running nothing, when
 * `prisma` has no pool (the embedded PGlite, or a client not opened by src/db/client.ts): the
 * caller then uses Prisma's $transaction. For a large write at submission (a bulk job's 10,000
 * items): Prisma's raw path writes a statement's parameters out as JSON and reads them back, which
 * for 1,000 items' rows cost more than the statement's own work in the gateway.
 */
export async function rawTransaction<T>(prisma: PrismaClient, work: (query: RawQuery) => Promise<T>): Promise<T | undefined> {
  const pool = pools.get(prisma);
  if (!pool) return undefined;
  const client = await pool.connect().catch(rejectFromPool);
  const query = (sql: string, params: unknown[] = []) => client.query(sql, params).catch(rejectFromPool);
  let broken: Error | undefined;
  // The server may end the session between two statements (idle_in_transaction_session_timeout's
  // 25P03 while `work` waits, a restart): pg reports it as an 'error' event on the client, which,
  // unheard while the pool has lent it out, ended the process. The next statement then fails.
  const onError = (e: Error) => (broken = e);
  client.on('error', onError);
  try {
    await query('BEGIN');
    const result = await work(async (sql, params) => (await query(sql, params)).rows);
    await query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => (broken = e)); // a connection that cannot roll back is not reused
    throw err;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}
