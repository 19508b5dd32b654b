/**
 * Applies pending migrations and exits: `npm run db:migrate` (after `npm run build`).
 * The gateway does the same at every start; this is for deploy pipelines that migrate first.
 * Database: --database-url or DATABASE_URL (PostgreSQL), else the embedded PGlite under
 * --data-dir, default $DATA_DIR/pglite (DATA_DIR defaults to ./data).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from './client.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'database-url': { type: 'string' }, 'data-dir': { type: 'string' } } });
  const url = values['database-url'] ?? process.env.DATABASE_URL;
  const dataDir = values['data-dir'] ?? path.join(process.env.DATA_DIR ?? './data', 'pglite');
  const db = await openDatabase(url ? { url } : { dataDir });
  await db.close();
  const applied = db.migration?.applied ?? [];
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
