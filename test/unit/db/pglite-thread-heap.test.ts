/**
 * The embedded database's thread keeps nothing of the answers it passes on: its JavaScript heap
 * stays flat over many statements. PGlite's execProtocolRawSync kept every parsed answer, so a
 * zero-setup gateway grew by 55-65 MiB per 3,000-item bulk job and never gave it back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPGliteThread, type EmbeddedPGlite } from '../../../src/db/pglite-thread.js';

const MiB = 1024 * 1024;

describe('the embedded database thread', () => {
  let db: EmbeddedPGlite;
  beforeAll(async () => {
    db = await createPGliteThread('memory://');
  }, 60_000);
  afterAll(() => db?.close());

  it('keeps its heap flat over 20,000 statements answering a kilobyte each', { timeout: 120_000 }, async () => {
    const statement = () => db.query<{ x: string }>('SELECT repeat($1, 1000) AS x', ['x']);
    for (let i = 0; i < 500; i++) await statement(); // PGlite's own caches and the heap's first growth
    const before = (await db.memory()).heapUsed;
    for (let i = 0; i < 20_000; i++) {
      const r = await statement();
      if (i % 5000 === 0) expect(r.rows[0]?.x).toHaveLength(1000);
    }
    const grown = (await db.memory()).heapUsed - before;
    // Kept answers would be 20 MB of row text alone; garbage not yet collected stays far below that.
    expect(grown / MiB).toBeLessThan(8);
  });

  it("reads PostgreSQL's WebAssembly memory too, and a reading is no statement: the idle time goes on", async () => {
    await db.query('SELECT 1');
    const idle = db.idleMs();
    const m = await db.memory();
    // PostgreSQL's shared buffers alone are 16 MB or more (src/db/client.ts EMBEDDED_SETTINGS; PGlite's default 128 MB here); a 32-bit WebAssembly memory is at most 4 GiB.
    expect(m.wasmMemory).toBeGreaterThan(16 * MiB);
    expect(m.wasmMemory).toBeLessThanOrEqual(4096 * MiB);
    expect(db.idleMs()).toBeGreaterThanOrEqual(idle);
  });
});
