/**
 * A live owner keeps its lease while its instance's database pool is busy (PostgreSQL only: the
 * embedded database is one connection in one process). Seen in the two-process storm of
 * test/e2e/idempotency-concurrency.test.ts: 100 requests waiting on one key kept some 40
 * statements queued for each instance's pool of 10, the owner's renewal queued behind them for
 * longer than the lease, and the other instance declared the live owner dead and answered the key
 * from its reconciliation. Here every connection of the owner's pool is held by a statement
 * waiting on a lock the test holds, so the pool is certainly busy; the lease is measured in a
 * wall clock the test moves.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/client.js';
import { IdempotencyService, type StoredResult } from '../../../src/idempotency/service.js';
import { REGISTRAR as US, useIdempotencyFixture } from '../../helpers/idempotency.js';

const fx = useIdempotencyFixture();
const PG = process.env.TEST_DATABASE_URL;
const LOCK = 740_211; // advisory lock id the test holds while the owner's pool is busy

const answer = (name: string, client: string): StoredResult => ({ trid: { client, server: 'SV-1' }, code: 1000, message: 'Command completed successfully', name });

describe.skipIf(!PG)("owner lease with the owner's pool busy (skipped: set TEST_DATABASE_URL to run it)", () => {
  it("every connection of the owner's pool taken for three lease periods: the owner keeps the key, another instance's request waits and replays its answer", async () => {
    const name = 'busy-pool.tld';
    const r = { registrarId: US, key: 'busy-pool-key', operation: 'createDomain', args: { name, period: { value: 1, unit: 'y' }, authInfo: 'Secret-Pw-1' } };
    let wall = Date.now();
    const now = () => wall;
    // The owner's instance: a database client of its own with one pooled connection.
    const ownerDb = await openDatabase({ url: fx.db.url!, poolSize: 1, migrate: false });
    const holder = new pg.Client({ connectionString: fx.db.url! });
    await holder.connect();
    let busy: Promise<unknown> | undefined;
    try {
      const owner = new IdempotencyService(ownerDb.prisma, fx.clock, { pollMs: 10, leaseMs: 1_000, heartbeatMs: 20, now, fingerprints: fx.fingerprints });
      const other = fx.service({ leaseMs: 1_000, waitMs: 60_000, now });
      let sent = 0;
      let finish!: () => void;
      const first = owner.run(r, () => (sent++, new Promise<StoredResult>((res) => (finish = () => res(answer(name, 'GW-owner'))))));
      await expect.poll(() => fx.record(r.key)).toBeTruthy();

      // The pool's one connection runs a statement that waits for the lock the test holds.
      await holder.query('SELECT pg_advisory_lock($1)', [LOCK]);
      busy = ownerDb.prisma.$queryRawUnsafe('SELECT pg_advisory_lock($1)', LOCK).catch(() => undefined);
      const waitingForLock = async () => (await holder.query<{ n: string }>(`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)).rows[0]!.n;
      await expect.poll(waitingForLock).toBe('1');

      // Three lease periods pass in steps shorter than one; after each the owner has renewed (the
      // poll only waits for the renewal: without one the record keeps its old stamp for good).
      for (let step = 0; step < 6; step++) {
        wall += 500;
        const due = wall;
        await expect.poll(async () => (await fx.record(r.key))!.updatedAt.getTime() >= due, { timeout: 20_000 }).toBe(true);
      }

      // Another instance's request with the key waits for the live owner instead of taking over.
      const second = other.run(r, async () => (sent++, answer(name, 'GW-other')));
      finish();
      expect(await first).toEqual({ result: answer(name, 'GW-owner'), replayed: false });
      expect(await second).toEqual({ result: answer(name, 'GW-owner'), replayed: true });
      expect(sent).toBe(1);
      expect(await fx.record(r.key)).toMatchObject({ state: 'SUCCEEDED', clientTrid: 'GW-owner' });
    } finally {
      await holder.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      await busy;
      await holder.end();
      await ownerDb.close();
    }
  }, 180_000);
});
