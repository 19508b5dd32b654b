/**
 * prisma/schema.prisma and prisma/migrations must describe the same database. Prisma's WASM
 * schema engine replays the migrations on an in-memory PGlite shadow database and diffs the
 * result against the schema: any difference means a migration is missing (write one with
 * `npm run prisma:migration -- <name>`) or a migration was edited by hand.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMigrationsDir, readMigrations } from '../../../src/db/migrate.js';
import { fixAdapterFactory, startSchemaEngine, type EngineFactory, type SchemaEngine } from '../../../src/db/schema-engine.js';

const filters = { externalTables: [], externalEnums: [] };
const migrationsDir = findMigrationsDir();
const schemaPath = path.join(path.dirname(migrationsDir), 'schema.prisma');

describe('schema.prisma vs migrations', () => {
  let main: PGlite;
  let factory: EngineFactory;
  let engine: SchemaEngine;
  let schema: { path: string; content: string };

  beforeAll(async () => {
    schema = { path: schemaPath, content: await readFile(schemaPath, 'utf8') };
    main = await PGlite.create(); // never written: the diff only uses the shadow databases
    factory = fixAdapterFactory(new PrismaPGlite(main), { shadow: async () => (await main.clone()) as PGlite });
    engine = await startSchemaEngine(factory, [schema]);
  });
  afterAll(async () => {
    engine?.free();
    await factory?.dispose();
    await main?.close();
  });

  async function diffAgainst(content: string) {
    return engine.diff({
      from: { tag: 'migrations', ...(await readMigrations(migrationsDir)) },
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content }] },
      script: true,
      exitCode: true,
      filters,
    });
  }

  it('agree: replaying the migrations yields exactly the schema', async () => {
    const out = await diffAgainst(schema.content);
    // exitCode 2 means "non-empty diff"; stdout then holds the SQL of the missing migration.
    expect({ exitCode: out.exitCode, sql: out.stdout?.trim() }, 'missing migration? run npm run prisma:migration -- <name>').toEqual({
      exitCode: 0,
      sql: '-- This is an empty migration.',
    });
  });

  it('the check notices a schema change that has no migration', async () => {
    const changed = schema.content.replace(/model Registrar \{\n/, 'model Registrar {\n  note String?\n');
    expect(changed).not.toBe(schema.content);
    const out = await diffAgainst(changed);
    expect(out.exitCode).toBe(2);
    expect(out.stdout).toContain('ALTER TABLE "registrars" ADD COLUMN     "note" TEXT');
  });
});
