/**
 * The `key:create` command (entry point: create-api-key.cli.ts): creates an API key for a
 * registrar and prints it, once (only its hash is stored).
 *
 *   npm run key:create -- --registrar NewRegistrar [--label ci] [--name "New Registrar"]
 *   node dist/src/auth/create-api-key.cli.js --registrar NewRegistrar     (after npm run build)
 *
 * Database: --database-url or DATABASE_URL (PostgreSQL); otherwise the embedded one in the
 * gateway data directory --data-dir, default $DATA_DIR (default ./data): the same directory as the
 * gateway's DATA_DIR, the database being its pglite folder.
 * The embedded database can be open in one process only: stop an embedded gateway first.
 * Pending migrations are applied, and the registrar is created if it does not exist.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../db/client.js';
import { createApiKey, ensureRegistrar } from './api-keys.js';

const USAGE = `usage: npm run key:create -- --registrar <id> [--label <text>] [--name <registrar name>] [--database-url <url>] [--data-dir <dir>]
       (after npm run build: node dist/src/auth/create-api-key.cli.js ...)
Creates an API key for a registrar (created too if it does not exist) and prints it once on stdout;
only its SHA-256 is stored. Send it as "Authorization: Bearer <key>".
options: -r, --registrar <id>   the gateway registrar the key belongs to
         -l, --label <text>     a label to tell keys apart
         --name <text>          the registrar's name (when creating it, or to rename it)
         --database-url <url>   PostgreSQL (env DATABASE_URL); without: the embedded database of
         --data-dir <dir>       the gateway data directory <dir> (the gateway's DATA_DIR; default
                                $DATA_DIR, else ./data; the database is <dir>/pglite; stop an
                                embedded gateway first: one process at a time)
         -h, --help             this text
README: "Configuration" (API keys)`;

export interface CommandOutput {
  /** The key goes here, alone on its line, so that `$(npm run -s key:create -- ...)` captures it. */
  out(line: string): void;
  /** Everything meant for the human. */
  err(line: string): void;
}

const consoleOutput: CommandOutput = { out: (l) => console.log(l), err: (l) => console.error(l) };

/**
 * The embedded database folder of a gateway data directory (`DATA_DIR`, config `dataDir`): the
 * gateway keeps its PGlite database in `<dataDir>/pglite` (src/server.ts, src/main.ts), and the key
 * commands take the same directory. Throws a plain Error (the CLI prints its message, exits 1)
 * when `dataDir` is not a gateway data directory, rather than creating a second, empty database
 * the gateway never reads: `dataDir` that is itself a database folder (has PG_VERSION: the
 * `pglite` folder was passed, not its parent), or one without `pglite/PG_VERSION` (a wrong path,
 * or a gateway that never started there: it creates and migrates the database at its first start).
 */
export function embeddedDatabaseDir(dataDir: string): string {
  const dir = path.resolve(dataDir);
  if (existsSync(path.join(dir, 'PG_VERSION'))) {
    throw new Error(`${dir} is an embedded database folder, not a gateway data directory: --data-dir (like DATA_DIR) is the folder that holds it, here ${path.dirname(dir)}`);
  }
  const db = path.join(dir, 'pglite');
  if (!existsSync(path.join(db, 'PG_VERSION'))) {
    throw new Error(`no gateway database in ${dir} (no ${db}): pass the DATA_DIR the gateway runs with (--data-dir or DATA_DIR, default ./data); the gateway creates the database there at its first start`);
  }
  return db;
}

/**
 * The database a key command works on, as the gateway opens it: `--database-url`, else
 * DATABASE_URL (PostgreSQL), else the embedded one in the gateway data directory `--data-dir`,
 * else $DATA_DIR, else ./data (the same directory the gateway's DATA_DIR names; the database is
 * its `pglite` folder: embeddedDatabaseDir, which refuses a folder that is not a gateway data
 * directory). Pending migrations are applied. Throws when the embedded directory is held by
 * another process (a running embedded gateway).
 */
export function openCommandDatabase(values: { 'database-url'?: string; 'data-dir'?: string }, env: NodeJS.ProcessEnv = process.env) {
  const url = values['database-url'] ?? env.DATABASE_URL;
  if (url) return openDatabase({ url });
  return openDatabase({ dataDir: embeddedDatabaseDir(values['data-dir'] ?? env.DATA_DIR ?? './data') });
}

/** Runs the command; returns the process exit code. */
export async function createApiKeyCommand(argv: string[], io: CommandOutput = consoleOutput): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      registrar: { type: 'string', short: 'r' },
      label: { type: 'string', short: 'l', default: '' },
      name: { type: 'string' },
      'database-url': { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.registrar) {
    (values.help ? io.out : io.err)(USAGE);
    return values.help ? 0 : 2;
  }
  const db = await openCommandDatabase(values);
  try {
    const existing = await db.prisma.registrar.findUnique({ where: { id: values.registrar } });
    if (!existing || values.name) await ensureRegistrar(db.prisma, values.registrar, values.name ?? values.registrar);
    const created = await createApiKey(db.prisma, values.registrar, values.label);
    io.err(`API key for ${created.registrarId}${created.label ? ` (${created.label})` : ''}, id ${created.id}.`);
    io.err('Store it now: it is not shown again. Send it as "Authorization: Bearer <key>".');
    io.out(created.key);
    return 0;
  } finally {
    await db.close();
  }
}
