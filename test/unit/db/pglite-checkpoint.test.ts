/**
 * Checkpoints of the embedded database (src/db/pglite-checkpoint.ts): PGlite's single-user
 * PostgreSQL starts none of its own, so what a crash leaves to replay is all the write-ahead log
 * since the last one. PGlite runs only.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keepCheckpointing } from '../../../src/db/pglite-checkpoint.js';
import { createPGliteThread, type EmbeddedPGlite } from '../../../src/db/pglite-thread.js';

const ctx = inject('testDb');

const LAST_CHECKPOINT = 'SELECT redo_lsn::text AS redo, (pg_current_wal_insert_lsn() - redo_lsn)::float8 AS since FROM pg_control_checkpoint()';
const MAX_BYTES = 256 * 1024;

describe.skipIf(ctx.kind !== 'pglite')('checkpoints of the embedded database', () => {
  let db: EmbeddedPGlite;
  beforeAll(async () => {
    db = await createPGliteThread('memory://');
    await db.exec('CREATE TABLE filler (id serial PRIMARY KEY, body text)');
  }, 60_000);
  afterAll(() => db?.close());

  const lastCheckpoint = async () => (await db.query<{ redo: string; since: number }>(LAST_CHECKPOINT)).rows[0]!;

  it('runs a CHECKPOINT once more WAL than maxBytes is written since the last one, and stops when told', { timeout: 60_000 }, async () => {
    const checkpoints = keepCheckpointing(db, { everyMs: 20, maxBytes: MAX_BYTES });
    try {
      const before = await lastCheckpoint();
      // About 2 MB of rows: well past maxBytes.
      await db.exec("INSERT INTO filler (body) SELECT repeat(md5(g::text), 64) FROM generate_series(1, 1000) g");
      expect((await lastCheckpoint()).since).toBeGreaterThan(MAX_BYTES);
      let after = await lastCheckpoint();
      while (after.redo === before.redo) {
        await new Promise((r) => setTimeout(r, 20));
        after = await lastCheckpoint();
      }
      expect(after.since).toBeLessThan(MAX_BYTES);
    } finally {
      await checkpoints.stop();
    }
    // Stopped: the WAL written from now on stays to be replayed until the database is closed.
    const stopped = await lastCheckpoint();
    await db.exec("INSERT INTO filler (body) SELECT repeat(md5(g::text), 64) FROM generate_series(1, 1000) g");
    await new Promise((r) => setTimeout(r, 200));
    expect((await lastCheckpoint()).redo).toBe(stopped.redo);
  });
});
