import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { GatewayConfig } from '../config.types.js';
import { Fingerprints, MIN_KEY_BYTES } from './fingerprint.js';
import { ConfigError } from '../config-error.js';

type KeyConfig = Pick<GatewayConfig, 'idempotency' | 'databaseUrl' | 'dataDir'>;

/** Name of the generated key file in the data directory (embedded database only). */
export const KEY_FILE_NAME = 'idempotency.key';

/** A key id (src/idempotency/key-check.ts): the first 16 hex digits of the key's check value, what IDEMPOTENCY_KEY_ROTATE_FROM takes. */
export const KEY_ID = /^[0-9a-f]{16}$/;

/**
 * Why the config cannot give a fingerprint key, or null. PostgreSQL may be shared by several
 * instances, which must all use one key, so there it has to be configured; the embedded
 * database serves one process, which generates its own key beside it. A key file
 * (IDEMPOTENCY_KEY_FILE) is read here, so that a missing or short one is refused with the rest of
 * the configuration, before the database is opened or migrated; so is an
 * IDEMPOTENCY_KEY_ROTATE_FROM that is not a key id (16 hex digits).
 */
export function fingerprintKeyProblem(config: KeyConfig): string | null {
  const { keySecret, keyFile, keyRotateFrom } = config.idempotency ?? {};
  if (keyRotateFrom !== undefined && (typeof keyRotateFrom !== 'string' || !KEY_ID.test(keyRotateFrom))) {
    return 'config: IDEMPOTENCY_KEY_ROTATE_FROM (idempotency.keyRotateFrom) must be the 16 hex digits of the key id that the refused start named as recorded in the database (README "Rotating the key")';
  }
  if (keySecret !== undefined && Buffer.byteLength(keySecret.trim()) < MIN_KEY_BYTES) {
    return `config: IDEMPOTENCY_KEY_SECRET (idempotency.keySecret) must be at least ${MIN_KEY_BYTES} bytes, e.g. the output of "openssl rand -hex 32"`;
  }
  if (keySecret === undefined && keyFile === undefined && config.databaseUrl) {
    return (
      'config: idempotency fingerprints need a secret key kept outside the database, the same on every instance sharing it: ' +
      'set IDEMPOTENCY_KEY_SECRET (e.g. the output of "openssl rand -hex 32") or IDEMPOTENCY_KEY_FILE (idempotency.keySecret / idempotency.keyFile)'
    );
  }
  if (keySecret === undefined && keyFile !== undefined) {
    try {
      readKey(resolve(keyFile), KEY_FILE_SETTING);
    } catch (e) {
      if (e instanceof ConfigError) return e.message;
      throw e;
    }
  }
  return null;
}

const KEY_FILE_SETTING = 'IDEMPOTENCY_KEY_FILE (idempotency.keyFile)';

/**
 * The key in `file`, trimmed. Throws ConfigError naming `setting` (and the file, never its
 * content) when the file cannot be read or holds fewer than MIN_KEY_BYTES; without `setting` a
 * read error is thrown as it is (dataDirKey creates a missing file).
 */
function readKey(file: string, setting?: string): Buffer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!setting) throw e;
    const why = code === 'ENOENT' ? 'which does not exist' : code === 'EACCES' ? 'which this process may not read (EACCES)' : code === 'EISDIR' ? 'which is a folder' : `which cannot be read (${code ?? (e as Error).message})`;
    throw new ConfigError(`config: ${setting} names ${file}, ${why}`);
  }
  const key = Buffer.from(text.trim());
  if (key.length < MIN_KEY_BYTES) throw new ConfigError(`config: ${setting ?? 'the idempotency key file'} ${setting ? `names ${file}, which holds` : `${file} holds`} fewer than ${MIN_KEY_BYTES} bytes`);
  return key;
}

/** Reads `<dataDir>/idempotency.key`, creating it (32 random bytes as hex, mode 0600) the first time; safe against concurrent starts. */
function dataDirKey(dataDir: string): Buffer {
  const file = resolve(dataDir, KEY_FILE_NAME);
  try {
    return readKey(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    chmodSync(tmp, 0o600);
    linkSync(tmp, file); // atomic: whoever links first wins, the others read that key
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  return readKey(file);
}

const resolved = new WeakMap<object, Fingerprints>();

/**
 * The deployment's fingerprint key, as Fingerprints: `idempotency.keySecret` (env
 * IDEMPOTENCY_KEY_SECRET), else the file `idempotency.keyFile` (env IDEMPOTENCY_KEY_FILE), else,
 * with the embedded database, `<dataDir>/idempotency.key`, generated on the first start and
 * reused. Throws (see fingerprintKeyProblem) when none applies.
 */
export function deploymentFingerprints(config: KeyConfig): Fingerprints {
  let fp = resolved.get(config);
  if (fp) return fp;
  const problem = fingerprintKeyProblem(config);
  if (problem) throw new ConfigError(problem);
  const { keySecret, keyFile } = config.idempotency ?? {};
  const key = keySecret !== undefined ? Buffer.from(keySecret.trim()) : keyFile !== undefined ? readKey(resolve(keyFile), KEY_FILE_SETTING) : dataDirKey(config.dataDir);
  fp = new Fingerprints(key);
  resolved.set(config, fp);
  return fp;
}
