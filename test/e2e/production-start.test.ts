/**
 * What `npm start` runs, the bundled gateway (scripts/bundle.mjs: dist/bundle/main.js; here the
 * same bundling of the test run's compiled tree), started as a new user's first `npm start`: on an
 * empty database. The parts of the gateway that find files or modules from where their code is
 * must work from the bundle's chunks: the migrations are applied (on PostgreSQL by the schema
 * engine in a worker thread, which imports the bundle's migrate.js; on the embedded database
 * after PostgreSQL's initdb in a worker thread that loads PGlite by URL), the in-process
 * sandboxes start (the EPP sandbox finds its XSDs), each printed API key answers
 * `{ viewer { id } }`, GraphiQL serves the page its worker assembles (the same page, byte for byte,
 * as the one built from the sources), and SIGTERM closes it cleanly.
 */
import { readdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { findMigrationsDir } from '../../src/db/migrate.js';
import { graphiqlPage } from '../../src/http/graphiql.js';
import { withDatabase } from '../global-setup.js';
import { spawnGateway, type GatewayProcess } from '../helpers/processes.js';
import { getRaw as get } from '../helpers/http-get.js';

let dir: string;
let running: GatewayProcess | undefined;
/** The empty PostgreSQL database of this file (PostgreSQL runs), dropped at the end. */
let database: { adminUrl: string; name: string } | undefined;

async function admin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-production-start-'));
  const ctx = inject('testDb');
  if (ctx.kind === 'postgres') {
    // Not from the migrated template: empty, as a new deployment's database is. Named with the
    // run's prefix, so the run's teardown drops it even if this file's afterAll does not run.
    database = { adminUrl: ctx.adminUrl, name: `${ctx.prefix}bundle_${process.pid}` };
    await admin(ctx.adminUrl, (c) => c.query(`CREATE DATABASE "${database!.name}"`));
  }
}, 60_000);
afterAll(async () => {
  await running?.kill();
  if (database) await admin(database.adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${database!.name}" WITH (FORCE)`));
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('the first start from the bundle, on an empty database: migrates it, its printed keys answer { viewer }, GraphiQL serves the full page, SIGTERM closes it', { timeout: 240_000 }, async () => {
  const config = defaultConfig();
  running = await spawnGateway({
    config,
    configPath: path.join(dir, 'gateway.config.json'),
    databaseUrl: database ? withDatabase(database.adminUrl, database.name) : '', // '': the embedded database, new under DATA_DIR
    env: { DATA_DIR: path.join(dir, 'data') },
    startTimeoutMs: 180_000,
  });
  const p = running;

  // Every migration of the folder, applied by the schema engine (on PostgreSQL: in its worker thread).
  const migrations = (await readdir(findMigrationsDir(), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const migrated = p.output().split('\n').find((l) => l.includes('"msg":"database migrated"'));
  expect(migrated, p.output().slice(-4000)).toBeDefined();
  expect(JSON.parse(migrated!)).toMatchObject({ applied: migrations, schemaEngine: true });

  for (const r of config.registrars) {
    const [, key] = await p.waitForOutput(new RegExp(`^\\s+${r.id}\\s+(rgw_\\S+)$`, 'm'));
    expect(await p.gql(key!, '{ viewer { id } }')).toMatchObject({ status: 200, data: { viewer: { id: r.id } } });
  }

  const page = await get(p.url.replace(/graphql$/, ''), { accept: 'text/html', 'accept-encoding': 'br' });
  expect(page.status).toBe(200);
  const html = brotliDecompressSync(page.body).toString('utf8');
  expect(html).toContain('renderYogaGraphiQL');
  expect(html).not.toContain('<!--piece:');
  // The ETag is a hash of the whole page: the bundle's worker assembled exactly what the sources do.
  const fromSources = await graphiqlPage();
  expect({ etag: page.headers.etag, size: Buffer.byteLength(html) }).toEqual({ etag: fromSources.etag, size: fromSources.size });

  expect(await p.stop()).toEqual({ code: 0, signal: null });
  running = undefined;
});
