/**
 * Gateway processes sharing one database of their own, for the tests that run several gateways
 * as separate processes, kill them (SIGKILL) and start them again: the database, the folder their
 * config files go in, and one place that ends whatever they left running.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { GatewayConfig } from '../../src/config.types.js';
import { freshDatabase, type TestDatabase } from './db.js';
import { spawnGateway, type GatewayProcess } from './processes.js';

/** What startGatewayProcesses returns. */
export interface GatewayProcesses {
  /** The processes' database: fresh and migrated, on PostgreSQL (db.url is what they connect to). */
  db: TestDatabase;
  /** The temporary folder: the processes' config files, and their DATA_DIR. */
  dataDir: string;
  /**
   * Starts a gateway process (spawnGateway: the working tree's code, compiled and bundled as
   * production runs it) with `config`, written to a new file in the temporary folder, on db;
   * resolves once it listens, rejects if it exits first or has not listened after 30 s. DATA_DIR is
   * the temporary folder, the same for every process of the set. `instanceId` sets
   * BULK_INSTANCE_ID, the identity under which a restarted process resumes the bulk items it
   * held; `env` adds to (and overrides) the process's environment.
   */
  spawn(opts: { config: GatewayConfig; instanceId?: string; env?: Record<string, string> }): Promise<GatewayProcess>;
  /**
   * Stops every process spawn started that still runs (SIGTERM, SIGKILL after 5 s; one already
   * killed or stopped is passed over), then closes the database (a PostgreSQL test database is
   * dropped) and deletes the temporary folder.
   */
  close(): Promise<void>;
}

/**
 * Starts a fresh database (freshDatabase()) and makes a temporary folder named after `prefix`
 * (under the OS temporary directory) for the config files of the processes to come; starts no
 * process. Gateway processes need a database another process can reach, so this throws (having
 * closed the database) unless the tests run on PostgreSQL (TEST_DATABASE_URL).
 */
export async function startGatewayProcesses(prefix: string): Promise<GatewayProcesses> {
  const db = await freshDatabase();
  let dir: string;
  try {
    if (!db.url) throw new Error('gateway processes need PostgreSQL: set TEST_DATABASE_URL');
    dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  } catch (e) {
    await db.close();
    throw e;
  }
  const started: GatewayProcess[] = [];
  return {
    db,
    dataDir: dir,
    async spawn({ config, instanceId, env }) {
      const configPath = path.join(dir, `gateway-${instanceId ?? 'process'}-${randomUUID().slice(0, 6)}.json`);
      // DATA_DIR: the temporary folder, shared by the processes of this set (a restarted process finds what its earlier life kept there: src/bulk/session-hint.ts), never the repository's ./data.
      const p = await spawnGateway({ config, configPath, databaseUrl: db.url!, env: { DATA_DIR: dir, ...(instanceId ? { BULK_INSTANCE_ID: instanceId } : {}), ...env } });
      started.push(p);
      return p;
    },
    async close() {
      await Promise.all(started.map((p) => p.stop()));
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
