/**
 * One client key is one request, whether a single mutation's (idempotency_records) or a bulk
 * job's (bulk_jobs): two tables, so no unique index can say so. A single mutation's first record
 * (IdempotencyService) and a job (src/bulk/store.ts BulkStore.create) are each written under the
 * (registrar, key) lock taken here, after looking in the other table: of a single mutation and a
 * bulk submission sent at once with one key, the second to take the lock sees the first's row and
 * is IDEMPOTENCY_KEY_REUSED, with nothing sent or written.
 * - PostgreSQL (a client opened by src/db/client.ts, src/db/raw.ts): one transaction on a pool
 *   connection that first takes a transaction-scoped advisory lock on a hash of (registrar, key),
 *   released at commit or rollback; it holds across instances sharing the database. Each later
 *   statement of the transaction reads what was committed before the lock was granted.
 * - The embedded PGlite (one gateway process; its connection serialises Prisma's interactive
 *   transactions, and 100 of them at once on one key waited past Prisma's 2 s to start): an
 *   in-process lock per (registrar, key) instead, around the same look and write.
 */
import type { PrismaClient } from '../db/generated/client.js';
import { hasRawPool, rawTransaction, type RawQuery } from '../db/raw.js';

/** Namespace (first key) of the per-(registrar, key) advisory lock ("RGWK"); the poll order lock has its own. */
export const CLIENT_KEY_LOCK = 0x5247574b;

/** Takes the advisory lock, `$1` the registrar id, `$2` the key (hashed as `<length of $1>:$1$2`, so no two pairs give one text; two that hash alike only wait for each other). */
const LOCK_SQL = `SELECT pg_advisory_xact_lock(${CLIENT_KEY_LOCK}::int, hashtext(length($1) || ':' || $1 || $2))`;

/** Tails of the in-process locks, per client and (registrar, key). */
const local = new WeakMap<PrismaClient, Map<string, Promise<void>>>();

/**
 * Runs the look-and-write of a client key under its lock: `postgres` inside the locked
 * transaction (committed when it resolves, rolled back when it throws), or `embedded` under the
 * in-process lock. Resolves and throws as the work does.
 */
export async function underClientKeyLock<T>(
  prisma: PrismaClient,
  registrarId: string,
  key: string,
  work: { postgres(query: RawQuery): Promise<T>; embedded(): Promise<T> },
): Promise<T> {
  if (hasRawPool(prisma)) {
    return (await rawTransaction(prisma, async (query) => {
      await query(LOCK_SQL, [registrarId, key]);
      return work.postgres(query);
    })) as T;
  }
  let tails = local.get(prisma);
  if (!tails) local.set(prisma, (tails = new Map()));
  const id = `${registrarId.length}:${registrarId}${key}`;
  const before = tails.get(id) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const tail = before.then(() => mine);
  tails.set(id, tail);
  await before;
  try {
    return await work.embedded();
  } finally {
    release();
    if (tails.get(id) === tail) tails.delete(id);
  }
}
