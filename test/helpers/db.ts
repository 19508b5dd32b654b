/**
 * freshDatabase(): an empty, migrated database of its own for a test file (or a test).
 *
 * Mechanics (prepared once per run by test/global-setup.ts):
 * - PostgreSQL (TEST_DATABASE_URL set): `CREATE DATABASE <run>_<pid>_<n> TEMPLATE <run>_tmpl`,
 *   opened with openDatabase({ url }); `url` is returned so other processes (e.g. a second
 *   gateway instance) can connect to the same database. close() drops it (WITH (FORCE)).
 * - PGlite (default): the migrated template directory is copied (a few ms) and opened in-process
 *   with openDatabase({ dataDir }); close() closes it and deletes the copy.
 * Either way the start-up migration check runs and finds nothing to apply, as a second gateway
 * start would. Without the global setup (another vitest config) a new in-memory PGlite is
 * initialised and migrated instead (seconds).
 */
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { withDatabase, type TestDbContext } from '../global-setup.js';

export interface TestDatabase {
  prisma: Database['prisma'];
  kind: Database['kind'];
  /** LISTEN on this database (as a gateway hears of API key changes). */
  listen: Database['listen'];
  /** PostgreSQL URL of this database (PostgreSQL runs only). */
  url?: string;
  /** PGlite directory of this database (PGlite runs only). */
  dataDir?: string;
  /** The embedded database thread's memory (PGlite runs only), as /metrics reads it. */
  memory?: Database['memory'];
  close(): Promise<void>;
}

let counter = 0;

function context(): TestDbContext | undefined {
  try {
    return inject('testDb');
  } catch {
    return undefined;
  }
}

async function createFromTemplate(adminUrl: string, template: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Cloning fails while anything is connected to the template; that is only ever brief.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (e) {
        if ((e as { code?: string }).code !== '55006' || attempt >= 50) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await admin.end();
  }
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export async function freshDatabase(): Promise<TestDatabase> {
  const ctx = context();
  const n = ++counter;
  if (ctx?.kind === 'postgres') {
    const name = `${ctx.prefix}${process.pid}_${n}`;
    await createFromTemplate(ctx.adminUrl, ctx.template, name);
    const url = withDatabase(ctx.adminUrl, name);
    const db = await openDatabase({ url, poolSize: 4 });
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await db.close();
        await dropDatabase(ctx.adminUrl, name);
      })());
    return { prisma: db.prisma, kind: db.kind, listen: db.listen, url, close };
  }
  if (ctx?.kind === 'pglite') {
    const dataDir = path.join(ctx.workDir, `db-${process.pid}-${n}`);
    await cp(ctx.templateDir, dataDir, { recursive: true });
    const db = await openDatabase({ dataDir });
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await db.close();
        await rm(dataDir, { recursive: true, force: true });
      })());
    return { prisma: db.prisma, kind: db.kind, listen: db.listen, memory: db.memory, dataDir, close };
  }
  const db = await openDatabase({ dataDir: 'memory://' });
  return { prisma: db.prisma, kind: db.kind, listen: db.listen, memory: db.memory, close: db.close };
}
