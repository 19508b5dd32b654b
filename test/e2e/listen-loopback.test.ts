/**
 * Where a gateway that runs sandboxes listens, started as `npm start` runs it (the bundled
 * gateway, bundle/main.js, as a process of its own): its start prints working API keys, so with
 * no host configured it must listen on loopback (127.0.0.1) only, and its banner says so from the
 * listening server's own address: `Listening on 127.0.0.1:<port> (loopback only)`. A fresh-user
 * trial found a config file without `backends` (which runs the sandboxes and prints their keys
 * too) listening on every interface. HOST=0.0.0.0 still opens it to the network, and the banner
 * then says `(every interface)`.
 *
 * The embedded database by default (the first start makes it under DATA_DIR); on PostgreSQL when
 * TEST_DATABASE_URL is set.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { compiledGateway } from '../helpers/processes.js';

const SECRET = randomBytes(32).toString('hex');
const children: ChildProcess[] = [];
let compiled: string;
let dir: string;
let db: TestDatabase | undefined;

beforeAll(async () => {
  compiled = await compiledGateway();
  dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-listen-loopback-'));
  if (process.env.TEST_DATABASE_URL) db = await freshDatabase();
}, 120_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** An IPv4 address of this machine that is not loopback, if it has one (to show who else can connect). */
const outside = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

interface Started {
  child: ChildProcess;
  /** Everything it printed up to its last banner line (the sandbox keys). */
  banner: string;
  port: number;
  key: string;
}

/** Starts the bundled gateway in `cwd`, in a user's environment plus `extra`; resolves once its banner is printed. */
async function start(cwd: string, extra: Record<string, string> = {}): Promise<Started> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, DATA_DIR: path.join(dir, 'data'), PORT: '0', LOG_LEVEL: 'warn', ...extra };
  if (db) Object.assign(env, { DATABASE_URL: db.url!, IDEMPOTENCY_KEY_SECRET: SECRET });
  const child = spawn(process.execPath, ['--import', pathToFileURL(path.join(compiled, 'helpers.mjs')).href, path.join(compiled, 'bundle/main.js')], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise<Started>((resolve, reject) => {
    const check = () => {
      const last = /TheRegistrar\s+(rgw_\S+)\n/.exec(out);
      const key = /NewRegistrar\s+(rgw_\S+)\n/.exec(out);
      const url = /Registry gateway on http:\/\/[^\s/]+:(\d+)\/graphql/.exec(out);
      if (last && key && url) resolve({ child, banner: out, port: Number(url[1]), key: key[1]! });
    };
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      check();
    });
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => reject(new Error(`gateway exited (${code}) before its banner:\n${out.slice(-3000)}`)));
  });
}

/** SIGTERM, and the exit code once it has closed. */
async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

/** `{ viewer { id } }` at `host`:`port` with `key`: the registrar's id, or the connection error's code. */
async function viewer(host: string, port: number, key: string): Promise<string> {
  try {
    const r = await fetch(`http://${host}:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query: '{ viewer { id } }' }) });
    return ((await r.json()) as { data: { viewer: { id: string } } }).data.viewer.id;
  } catch (e) {
    return (e as { cause?: { code?: string } }).cause?.code ?? String(e);
  }
}

describe('a gateway that prints sandbox keys listens where its banner says', () => {
  it.each([
    ['the zero-setup start (no config file)', async (_cwd: string) => undefined],
    ['a config file without backends (the sandboxes, their keys printed) and no host', async (cwd: string) => writeFile(path.join(cwd, 'gateway.config.json'), JSON.stringify({ logLevel: 'warn' }))],
  ])('%s: loopback only, reachable on 127.0.0.1, and says so', { timeout: 240_000 }, async (_what, prepare) => {
    const cwd = await mkdtemp(path.join(dir, 'loopback-'));
    await prepare(cwd);
    const g = await start(cwd);
    try {
      expect(g.banner).toContain(`Listening on 127.0.0.1:${g.port} (loopback only)\n`);
      expect(await viewer('127.0.0.1', g.port, g.key)).toBe('NewRegistrar');
      if (outside) expect(await viewer(outside, g.port, g.key)).toBe('ECONNREFUSED');
    } finally {
      expect(await stop(g.child)).toBe(0);
    }
  });

  it('HOST=0.0.0.0 opens it to the network: every interface, and says so', { timeout: 240_000 }, async () => {
    const cwd = await mkdtemp(path.join(dir, 'open-'));
    const g = await start(cwd, { HOST: '0.0.0.0' });
    try {
      expect(g.banner).toContain(`Listening on 0.0.0.0:${g.port} (every interface)\n`);
      expect(await viewer('127.0.0.1', g.port, g.key)).toBe('NewRegistrar');
      if (outside) expect(await viewer(outside, g.port, g.key)).toBe('NewRegistrar');
    } finally {
      expect(await stop(g.child)).toBe(0);
    }
  });

  it('HOST=:: (every IPv6 interface): the banner gives a URL that answers, [::1] in brackets', { timeout: 240_000 }, async () => {
    const cwd = await mkdtemp(path.join(dir, 'open6-'));
    const g = await start(cwd, { HOST: '::' });
    try {
      expect(g.banner).toContain(`Listening on [::]:${g.port} (every interface)\n`);
      expect(g.banner).toContain(`Registry gateway on http://[::1]:${g.port}/graphql (GraphiQL: http://[::1]:${g.port}/)`); // was http://:::<port>/graphql
      expect(await viewer('[::1]', g.port, g.key)).toBe('NewRegistrar');
    } finally {
      expect(await stop(g.child)).toBe(0);
    }
  });
});
