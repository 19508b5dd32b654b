/**
 * Vitest global setup: prepares one migrated template database per run, so that each test file
 * gets a fresh, isolated, already-migrated database cheaply (test/helpers/db.ts: freshDatabase).
 *
 * - TEST_DATABASE_URL set (PostgreSQL): database `rgw_t<run>_tmpl` is created and migrated once;
 *   every freshDatabase() is `CREATE DATABASE rgw_t<run>_<pid>_<n> TEMPLATE rgw_t<run>_tmpl`
 *   (a file copy on the server, tens of ms). All of this run's databases are dropped at the end;
 *   leftovers of runs older than 6 hours (crashed runs) are dropped at the start. Runs of other
 *   people on the same server use other run ids and are left alone.
 * - otherwise (embedded PGlite): a fresh PGlite directory takes seconds to initialise, so a
 *   migrated directory is built once and cached in node_modules/.cache/registry-gateway, keyed by
 *   the migrations and the PGlite version; every freshDatabase() copies it into this run's work
 *   folder in os.tmpdir(), which is removed at the end.
 *
 * It also generates the Prisma client if it is missing or stale (a clean clone running
 * `npx vitest` without `npm run build`).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

/** What test/global-setup.ts hands to test files (through vitest's provide/inject). */
export type TestDbContext =
  | {
      kind: 'postgres';
      /** TEST_DATABASE_URL: used to create and drop the per-file databases. */
      adminUrl: string;
      /** Migrated database each file's database is cloned from. */
      template: string;
      /** Per-file databases are named `${prefix}<pid>_<n>` and dropped at the end of the run. */
      prefix: string;
    }
  | {
      kind: 'pglite';
      /** Migrated PGlite directory (closed; only ever copied). */
      templateDir: string;
      /** Per-file copies go here; the whole folder is removed at the end of the run. */
      workDir: string;
    };

declare module 'vitest' {
  export interface ProvidedContext {
    testDb: TestDbContext;
  }
}

/** Replaces the database name in a PostgreSQL URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STALE_RUN_SECONDS = 6 * 3600;

async function migrationsHash(): Promise<string> {
  const h = createHash('sha256');
  const dir = path.join(root, 'prisma/migrations');
  for (const name of (await readdir(dir)).sort()) {
    const file = path.join(dir, name, 'migration.sql');
    if (existsSync(file)) h.update(name).update(await readFile(file));
  }
  // PGlite's data format follows its version (its package.json is not in its exports).
  const pgliteMain = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const pkg = path.join(pgliteMain.slice(0, pgliteMain.lastIndexOf('node_modules')), 'node_modules/@electric-sql/pglite/package.json');
  h.update(await readFile(pkg));
  return h.digest('hex').slice(0, 16);
}

async function pgliteTemplate(): Promise<string> {
  const cache = path.join(root, 'node_modules/.cache/registry-gateway');
  const templateDir = path.join(cache, `pglite-template-${await migrationsHash()}`);
  if (existsSync(templateDir)) return templateDir;
  await mkdir(cache, { recursive: true });
  const building = await mkdtemp(path.join(cache, 'building-'));
  const dataDir = path.join(building, 'db');
  const { openDatabase } = await import('../src/db/client.js');
  const db = await openDatabase({ dataDir });
  await db.close();
  // Atomic publish; when a concurrent run won the race, use its copy.
  await rename(dataDir, templateDir).catch(() => undefined);
  await rm(building, { recursive: true, force: true });
  return templateDir;
}

async function dropDatabases(admin: pg.Client, like: string, olderThan?: number): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [like]);
  for (const { datname } of rows) {
    const started = Number.parseInt(/^rgw_t([0-9a-z]+)_/.exec(datname)?.[1] ?? '', 36);
    if (olderThan !== undefined && !(started < olderThan)) continue;
    await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
  }
}

async function postgresTemplate(adminUrl: string) {
  const now = Math.floor(Date.now() / 1000);
  const run = `rgw_t${now.toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const template = `${run}_tmpl`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await dropDatabases(admin, 'rgw_t%', now - STALE_RUN_SECONDS);
  await admin.query(`CREATE DATABASE "${template}"`);
  const { migratePostgres } = await import('../src/db/migrate.js');
  await migratePostgres(withDatabase(adminUrl, template));
  return {
    context: { kind: 'postgres' as const, adminUrl, template, prefix: `${run}_` },
    async teardown() {
      await dropDatabases(admin, `${run}\\_%`);
      await admin.end();
    },
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  execFileSync(process.execPath, [path.join(root, 'scripts/prisma-generate.mjs')], { stdio: 'inherit' });
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const { context, teardown } = await postgresTemplate(adminUrl);
    project.provide('testDb', context satisfies TestDbContext);
    return teardown;
  }
  const templateDir = await pgliteTemplate();
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'rgw-test-'));
  project.provide('testDb', { kind: 'pglite', templateDir, workDir } satisfies TestDbContext);
  return () => rm(workDir, { recursive: true, force: true });
}
