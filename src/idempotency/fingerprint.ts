import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Canonical JSON: object keys sorted, undefined dropped, dates as ISO strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as object)
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** Shortest fingerprint key accepted, in bytes (HMAC-SHA-256 keys should carry 256 bits). */
export const MIN_KEY_BYTES = 32;

const HMAC_PREFIX = 'hmac-sha256:';
/** What releases before the keyed fingerprint stored: the bare hex SHA-256 (64 characters). */
const LEGACY = /^[0-9a-f]{64}$/;

const message = (operation: string, args: unknown) => `${operation}\u0000${canonicalJson(args)}`;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Fingerprints of idempotent requests: HMAC-SHA-256 (RFC 2104) of the operation and its
 * canonicalised (already normalised) arguments, under a deployment key kept outside the
 * database, stored as `hmac-sha256:<64 hex>`. A retry with the same key and arguments matches;
 * without the key, a stored fingerprint cannot be recomputed from guessed arguments (auth info),
 * as a plain hash could. Every instance that shares a database must use the same key.
 *
 * Records written before keyed fingerprints hold a bare SHA-256 of the same text: they still
 * match (so a retry within their lifetime replays) until they expire, and none is written again.
 */
export class Fingerprints {
  constructor(private readonly key: Buffer) {
    if (!Buffer.isBuffer(key) || key.length < MIN_KEY_BYTES) throw new Error(`idempotency: the fingerprint key must be at least ${MIN_KEY_BYTES} bytes`);
  }

  /** The fingerprint to store for an operation and its arguments. */
  of(operation: string, args: unknown): string {
    return HMAC_PREFIX + createHmac('sha256', this.key).update(message(operation, args)).digest('hex');
  }

  /** Whether a stored fingerprint was made from this operation and these arguments (keyed, or a legacy plain SHA-256). */
  matches(stored: string, operation: string, args: unknown): boolean {
    if (stored.startsWith(HMAC_PREFIX)) return same(stored, this.of(operation, args));
    if (LEGACY.test(stored)) return same(stored, createHash('sha256').update(message(operation, args)).digest('hex'));
    return false;
  }

  /**
   * A value derived from the key for another purpose (`label` names it), which reveals nothing
   * of the key: e.g. the default Redis channel prefix, the same on every instance of a deployment.
   */
  derive(label: string): string {
    return createHmac('sha256', this.key).update(`rgw derive\u0000${label}`).digest('hex');
  }
}
