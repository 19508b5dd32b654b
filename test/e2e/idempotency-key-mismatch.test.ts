/**
 * An operator started a third instance on the same database with another IDEMPOTENCY_KEY_SECRET:
 * it started without a word, and a client's exact retry of a finished createDomain got
 * IDEMPOTENCY_KEY_REUSED from it. Now the database records a check value of the key, and the
 * gateway (bundle/main.js, as `npm start` runs it) refuses a start with another key before it
 * serves anything: one line naming IDEMPOTENCY_KEY_SECRET and how to rotate, exit 1, never the
 * key. A start with the same key goes on (and replays the first one's answer); a deliberate
 * rotation (IDEMPOTENCY_KEY_ROTATE_FROM) records the new key, after which the old one is refused.
 * On PostgreSQL (instances side by side; skipped without TEST_DATABASE_URL) and on the embedded
 * database (one after the other).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.js';
import { defaultConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { Fingerprints } from '../../src/idempotency/fingerprint.js';
import { keyCheckValue, keyId } from '../../src/idempotency/key-check.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { compiledGateway, runCompiled, spawnGateway, type GatewayProcess, type ProcessResult } from '../helpers/processes.js';

const ctx = inject('testDb');
let compiled: string;
let dir: string;
const started: ChildProcess[] = [];
const running: GatewayProcess[] = [];

beforeAll(async () => {
  compiled = await compiledGateway();
  dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-key-mismatch-'));
}, 120_000);
afterAll(async () => {
  for (const g of running) await g.stop();
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

const secret = () => randomBytes(32).toString('hex');
/** The id a refusal names for a key (the first 16 hex digits of its check value). */
const idOf = (s: string) => keyId(keyCheckValue(new Fingerprints(Buffer.from(s))));

/** The environment of a user's shell with `extra`: nothing of the test run's configuration, no config file. */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['GATEWAY_CONFIG', 'DATABASE_URL', 'IDEMPOTENCY_KEY_SECRET', 'IDEMPOTENCY_KEY_FILE', 'IDEMPOTENCY_KEY_ROTATE_FROM', 'PORT', 'HOST', 'DATA_DIR', 'SHUTDOWN_DELAY_MS', 'LOG_LEVEL']) delete env[k];
  return { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...extra };
}

/** Runs the gateway to its end (a refused start ends by itself) in a folder without a config file. */
async function runGateway(env: NodeJS.ProcessEnv): Promise<ProcessResult> {
  const cwd = await mkdtemp(path.join(dir, 'run-'));
  return runCompiled(compiled, 'bundle/main.js', [], { cwd, env, started });
}

/** Refused: exit 1, stderr one line naming IDEMPOTENCY_KEY_SECRET, both key ids and the rotation; never a key; it never listened. */
function expectRefused(r: ProcessResult, mine: string, recorded: string) {
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toBe(
    `config: IDEMPOTENCY_KEY_SECRET (idempotency.keySecret) is not the idempotency key this database was used with (key id ${idOf(mine)} here, ${idOf(recorded)} recorded in the database): ` +
      `give this instance the key the other instances sharing the database use; to change the key deliberately, stop every instance, start one with the new key and ` +
      `IDEMPOTENCY_KEY_ROTATE_FROM=${idOf(recorded)}, then the others with the new key (README "Idempotency contract", "Rotating the key": retries of keys recorded under the old key then answer IDEMPOTENCY_KEY_REUSED)`,
  );
  expect(r.code).toBe(1);
  for (const out of [r.stdout, r.stderr]) {
    expect(out).not.toContain(mine);
    expect(out).not.toContain(recorded);
    expect(out).not.toMatch(/^\s+at /m);
  }
  expect(r.stdout).not.toContain('gateway listening');
  expect(r.stdout).not.toMatch(/rgw_\S{10,}/); // no sandbox key printed, so none revoked either
}

const CREATE = `mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Key-Check-2026" }) { name replayed } }`;

describe.runIf(ctx.kind === 'postgres')('instances sharing PostgreSQL (TEST_DATABASE_URL)', () => {
  let db: TestDatabase;
  beforeAll(async () => void (db = await freshDatabase()));
  afterAll(() => db?.close());
  const config = defaultConfig();
  // Each instance running at the same time has a DATA_DIR of its own: its in-process sandboxes'
  // state folder is one process's (src/sandbox/state-lock.ts).
  const spawnWith = async (env: Record<string, string>, dataDir = 'pg-data') => {
    const g = await spawnGateway({ config, configPath: path.join(dir, 'pg.config.json'), databaseUrl: db.url!, env: { DATA_DIR: path.join(dir, dataDir), ...env } });
    running.push(g);
    await g.waitForOutput(/^\s+NewRegistrar\s+rgw_\S+$/m); // started: its keys printed, its signal handlers set
    return g;
  };

  it('a third instance with another secret is refused before it serves; one with the same secret replays the first answer; a deliberate rotation records the new key', { timeout: 240_000 }, async () => {
    const [a, b] = [secret(), secret()];
    const first = await spawnWith({ IDEMPOTENCY_KEY_SECRET: a });
    expect(first.output()).toContain('idempotency key recorded in the database');
    const u = new URL(db.url!);
    expect(first.output()).toContain(`"database":"postgresql ${u.hostname}:${u.port || '5432'}${u.pathname}"`);
    const apiKey = (await createApiKey(db.prisma, 'NewRegistrar', 'test')).key;
    const vars = { k: `mismatch-${Date.now()}`, n: `km${Date.now().toString(36)}.tld` };
    const created = await first.gql(apiKey, CREATE, vars);
    expect(created, JSON.stringify(created)).toMatchObject({ data: { createDomain: { name: vars.n, replayed: false } } });

    // Another secret, while the first instance runs: refused, and the first one still serves.
    expectRefused(await runGateway(userEnv({ DATABASE_URL: db.url!, IDEMPOTENCY_KEY_SECRET: b, DATA_DIR: path.join(dir, 'pg-b') })), b, a);
    expect(await first.gql(apiKey, '{ viewer { id } }')).toMatchObject({ data: { viewer: { id: 'NewRegistrar' } } });

    // The same secret: a second instance starts, and the client's exact retry through it replays.
    const second = await spawnWith({ IDEMPOTENCY_KEY_SECRET: a }, 'pg-data-2');
    expect(second.output()).not.toContain('idempotency key recorded');
    expect(await second.gql(apiKey, CREATE, vars)).toMatchObject({ data: { createDomain: { name: vars.n, replayed: true } } });

    // Rotation: every instance stopped, one started with the new key and the old key's id.
    for (const g of [first, second]) expect(await g.stop()).toEqual({ code: 0, signal: null });
    const rotated = await spawnWith({ IDEMPOTENCY_KEY_SECRET: b, IDEMPOTENCY_KEY_ROTATE_FROM: idOf(a) });
    expect(rotated.output()).toContain(`"previousKeyId":"${idOf(a)}"`);
    expect(rotated.output()).toContain("idempotency key rotated");
    expect(await rotated.gql(apiKey, '{ viewer { id } }')).toMatchObject({ data: { viewer: { id: 'NewRegistrar' } } });
    // What rotation costs: the retry of a key recorded under the old key is no longer recognised.
    expect((await rotated.gql(apiKey, CREATE, vars)).errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // The old key is refused now.
    expectRefused(await runGateway(userEnv({ DATABASE_URL: db.url!, IDEMPOTENCY_KEY_SECRET: a, DATA_DIR: path.join(dir, 'pg-a') })), a, b);
    expect(await rotated.stop()).toEqual({ code: 0, signal: null });
  });
});

describe('the embedded database (DATA_DIR)', () => {
  const dataDir = () => path.join(dir, 'embedded', 'data');
  const spawnWith = async (env: Record<string, string>) => {
    const g = await spawnGateway({ config: defaultConfig(), configPath: path.join(dir, 'embedded.config.json'), databaseUrl: '', env: { DATA_DIR: dataDir(), ...env }, startTimeoutMs: 180_000 });
    running.push(g);
    await g.waitForOutput(/^\s+NewRegistrar\s+rgw_\S+$/m); // started: its keys printed, its signal handlers set
    return g;
  };

  it('a start with another secret is refused; the same secret starts; a deliberate rotation records the new key, and the old one is refused after', { timeout: 360_000 }, async () => {
    // Created and migrated here, with this tree's migrations (as key-cli-data-dir.test.ts does): a
    // gateway process finds the migrations above its compiled tree, which lives in node_modules/.cache.
    await (await openDatabase({ dataDir: path.join(dataDir(), 'pglite') })).close();
    const [a, b] = [secret(), secret()];
    const first = await spawnWith({ IDEMPOTENCY_KEY_SECRET: a });
    expect(first.output()).toContain('idempotency key recorded in the database');
    expect(await first.stop()).toEqual({ code: 0, signal: null });

    expectRefused(await runGateway(userEnv({ IDEMPOTENCY_KEY_SECRET: b, DATA_DIR: dataDir() })), b, a);
    const again = await spawnWith({ IDEMPOTENCY_KEY_SECRET: a });
    expect(again.output()).not.toContain('idempotency key recorded');
    expect(await again.stop()).toEqual({ code: 0, signal: null });

    const rotated = await spawnWith({ IDEMPOTENCY_KEY_SECRET: b, IDEMPOTENCY_KEY_ROTATE_FROM: idOf(a) });
    expect(rotated.output()).toContain('idempotency key rotated');
    expect(await rotated.stop()).toEqual({ code: 0, signal: null });
    expectRefused(await runGateway(userEnv({ IDEMPOTENCY_KEY_SECRET: a, DATA_DIR: dataDir() })), a, b);
  });
});
