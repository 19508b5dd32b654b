/**
 * Every instance sharing a database must use one idempotency key (README "Idempotency contract",
 * "Rotating the key"): an instance with another key takes an exact retry for a reused key
 * (IDEMPOTENCY_KEY_REUSED), cannot open what the others sealed (bulk auth codes, stored answers)
 * and cannot recognise the auth info digests reconciliation compares, so it may find an applied
 * update "not applied" and send it again. So the database records a check value of the key, and
 * an instance whose key gives another value refuses to start, before it serves or runs anything.
 *
 * The check value is `hmac-sha256:<64 hex>`, HMAC-SHA-256 (RFC 2104) under the key of a fixed
 * label (Fingerprints.derive), never the key: testing a guessed key against it costs what testing
 * it against any stored fingerprint does, one HMAC, and the key is at least 32 bytes (MIN_KEY_BYTES).
 * Its first 16 hex digits are the key's id, which messages and logs name.
 */
import { timingSafeEqual } from 'node:crypto';
import { resolve } from 'node:path';
import type { PrismaClient } from '../db/generated/client.js';
import { rawExecute, rawQuery } from '../db/raw.js';
import type { GatewayConfig } from '../config.types.js';
import { ConfigError } from '../config-error.js';
import { quoted } from '../core/errors.js';
import type { Fingerprints } from './fingerprint.js';
import { deploymentFingerprints, KEY_FILE_NAME } from './fingerprint-key.js';

/** The deployment_settings row that holds the check value. */
export const KEY_CHECK_SETTING = 'idempotency key check';
const PREFIX = 'hmac-sha256:';

/** The check value of the key behind `fingerprints`: `hmac-sha256:` and 64 hex digits. */
export function keyCheckValue(fingerprints: Pick<Fingerprints, 'derive'>): string {
  return PREFIX + fingerprints.derive(KEY_CHECK_SETTING);
}

/** The id a check value gives its key (16 hex digits), or the value's first 16 characters when it is not one of ours. */
export function keyId(check: string): string {
  return (check.startsWith(PREFIX) ? check.slice(PREFIX.length) : check).slice(0, 16);
}

/**
 * What checkIdempotencyKey found: `recorded`, the database had no check value (a new database, or
 * one from before this check) and now has this key's; `matched`, it has this key's; `rotated`, it
 * had `previousKeyId`'s and IDEMPOTENCY_KEY_ROTATE_FROM named that one, so it now has this key's.
 * `staleRotateFrom`: IDEMPOTENCY_KEY_ROTATE_FROM is set although the database already records this
 * key (left from a rotation: harmless, since it names the key replaced, which is no longer recorded).
 */
export interface KeyCheck {
  outcome: 'recorded' | 'matched' | 'rotated';
  keyId: string;
  previousKeyId?: string;
  staleRotateFrom?: boolean;
}

type CheckConfig = Pick<GatewayConfig, 'idempotency' | 'databaseUrl' | 'dataDir'>;

/** The setting the key came from, as messages name it (never its value). */
export function keySource(config: CheckConfig): string {
  const { keySecret, keyFile } = config.idempotency ?? {};
  if (keySecret !== undefined) return 'IDEMPOTENCY_KEY_SECRET (idempotency.keySecret)';
  if (keyFile !== undefined) return `IDEMPOTENCY_KEY_FILE (idempotency.keyFile, ${keyFile})`;
  return `the idempotency key generated in ${resolve(config.dataDir, KEY_FILE_NAME)} (IDEMPOTENCY_KEY_SECRET not set)`;
}

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Compares the deployment's idempotency key (deploymentFingerprints) with the check value the
 * database records, and records it when there is none. Two instances starting at once on a
 * database without one: each inserts unless a row exists (INSERT ... ON CONFLICT DO NOTHING) and
 * then compares with the row that won, so at most one key is ever recorded and the other start is
 * refused. With `idempotency.keyRotateFrom` (IDEMPOTENCY_KEY_ROTATE_FROM) naming the recorded key's
 * id, the recorded value is replaced by this key's, only if it is still that one (a compare and set).
 *
 * Its statements go straight through the PostgreSQL pool (src/db/raw.ts; through Prisma on the
 * embedded database): a start's first statements, which do not wait for Prisma's query compiler
 * (a WebAssembly module, 150-190 ms of a restarted instance's start on a two-core machine) to load:
 * that happens after the bulk runner has started, beside an API instance's HTTP side (src/server.ts)
 * or at a worker's first Prisma query (bench:bulk item 4).
 *
 * Throws ConfigError (one line naming the key's setting, both key ids, how to rotate; never the
 * key) when the database records another key and no rotation from it was asked for.
 */
export async function checkIdempotencyKey(prisma: PrismaClient, config: CheckConfig): Promise<KeyCheck> {
  const mine = keyCheckValue(deploymentFingerprints(config));
  const rotateFrom = config.idempotency?.keyRotateFrom;
  const inserted = await rawExecute(prisma, `INSERT INTO deployment_settings (name, value, updated_at) VALUES ($1, $2, now()) ON CONFLICT (name) DO NOTHING`, [KEY_CHECK_SETTING, mine]);
  if (inserted === 1) return { outcome: 'recorded', keyId: keyId(mine) };
  for (let round = 0; ; round++) {
    const [row] = await rawQuery<{ value: string }>(prisma, `SELECT value FROM deployment_settings WHERE name = $1`, [KEY_CHECK_SETTING]);
    if (!row) throw new Error(`idempotency: the deployment_settings row "${KEY_CHECK_SETTING}" was deleted while it was checked`);
    if (same(row.value, mine)) return { outcome: 'matched', keyId: keyId(mine), ...(rotateFrom !== undefined ? { staleRotateFrom: true } : {}) };
    const recorded = keyId(row.value);
    if (round === 0 && rotateFrom === recorded) {
      const n = await rawExecute(prisma, `UPDATE deployment_settings SET value = $1, updated_at = now() WHERE name = $2 AND value = $3`, [mine, KEY_CHECK_SETTING, row.value]);
      if (n === 1) return { outcome: 'rotated', keyId: keyId(mine), previousKeyId: recorded };
      continue; // another start changed it meanwhile: compare with what that one wrote
    }
    throw new ConfigError(mismatch(config, keyId(mine), recorded, round === 0 ? rotateFrom : undefined));
  }
}

/**
 * The refusal: which setting, both ids, what to do; with a rotation asked for from another key
 * than the recorded one, that it was not done and why. One line.
 */
function mismatch(config: CheckConfig, mine: string, recorded: string, rotateFrom?: string): string {
  const notRotated = rotateFrom !== undefined ? `IDEMPOTENCY_KEY_ROTATE_FROM (${quoted(rotateFrom)}) is not the key id the database records, so nothing was rotated; ` : '';
  return (
    `config: ${notRotated}${keySource(config)} is not the idempotency key this database was used with (key id ${mine} here, ${recorded} recorded in the database): ` +
    `give this instance the key the other instances sharing the database use; to change the key deliberately, stop every instance, start one with the new key and ` +
    `IDEMPOTENCY_KEY_ROTATE_FROM=${recorded}, then the others with the new key (README "Idempotency contract", "Rotating the key": retries of keys recorded under the old key then answer IDEMPOTENCY_KEY_REUSED)`
  );
}
