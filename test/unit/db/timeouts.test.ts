/**
 * The PostgreSQL time limits (src/db/timeouts.ts, timeout-client.ts) on a real server: a statement
 * the server cancels (statement_timeout, 57014), a session the server ends for idling in a
 * transaction (25P03), and a statement whose answer the gateway stops waiting for (query_timeout)
 * count as the database not answering (SERVICE_UNAVAILABLE at the edge), through Prisma and the
 * raw pool; and a connection whose statement timed out on the gateway's side is not handed out
 * again. Each statement waits on an advisory lock the test holds, so nothing depends on timing.
 *
 * PostgreSQL only (TEST_DATABASE_URL): the embedded database runs in the gateway's process, with
 * no connection or session limits to apply.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/db/client.js';
import { isDatabaseUnavailable } from '../../../src/db/errors.js';
import { rawQuery, rawTransaction } from '../../../src/db/raw.js';
import type { DatabaseTimeouts } from '../../../src/db/timeouts.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';
import { caught } from '../../helpers/caught.js';

const PG = process.env.TEST_DATABASE_URL;
const LOCK = 0x44425430; // "DBT0"

describe.skipIf(!PG)('PostgreSQL time limits (skipped: set TEST_DATABASE_URL; the embedded database has no connections to limit)', () => {
  let db: TestDatabase;
  let admin: pg.Client;
  const opened: Database[] = [];
  const open = async (timeouts: Partial<DatabaseTimeouts>, poolSize = 2) => {
    const d = await openDatabase({ url: db.url!, migrate: false, poolSize, timeouts });
    opened.push(d);
    return d;
  };
  /** Whether PostgreSQL still has the backend `pid`. */
  const alive = async (pid: number) => ((await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount ?? 0) > 0;

  beforeAll(async () => {
    db = await freshDatabase();
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query('SELECT pg_advisory_lock($1)', [LOCK]); // what every waiting statement below waits for
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((d) => d.close()));
  });
  afterAll(async () => {
    await admin?.end();
    await db?.close();
  });

  it('a statement PostgreSQL cancels for statement_timeout (57014), through Prisma and the raw pool', async () => {
    const d = await open({ statementTimeoutMs: 200 });
    const wait = `SELECT pg_advisory_lock(${LOCK})::text AS x`;
    for (const err of [await caught(d.prisma.$queryRawUnsafe(wait)), await caught(rawQuery(d.prisma, wait, [])), await caught(d.prisma.$transaction((tx) => tx.$queryRawUnsafe(wait)))]) {
      expect(JSON.stringify(err) + String(err)).toContain('57014');
      expect(isDatabaseUnavailable(err), String(err)).toBe(true);
    }
    expect(await d.prisma.registrar.count()).toBe(0); // the connections are fine
  });

  it('a session PostgreSQL ends for idling in a transaction (25P03), through Prisma and the raw pool', async () => {
    const d = await open({ idleInTransactionSessionTimeoutMs: 100 });
    const pidOf = async (rows: Array<{ pid: number }>) => rows[0]!.pid;
    const gone = async (pid: number) => {
      while (await alive(pid)) await new Promise((r) => setTimeout(r, 50));
    };
    const viaPrisma = caught(
      d.prisma.$transaction(
        async (tx) => {
          await gone(await pidOf(await tx.$queryRawUnsafe<Array<{ pid: number }>>('SELECT pg_backend_pid() AS pid')));
          await tx.registrar.count();
        },
        { timeout: 60_000 },
      ),
    );
    // Raw: before this fix, the server's goodbye on the lent connection was an unheard 'error' event that ended the process.
    const viaRaw = caught(
      rawTransaction(d.prisma, async (q) => {
        await gone(await pidOf(await q<{ pid: number }>('SELECT pg_backend_pid() AS pid', [])));
        await q('SELECT 1', []);
      }),
    );
    for (const err of [await viaPrisma, await viaRaw]) expect(isDatabaseUnavailable(err), String(err)).toBe(true);
    expect(await d.prisma.registrar.count()).toBe(0);
  });

  it('a connection whose statement timed out on the gateway side (query_timeout) is not reused: the next statement gets a fresh one', async () => {
    // No statement_timeout: the server keeps waiting, as behind a black hole nothing comes back.
    const d = await open({ statementTimeoutMs: 0, queryTimeoutMs: 300 }, 1);
    // In an interactive transaction: Prisma's adapter hands that connection back to the pool without an error.
    const err = await caught(d.prisma.$transaction((tx) => tx.$queryRawUnsafe(`SELECT pg_advisory_lock(${LOCK})::text AS x`), { timeout: 60_000 }));
    expect(String(err)).toContain('Query read timeout');
    expect(isDatabaseUnavailable(err)).toBe(true);
    // The pool's only connection was still waiting on the lock: reused, this statement queued behind it and timed out too.
    expect(await d.prisma.registrar.count()).toBe(0);
    expect(await rawQuery(d.prisma, 'SELECT 1 AS one', [])).toEqual([{ one: 1 }]);
  });
});
