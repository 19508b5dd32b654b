import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiKey,
  ensureRegistrar,
  hashApiKey,
  LAST_USED_RESOLUTION_MS,
  listApiKeys,
  revokeApiKey,
  revokeApiKeysByLabel,
  verifyApiKey,
} from '../../../src/auth/api-keys.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await freshDatabase();
  await ensureRegistrar(db.prisma, 'NewRegistrar', 'New Registrar');
  await ensureRegistrar(db.prisma, 'TheRegistrar');
});
afterAll(() => db.close());

describe('createApiKey', () => {
  it('returns the plaintext once and stores only its SHA-256', async () => {
    const created = await createApiKey(db.prisma, 'NewRegistrar', 'ci');
    expect(created.key).toMatch(/^rgw_[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(created.key.slice(0, 12));
    expect(created).toMatchObject({ registrarId: 'NewRegistrar', label: 'ci' });

    const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.hash).toBe(createHash('sha256').update(created.key).digest('hex'));
    // The whole row as the database holds it, not only the fields Prisma maps.
    const [raw] = await db.prisma.$queryRawUnsafe<Array<{ j: string }>>(
      'SELECT row_to_json(k)::text AS j FROM api_keys k WHERE id = $1',
      created.id,
    );
    const secret = created.key.slice(created.prefix.length);
    expect(raw!.j).not.toContain(created.key);
    expect(raw!.j).not.toContain(secret);
    expect(raw!.j).not.toContain(secret.slice(0, 16));
    expect(JSON.stringify(await listApiKeys(db.prisma, 'NewRegistrar'))).not.toContain(row.hash);
  });

  it('makes a different key every time', async () => {
    const a = await createApiKey(db.prisma, 'TheRegistrar');
    const b = await createApiKey(db.prisma, 'TheRegistrar');
    expect(a.key).not.toBe(b.key);
    expect(hashApiKey(a.key)).not.toBe(hashApiKey(b.key));
  });

  it('refuses an unknown registrar', async () => {
    await expect(createApiKey(db.prisma, 'Nobody')).rejects.toThrow();
  });
});

describe('verifyApiKey', () => {
  it('resolves a key, bare or as a Bearer header, to its registrar', async () => {
    const { key, id } = await createApiKey(db.prisma, 'NewRegistrar');
    expect(await verifyApiKey(db.prisma, key)).toEqual({ registrarId: 'NewRegistrar', keyId: id });
    expect(await verifyApiKey(db.prisma, `Bearer ${key}`)).toEqual({ registrarId: 'NewRegistrar', keyId: id });
  });

  it('rejects wrong, malformed and empty keys', async () => {
    const { key } = await createApiKey(db.prisma, 'NewRegistrar');
    const flipped = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect(await verifyApiKey(db.prisma, flipped)).toBeNull();
    expect(await verifyApiKey(db.prisma, `rgw_${'x'.repeat(43)}`)).toBeNull();
    expect(await verifyApiKey(db.prisma, key.slice(0, 20))).toBeNull();
    expect(await verifyApiKey(db.prisma, `${key}x`)).toBeNull();
    expect(await verifyApiKey(db.prisma, hashApiKey(key))).toBeNull();
    expect(await verifyApiKey(db.prisma, '')).toBeNull();
    expect(await verifyApiKey(db.prisma, undefined)).toBeNull();
  });

  it('rejects a revoked key and leaves the registrar’s other keys working', async () => {
    const revoked = await createApiKey(db.prisma, 'TheRegistrar');
    const kept = await createApiKey(db.prisma, 'TheRegistrar');
    expect(await revokeApiKey(db.prisma, revoked.id)).toBe(true);
    expect(await revokeApiKey(db.prisma, revoked.id)).toBe(false);
    expect(await verifyApiKey(db.prisma, revoked.key)).toBeNull();
    expect(await verifyApiKey(db.prisma, kept.key)).toMatchObject({ registrarId: 'TheRegistrar' });
  });

  it('revokes by label within one registrar', async () => {
    const a = await createApiKey(db.prisma, 'NewRegistrar', 'sandbox');
    const other = await createApiKey(db.prisma, 'TheRegistrar', 'sandbox');
    expect(await revokeApiKeysByLabel(db.prisma, 'NewRegistrar', 'sandbox')).toBe(1);
    expect(await verifyApiKey(db.prisma, a.key)).toBeNull();
    expect(await verifyApiKey(db.prisma, other.key)).not.toBeNull();
  });

  it('records lastUsedAt at most once a minute', async () => {
    const { key, id } = await createApiKey(db.prisma, 'NewRegistrar');
    const lastUsed = async () => (await db.prisma.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt?.getTime();
    const t0 = new Date('2030-01-01T00:00:00.000Z');
    expect(await lastUsed()).toBeUndefined();
    await verifyApiKey(db.prisma, key, t0);
    expect(await lastUsed()).toBe(t0.getTime());
    await verifyApiKey(db.prisma, key, new Date(t0.getTime() + LAST_USED_RESOLUTION_MS - 1));
    expect(await lastUsed()).toBe(t0.getTime());
    const t1 = new Date(t0.getTime() + LAST_USED_RESOLUTION_MS);
    await Promise.all([verifyApiKey(db.prisma, key, t1), verifyApiKey(db.prisma, key, t1)]);
    expect(await lastUsed()).toBe(t1.getTime());
  });
});

describe('ensureRegistrar', () => {
  it('creates once and renames on later calls', async () => {
    await ensureRegistrar(db.prisma, 'Renamed', 'first');
    await ensureRegistrar(db.prisma, 'Renamed', 'second');
    expect(await db.prisma.registrar.findMany({ where: { id: 'Renamed' } })).toMatchObject([{ name: 'second' }]);
  });
});
