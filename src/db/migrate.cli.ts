/**
 * Applies pending migrations and exits: `npm run db:migrate` (after `npm run build`:
 * `node dist/src/db/migrate.cli.js`). The gateway does the same at every start; this is for deploy
 * pipelines that migrate first.
 * Database: as the key commands take it (openCommandDatabase): --database-url, DATABASE_URL or the
 * config file's databaseUrl (PostgreSQL, with the configured `database` time limits), else the
 * embedded one of the gateway data directory --data-dir, $DATA_DIR, the config file's dataDir or
 * ./data (the database is its pglite folder). The configuration is loaded and checked as the
 * gateway's start does (commandConfig), so a config the gateway refuses is refused here, alike.
 * A trial passed the gateway's DATA_DIR as --data-dir, which this command took for the PGlite
 * folder itself, and so migrated a second database, in DATA_DIR, that the gateway never opens.
 */
import { parseOptions, UsageError } from '../cli/options.js';
import { openCommandDatabase } from '../auth/create-api-key.js';
import { quietOnClosedStdout } from '../cli/stdout.js';
import { runCommand } from '../cli/run.js';

quietOnClosedStdout(); // `| head` closes stdout early: no EPIPE stack trace

const USAGE = `usage: npm run db:migrate -- [--database-url <url>] [--data-dir <dir>]
       (after npm run build: node dist/src/db/migrate.cli.js ...)
Applies the migrations the database has not had yet (prisma/migrations) and exits; the gateway does
the same at every start (under an advisory lock), this is for deploy pipelines that migrate first.
options: --database-url <url>   PostgreSQL (env DATABASE_URL, else the config file's databaseUrl);
         --data-dir <dir>       without: the embedded database of the gateway data directory <dir>
                                (default $DATA_DIR, else the config file's dataDir, else ./data; the
                                database is <dir>/pglite, created there when there is none yet; stop
                                an embedded gateway first)
         -h, --help             this text
configuration: the gateway's (GATEWAY_CONFIG, else ./gateway.config.json, and its environment
variables), read and checked as the gateway reads it: a setting the gateway would refuse is refused
here with the same message, exit 1; on PostgreSQL its database time limits apply (DATABASE_*_MS)
README: "Production start"`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseOptions({ options: { 'database-url': { type: 'string' }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${e.message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const db = await openCommandDatabase(values, process.env, { create: true, io: { out: (l) => console.log(l), err: (l) => console.error(l) } });
  await db.close();
  const applied = db.migration?.applied ?? [];
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  return 0;
}

void runCommand(main);
