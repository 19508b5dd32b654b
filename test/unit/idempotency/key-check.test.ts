/**
 * The database records a check value of the idempotency key (an HMAC of a fixed label, never the
 * key): the first start records it, a start with the same key goes on, a start with another key
 * is refused naming the setting (an operator's third instance with another secret started without
 * a word, and a client's exact retry got IDEMPOTENCY_KEY_REUSED). Two starts with different keys
 * at once on a database without one: exactly one goes on. IDEMPOTENCY_KEY_ROTATE_FROM replaces
 * the recorded key, only the one it names.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/config-error.js';
import type { GatewayConfig } from '../../../src/config.types.js';
import { openDatabase } from '../../../src/db/client.js';
import { deploymentFingerprints } from '../../../src/idempotency/fingerprint-key.js';
import { checkIdempotencyKey, KEY_CHECK_SETTING, keyCheckValue, keyId } from '../../../src/idempotency/key-check.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

let db: TestDatabase;
/** A second client of the same database where there can be one (PostgreSQL): another instance's. */
let other: { prisma: TestDatabase['prisma']; close(): Promise<void> } | undefined;
beforeAll(async () => {
  db = await freshDatabase();
  if (db.url) other = await openDatabase({ url: db.url });
});
afterAll(async () => {
  await other?.close();
  await db?.close();
});
beforeEach(async () => {
  await db.prisma.$executeRaw`DELETE FROM deployment_settings`;
});

type Cfg = Pick<GatewayConfig, 'idempotency' | 'databaseUrl' | 'dataDir'>;
const secret = () => randomBytes(32).toString('hex');
const cfg = (keySecret: string, keyRotateFrom?: string): Cfg => ({ databaseUrl: 'postgresql://x@127.0.0.1/x', dataDir: '/nonexistent', idempotency: { keySecret, ...(keyRotateFrom ? { keyRotateFrom } : {}) } });
const idOf = (c: Cfg) => keyId(keyCheckValue(deploymentFingerprints(c)));
const recorded = async () => (await db.prisma.$queryRaw<Array<{ value: string }>>`SELECT value FROM deployment_settings WHERE name = ${KEY_CHECK_SETTING}`).map((r) => r.value);

async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ConfigError);
  return (e as Error).message;
}

describe('checkIdempotencyKey', () => {
  it('records the key on an empty database, goes on with the same key, refuses another naming IDEMPOTENCY_KEY_SECRET and both key ids, never the key', async () => {
    const a = cfg(secret());
    expect(await checkIdempotencyKey(db.prisma, a)).toEqual({ outcome: 'recorded', keyId: idOf(a) });
    const [value] = await recorded();
    expect(value).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(value).not.toContain(a.idempotency!.keySecret);
    expect(await checkIdempotencyKey(db.prisma, cfg(a.idempotency!.keySecret!))).toEqual({ outcome: 'matched', keyId: idOf(a) });

    const b = cfg(secret());
    const message = await refusal(checkIdempotencyKey(db.prisma, b));
    expect(message).toMatch(/^config: IDEMPOTENCY_KEY_SECRET \(idempotency\.keySecret\) is not the idempotency key this database was used with/);
    expect(message).toContain(`key id ${idOf(b)} here, ${idOf(a)} recorded in the database`);
    expect(message).toContain(`IDEMPOTENCY_KEY_ROTATE_FROM=${idOf(a)}`);
    expect(message).not.toContain('\n');
    for (const k of [a, b]) expect(message).not.toContain(k.idempotency!.keySecret);
    expect(await recorded()).toEqual([value]); // the refused start changed nothing
  });

  it('names IDEMPOTENCY_KEY_FILE and its file, or the key file the embedded database generated, when the key came from there', async () => {
    await checkIdempotencyKey(db.prisma, cfg(secret()));
    const dir = await mkdtemp(path.join(tmpdir(), 'rgw-key-check-'));
    try {
      const file = path.join(dir, 'secret.key');
      await writeFile(file, `${secret()}\n`);
      const viaFile: Cfg = { databaseUrl: 'postgresql://x@127.0.0.1/x', dataDir: dir, idempotency: { keyFile: file } };
      expect(await refusal(checkIdempotencyKey(db.prisma, viaFile))).toMatch(new RegExp(`^config: IDEMPOTENCY_KEY_FILE \\(idempotency\\.keyFile, ${file.replace(/[.]/g, '\\.')}\\) is not the idempotency key`));
      const embedded: Cfg = { dataDir: path.join(dir, 'data'), idempotency: {} };
      expect(await refusal(checkIdempotencyKey(db.prisma, embedded))).toMatch(
        new RegExp(`^config: the idempotency key generated in ${path.join(dir, 'data', 'idempotency.key').replace(/[.]/g, '\\.')} \\(IDEMPOTENCY_KEY_SECRET not set\\) is not the idempotency key`),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('two starts at once with different keys on an empty database: exactly one goes on, 20 rounds', async () => {
    for (let round = 0; round < 20; round++) {
      await db.prisma.$executeRaw`DELETE FROM deployment_settings`;
      const [a, b] = [cfg(secret()), cfg(secret())];
      const results = await Promise.allSettled([checkIdempotencyKey(db.prisma, a), checkIdempotencyKey((other ?? db).prisma, b)]);
      expect(results.map((r) => r.status).sort(), `round ${round}`).toEqual(['fulfilled', 'rejected']);
      const won = results[0]!.status === 'fulfilled' ? a : b;
      expect(await recorded()).toEqual([keyCheckValue(deploymentFingerprints(won))]);
    }
  });

  it('IDEMPOTENCY_KEY_ROTATE_FROM naming the recorded key records the new one; the old key is refused after; a stale setting is harmless', async () => {
    const old = cfg(secret());
    await checkIdempotencyKey(db.prisma, old);
    const next = secret();
    // Naming another key than the recorded one rotates nothing.
    const wrong = await refusal(checkIdempotencyKey(db.prisma, cfg(next, '0123456789abcdef')));
    expect(wrong).toContain(`${idOf(old)} recorded in the database`);
    // ... and says why (an operator's trial: the message only said to rotate from the recorded id).
    expect(wrong).toMatch(/^config: IDEMPOTENCY_KEY_ROTATE_FROM \("0123456789abcdef"\) is not the key id the database records, so nothing was rotated; /);
    expect(await checkIdempotencyKey(db.prisma, cfg(next, idOf(old)))).toEqual({ outcome: 'rotated', keyId: idOf(cfg(next)), previousKeyId: idOf(old) });
    expect(await recorded()).toEqual([keyCheckValue(deploymentFingerprints(cfg(next)))]);
    expect(await refusal(checkIdempotencyKey(db.prisma, old))).toContain(`key id ${idOf(old)} here, ${idOf(cfg(next))} recorded`);
    // The setting left on the next starts: they go on, and are told to drop it.
    expect(await checkIdempotencyKey(db.prisma, cfg(next, idOf(old)))).toEqual({ outcome: 'matched', keyId: idOf(cfg(next)), staleRotateFrom: true });
    // ... and it cannot bring the old key back, nor let a third key in.
    expect(await refusal(checkIdempotencyKey(db.prisma, cfg(secret(), idOf(old))))).toContain(`${idOf(cfg(next))} recorded in the database`);
  });

  it('two rotations from the same key at once, to different keys: exactly one is recorded, the other start refused', async () => {
    for (let round = 0; round < 10; round++) {
      await db.prisma.$executeRaw`DELETE FROM deployment_settings`;
      const old = cfg(secret());
      await checkIdempotencyKey(db.prisma, old);
      const [a, b] = [cfg(secret(), idOf(old)), cfg(secret(), idOf(old))];
      const results = await Promise.allSettled([checkIdempotencyKey(db.prisma, a), checkIdempotencyKey((other ?? db).prisma, b)]);
      expect(results.map((r) => r.status).sort(), `round ${round}`).toEqual(['fulfilled', 'rejected']);
    }
  });

  it('IDEMPOTENCY_KEY_ROTATE_FROM that is not a key id is refused with the configuration, naming the variable', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rgw-key-check-cfg-'));
    try {
      const env = { DATABASE_URL: 'postgresql://x@127.0.0.1/x', IDEMPOTENCY_KEY_SECRET: secret() };
      expect(() => loadConfig({ ...env, IDEMPOTENCY_KEY_ROTATE_FROM: 'yes' }, dir)).toThrow(/^config: IDEMPOTENCY_KEY_ROTATE_FROM \(idempotency\.keyRotateFrom\) must be the 16 hex digits of the key id/);
      expect(loadConfig({ ...env, IDEMPOTENCY_KEY_ROTATE_FROM: '0123456789abcdef' }, dir).idempotency?.keyRotateFrom).toBe('0123456789abcdef');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
