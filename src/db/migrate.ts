/**
 * Applies the committed `prisma/migrations` folder at start-up, as `prisma migrate deploy` does,
 * with Prisma's WebAssembly schema engine (no binary download): same `_prisma_migrations` table,
 * same checksums, same refusal to continue past a failed migration (P3009).
 *
 * Idempotent: already-applied migrations are skipped. On PostgreSQL a session-level advisory
 * lock serialises concurrent starts of several gateway instances; the one that waits finds
 * everything applied. PGlite is one process's private database, so an in-process queue suffices.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import pg from 'pg';
import { runInWorker } from '../worker.js';
import { fixAdapterFactory, startSchemaEngine, type EngineFactory } from './schema-engine.js';
import { pgTimeoutSettings } from './timeout-client.js';
import { resolveDatabaseTimeouts, type DatabaseTimeouts } from './timeouts.js';

/** Key of the advisory lock held while migrating ("RGWM"). */
export const MIGRATION_LOCK_KEY = 0x5247574d;

/** Options of the start-up migration (as `prisma migrate deploy`, under the MIGRATION_LOCK_KEY advisory lock on PostgreSQL). */
export interface MigrateOptions {
  /** Defaults to the `prisma/migrations` folder of this package. */
  migrationsDir?: string;
  log?: (line: string) => void;
  /**
   * Time limits of the connections (src/db/timeouts.ts; default DEFAULT_DATABASE_TIMEOUTS): all of
   * them for the look at `_prisma_migrations`; the lock's session and the schema engine's get the
   * connect, keep-alive and idle-in-transaction limits only (pgTimeoutSettings, 'migration').
   */
  timeouts?: Partial<DatabaseTimeouts>;
}

/** What a migration run did; `durationMs` its wall time in ms. */
export interface MigrateResult {
  /** Names of the migrations this call applied (empty when the database was up to date). */
  applied: string[];
  durationMs: number;
  /**
   * Whether the schema engine ran. It does not when `_prisma_migrations` already records every
   * migration of the folder as applied, with its checksum, and none as failed: the usual start of
   * an instance on a shared, migrated database costs one query instead of the engine's
   * WebAssembly (tens of MiB that stay resident once loaded).
   */
  engine: boolean;
}

type Rows = (sql: string) => Promise<Array<Record<string, unknown>>>;

/**
 * True when every migration in the list is recorded as finished, not rolled back, with the
 * checksum `prisma migrate` gives it (SHA-256 of migration.sql), and no migration is recorded as
 * failed (the engine then refuses to go on, P3009, and should say so). Migrations recorded but
 * not in the folder (a newer instance migrated first) do not matter, as with migrate deploy.
 */
export async function isUpToDate(rows: Rows, list: MigrationList): Promise<boolean> {
  const [table] = await rows(`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present`);
  if (!table?.present) return false;
  const recorded = await rows('SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back FROM _prisma_migrations');
  if (recorded.some((r) => !r.finished && !r.rolled_back)) return false;
  return list.migrationDirectories.every((d) => {
    if (d.migrationFile.content.tag !== 'ok') return false;
    const checksum = createHash('sha256').update(d.migrationFile.content.value).digest('hex');
    return recorded.some((r) => r.migration_name === d.path && r.finished && !r.rolled_back && r.checksum === checksum);
  });
}

async function postgresUpToDate(url: string, list: MigrationList, timeouts: DatabaseTimeouts, pool?: pg.Pool): Promise<boolean> {
  let client: pg.ClientBase;
  let done: () => Promise<void>;
  if (pool) {
    const c = await pool.connect();
    [client, done] = [c, async () => c.release()];
  } else {
    const c = new pg.Client({ ...pgTimeoutSettings(timeouts), connectionString: url });
    await c.connect();
    [client, done] = [c, () => c.end().catch(() => undefined)];
  }
  try {
    return await isUpToDate(async (sql) => (await client.query(sql)).rows, list);
  } finally {
    await done();
  }
}

/** Finds `prisma/migrations` walking up from this module (works from src/ and from dist/). */
export function findMigrationsDir(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'prisma', 'migrations');
    if (existsSync(path.join(candidate, 'migration_lock.toml'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`prisma/migrations not found above ${from}`);
  }
}

/** Reads the migrations folder into the engine's MigrationList shape (directories sorted by name). */
export async function readMigrations(dir = findMigrationsDir()): Promise<MigrationList> {
  const baseDir = path.resolve(dir);
  const entries = await readdir(baseDir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const migrationDirectories = await Promise.all(
    names.map(async (name) => {
      const file = path.join(baseDir, name, 'migration.sql');
      const content = await readFile(file, 'utf8').then(
        (value) => ({ tag: 'ok' as const, value }),
        (e: Error) => ({ tag: 'error' as const, value: e.message }),
      );
      return { path: name, migrationFile: { path: 'migration.sql', content } };
    }),
  );
  const lockPath = path.join(baseDir, 'migration_lock.toml');
  const lockContent = await readFile(lockPath, 'utf8').catch(() => null);
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

async function applyWith(factory: EngineFactory, opts: MigrateOptions, started = Date.now()): Promise<MigrateResult> {
  const migrationsList = await readMigrations(opts.migrationsDir);
  try {
    const engine = await startSchemaEngine(factory, [], opts.log);
    try {
      const out = await engine.applyMigrations({
        migrationsList,
        filters: { externalTables: [], externalEnums: [] },
      });
      return { applied: out.appliedMigrationNames, durationMs: Date.now() - started, engine: true };
    } finally {
      engine.free();
    }
  } finally {
    await factory.dispose();
  }
}

/** Applies pending migrations to the PostgreSQL database at `url`, under an advisory lock. */
export async function migratePostgres(url: string, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const started = Date.now();
  const timeouts = resolveDatabaseTimeouts(opts.timeouts);
  if (await postgresUpToDate(url, await readMigrations(opts.migrationsDir), timeouts)) return { applied: [], durationMs: Date.now() - started, engine: false };
  const limits = pgTimeoutSettings(timeouts, 'migration');
  const lock = new pg.Client({ ...limits, connectionString: url });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const factory = fixAdapterFactory(new PrismaPg({ ...limits, connectionString: url, max: 2 }));
    return await applyWith(factory, opts, started);
  } finally {
    // Ending the session releases the lock even if the unlock fails.
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end().catch(() => undefined);
  }
}

/**
 * The module the migration worker imports for migratePostgres: `./migrate.js` beside this code.
 * In the compiled tree (dist/src/db) that is this module itself; in the bundle (scripts/bundle.mjs)
 * this code sits in a chunk whose exports are renamed (and which may import main.js), and
 * `migrate.js` beside it is this module bundled as a worker entry of its own, exports kept.
 */
const WORKER_MODULE = new URL('./migrate.js', import.meta.url).href;

/**
 * migratePostgres in a worker thread, so the schema engine (a WebAssembly module of some 25 MiB
 * that cannot be unloaded) never stays in the gateway's memory. Needs this module as compiled
 * JavaScript (tsc's, Oxc's, or the bundle's); from TypeScript sources (tests) it migrates in process.
 * `pool`: where the check whether anything is pending runs (a connection of the caller's pool,
 * given back after: src/db/client.ts opens it while Prisma's client loads); else a connection of
 * its own, closed after.
 */
export async function migratePostgresIsolated(url: string, given?: Partial<DatabaseTimeouts>, pool?: pg.Pool): Promise<MigrateResult> {
  const started = Date.now();
  const timeouts = resolveDatabaseTimeouts(given);
  if (!import.meta.url.endsWith('.js')) return migratePostgres(url, { timeouts });
  if (await postgresUpToDate(url, await readMigrations(), timeouts, pool)) return { applied: [], durationMs: Date.now() - started, engine: false };
  return runInWorker<MigrateResult>('import(workerData.module).then((m) => m.migratePostgres(workerData.url, { timeouts: workerData.timeouts }))', { module: WORKER_MODULE, url, timeouts }, 'migration');
}

type MigratablePGlite = Pick<PGlite, 'query' | 'exec' | 'transaction'>;

const pgliteQueues = new WeakMap<MigratablePGlite, Promise<unknown>>();

/** Applies pending migrations to an open PGlite database (one migration run at a time per instance). */
export function migratePGlite(db: MigratablePGlite, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const previous = pgliteQueues.get(db) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      const started = Date.now();
      const list = await readMigrations(opts.migrationsDir);
      if (await isUpToDate(async (sql) => (await db.query<Record<string, unknown>>(sql)).rows, list)) return { applied: [], durationMs: Date.now() - started, engine: false };
      const { PrismaPGlite } = await import('pglite-prisma-adapter');
      return applyWith(fixAdapterFactory(new PrismaPGlite(db as PGlite)), opts, started);
    });
  pgliteQueues.set(db, run);
  return run;
}
