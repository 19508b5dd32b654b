import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile, cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMigrationsDir, readMigrations } from '../../../src/db/migrate.js';
import { emptyTarget, type MigrationTarget } from './migration-target.js';

const migrationsDir = findMigrationsDir();
let names: string[];
let scratch: string;

/** A migrations folder: the committed ones plus `extra` (name -> SQL). */
async function folderWith(extra: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(scratch, 'migrations-'));
  await cp(migrationsDir, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

beforeAll(async () => {
  names = (await readdir(migrationsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'rgw-migrate-test-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('migrations', () => {
  let target: MigrationTarget;
  beforeAll(async () => {
    target = await emptyTarget();
  });
  afterAll(() => target.close());

  it('reads the committed folder in order, with its lock file', async () => {
    const list = await readMigrations();
    expect(list.migrationDirectories.map((d) => d.path)).toEqual(names);
    expect(list.lockfile.content).toContain('provider = "postgresql"');
    expect(names.length).toBeGreaterThan(0);
  });

  it('applies every migration once, recording it as migrate deploy does', async () => {
    const first = await target.migrate();
    expect(first).toMatchObject({ applied: names, engine: true });
    const rows = await target.query<MigrationRow>('SELECT * FROM _prisma_migrations ORDER BY migration_name');
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    for (const row of rows) {
      const sql = await readFile(path.join(migrationsDir, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    const tables = await target.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    expect(tables.map((t) => t.tablename).sort()).toEqual(
      ['_prisma_migrations', 'api_keys', 'bulk_items', 'bulk_jobs', 'command_log', 'deployment_settings', 'domain_index', 'idempotency_records', 'poll_leases', 'poll_messages', 'registrars'].sort(),
    );
  });

  it('is idempotent: a second start applies nothing, and on a migrated database needs no schema engine', async () => {
    expect(await target.migrate()).toMatchObject({ applied: [], engine: false });
    expect(await target.query('SELECT * FROM _prisma_migrations')).toHaveLength(names.length);
  });

  it('hands a migration recorded with another checksum (edited after it was applied) to the engine', async () => {
    const [first] = names;
    await target.query(`UPDATE _prisma_migrations SET checksum = 'edited' WHERE migration_name = '${first}'`);
    try {
      expect(await target.migrate()).toMatchObject({ applied: [], engine: true });
    } finally {
      const sql = await readFile(path.join(migrationsDir, first!, 'migration.sql'));
      await target.query(`UPDATE _prisma_migrations SET checksum = '${createHash('sha256').update(sql).digest('hex')}' WHERE migration_name = '${first}'`);
    }
    expect(await target.migrate()).toMatchObject({ applied: [], engine: false });
  });

  it('runs a migration script whole (semicolons inside $$ bodies and strings survive)', async () => {
    const dir = await folderWith({
      '29990101000000_function': [
        "CREATE FUNCTION rgw_test_fn() RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN 'a;b'; END; $$;",
        "CREATE TABLE rgw_test_t (v text DEFAULT 'x;y');",
      ].join('\n'),
    });
    expect((await target.migrate({ migrationsDir: dir })).applied).toEqual(['29990101000000_function']);
    expect(await target.query('SELECT rgw_test_fn() AS v')).toEqual([{ v: 'a;b' }]);
  });
});

describe('a failing migration', () => {
  it('is recorded as failed, leaves no partial changes and blocks later starts', async () => {
    const target = await emptyTarget();
    try {
      const dir = await folderWith({ '29990101000000_broken': 'CREATE TABLE rgw_half (id int);\nSELECT 1/0;' });
      await expect(target.migrate({ migrationsDir: dir })).rejects.toThrow(/division by zero/);
      const rows = await target.query<MigrationRow>("SELECT * FROM _prisma_migrations WHERE migration_name = '29990101000000_broken'");
      expect(rows).toHaveLength(1);
      expect(rows[0]!.finished_at).toBeNull();
      expect(rows[0]!.logs).toMatch(/division by zero/);
      // The script ran as one implicit transaction: its first statement was rolled back too.
      expect(await target.query("SELECT 1 FROM pg_tables WHERE tablename = 'rgw_half'")).toEqual([]);
      await expect(target.migrate({ migrationsDir: dir })).rejects.toThrow(/failed/i);
    } finally {
      await target.close();
    }
  });
});

describe('concurrent starts', () => {
  it('apply the migrations exactly once', async () => {
    const target = await emptyTarget();
    try {
      const results = await Promise.all([target.migrate(), target.migrate(), target.migrate()]);
      const applied = results.map((r) => r.applied);
      expect(applied.filter((a) => a.length > 0)).toEqual([names]);
      expect(applied.filter((a) => a.length === 0)).toHaveLength(2);
      expect(await target.query('SELECT * FROM _prisma_migrations')).toHaveLength(names.length);
    } finally {
      await target.close();
    }
  });
});

describe('poll message seq (20261203210000_poll_message_seq)', () => {
  it("numbers the messages already stored 1, 2, 3, ... per registrar, in id order", async () => {
    const target = await emptyTarget();
    try {
      // A database as it was before the migration, holding two registrars' messages interleaved.
      const before = await mkdtemp(path.join(scratch, 'migrations-'));
      await cp(migrationsDir, before, { recursive: true });
      await rm(path.join(before, '20261203210000_poll_message_seq'), { recursive: true });
      await target.migrate({ migrationsDir: before });
      const owners = ['A', 'B', 'A', 'A', 'B', 'A'];
      for (const [i, r] of owners.entries()) {
        await target.query(
          `INSERT INTO poll_messages (registrar_id, backend, account_id, upstream_id, type, message, queued_at, raw) VALUES ('${r}', 'b', '${r}', 'u${i}', 'OTHER', 'm', now(), '')`,
        );
      }
      expect((await target.migrate()).applied).toContain('20261203210000_poll_message_seq');
      const rows = await target.query<{ registrar_id: string; seq: string }>('SELECT registrar_id, seq::text AS seq FROM poll_messages ORDER BY id');
      expect(rows.map((r) => `${r.registrar_id}${r.seq}`)).toEqual(['A1', 'B1', 'A2', 'A3', 'B2', 'A4']);
      // Each number once per registrar: a second 4 for A is refused.
      await expect(
        target.query(`INSERT INTO poll_messages (registrar_id, seq, backend, account_id, upstream_id, type, message, queued_at, raw) VALUES ('A', 4, 'b', 'A', 'dup', 'OTHER', 'm', now(), '')`),
      ).rejects.toThrow(/unique|duplicate/i);
    } finally {
      await target.close();
    }
  });
});
