/**
 * A bulk worker restarted with its identity after a SIGKILL logs in the registry sessions it was
 * running items on while its database is still out of reach (src/bulk/session-hint.ts,
 * src/backends/early.ts): the lanes it used are kept in a file under DATA_DIR, and the new
 * process makes its backends and opens those sessions before its runner can read anything. The
 * database is held here (bulk_items locked by another session) so that the runner cannot take
 * its items back: logins reach the registry all the same, and no renewal is sent until the lock
 * goes; then the job finishes, every domain renewed exactly once. Separate processes on one
 * PostgreSQL, against an EPP sandbox in the test process.
 */
import { readdir, readFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiBesideWorkers, waitFinished, type ApiBesideWorkers } from '../helpers/bulk.js';
import type { GatewayProcess } from '../helpers/processes.js';

const PG = process.env.TEST_DATABASE_URL;
const N = 24;
const WORKER = { API_ENABLED: 'false' };

describe.skipIf(!PG)('a bulk worker restarted after a crash opens its sessions before its database answers, on PostgreSQL (skipped: set TEST_DATABASE_URL to run it)', () => {
  let set: ApiBesideWorkers;

  beforeAll(async () => {
    set = await startApiBesideWorkers('rgw-ahead-');
  }, 90_000);
  afterAll(() => set?.close());

  it('logs in while its runner waits for the database, sends nothing until it can read, and finishes the job once', async () => {
    const { procs, shared, config, api, key } = set;
    // Renewals answered 150 ms after they are applied: the job is under way when the worker is killed.
    const { names, before, renewsBefore, id } = await set.submitSlowRenewals('ah', N);

    const worker = await procs.spawn({ config, instanceId: 'ahead', env: WORKER });
    // Killed once renewals are under way and it has kept the lane it runs them on (bounded by the test's timeout).
    const hintFile = async () => (await readdir(procs.dataDir)).filter((f) => /^bulk-sessions-[0-9a-f]{16}\.json$/.test(f));
    const lanes = async () => ((await hintFile()).length === 1 ? JSON.parse(await readFile(`${procs.dataDir}/${(await hintFile())[0]}`, 'utf8')).lanes.length : 0);
    while (shared.sandbox.applied('domain:renew') - renewsBefore < N / 4 || (await lanes()) === 0) await new Promise((r) => setTimeout(r, 10));
    await worker.kill();

    // What the killed worker kept: its identity and the lane it ran items on, nothing else.
    const dir = await hintFile();
    expect(dir).toHaveLength(1);
    const hint = JSON.parse(await readFile(`${procs.dataDir}/${dir[0]}`, 'utf8'));
    expect(hint).toMatchObject({ version: 1, instanceId: 'ahead', lanes: [{ backend: 'sandbox-nomulus', registrarId: 'NewRegistrar' }] });
    expect(hint.lanes[0].sessions).toBeGreaterThanOrEqual(1);

    // The database's bulk items held: the restarted runner cannot take its items back.
    const lock = new pg.Client({ connectionString: procs.db.url });
    lock.on('error', () => undefined); // ended by the database's drop when the test fails half way
    await lock.connect();
    let again: GatewayProcess | undefined;
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE bulk_items IN ACCESS EXCLUSIVE MODE');
      const logins = shared.sandbox.applied('login');
      const renews = shared.sandbox.applied('domain:renew');
      const starting = procs.spawn({ config, instanceId: 'ahead', env: WORKER });
      starting.catch(() => undefined); // awaited below
      // Bounded by the test's timeout: without the sessions opened ahead, no login comes while the items are held.
      while (shared.sandbox.applied('login') === logins) await new Promise((r) => setTimeout(r, 10));
      expect(shared.sandbox.applied('domain:renew')).toBe(renews); // nothing but the login was sent
      await lock.query('COMMIT');
      again = await starting;
    } finally {
      await lock.end();
    }
    try {
      expect(again.output()).toMatch(/opening the sessions this instance was running items on/);
      const done = await waitFinished(api, key, id);
      expect(done.counts).toEqual({ done: N, failed: 0, pending: 0, running: 0, cancelled: 0 });
      expect(shared.sandbox.applied('domain:renew') - renewsBefore).toBe(N);
      for (const n of names) expect(shared.sandbox.domain(n)!.expiresAt.getUTCFullYear()).toBe(before.get(n)! + 1);
    } finally {
      await again.stop();
    }
    // A clean stop leaves nothing to open ahead.
    expect(JSON.parse(await readFile(`${procs.dataDir}/${dir[0]}`, 'utf8')).lanes).toEqual([]);
  }, 180_000);
});
