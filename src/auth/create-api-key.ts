/**
 * The `key:create` command (entry point: create-api-key.cli.ts): creates an API key for a
 * registrar and prints it, once (only its hash is stored).
 *
 *   npm run key:create -- --registrar NewRegistrar [--label ci] [--name "New Registrar"]
 *   node dist/src/auth/create-api-key.cli.js --registrar NewRegistrar     (after npm run build)
 *
 * Database: --database-url, DATABASE_URL or the config file's databaseUrl (PostgreSQL); otherwise
 * the embedded one in the gateway data directory --data-dir, default $DATA_DIR, else the config
 * file's dataDir, else ./data: the same directory the gateway uses, the database being its pglite
 * folder (created there when there is none yet). The configuration is the gateway's, loaded and
 * checked as the gateway loads it (commandConfig): the config file GATEWAY_CONFIG, else
 * ./gateway.config.json, and the environment; on PostgreSQL its `database` time limits apply.
 * The embedded database can be open in one process only: stop an embedded gateway first.
 * Pending migrations are applied. The registrar must be stored already or listed in the config
 * file's `registrars` (the configuration's, commandConfig; created then), else the command refuses it naming the
 * known ids (unknownRegistrar) and exits 1, unless `--new-registrar` asks for a new one.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseOptions, UsageError } from '../cli/options.js';
import { openDatabase } from '../db/client.js';
import { suggestionList } from 'graphql/jsutils/suggestionList.js';
import { loadConfig, type GatewayConfig } from '../config.js';
import { ConfigError } from '../config-error.js';
import { isPostgresUrl } from '../config-settings.js';
import { databaseConnectError } from '../db/connect-error.js';
import { databaseTimeouts } from '../db/timeouts.js';
import { privateDir } from '../db/private-files.js';
import { createApiKey, ensureRegistrar } from './api-keys.js';

const USAGE = `usage: npm run key:create -- --registrar <id> [--label <text>] [--name <registrar name>] [--new-registrar] [--database-url <url>] [--data-dir <dir>]
       (after npm run build: node dist/src/auth/create-api-key.cli.js ...)
Creates an API key for a registrar and prints it once on stdout; only its SHA-256 is stored. Send it
as "Authorization: Bearer <key>". The registrar is one in the database or in the config file's
"registrars" (created in the database if it is not there yet); any other id is refused, naming the
known ones, unless --new-registrar is given.
options: -r, --registrar <id>   the gateway registrar the key belongs to (ids are case-sensitive)
         --new-registrar        create the registrar when it is neither in the database nor in
                                the config file's registrars (better: add it to "registrars")
         -l, --label <text>     a label to tell keys apart
         --name <text>          the registrar's name (when creating it, or to rename it)
         --database-url <url>   PostgreSQL (env DATABASE_URL, else the config file's databaseUrl);
         --data-dir <dir>       without: the embedded database of the gateway data directory <dir>
                                (default $DATA_DIR, else the config file's dataDir, else ./data; the
                                database is <dir>/pglite; stop an embedded gateway first: one
                                process at a time)
         -h, --help             this text
configuration: the gateway's (GATEWAY_CONFIG, else ./gateway.config.json, and its environment
variables), read and checked as the gateway reads it: a setting the gateway would refuse is refused
here with the same message, exit 1 (upstream passwords and the idempotency key are not needed)
README: "Configuration" (API keys)`;

/** Where the key commands write: stdout for the key alone, stderr for the rest. */
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
 * rather than creating a second, empty database the gateway never reads: when `dataDir` is itself
 * a database folder (has PG_VERSION: the `pglite` folder was passed, not its parent), and, unless
 * `create`, when it holds no `pglite/PG_VERSION` (a wrong path, or a gateway that never started
 * there). With `create` (key:create) a data directory without a database gets one, created and
 * migrated as the gateway's first start would (`created: true`), so that keys can be made before
 * the first start; the command says so on stderr, which shows a mistyped path.
 */
export function embeddedDatabaseDir(dataDir: string, opts: { create?: boolean } = {}): { dir: string; created: boolean } {
  const dir = path.resolve(dataDir);
  if (existsSync(path.join(dir, 'PG_VERSION'))) {
    throw new Error(`${dir} is an embedded database folder, not a gateway data directory: --data-dir (like DATA_DIR) is the folder that holds it, here ${path.dirname(dir)}`);
  }
  const db = path.join(dir, 'pglite');
  if (existsSync(path.join(db, 'PG_VERSION'))) return { dir: db, created: false };
  if (opts.create) return { dir: db, created: true };
  throw new Error(`no gateway database in ${dir} (no ${db}): pass the DATA_DIR the gateway runs with (--data-dir or DATA_DIR, default ./data); the gateway, or key:create, creates the database there`);
}

/** The database options every command that opens the gateway's database takes. */
export interface DatabaseOptions {
  'database-url'?: string;
  'data-dir'?: string;
}

/**
 * The gateway's configuration as a command that opens its database sees it: loadConfig with
 * `use` 'command' (the same config file, GATEWAY_CONFIG or ./gateway.config.json, the same
 * environment overrides and the same checks as the gateway's start, so an unknown key or a bad
 * value is refused with the same ConfigError; only the secrets the command does not use are not
 * demanded: ConfigUse in src/config.ts), with the command's own `--database-url` (PostgreSQL,
 * over DATABASE_URL and the file's databaseUrl) and `--data-dir` (the gateway data directory,
 * over DATA_DIR and the file's dataDir) over it. Throws ConfigError for the configuration, and for
 * a --database-url that is not postgres:// or postgresql:// (naming the option, never the value).
 */
export function commandConfig(values: DatabaseOptions, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): GatewayConfig {
  const config = loadConfig(env, cwd, 'command');
  const url = values['database-url'];
  // Never the value: it may hold a password.
  if (url !== undefined && !isPostgresUrl(url)) throw new ConfigError('config: --database-url must be a PostgreSQL URL: postgresql://user:password@host:5432/database');
  if (url !== undefined) config.databaseUrl = url;
  if (values['data-dir'] !== undefined) config.dataDir = values['data-dir'];
  return config;
}

/**
 * The database a key command works on, as the gateway opens it, from `opts.config` (else
 * commandConfig(values, env)): PostgreSQL at `--database-url`, DATABASE_URL or the config file's
 * databaseUrl, with the gateway's time limits (the file's `database` section and the
 * DATABASE_*_MS variables: src/db/timeouts.ts), else the embedded one in the gateway data
 * directory `--data-dir`, DATA_DIR, the file's dataDir or ./data (the same directory the gateway
 * uses; the database is its `pglite` folder: embeddedDatabaseDir, which refuses a folder that is
 * not a gateway data directory, and creates the database only with `opts.create`, saying so
 * through `io.err`). Pending migrations are applied. The data directory is made owner-only
 * (0700), as the gateway makes it. Throws ConfigError (synchronously) for a configuration the
 * gateway would refuse or a bad --database-url (commandConfig), and rejects with StartupError
 * (one line) when the embedded directory is held by another process (a running embedded gateway)
 * or PostgreSQL cannot be reached or refuses the login (naming --database-url, DATABASE_URL or the
 * file's databaseUrl, never the password).
 */
export function openCommandDatabase(
  values: DatabaseOptions,
  env: NodeJS.ProcessEnv = process.env,
  opts: { create?: boolean; io?: CommandOutput; config?: GatewayConfig } = {},
) {
  const config = opts.config ?? commandConfig(values, env);
  const url = config.databaseUrl;
  if (url) {
    const setting = values['database-url'] !== undefined ? '--database-url' : env.DATABASE_URL ? 'DATABASE_URL' : 'databaseUrl (config file)';
    return openDatabase({ url, timeouts: databaseTimeouts(config) }).catch((e: unknown) => {
      throw databaseConnectError(e, url, setting) ?? e;
    });
  }
  const { dir, created } = embeddedDatabaseDir(config.dataDir, { create: opts.create });
  if (created) opts.io?.err(`no gateway database in ${path.dirname(dir)} yet: creating it in ${dir} (the gateway started with DATA_DIR=${path.dirname(dir)} uses it)`);
  return privateDir(path.dirname(dir)).then(() => openDatabase({ dataDir: dir }));
}

/** Runs the command; returns the process exit code. */
export async function createApiKeyCommand(argv: string[], io: CommandOutput = consoleOutput): Promise<number> {
  let values;
  try {
    ({ values } = parseOptions({
      args: argv,
      options: {
        registrar: { type: 'string', short: 'r' },
        label: { type: 'string', short: 'l', default: '' },
        name: { type: 'string' },
        'new-registrar': { type: 'boolean' },
        'database-url': { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`${e.message}\n${USAGE}`);
    return 2;
  }
  if (values.help || !values.registrar) {
    (values.help ? io.out : io.err)(USAGE);
    return values.help ? 0 : 2;
  }
  const config = commandConfig(values);
  const configured = config.registrars.map((r) => r.id);
  const db = await openCommandDatabase(values, process.env, { create: true, io, config });
  try {
    const existing = await db.prisma.registrar.findUnique({ where: { id: values.registrar } });
    if (!existing && !configured.includes(values.registrar) && !values['new-registrar']) {
      const stored = (await db.prisma.registrar.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((r) => r.id);
      io.err(unknownRegistrar(values.registrar, [...new Set([...configured, ...stored])]));
      return 1;
    }
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

/**
 * The refusal of a registrar id that is neither stored nor configured (a typo made a new
 * registrar whose key then met FORBIDDEN at every registry call): the id, the one known id that
 * differs only in case, else the close ones (graphql-js's suggestionList, the lexical distance
 * behind its "Did you mean" hints), then every known id, and the two ways to make a new one.
 */
export function unknownRegistrar(id: string, known: string[]): string {
  const sameLetters = known.find((k) => k.toLowerCase() === id.toLowerCase());
  const close = sameLetters ? [sameLetters] : suggestionList(id, known);
  const rest = known.filter((k) => !close.includes(k)).sort();
  const lines = [`unknown registrar ${JSON.stringify(id)}: it is neither in the database nor in the config file's registrars.`];
  if (close.length > 0) lines.push(`Did you mean ${close.map((k) => JSON.stringify(k)).join(' or ')}? (ids are case-sensitive)`);
  lines.push(known.length > 0 ? `Known registrars: ${[...close, ...rest].join(', ')}` : 'No registrars yet.');
  lines.push('To create a new one, add it to "registrars" in the config file (README "Configuration"), or pass --new-registrar.');
  return lines.join('\n');
}
