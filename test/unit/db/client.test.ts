import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { openDatabase } from '../../../src/db/client.js';
import { freshDatabase } from '../../helpers/db.js';

const ctx = inject('testDb');

describe('openDatabase', () => {
  it('returns a migrated client of the configured kind; a second start applies nothing', async () => {
    const db = await freshDatabase();
    try {
      expect(db.kind).toBe(ctx.kind === 'postgres' ? 'postgres' : 'pglite');
      expect(await db.prisma.registrar.count()).toBe(0);
      if (db.url) {
        const again = await openDatabase({ url: db.url });
        expect(again.kind).toBe('postgres');
        expect(again.migration?.applied).toEqual([]);
        await again.close();
      }
    } finally {
      await db.close();
    }
  });

  it.skipIf(ctx.kind !== 'postgres')('on PostgreSQL its connections say which gateway process they are (application_name), so pg_stat_activity tells instances apart', async () => {
    const db = await freshDatabase();
    try {
      const [row] = await db.prisma.$queryRawUnsafe<Array<{ name: string }>>('SELECT application_name AS name FROM pg_stat_activity WHERE pid = pg_backend_pid()');
      expect(row!.name).toBe(`registry-gateway ${os.hostname()}:${process.pid}`.slice(0, 63));
    } finally {
      await db.close();
    }
  });

  it.skipIf(ctx.kind !== 'postgres')('on PostgreSQL opens four pool connections at the start (the migration check\'s, then three), before any statement needs them, and closes them all on close()', async () => {
    const db = await freshDatabase();
    try {
      const url = new URL(db.url!);
      url.searchParams.set('application_name', 'rgw-warm-test');
      const opened = await openDatabase({ url: url.toString() });
      // Counted from another client: the opened pool's connections, nothing asked of it yet.
      const connections = async () => Number((await db.prisma.$queryRawUnsafe<Array<{ n: bigint }>>(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'rgw-warm-test'`))[0]!.n);
      try {
        await vi.waitFor(async () => expect(await connections()).toBe(4), { timeout: 10_000 });
      } finally {
        await opened.close();
      }
      await vi.waitFor(async () => expect(await connections()).toBe(0), { timeout: 10_000 });
    } finally {
      await db.close();
    }
  });

  it('stores BigInt cursors, enums, JSON and timestamps faithfully', async () => {
    const db = await freshDatabase();
    try {
      const queuedAt = new Date('2026-01-02T03:04:05.678Z');
      const a = await db.prisma.pollMessage.create({
        data: { registrarId: 'R', seq: 1n, backend: 'b', accountId: 'acc', upstreamId: '1', type: 'TRANSFER_REQUESTED', message: 'm', queuedAt, raw: '<x/>' },
      });
      const b = await db.prisma.pollMessage.create({
        data: { registrarId: 'R', seq: 2n, backend: 'b', accountId: 'acc', upstreamId: '2', type: 'AUTORENEWED', message: 'm', queuedAt, raw: '<y/>' },
      });
      expect(typeof a.id).toBe('bigint');
      expect(b.id > a.id).toBe(true);
      const after = await db.prisma.pollMessage.findMany({ where: { registrarId: 'R', id: { gt: a.id } } });
      expect(after.map((m) => [m.upstreamId, m.type, m.queuedAt.toISOString()])).toEqual([['2', 'AUTORENEWED', queuedAt.toISOString()]]);
      const response = { domain: { name: 'a.example', statuses: ['ok'] }, n: 1, nothing: null };
      const rec = await db.prisma.idempotencyRecord.create({
        data: { registrarId: 'R', idempotencyKey: 'k', operation: 'createDomain', fingerprint: 'f', state: 'SUCCEEDED', response, expiresAt: queuedAt },
      });
      expect((await db.prisma.idempotencyRecord.findUniqueOrThrow({ where: { id: rec.id } })).response).toEqual(response);
    } finally {
      await db.close();
    }
  });
});

describe.skipIf(ctx.kind !== 'pglite')('embedded PGlite directory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-client-test-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('creates a new embedded database where none is (initdb runs in a worker thread), migrated and ready', async () => {
    if (ctx.kind !== 'pglite') return;
    const dataDir = path.join(dir, 'new-pglite');
    const db = await openDatabase({ dataDir });
    try {
      expect(db.migration).toMatchObject({ engine: true });
      expect(db.migration!.applied.length).toBeGreaterThan(0);
      await db.prisma.registrar.create({ data: { id: 'Fresh', name: 'fresh' } });
      expect(await db.prisma.registrar.count()).toBe(1);
    } finally {
      await db.close();
    }
  }, 120_000); // initdb and every migration: 3-5 s idle, over 30 s at load 18

  it('persists across reopen and can be open only once at a time', async () => {
    if (ctx.kind !== 'pglite') return;
    const dataDir = path.join(dir, 'pglite');
    await cp(ctx.templateDir, dataDir, { recursive: true });
    const first = await openDatabase({ dataDir });
    await first.prisma.registrar.create({ data: { id: 'Kept', name: 'kept' } });
    await expect(openDatabase({ dataDir })).rejects.toThrow(/already open/);
    await first.close();
    const second = await openDatabase({ dataDir });
    try {
      expect(second.migration?.applied).toEqual([]);
      expect(await second.prisma.registrar.findUnique({ where: { id: 'Kept' } })).toMatchObject({ name: 'kept' });
    } finally {
      await second.close();
    }
  });

  it('vacuums its tables while idle, as no autovacuum does in its single-user PostgreSQL (src/db/pglite-vacuum.ts)', async () => {
    if (ctx.kind !== 'pglite') return;
    const dataDir = path.join(dir, 'vacuumed');
    await cp(ctx.templateDir, dataDir, { recursive: true });
    const db = await openDatabase({ dataDir });
    try {
      // 2,000 registrars inserted (past 1,000 + 0.2 x 2,000), then every one updated (2,000 dead rows).
      await db.prisma.$executeRawUnsafe("INSERT INTO registrars (id, name) SELECT 'R' || g, 'r' FROM generate_series(1, 2000) g");
      await db.prisma.$executeRawUnsafe("UPDATE registrars SET name = 'renamed'");
      const stats = async () => (await db.prisma.$queryRawUnsafe<{ vacuums: number; dead: number }[]>("SELECT vacuum_count::float8 AS vacuums, n_dead_tup::float8 AS dead FROM pg_stat_user_tables WHERE relname = 'registrars'"))[0]!;
      // Nothing is asked meanwhile but these reads, one every 500 ms: idle in between.
      let s = await stats();
      while (s.vacuums === 0) {
        await new Promise((r) => setTimeout(r, 500));
        s = await stats();
      }
      expect(s.dead).toBe(0);
      expect(await db.prisma.registrar.count({ where: { name: 'renamed' } })).toBe(2000);
    } finally {
      await db.close();
    }
  }, 60_000);
});
