/**
 * The zero-setup start (no config file: sandbox registries) prints a new API key per sandbox
 * registrar at every start and revokes the ones the previous start printed. A restarted gateway
 * must never take those: a client that reconnects after the restart with the old key (the README's
 * poll.mjs does) is refused, instead of being served (subscription included) until the new start
 * got round to revoking them after it had begun to listen.
 *
 * The order is made visible without timing: the test holds a row lock on the old keys, so the
 * restarted process's revocation waits for it; once PostgreSQL shows that wait, the old key is
 * tried. Revoked before listening, the process does not listen yet (refused connection); revoked
 * after, it listened already and answered the old key. Needs PostgreSQL (a second process must
 * reach the database while the gateway runs): skipped without TEST_DATABASE_URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { compiledGateway } from '../helpers/processes.js';

const PG = process.env.TEST_DATABASE_URL;
const LABEL = 'sandbox (printed at start)';
/** One deployment, one idempotency key: a start with another is refused (src/idempotency/key-check.ts). */
const SECRET = randomBytes(32).toString('hex');

/** A port free a moment ago, for a gateway that must come back on the same one. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Started {
  child: ChildProcess;
  /** Resolves with NewRegistrar's key once the process has printed it. */
  key: Promise<string>;
}

describe.skipIf(!PG)('the zero-setup start replaces its sandbox keys (skipped: set TEST_DATABASE_URL to run it)', () => {
  const children: ChildProcess[] = [];
  let db: TestDatabase | undefined;
  let dir: string | undefined;
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await db?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function start(port: number): Promise<Started> {
    const compiled = await compiledGateway();
    const child = spawn(process.execPath, ['--import', pathToFileURL(path.join(compiled, 'helpers.mjs')).href, path.join(compiled, 'bundle/main.js')], {
      // No config file in the working directory, none named: the zero-setup start, on PostgreSQL.
      cwd: dir,
      env: { PATH: process.env.PATH, DATABASE_URL: db!.url!, IDEMPOTENCY_KEY_SECRET: SECRET, DATA_DIR: path.join(dir!, 'data'), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    const key = new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /NewRegistrar\s+(rgw_\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
      child.once('exit', (code) => reject(new Error(`gateway exited (${code}) before printing its keys:\n${out.slice(-3000)}`)));
    });
    key.catch(() => undefined);
    return { child, key };
  }

  async function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** The HTTP status of `{ viewer { id } }` with `key`, or "refused" when nothing listens. */
  async function viewerStatus(port: number, key: string): Promise<number | 'refused'> {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query: '{ viewer { id } }' }) });
      return r.status;
    } catch (e) {
      if ((e as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') return 'refused';
      throw e;
    }
  }

  it('a restarted gateway never takes the key the previous start printed', async () => {
    db = await freshDatabase();
    dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-sandbox-keys-'));
    const port = await freePort();
    const first = await start(port);
    const oldKey = await first.key;
    expect(await viewerStatus(port, oldKey)).toBe(200);
    await stop(first.child);

    // Hold the old key's row, so the next start's revocation of it waits until the test lets go.
    const locker = new pg.Client({ connectionString: db.url });
    // Another connection watches: inside the locker's transaction pg_stat_activity would show one snapshot.
    const watcher = new pg.Client({ connectionString: db.url });
    await Promise.all([locker.connect(), watcher.connect()]);
    try {
      await locker.query('BEGIN');
      const locked = await locker.query('SELECT id FROM api_keys WHERE label = $1 AND revoked_at IS NULL FOR UPDATE', [LABEL]);
      expect(locked.rowCount).toBeGreaterThan(0);
      const second = await start(port);
      // Until PostgreSQL shows the new process waiting for that lock (only the test's timeout bounds it).
      for (;;) {
        const waiting = await watcher.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%api_keys%'`);
        if (waiting.rowCount) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // The old key is not revoked yet: a gateway that listened already takes it.
      expect(await viewerStatus(port, oldKey)).toBe('refused');
      await locker.query('COMMIT');
      const newKey = await second.key;
      expect(await viewerStatus(port, newKey)).toBe(200);
      expect(await viewerStatus(port, oldKey)).toBe(401);
      await stop(second.child);
    } finally {
      await Promise.all([locker.end(), watcher.end()]);
    }
  }, 120_000);
});
