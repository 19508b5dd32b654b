/**
 * The operator commands that open the gateway's database (key:create, key:list, key:revoke,
 * db:migrate) read the configuration as the gateway does (review defect: they read only
 * `databaseUrl` and `dataDir` from the config file themselves, so a misspelt key or a bad
 * `database` value the gateway refuses went unnoticed, and their PostgreSQL connections ran on the
 * default time limits instead of the configured ones). Run as processes, as an operator runs
 * them, beside the gateway (bundle/main.js) on the same config file and environment:
 * - a configuration the gateway refuses is refused by every command with the same lines on
 *   stderr and the same exit code (1), before any database is opened or created;
 * - a PostgreSQL database from the config file is opened with the file's `database` section: the
 *   session settings each process sends (a stand-in server records its startup message) are the
 *   gateway's;
 * - a config file for real registries works without the secrets only the gateway uses.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledGateway, runCompiled, type ProcessResult } from '../helpers/processes.js';

let compiled: string;
let dir: string;
const started: ChildProcess[] = [];

beforeAll(async () => {
  compiled = await compiledGateway();
  dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-cli-config-'));
}, 120_000);
afterAll(async () => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The environment of a user's shell: nothing of the test run's configuration. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(GATEWAY_|DATABASE_|IDEMPOTENCY_|BULK_|REDIS_|OTEL_)/.test(k)) delete env[k];
  for (const k of ['PORT', 'HOST', 'DATA_DIR', 'SHUTDOWN_DELAY_MS', 'LOG_LEVEL', 'POLL_INTERVAL_MS', 'METRICS_TOKEN', 'TRUST_PROXY']) delete env[k];
  return { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...extra };
}

const PASSWORD = 'Sup3r-s3cret-pw';
const KEY_SECRET = 'k'.repeat(64);

/** Every command that opens the gateway's database, with arguments it runs with. */
const COMMANDS: Array<[string, string[]]> = [
  ['src/auth/create-api-key.cli.js', ['--registrar', 'acme']],
  ['src/auth/list-api-keys.cli.js', []],
  ['src/auth/revoke-api-key.cli.js', ['--registrar', 'acme', '--label', 'ops']],
  ['src/db/migrate.cli.js', []],
];
const GATEWAY = 'bundle/main.js';

function run(script: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<ProcessResult> {
  return runCompiled(compiled, script, args, { cwd, env, started });
}

/** A fresh folder holding `config` as gateway.config.json. */
async function folderWith(config: unknown): Promise<{ cwd: string; file: string }> {
  const cwd = await mkdtemp(path.join(dir, 'cwd-'));
  const file = path.join(cwd, 'gateway.config.json');
  await writeFile(file, JSON.stringify(config));
  return { cwd, file };
}

describe('a configuration the gateway refuses', () => {
  it('is refused by key:create, key:list, key:revoke and db:migrate with the gateway\'s lines and exit 1, opening and creating nothing', async () => {
    const cases: Array<[unknown, Record<string, string>, string]> = [
      [{ logLevle: 'debug' }, {}, 'config: logLevle is not a setting (did you mean logLevel?)'],
      [{ databse: { connectTimeoutMs: 2000 } }, {}, 'config: databse is not a setting (did you mean database?)'],
      [{ database: { conectTimeoutMs: 2000 } }, {}, 'config: database.conectTimeoutMs is not a setting (did you mean database.connectTimeoutMs?)'],
      [
        { database: { statementTimeoutMs: 60_000, queryTimeoutMs: 30_000 } },
        {},
        'config: database.queryTimeoutMs (DATABASE_QUERY_TIMEOUT_MS) must be more than database.statementTimeoutMs (DATABASE_STATEMENT_TIMEOUT_MS), so that PostgreSQL cancels a long statement before the gateway gives up on its connection',
      ],
      [{ database: { statementTimeoutMs: 5000 } }, { DATABASE_QUERY_TIMEOUT_MS: '5000' }, 'config: database.queryTimeoutMs (DATABASE_QUERY_TIMEOUT_MS) must be more than database.statementTimeoutMs (DATABASE_STATEMENT_TIMEOUT_MS), so that PostgreSQL cancels a long statement before the gateway gives up on its connection'],
      [{ bulk: { maxItems: 0 } }, {}, 'config: bulk.maxItems must be a whole number, 1 or more'],
    ];
    for (const [config, extra, line] of cases) {
      const { cwd, file } = await folderWith(config);
      const expected = [line, `  (config file ${file}; README "Configuration")`];
      const gateway = await run(GATEWAY, [], cwd, userEnv(extra));
      expect(gateway.stderr.trim().split('\n'), gateway.stderr).toEqual(expected);
      expect(gateway.code).toBe(1);
      for (const [script, args] of COMMANDS) {
        const r = await run(script, args, cwd, userEnv(extra));
        expect({ script, stderr: r.stderr, stdout: r.stdout, code: r.code }).toEqual({ script, stderr: gateway.stderr, stdout: '', code: 1 });
      }
      expect(await readdir(cwd)).toEqual(['gateway.config.json']); // no ./data: no database opened or created
    }
  }, 180_000);

  it('a bad DATABASE_*_MS in the environment likewise: one line naming the variable (no config file)', async () => {
    const cwd = await mkdtemp(path.join(dir, 'env-'));
    const env = userEnv({ DATABASE_CONNECT_TIMEOUT_MS: '10s' });
    const gateway = await run(GATEWAY, [], cwd, env);
    expect(gateway.stderr.trim()).toBe('config: DATABASE_CONNECT_TIMEOUT_MS must be a whole number from 0 to 2147483647');
    for (const [script, args] of COMMANDS) {
      const r = await run(script, args, cwd, env);
      expect({ script, stderr: r.stderr, code: r.code }).toEqual({ script, stderr: gateway.stderr, code: 1 });
    }
    expect(await readdir(cwd)).toEqual([]);
  }, 60_000);
});

/** One connection's startup message (protocol 3.0): its parameters, `user`, `database` and the session settings. */
type Startup = Record<string, string>;

/**
 * A stand-in PostgreSQL server on loopback: it records the startup message of every connection
 * and answers it with an authentication refusal (SQLSTATE 28000), as a server without the role does.
 */
async function recordingServer(): Promise<{ port: number; startups: Startup[]; close(): Promise<void> }> {
  const startups: Startup[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 4 || buffered.length < buffered.readInt32BE(0)) return;
      const fields = buffered.subarray(8, buffered.readInt32BE(0) - 1).toString('utf8').split('\0');
      const params: Startup = {};
      for (let i = 0; i + 1 < fields.length; i += 2) params[fields[i]!] = fields[i + 1]!;
      startups.push(params);
      const body = Buffer.from(['SFATAL', 'VFATAL', 'C28000', 'Mrole "gateway" does not exist', ''].join('\0') + '\0');
      const header = Buffer.alloc(5);
      header.write('E', 0);
      header.writeInt32BE(body.length + 4, 1);
      socket.end(Buffer.concat([header, body]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    startups,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('PostgreSQL from the config file', () => {
  it('every command connects to the file\'s databaseUrl with the session settings of the file\'s database section, as the gateway does; the refusal names databaseUrl, never the password', async () => {
    const pg = await recordingServer();
    try {
      const { cwd } = await folderWith({
        databaseUrl: `postgresql://gateway:${PASSWORD}@127.0.0.1:${pg.port}/registry`,
        database: { statementTimeoutMs: 7000, idleInTransactionSessionTimeoutMs: 4321 },
      });
      const line = `databaseUrl (config file): cannot connect to the database gateway@127.0.0.1:${pg.port}/registry: the server refused: role "gateway" does not exist (SQLSTATE 28000)`;
      // The gateway needs its idempotency key on PostgreSQL; the commands do not.
      const gateway = await run(GATEWAY, [], cwd, userEnv({ IDEMPOTENCY_KEY_SECRET: KEY_SECRET }));
      expect(gateway.stderr.trim()).toBe(line);
      expect(gateway.code).toBe(1);
      // Each process names itself (application_name: the gateway, its host and pid): the rest is the same for all.
      const unnamed = (s: Record<string, string> | undefined) => {
        const { application_name: _name, ...rest } = s ?? {};
        return rest;
      };
      const [first] = pg.startups.splice(0);
      expect(first).toMatchObject({ user: 'gateway', database: 'registry', statement_timeout: '7000', idle_in_transaction_session_timeout: '4321', application_name: expect.stringMatching(/^registry-gateway \S+:\d+$/) });
      for (const [script, args] of COMMANDS) {
        const r = await run(script, args, cwd, userEnv());
        expect({ script, stderr: r.stderr.trim(), code: r.code }).toEqual({ script, stderr: line, code: 1 });
        expect(r.stderr + r.stdout).not.toContain(PASSWORD);
        // Default limits sent statement_timeout 30000 and idle_in_transaction_session_timeout 60000.
        expect(pg.startups.splice(0).map(unnamed), script).toEqual([unnamed(first)]);
      }
      expect(await readdir(cwd)).toEqual(['gateway.config.json']);
    } finally {
      await pg.close();
    }
  }, 120_000);
});

describe('a config file for real registries, without the gateway\'s secrets', () => {
  it('db:migrate, key:create and key:list work on the file\'s dataDir without upstream passwords or tokens; the gateway itself demands them', async () => {
    const { cwd, file } = await folderWith({
      dataDir: './gateway-data',
      registrars: [{ id: 'acme', name: 'Acme' }],
      backends: [
        { name: 'nomulus', kind: 'epp', host: 'epp.example', port: 700, tls: {}, accounts: { acme: { clientId: 'acme-1' } } },
        { name: 'hd', kind: 'headless', url: 'https://hd.example', accounts: { acme: { channelId: 'acme' } } },
      ],
      routes: [{ suffix: 'app', backend: 'nomulus' }],
    });
    const gateway = await run(GATEWAY, [], cwd, userEnv());
    expect(gateway.stderr.trim().split('\n')).toEqual(['config: backend "nomulus" account "acme" has no password (set GATEWAY_NOMULUS_ACME_PASSWORD)', `  (config file ${file}; README "Configuration")`]);

    const migrated = await run('src/db/migrate.cli.js', [], cwd, userEnv());
    expect(migrated.stderr).toContain(`creating it in ${path.join(cwd, 'gateway-data', 'pglite')}`);
    expect(migrated.stdout).toMatch(/^applied: /);
    expect(migrated.code).toBe(0);
    const made = await run('src/auth/create-api-key.cli.js', ['--registrar', 'acme', '--label', 'ops'], cwd, userEnv());
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout.trim()).toMatch(/^rgw_[A-Za-z0-9_-]{43}$/);
    const listed = await run('src/auth/list-api-keys.cli.js', ['--json'], cwd, userEnv());
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout.trim())).toMatchObject({ registrarId: 'acme', label: 'ops', prefix: made.stdout.trim().slice(0, 12) });
    expect(existsSync(path.join(cwd, 'data'))).toBe(false); // the file's dataDir, not ./data
  }, 120_000);
});

describe("every program's own options", () => {
  it('a misspelt option is refused naming the closest one, before anything is opened, started or sent (the sandbox ran on ephemeral ports)', async () => {
    const cwd = await mkdtemp(path.join(dir, 'options-'));
    const cases: Array<[string, string[], string, number]> = [
      ['src/auth/create-api-key.cli.js', ['--registrar', 'acme', '--lable', 'ops'], 'unknown option --lable (did you mean --label?)', 2],
      ['src/auth/list-api-keys.cli.js', ['--jsno'], 'unknown option --jsno (did you mean --json?)', 2],
      ['src/auth/revoke-api-key.cli.js', ['--registrar', 'acme', '--data-dri', './data'], 'unknown option --data-dri (did you mean --data-dir?)', 2],
      ['src/db/migrate.cli.js', ['--databse-url', 'postgresql://127.0.0.1:1/x'], 'unknown option --databse-url (did you mean --database-url?)', 2],
      ['src/sandbox/main.js', ['--prot', '7000'], 'unknown option --prot (did you mean --port?)', 2],
      ['src/sandbox/main.js', ['--port', '70000'], '--port must be a whole number from 1 to 65534 (the nomulus sandbox listens on the next port)', 2],
      ['src/bulk/cli/bulk.cli.js', ['renew', '--file', 'n.txt', '--urll', 'http://127.0.0.1:1/graphql', '--api-key', 'rgw_k'], 'unknown option --urll (did you mean --url?)', 1],
      ['src/bulk/cli/bulk.cli.js', ['cancel', 'job-1', '--url', 'ftp://gw/graphql', '--api-key', 'rgw_k'], "--url must be the gateway's http:// or https:// GraphQL URL, such as http://127.0.0.1:4000/graphql", 1],
    ];
    for (const [script, args, line, code] of cases) {
      const r = await run(script, args, cwd, userEnv());
      expect({ script, first: r.stderr.split('\n')[0], code: r.code, stdout: r.stdout }).toEqual({ script, first: line, code, stdout: '' });
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
    expect(await readdir(cwd)).toEqual([]);
  }, 60_000);
});
