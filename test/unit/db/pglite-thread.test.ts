/**
 * The embedded database with its PostgreSQL in a worker thread (src/db/pglite-thread.ts), through
 * what the gateway uses: Prisma over pglite-prisma-adapter, LISTEN, close. PGlite runs only.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../../src/db/client.js';
import { createPGliteThread } from '../../../src/db/pglite-thread.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

const ctx = inject('testDb');

describe.skipIf(ctx.kind !== 'pglite')('embedded database in its own thread', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(() => db.close());

  it("keeps the gateway's thread running while a statement executes", { timeout: 90_000 }, async () => {
    // The statement writes a file, then waits for this thread to answer with another (for up to
    // 30 s). With PostgreSQL's WebAssembly in this thread, nothing here could run meanwhile and
    // the statement fails.
    const [{ dir: inside }] = await db.prisma.$queryRawUnsafe<Array<{ dir: string }>>('SELECT current_setting($1) AS dir', 'data_directory');
    const started = path.join(db.dataDir!, 'started-by-statement');
    const answered = path.join(db.dataDir!, 'answered-by-gateway');
    const statement = db.prisma.$executeRawUnsafe(`DO $$ BEGIN
      COPY (SELECT 1) TO '${inside}/started-by-statement';
      FOR i IN 1..600 LOOP
        IF (pg_stat_file('answered-by-gateway', true)).size IS NOT NULL THEN RETURN; END IF;
        PERFORM pg_sleep(0.05);
      END LOOP;
      RAISE EXCEPTION 'the gateway thread never answered';
    END $$`);
    const watch = setInterval(() => existsSync(started) && (clearInterval(watch), writeFileSync(answered, 'here')), 5);
    try {
      await expect(statement).resolves.toBe(0);
    } finally {
      clearInterval(watch);
    }
  });

  it('rolls a failed transaction back, and a statement from outside waits for it to end', async () => {
    const seen: number[] = [];
    let outside: Promise<number> | undefined;
    await expect(
      db.prisma.$transaction(async (tx) => {
        await tx.registrar.create({ data: { id: 'Gone', name: 'rolled back' } });
        outside = db.prisma.registrar.count({ where: { id: 'Gone' } });
        void outside.then((n) => seen.push(n));
        seen.push(await tx.registrar.count({ where: { id: 'Gone' } }));
        throw new Error('the operation failed');
      }),
    ).rejects.toThrow('the operation failed');
    expect(await outside).toBe(0);
    expect(seen).toEqual([1, 0]);
    expect(await db.prisma.registrar.findUnique({ where: { id: 'Gone' } })).toBeNull();
  });

  it('reports a unique violation as Prisma P2002 and goes on serving', async () => {
    await db.prisma.registrar.create({ data: { id: 'Twice', name: 'first' } });
    await expect(db.prisma.registrar.create({ data: { id: 'Twice', name: 'second' } })).rejects.toMatchObject({ code: 'P2002' });
    expect(await db.prisma.registrar.findUniqueOrThrow({ where: { id: 'Twice' } })).toMatchObject({ name: 'first' });
  });

  it('delivers committed notifications to LISTEN, and none from a rolled-back transaction', async () => {
    const heard: string[] = [];
    let last: () => void = () => {};
    const lastHeard = new Promise<void>((r) => (last = r));
    const unlisten = await db.listen('thread_test', {
      onNotify: (payload) => {
        heard.push(payload);
        if (payload === 'last') last();
      },
      onGap: () => {},
    });
    try {
      await db.prisma.$executeRawUnsafe(`SELECT pg_notify('thread_test', 'one')`);
      await expect(
        db.prisma.$transaction(async (tx) => {
          await tx.$executeRawUnsafe(`SELECT pg_notify('thread_test', 'never')`);
          throw new Error('abandoned');
        }),
      ).rejects.toThrow('abandoned');
      await db.prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`SELECT pg_notify('thread_test', 'two')`);
        await tx.$executeRawUnsafe(`SELECT pg_notify('thread_test', 'last')`);
      });
      await lastHeard;
      expect(heard).toEqual(['one', 'two', 'last']);
    } finally {
      await unlisten();
    }
  });
});

describe.skipIf(ctx.kind !== 'pglite')('closing the embedded database', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-thread-test-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lets the transaction under way commit, refuses statements after, and the data is there on reopening', async () => {
    if (ctx.kind !== 'pglite') return;
    const dataDir = path.join(dir, 'pglite');
    await cp(ctx.templateDir, dataDir, { recursive: true });
    const first = await createPGliteThread(dataDir);
    let closing: Promise<void> | undefined;
    await first.transaction(async (tx) => {
      closing = first.close();
      await tx.query(`INSERT INTO registrars (id, name) VALUES ('Committed', 'during close')`);
    });
    await closing;
    expect(first.closed).toBe(true);
    await expect(first.query('SELECT 1')).rejects.toThrow(/closed/);
    const second = await openDatabase({ dataDir });
    try {
      expect(await second.prisma.registrar.findUnique({ where: { id: 'Committed' } })).toMatchObject({ name: 'during close' });
    } finally {
      await second.close();
    }
  });
});
