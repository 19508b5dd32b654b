/**
 * Writes a new migration for the changes in prisma/schema.prisma, as `prisma migrate dev
 * --create-only` would, without the native schema engine: the WASM engine replays the existing
 * migrations on an in-memory PGlite shadow database and diffs the result against the schema.
 *
 *   npm run prisma:migration -- <name>        (builds, then runs dist/src/db/new-migration.cli.js)
 *
 * Nothing is applied: the gateway applies pending migrations when it starts.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { findMigrationsDir, readMigrations } from './migrate.js';
import { fixAdapterFactory, startSchemaEngine } from './schema-engine.js';
import { quietOnClosedStdout } from '../cli/stdout.js';

quietOnClosedStdout(); // `| head` closes stdout early: no EPIPE stack trace

/** Prisma's migration folder prefix: UTC YYYYMMDDHHMMSS. */
function timestamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

async function main(): Promise<void> {
  const name = (process.argv[2] ?? '').replace(/[^A-Za-z0-9_]/g, '_');
  if (!name) throw new Error('usage: new-migration <name>');
  const migrationsDir = findMigrationsDir();
  const schemaPath = path.join(path.dirname(migrationsDir), 'schema.prisma');
  const schema = { path: schemaPath, content: await readFile(schemaPath, 'utf8') };
  const main = new PGlite(); // the engine's "main" connection; nothing is written to it
  const factory = fixAdapterFactory(new PrismaPGlite(main));
  try {
    const engine = await startSchemaEngine(factory, [schema]);
    try {
      // createMigration refuses a factory-provided PostgreSQL shadow database in this engine
      // build; diff from the migrations folder (replayed on the shadow) gives the same script.
      const migrationsList = await readMigrations(migrationsDir);
      const out = await engine.diff({
        from: { tag: 'migrations', ...migrationsList },
        to: { tag: 'schemaDatamodel', files: [schema] },
        script: true,
        exitCode: true,
        filters: { externalTables: [], externalEnums: [] },
      });
      if (out.exitCode === 0 || !out.stdout?.trim()) {
        console.log('schema.prisma and the migrations agree: nothing to write');
        return;
      }
      const dir = path.join(migrationsDir, `${timestamp(new Date())}_${name}`);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'migration.sql'), out.stdout);
      console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
    } finally {
      engine.free();
    }
  } finally {
    await factory.dispose();
    await main.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
