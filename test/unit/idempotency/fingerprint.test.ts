/**
 * Idempotency fingerprints are keyed (HMAC-SHA-256 with a key kept outside the database), so a
 * copy of the database does not let anyone confirm guessed auth infos offline (issue 8, item 9:
 * with plain SHA-256, 6 of 6 were confirmed); the same key and arguments still replay, and
 * records written before the change keep replaying until they expire.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { FakeClock } from '../../../src/core/clock.js';
import { canonicalJson, Fingerprints } from '../../../src/idempotency/fingerprint.js';
import { deploymentFingerprints, KEY_FILE_NAME } from '../../../src/idempotency/fingerprint-key.js';
import { IdempotencyService } from '../../../src/idempotency/service.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

const US = 'NewRegistrar';
const KEY = Buffer.from('a deployment key of at least 32 bytes, kept in a file');
let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await freshDatabase();
  dir = await mkdtemp(path.join(tmpdir(), 'rgw-fp-'));
});
afterAll(async () => {
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

const service = (key = KEY) => new IdempotencyService(db.prisma, new FakeClock('2026-06-01T00:00:00Z'), { fingerprints: new Fingerprints(key) }, {});
const transfer = (authInfo: string) => ({ registrarId: US, key: randomUUID(), operation: 'requestTransfer', backend: null, args: { name: `t-${randomUUID().slice(0, 8)}.tld`, authInfo, period: { value: 1, unit: 'y' } } });
const done = (name: string) => async () => ({ trid: { client: 'GW-1', server: 'SV-1' }, code: 1001, name });
const stored = (key: string) => db.prisma.idempotencyRecord.findUniqueOrThrow({ where: { registrarId_idempotencyKey: { registrarId: US, idempotencyKey: key } } });
/** The fingerprint releases before stored: SHA-256 of the operation and canonical arguments, no key. */
const plainSha256 = (operation: string, args: unknown) => createHash('sha256').update(`${operation}\u0000${canonicalJson(args)}`).digest('hex');

describe('keyed fingerprints in the database', () => {
  it('an auth info cannot be confirmed offline from a copy of the database (0 of 6 guessed)', async () => {
    const secrets = ['Tr4nsfer-Pw-1', 'hunter2', '2fooBAR', 'Acme-Auth-77', 'correct horse', 'Sc4le-Out-Pw'];
    const guesses = [...secrets, 'wrong-1', 'wrong-2'];
    let confirmed = 0;
    for (const secret of secrets) {
      const r = transfer(secret);
      await service().run(r, done(r.args.name));
      const rec = await stored(r.key);
      // Everything but the auth info is in the record; the attacker tries each guess in its place.
      const known = (rec.request as { args: Record<string, unknown> }).args;
      expect(JSON.stringify(rec.request)).not.toContain(secret);
      for (const guess of guesses) {
        const candidate = { ...known, authInfo: guess };
        if (rec.fingerprint.endsWith(plainSha256(rec.operation, candidate))) confirmed++;
      }
      expect(rec.fingerprint).not.toBe(plainSha256(r.operation, r.args));
      expect(rec.fingerprint).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
      // Another key gives another fingerprint: the stored one depends on a secret outside the database.
      expect(new Fingerprints(Buffer.from('some other key, also of 32 bytes or more')).of(r.operation, r.args)).not.toBe(rec.fingerprint);
    }
    expect(confirmed).toBe(0);
  });

  it('the same key and arguments replay (on another instance with the same key too); other arguments are IDEMPOTENCY_KEY_REUSED', async () => {
    const r = transfer('Replay-Pw-9');
    let sent = 0;
    const exec = async () => (++sent, (await done(r.args.name)()));
    expect(await service().run(r, exec)).toMatchObject({ replayed: false });
    expect(await service(Buffer.from(KEY)).run(r, exec)).toMatchObject({ replayed: true, result: { name: r.args.name } });
    await expect(service().run({ ...r, args: { ...r.args, authInfo: 'Other-Pw-1' } }, exec)).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(sent).toBe(1);
  });

  it('a record written before keyed fingerprints (plain SHA-256) still replays until it expires, and only for its own arguments', async () => {
    const r = transfer('Legacy-Pw-3');
    await db.prisma.idempotencyRecord.create({
      data: {
        registrarId: US, idempotencyKey: r.key, operation: r.operation, fingerprint: plainSha256(r.operation, r.args), state: 'SUCCEEDED',
        request: { args: { name: r.args.name }, noted: {} }, response: { trid: { client: 'OLD-1', server: 'SV-0' }, code: 1001, name: r.args.name },
        expiresAt: new Date('2026-06-08T00:00:00Z'),
      },
    });
    let sent = 0;
    const exec = async () => (++sent, (await done(r.args.name)()));
    expect(await service().run(r, exec)).toMatchObject({ replayed: true, result: { trid: { client: 'OLD-1' } } });
    await expect(service().run({ ...r, args: { ...r.args, authInfo: 'Guess-Pw-1' } }, exec)).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(sent).toBe(0);
  });
});

describe('where the key comes from', () => {
  const embedded = (dataDir: string) => ({ dataDir, idempotency: {} });

  it('the embedded database generates a key file (mode 0600) in the data directory on the first start and reuses it', async () => {
    const dataDir = path.join(dir, 'data-1');
    const first = deploymentFingerprints(embedded(dataDir));
    const file = path.join(dataDir, KEY_FILE_NAME);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = (await readFile(file, 'utf8')).trim();
    expect(text).toMatch(/^[0-9a-f]{64}$/);
    const again = deploymentFingerprints(embedded(dataDir)); // the next start
    expect(again.of('op', { a: 1 })).toBe(first.of('op', { a: 1 }));
    expect(first.of('op', { a: 1 })).toBe(new Fingerprints(Buffer.from(text)).of('op', { a: 1 }));
    const other = deploymentFingerprints(embedded(path.join(dir, 'data-2'))); // another deployment
    expect(other.of('op', { a: 1 })).not.toBe(first.of('op', { a: 1 }));
  });

  it('PostgreSQL without a key refuses to start, naming the setting; IDEMPOTENCY_KEY_SECRET or a key file is used as given', () => {
    const env = { DATABASE_URL: 'postgresql://db.internal/gateway', DATA_DIR: path.join(dir, 'pg') };
    expect(() => loadConfig(env, dir)).toThrow(/IDEMPOTENCY_KEY_SECRET/);
    expect(() => loadConfig({ ...env, IDEMPOTENCY_KEY_SECRET: 'short' }, dir)).toThrow(/at least 32 bytes/);
    const secret = 'f'.repeat(64);
    const config = loadConfig({ ...env, IDEMPOTENCY_KEY_SECRET: secret }, dir);
    expect(deploymentFingerprints(config).of('op', { a: 1 })).toBe(new Fingerprints(Buffer.from(secret)).of('op', { a: 1 }));
    const fromFile = loadConfig({ ...env, IDEMPOTENCY_KEY_FILE: path.join(dir, 'data-1', KEY_FILE_NAME) }, dir);
    expect(deploymentFingerprints(fromFile).of('op', { a: 1 })).toBe(deploymentFingerprints(embedded(path.join(dir, 'data-1'))).of('op', { a: 1 }));
  });
});

describe('canonical JSON', () => {
  /** What canonicalJson wrote before its sorted copy was built key by key: stored fingerprints depend on every byte. */
  function sortedCopy(v: unknown): unknown {
    if (v instanceof Date) return v.toISOString();
    if (Array.isArray(v)) return v.map(sortedCopy);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .sort()
          .map((k) => [k, sortedCopy((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  }
  class Period {
    constructor(
      readonly value: number,
      readonly unit: string,
    ) {}
  }

  it('writes the same text as before for every kind of value a request holds (stored jobs and records keep matching)', () => {
    const values: unknown[] = [
      { params: { period: { value: 1, unit: 'y' } }, items: Array.from({ length: 50 }, (_, i) => ({ name: `n${i}.tld`, currentExpiry: i % 3 ? '2027-06-01T00:00:00.000Z' : null })) },
      { params: { period: null, add: ['clientHold'], remove: [] }, items: null },
      { b: 1, a: [1, 'x', null, undefined, () => 1, true, new Date('2026-01-02T03:04:05.678Z')], c: undefined, d: () => 2, e: Symbol('s') },
      { z: { y: { x: 'é "quoted" \\ \u0000 \u2028 😀', w: -0, v: NaN, u: Infinity, t: 1e21, s: 0.1 } }, Z: 'upper first', _: '', $: [] },
      { '10': 'a', '9': 'b', '1a': 'c', a: 'd', '': 'empty key' },
      { nested: [{ '2': 'x', '1': 'y' }, [[]], {}] },
      { toJSON: () => 'own toJSON' },
      { inner: { toJSON: () => ({ b: 2, a: 1 }) } },
      new Period(2, 'm'),
      [new Period(1, 'y'), new Map([['k', 'v']]), new Set([1])],
      Object.assign(Object.create(null) as object, { b: 2, a: 1 }),
      JSON.parse('{"__proto__": {"b": 1, "a": 2}, "a": 0}') as unknown,
      [1, , 3], // eslint-disable-line no-sparse-arrays
      'a string',
      42,
      null,
      true,
      undefined,
      new Date('2027-06-01T00:00:00Z'),
    ];
    for (const v of values) expect(canonicalJson(v)).toBe(JSON.stringify(sortedCopy(v)));
    expect(() => canonicalJson({ a: 1n })).toThrow(TypeError);
    expect(() => canonicalJson({ a: new Date(NaN) })).toThrow(RangeError);
  });
});
