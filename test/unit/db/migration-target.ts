/**
 * An empty database to migrate in tests: a new PostgreSQL database when TEST_DATABASE_URL is
 * set, else a clone of one empty in-memory PGlite (initialised once per file).
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { migratePGlite, migratePostgres, type MigrateOptions, type MigrateResult } from '../../../src/db/migrate.js';
import { withDatabase } from '../../global-setup.js';

export interface MigrationTarget {
  kind: 'postgres' | 'pglite';
  migrate(opts?: MigrateOptions): Promise<MigrateResult>;
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

let emptyPGlite: Promise<PGlite> | undefined;
let n = 0;

export async function emptyTarget(): Promise<MigrationTarget> {
  const ctx = inject('testDb');
  if (ctx.kind === 'postgres') {
    const name = `${ctx.prefix}${process.pid}_m${++n}`;
    const admin = new pg.Client({ connectionString: ctx.adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = withDatabase(ctx.adminUrl, name);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return {
      kind: 'postgres',
      migrate: (opts) => migratePostgres(url, opts),
      query: async (sql) => (await client.query(sql)).rows,
      async close() {
        await client.end();
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await admin.end();
      },
    };
  }
  emptyPGlite ??= PGlite.create();
  const db = (await (await emptyPGlite).clone()) as PGlite;
  return {
    kind: 'pglite',
    migrate: (opts) => migratePGlite(db, opts),
    query: async <T>(sql: string) => (await db.query<T>(sql)).rows,
    close: () => db.close(),
  };
}
