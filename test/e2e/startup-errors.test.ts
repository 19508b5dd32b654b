/**
 * What an operator meets when starting the gateway (bundle/main.js, as `npm start` runs it) and
 * its database commands (key:list, db:migrate), found by a new user's trial:
 * - the embedded database's files are the owner's alone (folders 0700, files 0600), on a first
 *   start and on the next start of an install made before (PGlite's initdb wrote them 0666);
 * - a start that cannot go on says so in one line naming the setting and the cause, exit 1, no
 *   stack trace, no password: IDEMPOTENCY_KEY_FILE naming a missing file (before any database is
 *   touched), DATABASE_URL unreachable or refusing the user, the data directory held by a running
 *   gateway;
 * - a misspelled key in the config file is refused, naming its path and the key it is closest to;
 * - limits.rateLimit.points below limits.maxCost (the dearest allowed query, which spends its cost in all, could never run).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { chmod, lstat, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { compiledGateway, runCompiled, spawnGateway, type GatewayProcess, type ProcessResult } from '../helpers/processes.js';
import { freshDatabase } from '../helpers/db.js';
import pg from 'pg';

const ctx = inject('testDb');
let compiled: string;
let dir: string;
const started: ChildProcess[] = [];
let running: GatewayProcess | undefined;

beforeAll(async () => {
  compiled = await compiledGateway();
  dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-startup-'));
}, 120_000);
afterAll(async () => {
  await running?.stop();
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The environment of a user's shell: nothing of the test run's configuration. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['GATEWAY_CONFIG', 'DATABASE_URL', 'IDEMPOTENCY_KEY_SECRET', 'IDEMPOTENCY_KEY_FILE', 'PORT', 'HOST', 'DATA_DIR', 'SHUTDOWN_DELAY_MS', 'LOG_LEVEL']) delete env[k];
  return { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...extra };
}

function run(script: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = userEnv()): Promise<ProcessResult> {
  return runCompiled(compiled, script, args, { cwd, env, started });
}

const STACK_LINE = /^\s+at /m;
const PASSWORD = 'Sup3r-s3cret-pw';

/** Exit 1, stderr exactly `lines`, no stack trace, never the password. */
function expectRefusal(r: ProcessResult, lines: Array<string | RegExp>) {
  const got = r.stderr.trim().split('\n');
  expect(got, r.stderr).toHaveLength(lines.length);
  lines.forEach((l, i) => (typeof l === 'string' ? expect(got[i]).toBe(l) : expect(got[i]).toMatch(l)));
  expect(r.code).toBe(1);
  for (const out of [r.stderr, r.stdout]) {
    expect(out).not.toMatch(STACK_LINE);
    expect(out).not.toContain(PASSWORD);
  }
}

/** Every entry under `root` (itself included) whose permissions are not owner-only: `mode path`. */
async function notPrivate(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string) => {
    const s = await lstat(p);
    if (s.isDirectory()) {
      if ((s.mode & 0o777) !== 0o700) out.push(`${(s.mode & 0o777).toString(8)} ${p}/`);
      for (const e of await readdir(p)) await walk(path.join(p, e));
    } else if (s.isFile() && (s.mode & 0o777) !== 0o600) out.push(`${(s.mode & 0o777).toString(8)} ${p}`);
  };
  await walk(root);
  return out;
}

/** Makes every entry under `root` group- and world-accessible, as an install made before the rule was. */
async function loosen(root: string): Promise<void> {
  const s = await lstat(root);
  if (s.isDirectory()) {
    await chmod(root, 0o777);
    for (const e of await readdir(root)) await loosen(path.join(root, e));
  } else if (s.isFile()) await chmod(root, 0o666);
}

describe('the embedded database (zero-setup start)', () => {
  const dataDir = () => path.join(dir, 'embedded', 'data');

  it('a first start creates the data directory and every database file owner-only (0700 / 0600); so does the next start of an older, world-writable install', { timeout: 240_000 }, async () => {
    const config = defaultConfig();
    const start = () => spawnGateway({ config, configPath: path.join(dir, 'embedded.config.json'), databaseUrl: '', env: { DATA_DIR: dataDir() }, startTimeoutMs: 180_000 });
    running = await start();
    // Started: its keys are printed (and its signal handlers set).
    await running.waitForOutput(/^\s+NewRegistrar\s+rgw_\S+$/m);
    expect(await readdir(path.join(dataDir(), 'pglite'))).toContain('PG_VERSION');
    expect(await notPrivate(dataDir())).toEqual([]);
    expect(await running.stop()).toEqual({ code: 0, signal: null });

    await loosen(dataDir());
    expect((await notPrivate(dataDir())).length).toBeGreaterThan(900);
    running = await start();
    expect(await notPrivate(dataDir())).toEqual([]);
  });

  it('a second gateway on the same data directory: one line naming the data directory, the process holding it and DATA_DIR; exit 1', { timeout: 60_000 }, async () => {
    expect(running, 'the first test left its gateway running').toBeDefined();
    const cwd = await mkdtemp(path.join(dir, 'second-'));
    const r = await run('bundle/main.js', [], cwd, userEnv({ DATA_DIR: dataDir() }));
    const db = path.join(dataDir(), 'pglite');
    expectRefusal(r, [
      `data directory: the embedded database ${db} is in use by process ${running!.pid} (lock file ${db}.lock); stop that process (another gateway, or a key or db command, on the same DATA_DIR) or give this one another DATA_DIR`,
    ]);
    // The first one still serves.
    const [, key] = await running!.waitForOutput(/^\s+NewRegistrar\s+(rgw_\S+)$/m);
    expect(await running!.gql(key!, '{ viewer { id } }')).toMatchObject({ status: 200, data: { viewer: { id: 'NewRegistrar' } } });
  });
});

describe('a HOST this machine cannot listen on', () => {
  it.each([
    ['999.1.1.1', /^listen: cannot listen on 999\.1\.1\.1:0: HOST 999\.1\.1\.1 does not resolve to an address \((ENOTFOUND|EAI_AGAIN|EAI_FAIL)\); set HOST \(config "host"\) to an address of this machine$/],
    ['192.0.2.77', /^listen: cannot listen on 192\.0\.2\.77:0: HOST 192\.0\.2\.77 is not an address of this machine \(EADDRNOTAVAIL\)/],
  ])('HOST=%s: refused in one line naming HOST before the database is opened or a sandbox started (no data directory made)', async (host, line) => {
    const cwd = await mkdtemp(path.join(dir, 'host-'));
    const r = await run('bundle/main.js', [], cwd, userEnv({ HOST: host }));
    expectRefusal(r, [line]);
    expect(existsSync(path.join(cwd, 'data'))).toBe(false);
  }, 60_000);
});

describe('a start that cannot open its database', () => {
  const unreachable = `postgresql://gateway:${PASSWORD}@127.0.0.1:1/registry`;

  it('IDEMPOTENCY_KEY_FILE naming a missing file: refused with the configuration, before any database is opened (not the unreachable DATABASE_URL; no data directory made)', async () => {
    const cwd = await mkdtemp(path.join(dir, 'keyfile-'));
    const missing = path.join(cwd, 'secrets', 'idempotency.key');
    let r = await run('bundle/main.js', [], cwd, userEnv({ DATABASE_URL: unreachable, IDEMPOTENCY_KEY_FILE: missing }));
    expectRefusal(r, [`config: IDEMPOTENCY_KEY_FILE (idempotency.keyFile) names ${missing}, which does not exist`]);
    r = await run('bundle/main.js', [], cwd, userEnv({ IDEMPOTENCY_KEY_FILE: missing }));
    expectRefusal(r, [`config: IDEMPOTENCY_KEY_FILE (idempotency.keyFile) names ${missing}, which does not exist`]);
    expect(existsSync(path.join(cwd, 'data'))).toBe(false);
  }, 60_000);

  it('DATABASE_URL where nothing listens: one line naming DATABASE_URL, the database without its password and the cause', async () => {
    const cwd = await mkdtemp(path.join(dir, 'unreachable-'));
    const r = await run('bundle/main.js', [], cwd, userEnv({ DATABASE_URL: unreachable, IDEMPOTENCY_KEY_SECRET: 'k'.repeat(64) }));
    expectRefusal(r, ['DATABASE_URL: cannot connect to the database gateway@127.0.0.1:1/registry: connection refused (is PostgreSQL running there, on that port?)']);
  }, 60_000);

  it('DATABASE_URL where a server takes the connection and never answers: one line naming DATABASE_URL and the connect timeout (DATABASE_CONNECT_TIMEOUT_MS)', async () => {
    const held: net.Socket[] = [];
    const silent = net.createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const cwd = await mkdtemp(path.join(dir, 'silent-'));
      const url = `postgresql://gateway:${PASSWORD}@127.0.0.1:${port}/registry`;
      const r = await run('bundle/main.js', [], cwd, userEnv({ DATABASE_URL: url, IDEMPOTENCY_KEY_SECRET: 'k'.repeat(64), DATABASE_CONNECT_TIMEOUT_MS: '300' }));
      expectRefusal(r, [`DATABASE_URL: cannot connect to the database gateway@127.0.0.1:${port}/registry: no answer within the connect timeout (database.connectTimeoutMs, DATABASE_CONNECT_TIMEOUT_MS)`]);
    } finally {
      for (const s of held) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 60_000);

  it.runIf(ctx.kind === 'postgres')('DATABASE_URL with a user the server does not have: the server\'s reason in one line, never the password', async () => {
    if (ctx.kind !== 'postgres') return;
    const u = new URL(ctx.adminUrl);
    u.username = 'rgw_no_such_role';
    u.password = PASSWORD;
    const cwd = await mkdtemp(path.join(dir, 'role-'));
    const r = await run('bundle/main.js', [], cwd, userEnv({ DATABASE_URL: u.toString(), IDEMPOTENCY_KEY_SECRET: 'k'.repeat(64) }));
    expectRefusal(r, [`DATABASE_URL: cannot connect to the database rgw_no_such_role@${u.hostname}:${u.port || '5432'}${u.pathname}: the server refused: role "rgw_no_such_role" does not exist (SQLSTATE 28000)`]);
  }, 60_000);

  it.runIf(ctx.kind === 'postgres')("DATABASE_URL reached but not usable (a role without rights, a read-only database, a setting the server refuses): one line naming DATABASE_URL, the server's reason and what to change, no stack (an operator's trial got pg's stack and error object)", async () => {
    if (ctx.kind !== 'postgres') return;
    const db = await freshDatabase(); // migrated, as a production database is after db:migrate
    const role = `rgw_no_rights_${process.pid}`;
    const admin = new pg.Client({ connectionString: ctx.adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${role} LOGIN`);
      const url = new URL(db.url!);
      const where = (user: string) => `${user}@${url.hostname}:${url.port || '5432'}${url.pathname}`;
      const start = (u: string) => run('bundle/main.js', [], dir, userEnv({ DATABASE_URL: u, IDEMPOTENCY_KEY_SECRET: 'k'.repeat(64) }));
      const noRights = new URL(db.url!);
      noRights.username = role;
      expectRefusal(await start(noRights.toString()), [
        `DATABASE_URL: cannot use the database ${where(role)}: permission denied for table _prisma_migrations (SQLSTATE 42501): the URL's role needs the right to create tables in the schema and to read and write the gateway's tables (the owner of its database, or of the schema), as \`npm run db:migrate\` does`,
      ]);
      const user = decodeURIComponent(url.username);
      expectRefusal(await start(`${db.url}?options=-c%20default_transaction_read_only%3Don`), [
        `DATABASE_URL: cannot use the database ${where(user)}: cannot execute INSERT in a read-only transaction (SQLSTATE 25006): the database is read-only (a replica, or default_transaction_read_only): the gateway writes; give the primary`,
      ]);
      expectRefusal(await start(`${db.url}?options=-c%20statement_timeout%3Dabc`), [
        `DATABASE_URL: cannot use the database ${where(user)}: invalid value for parameter "statement_timeout": "abc" (SQLSTATE 22023): a setting given in the URL (its \`options\`) is refused by the server`,
      ]);
    } finally {
      await db.close();
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  }, 120_000);

  it('key:list and db:migrate on an unreachable DATABASE_URL, or --database-url: one line naming the setting; exit 1', async () => {
    const cwd = await mkdtemp(path.join(dir, 'cli-'));
    const cause = 'cannot connect to the database gateway@127.0.0.1:1/registry: connection refused (is PostgreSQL running there, on that port?)';
    for (const script of ['src/auth/list-api-keys.cli.js', 'src/db/migrate.cli.js']) {
      expectRefusal(await run(script, [], cwd, userEnv({ DATABASE_URL: unreachable })), [`DATABASE_URL: ${cause}`]);
      expectRefusal(await run(script, ['--database-url', unreachable], cwd), [`--database-url: ${cause}`]);
    }
  }, 60_000);
});

describe('the config file', () => {
  /** Runs the gateway on `config` (written as gateway.config.json) and returns what it printed. */
  async function start(config: unknown): Promise<{ r: ProcessResult; file: string }> {
    const cwd = await mkdtemp(path.join(dir, 'config-'));
    const file = path.join(cwd, 'gateway.config.json');
    await writeFile(file, JSON.stringify(config));
    return { r: await run('bundle/main.js', [], cwd), file };
  }

  it('a misspelled key, at any level, is refused with its path and the key it is closest to; nothing is started', async () => {
    const cases: Array<[unknown, string]> = [
      [{ limitz: { maxDepth: 4 } }, 'config: limitz is not a setting (did you mean limits?)'],
      [{ logLevle: 'debug' }, 'config: logLevle is not a setting (did you mean logLevel?)'],
      [{ limits: { rateLimit: { pointz: 200_000, durationSec: 10 } } }, 'config: limits.rateLimit.pointz is not a setting (did you mean limits.rateLimit.points?)'],
      [{ poll: { intervallMs: 500 } }, 'config: poll.intervallMs is not a setting (did you mean poll.intervalMs?)'],
      [
        {
          registrars: [{ id: 'acme', name: 'Acme' }],
          routes: [{ suffix: 'app', backend: 'reg' }],
          backends: [{ name: 'reg', kind: 'epp', host: 'epp.example', port: 700, tls: { rejectUnauthorised: false }, accounts: { acme: { clientId: 'acme', password: 'secret12' } } }],
        },
        'config: backends[0].tls.rejectUnauthorised is not a setting of backend kind "epp" (did you mean backends[0].tls.rejectUnauthorized?)',
      ],
      [
        {
          registrars: [{ id: 'acme', name: 'Acme' }],
          routes: [{ suffix: 'ee', backend: 'ee' }],
          backends: [{ name: 'ee', kind: 'repp', url: 'https://repp.example', accounts: { acme: { usename: 'acme', password: 'secret12' } } }],
        },
        'config: backends[0].accounts.acme.usename is not a setting of backend kind "repp" (did you mean backends[0].accounts.acme.username?)',
      ],
    ];
    for (const [config, line] of cases) {
      const { r, file } = await start(config);
      expectRefusal(r, [line, `  (config file ${file}; README "Configuration")`]);
      expect(existsSync(path.join(path.dirname(file), 'data'))).toBe(false);
    }
  }, 120_000);

  it('a backend tls.ca naming a missing file, or a port beyond 65535: refused at start naming the setting, nothing started', async () => {
    const backend = { name: 'nomulus', kind: 'epp', host: '127.0.0.1', port: 700, tls: {}, accounts: { acme: { clientId: 'acme-1', password: PASSWORD } } };
    const own = (b: object) => ({ registrars: [{ id: 'acme', name: 'Acme' }], backends: [b], routes: [{ suffix: 'app', backend: 'nomulus' }] });
    const missing = path.join(dir, 'nope-ca.pem');
    for (const [config, line] of [
      [own({ ...backend, tls: { ca: missing } }), `config: backend "nomulus" tls.ca: file ${missing} not found`],
      [own({ ...backend, port: 99999 }), 'config: backend "nomulus" port must be a TCP port, 1 to 65535'],
    ] as const) {
      const { r, file } = await start(config);
      expectRefusal(r, [line, `  (config file ${file}; README "Configuration")`]);
      expect(existsSync(path.join(path.dirname(file), 'data'))).toBe(false);
    }
  }, 120_000);

  it('limits.rateLimit.points below limits.maxCost: refused naming both settings', async () => {
    const { r, file } = await start({ limits: { maxCost: 5000, rateLimit: { points: 4999, durationSec: 10 } } });
    expectRefusal(r, [
      'config: limits.rateLimit.points (4999) must be at least limits.maxCost (5000): an operation spends its cost in all (1 point on arrival, the rest once its cost is known), so the dearest operation limits.maxCost allows could never run; raise limits.rateLimit.points or lower limits.maxCost',
      `  (config file ${file}; README "Configuration")`,
    ]);
  }, 60_000);
});
