import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyApiKey } from '../../../src/auth/api-keys.js';
import { createApiKeyCommand } from '../../../src/auth/create-api-key.js';
import { openDatabase, type OpenDatabaseOptions } from '../../../src/db/client.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

const ctx = inject('testDb');

/** Where the command should write: a PostgreSQL test database, or a PGlite copy nobody has open. */
let target: OpenDatabaseOptions;
let pgDb: TestDatabase | undefined;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'rgw-key-cli-'));
  if (ctx.kind === 'postgres') {
    pgDb = await freshDatabase();
    target = { url: pgDb.url };
  } else {
    target = { dataDir: path.join(scratch, 'pglite') };
    await cp(ctx.templateDir, target.dataDir!, { recursive: true });
  }
});
afterAll(async () => {
  await pgDb?.close();
  await rm(scratch, { recursive: true, force: true });
});

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  // --data-dir is the gateway's DATA_DIR, which holds the database as pglite/.
  const where = target.url ? ['--database-url', target.url] : ['--data-dir', path.dirname(target.dataDir!)];
  return createApiKeyCommand([...argv, ...where], { out: (l) => out.push(l), err: (l) => err.push(l) }).then((code) => ({ code, out, err }));
}

describe('key:create', () => {
  it('creates the registrar if needed and prints the key, alone, once', async () => {
    const { code, out, err } = await run(['--registrar', 'NewRegistrar', '--label', 'ops']);
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^rgw_[A-Za-z0-9_-]{43}$/);
    expect(err.join('\n')).not.toContain(out[0]);
    const db = await openDatabase(target);
    try {
      expect(await verifyApiKey(db.prisma, out[0])).toMatchObject({ registrarId: 'NewRegistrar' });
      expect(await db.prisma.registrar.findUnique({ where: { id: 'NewRegistrar' } })).toMatchObject({ name: 'NewRegistrar' });
      expect(await db.prisma.apiKey.findMany({ where: { registrarId: 'NewRegistrar' } })).toMatchObject([{ label: 'ops' }]);
    } finally {
      await db.close();
    }
  });

  it('exits 2 with usage when --registrar is missing', async () => {
    const { code, out, err } = await run([]);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err[0]).toMatch(/usage/);
  });
});
