/**
 * Vacuuming of the embedded database (src/db/pglite-vacuum.ts): PGlite's single-user PostgreSQL
 * has no autovacuum, so the gateway removes dead rows and refreshes statistics itself, table by
 * table, past PostgreSQL's own autovacuum thresholds, while the database is idle; while it is
 * busy, a plain VACUUM of the tables whose dead rows pass the threshold. PGlite runs only.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keepVacuuming, vacuumDead, vacuumDue, vacuumIfIdle } from '../../../src/db/pglite-vacuum.js';
import { createPGliteThread, type EmbeddedPGlite } from '../../../src/db/pglite-thread.js';

const ctx = inject('testDb');

describe.skipIf(ctx.kind !== 'pglite')('vacuuming of the embedded database', () => {
  let db: EmbeddedPGlite;
  beforeAll(async () => {
    db = await createPGliteThread('memory://');
  }, 60_000);
  afterAll(() => db?.close());

  const stats = async (table: string) =>
    (await db.query<{ dead: number; vacuums: number; analyzes: number }>(`SELECT n_dead_tup::float8 AS dead, vacuum_count::float8 AS vacuums, analyze_count::float8 AS analyzes FROM pg_stat_user_tables WHERE relname = $1`, [table])).rows[0]!;
  /** vacuumDue until it runs something (the statistics reach the view within about a second of the changes), within the test's timeout. */
  const nextRun = async () => {
    for (;;) {
      const ran = await vacuumDue(db);
      if (ran.length > 0) return ran;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('vacuums and analyzes a table whose dead rows pass the threshold, and nothing else', { timeout: 60_000 }, async () => {
    await db.exec('CREATE TABLE items (id serial PRIMARY KEY, state text)');
    await db.exec("INSERT INTO items (state) SELECT 'PENDING' FROM generate_series(1, 2000)");
    expect(await nextRun()).toEqual(['VACUUM (ANALYZE) public.items']); // 2,000 rows inserted: past 1,000 + 0.2 x 0
    // 100 dead rows and 100 changed: under 50 + 0.2 x 2,000 (vacuum) and 50 + 0.1 x 2,000 (analyze).
    await db.exec("UPDATE items SET state = 'RUNNING' WHERE id <= 100");
    while ((await stats('items')).dead < 100) await new Promise((r) => setTimeout(r, 100)); // the statistics reach the view
    expect(await vacuumDue(db)).toEqual([]);
    // Every row updated twice (a claim, then its outcome): 4,000 dead rows, past 450.
    await db.exec("UPDATE items SET state = 'RUNNING'");
    await db.exec("UPDATE items SET state = 'SUCCEEDED'");
    const before = await stats('items');
    expect(await nextRun()).toEqual(['VACUUM (ANALYZE) public.items']);
    const after = await stats('items');
    expect(after.dead).toBe(0);
    expect(after.vacuums).toBe(before.vacuums + 1);
    expect(after.analyzes).toBe(before.analyzes + 1);
  });

  it('analyzes alone a table whose changes pass the analyze threshold but not the vacuum ones', { timeout: 60_000 }, async () => {
    await db.exec('CREATE TABLE jobs (id serial PRIMARY KEY, note text)');
    await db.exec("INSERT INTO jobs (note) SELECT 'x' FROM generate_series(1, 300)"); // 300 > 50, < 1,000
    expect(await nextRun()).toEqual(['ANALYZE public.jobs']);
  });

  it('waits for an interactive transaction under way instead of failing inside it', { timeout: 60_000 }, async () => {
    await db.exec('CREATE TABLE held (id serial PRIMARY KEY, n int)');
    await db.exec('INSERT INTO held (n) SELECT g FROM generate_series(1, 1500) g');
    let inside = true;
    let entered!: () => void;
    const begun = new Promise<void>((r) => (entered = r));
    const tx = db.transaction(async (t) => {
      await t.query('UPDATE held SET n = n + 1');
      entered();
      await new Promise((r) => setTimeout(r, 300)); // held open meanwhile
      inside = false;
    });
    await begun;
    const ran = await nextRun();
    expect(inside).toBe(false); // it ran after the transaction, not in it (VACUUM cannot run in a transaction block)
    await tx;
    expect(ran).toContain('VACUUM (ANALYZE) public.held');
  });

  it('looks only while no statement is under way', { timeout: 60_000 }, async () => {
    await db.exec('CREATE TABLE busy (id serial PRIMARY KEY, n int)');
    await db.exec('INSERT INTO busy (n) SELECT g FROM generate_series(1, 2000) g');
    const statement = db.query('SELECT pg_sleep(0.3)');
    while (db.idleMs() > 0) await new Promise((r) => setImmediate(r)); // sent to the database's thread
    expect(vacuumIfIdle(db, 1)).toBeNull(); // nothing read, nothing run
    await statement;
    while (db.idleMs() < 20) await new Promise((r) => setTimeout(r, 10));
    for (;;) {
      const ran = await vacuumIfIdle(db, 20);
      if (ran?.includes('VACUUM (ANALYZE) public.busy')) break;
      await new Promise((r) => setTimeout(r, 100)); // the statistics reach the view
    }
  });

  it('while busy, vacuums the tables past the dead-row threshold only, without analyzing them', { timeout: 60_000 }, async () => {
    await db.exec('CREATE TABLE claimed (id serial PRIMARY KEY, state text)');
    await db.exec("INSERT INTO claimed (state) SELECT 'PENDING' FROM generate_series(1, 2000)");
    await db.exec('CREATE TABLE appended (id serial PRIMARY KEY, n int)');
    await db.exec('INSERT INTO appended (n) SELECT g FROM generate_series(1, 3000) g'); // inserted only: no dead row
    await db.exec("UPDATE claimed SET state = 'RUNNING'");
    await db.exec("UPDATE claimed SET state = 'SUCCEEDED'"); // 4,000 dead rows, past 50 + 0.2 x 2,000
    while ((await stats('claimed')).dead < 4000) await new Promise((r) => setTimeout(r, 100)); // the statistics reach the view
    const before = await stats('claimed');
    const ran = await vacuumDead(db);
    expect(ran).toContain('VACUUM public.claimed');
    expect(ran).not.toContain('VACUUM public.appended');
    const after = await stats('claimed');
    expect(after.dead).toBe(0);
    expect(after.analyzes).toBe(before.analyzes);
    expect(await vacuumDead(db)).not.toContain('VACUUM public.claimed'); // nothing dead left
  });

  it('vacuums dead rows on its timer while statements keep the database busy', { timeout: 60_000 }, async () => {
    await db.exec('CREATE TABLE churned (id serial PRIMARY KEY, n int)');
    await db.exec('INSERT INTO churned (n) SELECT g FROM generate_series(1, 1000) g');
    await db.exec('UPDATE churned SET n = n + 1');
    await db.exec('UPDATE churned SET n = n + 1'); // 2,000 dead rows
    while ((await stats('churned')).dead < 2000) await new Promise((r) => setTimeout(r, 100));
    const before = await stats('churned');
    // Never idle for the 60 s asked: a statement every few milliseconds, as a busy gateway's.
    let busy = true;
    const load = (async () => {
      while (busy) await db.query('SELECT 1');
    })();
    const vacuums = keepVacuuming(db, { everyMs: 50, idleMs: 60_000, busyEveryMs: 50 });
    try {
      while ((await stats('churned')).vacuums === before.vacuums) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await vacuums.stop();
      busy = false;
      await load;
    }
    const after = await stats('churned');
    expect(after.dead).toBe(0);
    expect(after.analyzes).toBe(before.analyzes); // the idle look's ANALYZE never ran: never idle
  });

  it('vacuums on its timer', { timeout: 60_000 }, async () => {
    await db.exec('CREATE TABLE timed (id serial PRIMARY KEY, n int)');
    await db.exec('INSERT INTO timed (n) SELECT g FROM generate_series(1, 2000) g'); // past 1,000 + 0.2 x 2,000 inserted
    const vacuums = keepVacuuming(db, { everyMs: 50, idleMs: 0 });
    try {
      while ((await stats('timed')).vacuums === 0) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await vacuums.stop();
    }
    expect((await stats('timed')).vacuums).toBe(1);
  });
});
