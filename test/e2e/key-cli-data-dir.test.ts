/**
 * The key commands and db:migrate take the gateway's DATA_DIR (trial defect: `npm run key:create -- --data-dir X`
 * treated X as the PGlite folder itself, while the gateway keeps its database in X/pglite; given
 * the gateway's DATA_DIR it silently made a second, empty database and the key never worked).
 * Run as processes, as an operator runs them: `--data-dir <DATA_DIR>` and `DATA_DIR=<DATA_DIR>`
 * reach the database the gateway opens; the database folder itself is refused with a message and
 * exit 1, creating nothing, as are key:list and key:revoke on a folder with no gateway database;
 * key:create there creates it (keys before the gateway's first start), saying where.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { startTestGateway } from '../helpers/gateway.js';
import { compiledGateway, runCompiled, type ProcessResult } from '../helpers/processes.js';

let compiled: string;
let scratch: string;
let dataDir: string;
const started: ChildProcess[] = [];

beforeAll(async () => {
  compiled = await compiledGateway();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'rgw-key-datadir-'));
  dataDir = path.join(scratch, 'data');
  // A gateway data directory as the gateway leaves it: its database in DATA_DIR/pglite.
  await (await openDatabase({ dataDir: path.join(dataDir, 'pglite') })).close();
}, 120_000);
afterAll(async () => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Runs a key command's compiled entry point (or another, `src/...`) in a user's environment (no DATABASE_URL). */
function run(script: string, args: string[], extraEnv: Record<string, string> = {}): Promise<ProcessResult> {
  const env = { ...process.env };
  for (const k of ['DATABASE_URL', 'DATA_DIR', 'GATEWAY_CONFIG']) delete env[k];
  const entry = script.startsWith('src/') ? script : path.join('src/auth', script);
  return runCompiled(compiled, entry, args, { cwd: scratch, env: { ...env, ...extraEnv }, started });
}

/** What a gateway on DATA_DIR answers the key for `{ viewer { id } }`: the registrar id, or the HTTP status. */
async function viewer(key: string, dir = dataDir): Promise<string | number> {
  const db = await openDatabase({ dataDir: path.join(dir, 'pglite') });
  const t = await startTestGateway({ database: db, configure: (c) => void (c.poll.enabled = false) });
  try {
    const r = await t.gql(key, '{ viewer { id } }');
    return r.status === 200 ? r.data.viewer.id : r.status;
  } finally {
    await t.close();
  }
}

it('a key made with --data-dir <DATA_DIR> works on the gateway of that DATA_DIR; DATA_DIR itself lists and revokes it', async () => {
  const made = await run('create-api-key.cli.js', ['--registrar', 'acme', '--new-registrar', '--label', 'ops', '--data-dir', dataDir]);
  expect(made.stderr).not.toMatch(/^\s+at /m);
  expect(made.code).toBe(0);
  const key = made.stdout.trim();
  expect(key).toMatch(/^rgw_[A-Za-z0-9_-]{43}$/);
  expect(await readdir(dataDir)).toEqual(['pglite']); // no second database beside it
  expect(await viewer(key)).toBe('acme');

  const listed = await run('list-api-keys.cli.js', ['--registrar', 'acme', '--json'], { DATA_DIR: dataDir });
  expect(listed.code).toBe(0);
  const [info] = listed.stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(info).toMatchObject({ registrarId: 'acme', label: 'ops', prefix: key.slice(0, 12), revokedAt: null });

  const revoked = await run('revoke-api-key.cli.js', [info.id], { DATA_DIR: dataDir });
  expect(revoked.code).toBe(0);
  expect(await viewer(key)).toBe(401);
}, 120_000);

it('refuses the database folder itself, and lists or revokes nothing in a folder without a gateway database, with a message, creating nothing', async () => {
  const inner = path.join(dataDir, 'pglite');
  const before = await readdir(inner);
  const itself = await run('create-api-key.cli.js', ['--registrar', 'acme', '--data-dir', inner]);
  expect(itself.code).toBe(1);
  expect(itself.stdout).toBe('');
  expect(itself.stderr).toContain(`${inner} is an embedded database folder, not a gateway data directory`);
  expect(itself.stderr).toContain(dataDir);
  expect(itself.stderr).not.toMatch(/^\s+at /m);
  expect(await readdir(inner)).toEqual(before);

  const empty = path.join(scratch, 'elsewhere');
  await mkdir(empty);
  for (const [script, args, env] of [
    ['list-api-keys.cli.js', [], { DATA_DIR: empty }],
    ['revoke-api-key.cli.js', ['00000000-0000-0000-0000-000000000000'], { DATA_DIR: empty }],
  ] as const) {
    const r = await run(script, [...args], env);
    expect(r.code, script).toBe(1);
    expect(r.stderr).toContain(`no gateway database in ${empty}`);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  }
  expect(await readdir(empty)).toEqual([]);
  expect(existsSync(path.join(scratch, 'data', 'pglite', 'pglite'))).toBe(false);
}, 120_000);

it("key:create before the gateway's first start creates the database where the gateway of that DATA_DIR looks, and says so", async () => {
  const fresh = path.join(scratch, 'fresh');
  const made = await run('create-api-key.cli.js', ['--registrar', 'acme', '--new-registrar', '--label', 'first'], { DATA_DIR: fresh });
  expect(made.stderr).not.toMatch(/^\s+at /m);
  expect(made.code).toBe(0);
  expect(made.stderr).toContain(`creating it in ${path.join(fresh, 'pglite')}`);
  expect(await readdir(fresh)).toEqual(['pglite']);
  expect(await viewer(made.stdout.trim(), fresh)).toBe('acme');
}, 120_000);

it("reads the gateway's config file, as the gateway does: its dataDir (a key went into ./data, a database that gateway never opens), under DATA_DIR and the flags", async () => {
  const configured = path.join(scratch, 'configured');
  const file = path.join(scratch, 'ops.config.json');
  // Only dataDir (and registrars, the ids key:create takes) matter to a key command: it asks for no upstream password.
  await writeFile(file, JSON.stringify({ dataDir: configured, backends: [{ name: 'real-epp', kind: 'epp', host: 'epp.example', port: 700, tls: {}, accounts: { acme: { clientId: 'acme-1' } } }], routes: [], registrars: [{ id: 'acme', name: 'Acme' }] }));
  const made = await run('create-api-key.cli.js', ['--registrar', 'acme', '--label', 'from-config'], { GATEWAY_CONFIG: file });
  expect(made.stderr).not.toMatch(/^\s+at /m);
  expect(made.code).toBe(0);
  expect(made.stderr).toContain(`creating it in ${path.join(configured, 'pglite')}`);
  expect(await viewer(made.stdout.trim(), configured)).toBe('acme');
  // DATA_DIR wins over the file, as it does for the gateway.
  const listed = await run('list-api-keys.cli.js', ['--json'], { GATEWAY_CONFIG: file, DATA_DIR: dataDir });
  expect(listed.code).toBe(0);
  expect(listed.stdout).not.toContain('from-config');
  const fromFile = await run('list-api-keys.cli.js', ['--json'], { GATEWAY_CONFIG: file });
  expect(fromFile.stdout).toContain('from-config');
  // A config file that cannot be read is said, as the gateway says it, without a stack.
  const broken = await run('list-api-keys.cli.js', [], { GATEWAY_CONFIG: path.join(scratch, 'missing.json') });
  expect(broken.code).toBe(1);
  expect(broken.stderr).toContain('GATEWAY_CONFIG names');
  expect(broken.stderr).not.toMatch(/^\s+at /m);
}, 120_000);

it("db:migrate --data-dir <DATA_DIR> migrates the database the gateway of that DATA_DIR opens, not a second one beside it; --help says so", async () => {
  // Trial defect: db:migrate took --data-dir for the PGlite folder itself and created a database
  // in DATA_DIR (PG_VERSION, base/, ...) that the gateway, which opens DATA_DIR/pglite, never reads.
  const fresh = path.join(scratch, 'migrated');
  const migrated = await run('src/db/migrate.cli.js', ['--data-dir', fresh]);
  expect(migrated.stderr).not.toMatch(/^\s+at /m);
  expect(migrated.code).toBe(0);
  expect(migrated.stdout).toMatch(/^applied: /);
  expect(await readdir(fresh)).toEqual(['pglite']);
  const again = await run('src/db/migrate.cli.js', [], { DATA_DIR: fresh });
  expect(again.code).toBe(0);
  expect(again.stdout.trim()).toBe('database is up to date');

  const inner = path.join(dataDir, 'pglite');
  const itself = await run('src/db/migrate.cli.js', ['--data-dir', inner]);
  expect(itself.code).toBe(1);
  expect(itself.stderr).toContain(`${inner} is an embedded database folder, not a gateway data directory`);

  const help = await run('src/db/migrate.cli.js', ['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('usage: npm run db:migrate');
}, 120_000);
