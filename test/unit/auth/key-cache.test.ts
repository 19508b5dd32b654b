/**
 * API keys resolved from memory (src/auth/key-cache.ts), forgotten when the database announces a
 * change (src/auth/key-changes.ts, the trigger in migration 20261201100000). Runs on PGlite and,
 * with TEST_DATABASE_URL, on PostgreSQL (where the announcement crosses connections).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createApiKey, ensureRegistrar, revokeApiKey } from '../../../src/auth/api-keys.js';
import { ApiKeyCache } from '../../../src/auth/key-cache.js';
import { followKeyChanges } from '../../../src/auth/key-changes.js';
import { KeyRevocationWatch } from '../../../src/auth/revocation.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

const HOUR = 3_600_000;
const silent = pino({ level: 'silent' });
let db: TestDatabase;

beforeAll(async () => {
  db = await freshDatabase();
  await ensureRegistrar(db.prisma, 'NewRegistrar', 'New Registrar');
  await ensureRegistrar(db.prisma, 'TheRegistrar', 'The Registrar');
});
afterAll(() => db.close());

/** Resolves `key` until `done` says so; only the test's timeout bounds it. */
async function until(cache: ApiKeyCache, key: string, done: (r: Awaited<ReturnType<ApiKeyCache['resolve']>>) => boolean) {
  for (;;) {
    const r = await cache.resolve(key);
    if (done(r)) return r;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('ApiKeyCache', () => {
  it('keeps a resolved key for its TTL, then reads it again (no announcements heard)', async () => {
    let now = Date.now();
    const cache = new ApiKeyCache(db.prisma, 60_000, 100, () => now);
    const { key, id } = await createApiKey(db.prisma, 'NewRegistrar');
    expect(await cache.resolve(`Bearer ${key}`)).toEqual({ keyId: id, registrarId: 'NewRegistrar', registrarName: 'New Registrar' });
    await revokeApiKey(db.prisma, id);
    expect((await cache.resolve(key))?.keyId).toBe(id); // trusted for its TTL: nobody told this cache
    now += 60_001;
    expect(await cache.resolve(key)).toBeNull();
    expect(await cache.resolve('rgw_not-a-key')).toBeNull();
  });

  it('forgets a key, and its registrar’s keys, as soon as the database announces the change', async () => {
    const cache = new ApiKeyCache(db.prisma, HOUR);
    const watch = new KeyRevocationWatch(db.prisma, silent, HOUR);
    const unlisten = await followKeyChanges(db.listen, cache, watch, silent);
    try {
      const revoked = await createApiKey(db.prisma, 'TheRegistrar', 'revoked');
      const kept = await createApiKey(db.prisma, 'TheRegistrar', 'kept');
      const other = await createApiKey(db.prisma, 'NewRegistrar', 'other');
      for (const k of [revoked, kept, other]) expect((await cache.resolve(k.key))?.keyId).toBe(k.id);
      await revokeApiKey(db.prisma, revoked.id);
      expect(await until(cache, revoked.key, (r) => r === null)).toBeNull();
      expect((await cache.resolve(kept.key))?.keyId).toBe(kept.id);

      // A registrar renamed (here by SQL, as an operator would) is seen under its new name.
      await db.prisma.$executeRawUnsafe(`UPDATE registrars SET name = 'The Renamed Registrar' WHERE id = 'TheRegistrar'`);
      expect(await until(cache, kept.key, (r) => r?.registrarName === 'The Renamed Registrar')).toMatchObject({ keyId: kept.id });
      expect((await cache.resolve(other.key))?.registrarName).toBe('New Registrar');

      // A key deleted by SQL stops working too.
      await db.prisma.$executeRawUnsafe(`DELETE FROM api_keys WHERE id = $1`, other.id);
      expect(await until(cache, other.key, (r) => r === null)).toBeNull();
    } finally {
      await unlisten();
    }
  });

  it('does not keep a lookup that was under way when a change was announced', async () => {
    const cache = new ApiKeyCache(db.prisma, HOUR);
    const { key, id } = await createApiKey(db.prisma, 'NewRegistrar');
    const underway = cache.resolve(key); // reads the row as it is now
    cache.forget(id); // a change announced meanwhile
    expect((await underway)?.keyId).toBe(id);
    await revokeApiKey(db.prisma, id); // nobody listening: only a fresh lookup can see it
    expect(await cache.resolve(key)).toBeNull();
  });

  it('ends a key at a revocation dated ahead, not a TTL later', async () => {
    let now = Date.now();
    const cache = new ApiKeyCache(db.prisma, HOUR, 100, () => now);
    const { key, id } = await createApiKey(db.prisma, 'NewRegistrar');
    await db.prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date(now + 60_000) } });
    expect((await cache.resolve(key))?.keyId).toBe(id);
    now += 60_000;
    expect(await cache.resolve(key)).toBeNull();
  });

  it('writes lastUsedAt when it first resolves a key, off the request', async () => {
    const cache = new ApiKeyCache(db.prisma, HOUR);
    const { key, id } = await createApiKey(db.prisma, 'NewRegistrar');
    await cache.resolve(key);
    for (;;) {
      const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { id } });
      if (row.lastUsedAt) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });
});
