/**
 * The `key:list` and `key:revoke` commands (entry points: list-api-keys.cli.ts,
 * revoke-api-key.cli.ts), beside `key:create` (create-api-key.ts), with its database handling
 * (--database-url, DATABASE_URL or the config file's databaseUrl; otherwise the embedded database
 * of the gateway data directory --data-dir, default $DATA_DIR, else the file's dataDir, else ./data,
 * as the gateway opens it: the database is its pglite folder, which one process can hold at a
 * time: stop an embedded gateway first), and its configuration: the gateway's, loaded and checked
 * as the gateway loads it (commandConfig in create-api-key.ts).
 *
 *   npm run key:list [-- --registrar acme] [--json]
 *   npm run key:revoke -- <key id> [<key id> ...]
 *   npm run key:revoke -- --registrar acme --label frontend
 *
 * A listing shows registrar, key id, label, prefix (the key's first 12 characters, "rgw_" and 8
 * of its 43 random ones, made to tell keys apart), created, last used and revoked (ISO 8601,
 * UTC); never a key or its hash, which only key:create ever shows (once) and only the database
 * holds (the hash). A revocation sets `revoked_at` (revokeApiKey, revokeApiKeysByLabel): the
 * database's trigger announces it to every running gateway on PostgreSQL, which refuses the key
 * from then on and closes its WebSocket connections (see README "API keys and revocation").
 */
import { parseOptions } from '../cli/options.js';
import { findApiKeyById, listApiKeys, revokeApiKey, revokeApiKeysByLabel, type ApiKeyInfo } from './api-keys.js';
import { openCommandDatabase, type CommandOutput } from './create-api-key.js';
import { quoted } from '../core/errors.js';
import { isUuid } from '../validation/ids.js';

const consoleOutput: CommandOutput = { out: (l) => console.log(l), err: (l) => console.error(l) };
const DB_OPTIONS = { 'database-url': { type: 'string' }, 'data-dir': { type: 'string' } } as const;

const LIST_USAGE = 'usage: key:list [--registrar <id>] [--json] [--database-url <url>] [--data-dir <dir>]';
const REVOKE_USAGE = 'usage: key:revoke <key id> [<key id> ...] | key:revoke --registrar <id> --label <text>   [--database-url <url>] [--data-dir <dir>]';

const iso = (d: Date | null) => (d ? d.toISOString() : '-');

/** Left-aligned columns, two spaces apart. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '));
}

/**
 * key:list: every key (or one registrar's), by registrar, newest first. Text: a header and one
 * aligned line per key to `out`; `--json`: one JSON object per line (`id`, `registrarId`,
 * `label`, `prefix`, `createdAt`, `lastUsedAt`, `revokedAt`, dates ISO 8601 or null).
 * Returns the exit code: 0, or 2 for bad arguments.
 */
export async function listApiKeysCommand(argv: string[], io: CommandOutput = consoleOutput): Promise<number> {
  let values;
  try {
    ({ values } = parseOptions({ args: argv, options: { registrar: { type: 'string', short: 'r' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...DB_OPTIONS } }));
  } catch (e) {
    io.err(`${(e as Error).message}\n${LIST_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(LIST_USAGE);
    return 0;
  }
  const db = await openCommandDatabase(values);
  try {
    const keys = await listApiKeys(db.prisma, values.registrar);
    if (values.json) {
      for (const k of keys) io.out(JSON.stringify(k satisfies ApiKeyInfo));
      return 0;
    }
    if (keys.length === 0) {
      io.err(values.registrar ? `no API keys for registrar ${values.registrar}` : 'no API keys');
      return 0;
    }
    const rows = [['REGISTRAR', 'KEY ID', 'LABEL', 'PREFIX', 'CREATED', 'LAST USED', 'REVOKED']];
    for (const k of keys) rows.push([k.registrarId, k.id, k.label || '-', k.prefix, iso(k.createdAt), iso(k.lastUsedAt), iso(k.revokedAt)]);
    for (const line of table(rows)) io.out(line);
    return 0;
  } finally {
    await db.close();
  }
}

/**
 * key:revoke: revokes the keys named by id, or every live key of `--registrar` carrying
 * `--label`, as of now. Says on `err` what it revoked and what it could not (an unknown id, a
 * key already revoked: named, with when). Returns the exit code: 0 when every key named was
 * revoked now or before, 1 when an id is unknown or no live key carries the label, 2 for bad
 * arguments (ids together with --label, --label without --registrar, nothing named, an id that is
 * not a UUID: quoted by its first 32 characters at most), before the database is opened.
 */
export async function revokeApiKeysCommand(argv: string[], io: CommandOutput = consoleOutput, now: () => Date = () => new Date()): Promise<number> {
  let values;
  let ids: string[];
  try {
    ({ values, positionals: ids } = parseOptions({
      args: argv,
      allowPositionals: true,
      options: { registrar: { type: 'string', short: 'r' }, label: { type: 'string', short: 'l' }, help: { type: 'boolean', short: 'h' }, ...DB_OPTIONS },
    }));
  } catch (e) {
    io.err(`${(e as Error).message}\n${REVOKE_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(REVOKE_USAGE);
    return 0;
  }
  const byLabel = values.label !== undefined;
  // Each misuse says what was wrong before the usage (it printed the usage alone).
  const misuse = byLabel
    ? ids.length > 0
      ? 'give key ids or --registrar with --label, not both'
      : !values.registrar
        ? '--label needs --registrar: a label names keys of one registrar'
        : null
    : ids.length === 0
      ? values.registrar !== undefined
        ? '--registrar needs --label (or give key ids instead)'
        : 'name the keys to revoke: their ids, or --registrar and --label'
      : values.registrar !== undefined
        ? 'give key ids or --registrar with --label, not both'
        : null;
  if (misuse) {
    io.err(`${misuse}; nothing was revoked\n${REVOKE_USAGE}`);
    return 2;
  }
  // An id is a UUID (as key:list shows it): anything else is a mistake of the command line, said
  // before the database is opened (an embedded one is a folder only one process may hold).
  const malformed = ids.find((id) => !isUuid(id));
  if (malformed !== undefined) {
    io.err(`${quoted(malformed)} is not an API key id (a UUID, as npm run key:list shows it); nothing was revoked\n${REVOKE_USAGE}`);
    return 2;
  }
  const db = await openCommandDatabase(values);
  try {
    if (byLabel) {
      const n = await revokeApiKeysByLabel(db.prisma, values.registrar!, values.label!, now());
      if (n === 0) {
        io.err(`no live API key of registrar ${values.registrar} is labelled "${values.label}"`);
        return 1;
      }
      io.err(`revoked ${n} API key${n === 1 ? '' : 's'} of registrar ${values.registrar} labelled "${values.label}"`);
      return 0;
    }
    let code = 0;
    // Lowercase, as the database keeps them (key:list shows them so).
    for (const id of ids.map((i) => i.toLowerCase())) {
      const at = now();
      if (await revokeApiKey(db.prisma, id, at)) {
        const k = await findApiKeyById(db.prisma, id);
        io.err(`revoked API key ${id} (registrar ${k?.registrarId}${k?.label ? `, label "${k.label}"` : ''})`);
        continue;
      }
      const k = await findApiKeyById(db.prisma, id);
      if (k?.revokedAt) io.err(`API key ${id} (registrar ${k.registrarId}) was already revoked at ${k.revokedAt.toISOString()}`);
      else {
        io.err(`no API key with id ${id} (npm run key:list shows the ids)`);
        code = 1;
      }
    }
    return code;
  } finally {
    await db.close();
  }
}
