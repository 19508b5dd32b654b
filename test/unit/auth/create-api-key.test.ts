import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
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

  it('refuses a registrar id that is neither stored nor configured, suggesting the one that differs in case, creating nothing (a typo made a registrar whose key met FORBIDDEN everywhere)', async () => {
    const { code, out, err } = await run(['--registrar', 'newregistrar']);
    expect(code).toBe(1);
    expect(out).toEqual([]);
    const message = err.join('\n');
    expect(message).toContain('unknown registrar "newregistrar"');
    expect(message).toContain('Did you mean "NewRegistrar"? (ids are case-sensitive)');
    expect(message).toMatch(/Known registrars: NewRegistrar, TheRegistrar/);
    expect(message).toContain('--new-registrar');
    const close = await run(['--registrar', 'TheRegistrr']);
    expect(close.code).toBe(1);
    expect(close.err.join('\n')).toContain('Did you mean "TheRegistrar"');
    const db = await openDatabase(target);
    try {
      expect(await db.prisma.registrar.findMany({ where: { id: { in: ['newregistrar', 'TheRegistrr'] } } })).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('creates a registrar listed in the config file\'s registrars, takes one stored, and any with --new-registrar', async () => {
    const file = path.join(scratch, 'gateway.config.json');
    await writeFile(file, JSON.stringify({ registrars: [{ id: 'acme', name: 'Acme Registrar' }], backends: [], routes: [] }));
    const before = process.env.GATEWAY_CONFIG;
    process.env.GATEWAY_CONFIG = file;
    try {
      expect((await run(['--registrar', 'acme', '--label', 'frontend'])).code).toBe(0);
      // Not in this file, but in the database (the first test made it): taken.
      expect((await run(['--registrar', 'NewRegistrar'])).code).toBe(0);
      const other = await run(['--registrar', 'acme2']);
      expect(other.code).toBe(1);
      expect(other.err.join('\n')).toContain('Did you mean "acme"');
    } finally {
      if (before === undefined) delete process.env.GATEWAY_CONFIG;
      else process.env.GATEWAY_CONFIG = before;
    }
    const made = await run(['--registrar', 'brand-new', '--new-registrar']);
    expect(made.code).toBe(0);
    expect(made.out[0]).toMatch(/^rgw_/);
  });
});
