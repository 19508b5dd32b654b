/**
 * The `key:create` command (entry point: create-api-key.cli.ts): creates an API key for a
 * registrar and prints it, once (only its hash is stored).
 *
 *   npm run key:create -- --registrar NewRegistrar [--label ci] [--name "New Registrar"]
 *   node dist/src/auth/create-api-key.cli.js --registrar NewRegistrar     (after npm run build)
 *
 * Database: --database-url or DATABASE_URL (PostgreSQL); otherwise the embedded one under
 * --data-dir, default $DATA_DIR/pglite (DATA_DIR defaults to ./data), as the gateway uses.
 * The embedded database can be open in one process only: stop an embedded gateway first.
 * Pending migrations are applied, and the registrar is created if it does not exist.
 */
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
         --database-url <url>   PostgreSQL (env DATABASE_URL); without: the embedded database under
                                --data-dir (default $DATA_DIR/pglite, DATA_DIR default ./data; stop an
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
 * The database a key command works on, as the gateway opens it: `--database-url`, else
 * DATABASE_URL (PostgreSQL), else the embedded one under `--data-dir`, default $DATA_DIR/pglite
 * (DATA_DIR defaults to ./data). Pending migrations are applied. Throws when the embedded
 * directory is held by another process (a running embedded gateway).
 */
export function openCommandDatabase(values: { 'database-url'?: string; 'data-dir'?: string }, env: NodeJS.ProcessEnv = process.env) {
  const url = values['database-url'] ?? env.DATABASE_URL;
  const dataDir = values['data-dir'] ?? path.join(env.DATA_DIR ?? './data', 'pglite');
  return openDatabase(url ? { url } : { dataDir });
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
