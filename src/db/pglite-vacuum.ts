/**
 * Vacuuming for the embedded database, which otherwise has none.
 *
 * PGlite runs PostgreSQL as a single-user backend: there is no autovacuum launcher, so the dead
 * row versions that UPDATE and DELETE leave behind (a bulk item is updated when it is claimed and
 * again when its outcome is written) are never removed, and the planner's statistics are never
 * refreshed. The tables and their indexes grow for good and every scan walks the dead versions.
 * Measured in PGlite on a 2-core machine: 300 rounds of claiming 100 rows of a 30,000-row table and
 * settling them took 1.6 s, then 3.6 s and 3.1 s as 237,600 dead versions piled up, and 1.0 s after
 * one VACUUM (ANALYZE) of 60 ms. Each 10,000-item bulk job leaves some 20,000 dead item rows.
 *
 * So at most every `everyMs`, once no statement has run for `idleMs`, the gateway reads its tables'
 * cumulative statistics (one statement over pg_stat_user_tables, which the single-user backend
 * keeps) and, for each table past PostgreSQL's own autovacuum thresholds, does what autovacuum
 * would (PostgreSQL documentation, "Routine Vacuuming", "The Autovacuum Daemon"): VACUUM (ANALYZE)
 * when its dead rows exceed autovacuum_vacuum_threshold + autovacuum_vacuum_scale_factor x its
 * live rows, or the rows inserted since its last vacuum exceed autovacuum_vacuum_insert_threshold
 * + autovacuum_vacuum_insert_scale_factor x its live rows; ANALYZE alone when only the rows changed
 * since its last analyze exceed autovacuum_analyze_threshold + autovacuum_analyze_scale_factor x
 * its live rows (the settings as the database has them: 50 + 0.2 x, 1000 + 0.2 x and 50 + 0.1 x by
 * default). Only while the database is idle (no statement for `idleMs`): it serves one statement
 * at a time, so a VACUUM or ANALYZE holds up every other statement while it runs, unlike
 * PostgreSQL's autovacuum workers. Run at every such look during a 10,000-item bulkRenew, they
 * took 60-875 ms each (ANALYZE of the idempotency records the longest) and the job's ratio went
 * from 1.15-1.18 to 1.21-1.58.
 *
 * A gateway that is never idle (a bulk job running while a client asks for its progress every
 * 100 ms, as bench/bulk.mjs does) would keep its dead rows for good, and each job after the first
 * ran slower than the one before (10,000-item renewals back to back on a 2-core machine: ratios
 * 1.13, 1.18, 1.32). So while busy, at most every `busyEveryMs`, it runs the cheap half of
 * autovacuum's work: a plain VACUUM (no ANALYZE: sampling the rows took 30-170 ms a table) of each
 * table whose dead rows pass the vacuum threshold. A VACUUM reads only the pages changed since the
 * last one and each of the table's indexes; on the bulk items of six 10,000-item jobs it took
 * 11-23 ms, and the threshold grows with the table, so a larger one is vacuumed as much less often.
 */
import type { EmbeddedPGlite } from './pglite-thread.js';

/** How often keepVacuuming looks at the tables' statistics. */
export interface VacuumOptions {
  /** Between two looks (ms). Default 2000. */
  everyMs?: number;
  /**
   * A look reads nothing and runs nothing unless no statement has run for this long (ms). Default
   * 200: below the bulk runner's idle look (bulk.idleMs, 500 ms by default), which an otherwise
   * idle gateway runs, and above the gaps between a bulk job's own statements.
   */
  idleMs?: number;
  /**
   * While the database is busy, a plain VACUUM of the tables past the dead-row threshold at most
   * this often (ms; vacuumDead). Default 2000; 0: never while busy.
   */
  busyEveryMs?: number;
}

/** The tables past autovacuum's thresholds, each quoted as an identifier, with what they need. */
const DUE = `SELECT quote_ident(schemaname) || '.' || quote_ident(relname) AS "table",
    (n_dead_tup > current_setting('autovacuum_vacuum_threshold')::float8 + current_setting('autovacuum_vacuum_scale_factor')::float8 * n_live_tup
      OR n_ins_since_vacuum > current_setting('autovacuum_vacuum_insert_threshold')::float8 + current_setting('autovacuum_vacuum_insert_scale_factor')::float8 * n_live_tup) AS vacuum,
    n_mod_since_analyze > current_setting('autovacuum_analyze_threshold')::float8 + current_setting('autovacuum_analyze_scale_factor')::float8 * n_live_tup AS analyze
  FROM pg_stat_user_tables`;

/** The tables whose dead rows pass autovacuum's vacuum threshold (DUE's first condition), each quoted as an identifier. */
const DEAD = `SELECT quote_ident(schemaname) || '.' || quote_ident(relname) AS "table" FROM pg_stat_user_tables
  WHERE n_dead_tup > current_setting('autovacuum_vacuum_threshold')::float8 + current_setting('autovacuum_vacuum_scale_factor')::float8 * n_live_tup`;

/**
 * The busy look: a plain VACUUM (no ANALYZE) of each table whose dead rows pass the threshold (see
 * this file's header), one table at a time. Resolves with the statements run, in order.
 */
export async function vacuumDead(db: EmbeddedPGlite): Promise<string[]> {
  const { rows } = await db.query<{ table: string }>(DEAD);
  const ran: string[] = [];
  for (const r of rows) {
    const statement = `VACUUM ${r.table}`;
    await db.exec(statement);
    ran.push(statement);
  }
  return ran;
}

/**
 * Runs one look: VACUUM (ANALYZE) or ANALYZE on each table that needs it (see this file's header),
 * one table at a time. Resolves with the statements run, in order (the tests read them).
 */
export async function vacuumDue(db: EmbeddedPGlite): Promise<string[]> {
  const { rows } = await db.query<{ table: string; vacuum: boolean; analyze: boolean }>(DUE);
  const ran: string[] = [];
  for (const r of rows) {
    if (!r.vacuum && !r.analyze) continue;
    const statement = r.vacuum ? `VACUUM (ANALYZE) ${r.table}` : `ANALYZE ${r.table}`;
    await db.exec(statement);
    ran.push(statement);
  }
  return ran;
}

/**
 * vacuumDue when `db` has run no statement for `idleMs` (EmbeddedPGlite.idleMs); else null, with
 * nothing read or run.
 */
export function vacuumIfIdle(db: EmbeddedPGlite, idleMs: number): Promise<string[]> | null {
  return db.idleMs() >= idleMs ? vacuumDue(db) : null;
}

/**
 * Starts vacuuming `db` as described above, at most one look every `everyMs`, each once it has
 * been idle for `idleMs` (vacuumIfIdle), and while it is not idle a busy look (vacuumDead) at most
 * every `busyEveryMs`; stop() ends it (waiting for a look under way) and must be called before the
 * database is closed. A failed look (the database closing, a full disk) is not retried before the
 * next one: it only leaves the dead rows a while longer.
 */
export function keepVacuuming(db: EmbeddedPGlite, { everyMs = 2000, idleMs = 200, busyEveryMs = 2000 }: VacuumOptions = {}): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  let lookedAt = -Infinity;
  let busyLookedAt = performance.now();
  // Whether the database is idle is asked every `idleMs` (nothing is read for that), and a look
  // runs at most every `everyMs`: a look only every `everyMs` kept its phase against the other
  // timers (the checkpoints' look every 2 s, the bulk runner's every 500 ms) and could find a
  // statement just run at every one of them, for good.
  const timer = setInterval(() => {
    if (running || db.closed) return;
    const now = performance.now();
    let look: Promise<string[]> | null = null;
    if (now - lookedAt >= everyMs && (look = vacuumIfIdle(db, idleMs))) lookedAt = busyLookedAt = now;
    else if (busyEveryMs > 0 && now - busyLookedAt >= busyEveryMs && db.idleMs() < idleMs) {
      look = vacuumDead(db);
      busyLookedAt = now;
    }
    if (!look) return;
    running = look.catch(() => undefined).finally(() => (running = undefined));
  }, Math.max(10, Math.min(idleMs, everyMs, busyEveryMs || Infinity)));
  // Never what keeps the process alive.
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
