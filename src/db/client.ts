/**
 * Opens the gateway's database and applies pending migrations before handing out the client.
 *
 * - `url` given: PostgreSQL through @prisma/adapter-pg over a pg Pool (the production setup;
 *   several gateway instances may share the database).
 * - no `url`: an embedded PGlite (PostgreSQL compiled to WebAssembly) persisted under `dataDir`,
 *   used in-process through pglite-prisma-adapter, its PostgreSQL running in a worker thread
 *   (pglite-thread.ts): PGlite's JavaScript API stays in the gateway's thread, the WebAssembly
 *   and its file writes run on another core. We chose this over serving PGlite with
 *   pglite-socket and reaching it with adapter-pg: no port or socket file to manage, no second
 *   protocol hop, and PGlite's own locks (kept in the gateway's thread) already serialise
 *   statements and hold interactive transactions exclusively (queries from outside a transaction
 *   wait until it ends). The directory belongs to one process at a time (see pglite-lock.ts),
 *   which is what the embedded default is for: one gateway process with zero setup. `dataDir`
 *   may be "memory://".
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import v8 from 'node:v8';
import type { PGlite } from '@electric-sql/pglite';
import type { PrismaClient } from './generated/client.js';
import type { Listen } from './listen.js';
import type { MigrateResult } from './migrate.js';
import { keepCheckpointing } from './pglite-checkpoint.js';
import { keepVacuuming } from './pglite-vacuum.js';
import { lockDataDir } from './pglite-lock.js';
import { makePrivate, ownerOnlyUmask, privateDir, PRIVATE_DIR_MODE } from './private-files.js';
import { createPGliteThread, type EmbeddedMemory, type EmbeddedPGlite } from './pglite-thread.js';
import { resolveDatabaseTimeouts, type DatabaseTimeouts } from './timeouts.js';
import { useRawPool } from './raw.js';
import { runInWorker } from '../worker.js';

export { isUniqueViolation, uniqueViolation } from './errors.js';

/**
 * What an opened database needs besides its driver, loaded by the opening itself: importing this
 * module costs nothing more than PGlite's thread's own, so src/main.ts can start the embedded
 * database's thread before the rest of the gateway loads (Prisma's client, pg and the migration
 * code take some 150 ms of this thread, spent meanwhile). src/db/timeouts.ts is imported statically:
 * it is small, and src/main.ts and src/config.ts import it statically anyway (a dynamic import of
 * it here put nothing off, and rolldown warned so, INEFFECTIVE_DYNAMIC_IMPORT, at every build).
 * So is src/db/raw.ts (a few lines), which src/main.ts imports through the idempotency key check.
 */
async function clientModules() {
  const [generated, listen, migrate, lease, timeoutClient] = await Promise.all([
    import('./generated/client.js'),
    import('./listen.js'),
    import('./migrate.js'),
    import('./lease-client.js'),
    import('./timeout-client.js'),
  ]);
  return { PrismaClient: generated.PrismaClient, ...listen, ...migrate, ...lease, ...timeoutClient };
}

/** The embedded PGlite's data directory when openDatabase gets neither `url` nor `dataDir` (relative to the working directory). */
export const DEFAULT_DATA_DIR = './data/pglite';

/**
 * The embedded database's settings. Its shared memory lives in the gateway's own memory
 * (WebAssembly), resident from the start and never given back:
 * - shared_buffers: the files it caches are in the operating system's page cache anyway; 16 MB
 *   instead of PostgreSQL's 128 MB keeps ~100 MiB out of the gateway's resident memory and is no
 *   slower for a development database (bench/poll-latency.mjs without --database-url);
 * - max_connections: PGlite runs one backend in single-user mode, so the per-connection shared
 *   state sized for PostgreSQL's default 100 (process slots, lock tables) is never used; 8 takes
 *   the shared memory from 24 to 21 MB (`SHOW shared_memory_size`), 3 MiB less resident.
 *   PostgreSQL requires more than superuser_reserved_connections (3).
 * - enable_bitmapscan off: the bulk runner's claim (BulkStore.claim: the lowest ids of a backend's
 *   PENDING and RUNNING items, LIMIT n, over the partial index bulk_items_claimable_idx) is an
 *   ordered index scan that stops after n rows. On a table whose statistics are stale or missing
 *   (a single-user backend refreshes them only when pglite-vacuum.ts's idle look analyzes it) the
 *   planner estimates a handful of rows and takes a bitmap scan of every entry instead, sorted:
 *   10,000 of the running job's and every dead one of earlier jobs at each claim. In PGlite
 *   (a script: 100 claims of 100 rows per 10,000-item job, six jobs back to back) the
 *   claims took 0.53 s in the first job and 1.36 s in the sixth with the bitmap plan, 0.41-0.52 s
 *   in every job without it. A development database's other statements read few rows, where an
 *   index scan is as good as a bitmap one.
 */
const EMBEDDED_SETTINGS = ['shared_buffers = 16MB', 'max_connections = 8', 'enable_bitmapscan = off'];

/**
 * Has V8 compile WebAssembly compiled from now on (PGlite's PostgreSQL, and Prisma's query compiler
 * if not yet compiled) with its baseline compiler only. The optimising tier keeps ~100 MiB of
 * optimised code and compiler memory resident for PGlite's large module; the baseline code runs
 * its queries about a sixth slower, which a development database does not notice (the poll
 * benchmark's latency is unchanged) and a gateway on PostgreSQL never pays. A `--liftoff...` flag
 * given to node wins.
 */
function baselineWasmOnly(): void {
  if (!process.execArgv.some((a) => a.includes('liftoff'))) v8.setFlagsFromString('--liftoff-only');
}

/**
 * How far V8 lets the old generation grow past what survived the last full collection before
 * the next one, in percent, in a process that hosts the embedded database.
 *
 * Without it V8 picks up to 4x on a machine with memory to spare. A bulk job's garbage outlives
 * two scavenges (items in flight, outcomes waiting for their batch) and is promoted, so during a
 * 10,000-item renewal the old generation grew from 44 to 168 MiB with 50-60 MiB live, and the
 * gateway's peak RSS reached 341-378 MiB (bench/bulk.mjs, embedded). With 50 the old generation
 * stays at 60-63 MiB and the peak at 271 MiB, for the same gateway CPU per item (2.85 against
 * 2.74-2.79 ms at load 11). On PostgreSQL the database's memory is not the gateway's and V8
 * keeps its own choice. A `--heap-growing-percent` given to node wins.
 */
const EMBEDDED_HEAP_GROWING_PERCENT = 50;

function boundOldGenerationGrowth(): void {
  if (!process.execArgv.some((a) => a.includes('heap-growing-percent'))) v8.setFlagsFromString(`--heap-growing-percent=${EMBEDDED_HEAP_GROWING_PERCENT}`);
}

/** What openDatabase opens: PostgreSQL at `url`, else the embedded PGlite under `dataDir`; times in ms. */
export interface OpenDatabaseOptions {
  /** PostgreSQL connection string; when absent the embedded PGlite is used. */
  url?: string;
  /** PGlite data directory (default ./data/pglite); ignored with `url`. */
  dataDir?: string;
  /** Apply pending migrations first (default true). */
  migrate?: boolean;
  /** Maximum pg pool connections (default 10), besides the idempotency leases' own (src/db/lease-client.ts); ignored for PGlite. */
  poolSize?: number;
  /**
   * Time limits of every PostgreSQL connection it opens (the pools, the LISTEN connection, the
   * migration's; src/db/timeouts.ts), over DEFAULT_DATABASE_TIMEOUTS; ignored for PGlite.
   */
  timeouts?: Partial<DatabaseTimeouts>;
}

/** An open database: the Prisma client, which engine, LISTEN; close() (once; later calls share it) ends the pg pools, or PGlite's thread and the data directory's lock. */
export interface Database {
  prisma: PrismaClient;
  kind: 'postgres' | 'pglite';
  /** What the start-up migration did (undefined with `migrate: false`). */
  migration?: MigrateResult;
  /** PostgreSQL LISTEN on a channel (src/db/listen.ts): how instances hear of each other's changes. */
  listen: Listen;
  /** The embedded database's thread memory (EmbeddedPGlite.memory), for /metrics; absent on PostgreSQL. */
  memory?(): Promise<EmbeddedMemory>;
  close(): Promise<void>;
}

/**
 * Connections the PostgreSQL pool opens as the start begins, while Prisma's client loads: the
 * start's first statements (the migration check, the idempotency key's, the bulk runner's first
 * claims, the registrars) find them open instead of each waiting for a connection's start-up,
 * which took 20-75 ms apiece on a busy two-core machine (bench:restart). The migration check's is
 * the first, and the others open only once it has: a database that refuses the login or cannot
 * be reached is asked once (its error is the start's, src/main.ts). Within the pool's size (one
 * place left over); idle ones close after pg's idle timeout (10 s) as any other. None with
 * `migrate: false`.
 */
const WARM_CONNECTIONS = 4;

async function openPostgres(url: string, opts: OpenDatabaseOptions): Promise<Database> {
  // pg first (small), so that the pool's connections open and the migration check runs while
  // Prisma's client (some 100 ms of this thread) loads.
  const [{ default: pg }, { pgTimeoutSettings }] = await Promise.all([import('pg'), import('./timeout-client.js')]);
  // Without limits, a database that stops answering without refusing (a network black hole) held
  // every request and pool connection until the system's TCP timeouts: src/db/timeouts.ts.
  const timeouts = resolveDatabaseTimeouts(opts.timeouts);
  const limits = pgTimeoutSettings(timeouts);
  const poolSize = opts.poolSize ?? 10;
  const pool = new pg.Pool({ ...limits, connectionString: url, max: poolSize });
  // An idle connection the server ends (restart, failover, pg_terminate_backend, DROP ... FORCE)
  // is an 'error' event on the pool; unheard, Node would crash the process. The pool drops that
  // client and opens a new one on demand, so there is nothing else to do.
  pool.on('error', () => undefined);
  // n clients asked for in one go (the idle one the check gave back among them), so n are open.
  const warm = (n: number) => {
    for (let i = 0; i < n; i++) pool.connect().then((c) => c.release(), () => undefined);
  };
  try {
    // The migration check's connection first (WARM_CONNECTIONS), the others once it is open.
    const migrating =
      opts.migrate === false
        ? undefined
        : pool.connect().then(async (first) => {
            first.release(); // the check's, next
            const checked = await (await import('./migrate.js')).migratePostgresIsolated(url, timeouts, pool);
            warm(Math.min(WARM_CONNECTIONS, poolSize - 1));
            return checked;
          });
    migrating?.catch(() => undefined); // awaited below, after the modules: a failure to load them first is the error to report
    const [{ PrismaClient, listenPostgres, useLeaseClient, LEASE_POOL_SIZE }, { PrismaPg }] = await Promise.all([clientModules(), import('@prisma/adapter-pg')]);
    const migration = await migrating;
    // Idempotency leases write through a pool of their own, so that a renewal never queues behind
    // the requests' statements (src/db/lease-client.ts). Connections open on first use and stay
    // open (pg closes idle ones after 10 s by default): on a loaded machine the first renewal through
    // a new connection took 0.5-0.7 s of a 1.5 s lease.
    const leasePool = new pg.Pool({ ...limits, connectionString: url, max: LEASE_POOL_SIZE, idleTimeoutMillis: 0 });
    leasePool.on('error', () => undefined);
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    const leasePrisma = new PrismaClient({ adapter: new PrismaPg(leasePool) });
    useRawPool(prisma, pool);
    useLeaseClient(prisma, leasePrisma);
    let closing: Promise<void> | undefined;
    return {
      prisma,
      kind: 'postgres',
      migration,
      listen: listenPostgres(url, limits),
      close: () =>
        (closing ??= (async () => {
          await Promise.all([prisma.$disconnect(), leasePrisma.$disconnect()]);
          await Promise.all([pool.end(), leasePool.end()]);
        })()),
    };
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw e;
  }
}

async function openPGlite(dataDir: string, opts: OpenDatabaseOptions): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  let release = () => {};
  if (!inMemory) {
    dataDir = path.resolve(dataDir);
    // Owner-only from here on, as PostgreSQL keeps its data directory (private-files.ts).
    ownerOnlyUmask();
    await mkdir(path.dirname(dataDir), { recursive: true, mode: PRIVATE_DIR_MODE });
    release = lockDataDir(dataDir);
  }
  let db: EmbeddedPGlite | undefined;
  try {
    // Loaded only for the embedded database: a gateway on PostgreSQL never carries PGlite.
    baselineWasmOnly();
    boundOldGenerationGrowth();
    if (!inMemory && !existsSync(path.join(dataDir, 'PG_VERSION'))) await initDataDirIsolated(dataDir);
    // Nobody else gets in while it starts; its files are tightened once it has (below).
    if (!inMemory) await privateDir(dataDir);
    // The thread starts at once; the modules load while PostgreSQL starts in it.
    const opening = createPGliteThread(dataDir, { postgresqlconf: EMBEDDED_SETTINGS });
    opening.catch(() => undefined);
    const [{ PrismaClient, listenPGlite, migratePGlite }, { PrismaPGlite }] = await Promise.all([clientModules(), import('pglite-prisma-adapter')]).catch(async (e) => {
      await opening.then((opened) => opened.close()).catch(() => undefined);
      throw e;
    });
    db = await opening;
    const migration = opts.migrate === false ? undefined : await migratePGlite(db);
    // initdb's files are 0666 (so are those of a directory made before this rule), and the
    // relation cache PostgreSQL's start writes (pg_internal.init) 0644.
    if (!inMemory) await makePrivate(dataDir);
    // The adapter is typed for PGlite; it uses query, exec and transaction, which the thread's client inherits from PGlite's BasePGlite.
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(db as unknown as PGlite) });
    const opened = db;
    // In memory there is no crash to recover from.
    const checkpoints = inMemory ? undefined : keepCheckpointing(opened);
    // Nor does it vacuum its tables (pglite-vacuum.ts): a database kept on disk would only grow.
    const vacuums = inMemory ? undefined : keepVacuuming(opened);
    let closing: Promise<void> | undefined;
    return {
      prisma,
      kind: 'pglite',
      migration,
      listen: listenPGlite(opened),
      memory: () => opened.memory(),
      close: () =>
        (closing ??= (async () => {
          try {
            await checkpoints?.stop();
            await vacuums?.stop();
            await prisma.$disconnect();
            await opened.close();
          } finally {
            release();
          }
        })()),
    };
  } catch (e) {
    await db?.close().catch(() => undefined);
    release();
    throw e;
  }
}

/**
 * Creates a new embedded database directory (PostgreSQL's initdb, inside PGlite) in a worker
 * thread: initdb's WebAssembly instance takes some 400 MiB while it runs, and in the gateway's
 * own thread that memory would stay resident for good after the first start.
 */
async function initDataDirIsolated(dataDir: string): Promise<void> {
  const pglite = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href.replace(/\.cjs$/, '.js');
  await runInWorker<void>(
    'import(workerData.pglite).then(async ({ PGlite }) => (await PGlite.create(workerData.dataDir)).close())',
    { pglite, dataDir },
    `creating the embedded database in ${dataDir}`,
  );
}

/** Opens PostgreSQL (`url`) or the embedded PGlite (`dataDir`), migrated. */
export function openDatabase(opts: OpenDatabaseOptions = {}): Promise<Database> {
  return opts.url ? openPostgres(opts.url, opts) : openPGlite(opts.dataDir ?? DEFAULT_DATA_DIR, opts);
}
