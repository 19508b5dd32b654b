import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Canonical JSON: object keys sorted, undefined dropped, dates as ISO strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

/**
 * A copy of `v` with every object's keys in sorted order (undefined values left out) and dates
 * as ISO strings, for JSON.stringify. Each object is copied key by key rather than through an
 * entries array (Object.fromEntries of a filtered, mapped copy, as before: the same result, and
 * stored fingerprints depend on every byte of it): a 10,000-item bulk job's fingerprint took
 * 10 ms of CPU that way, 6.6 ms this way (the HMAC included).
 */
function sortDeep(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = sortDeep(v[i]);
    return out;
  }
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) {
    const x = o[k];
    if (x === undefined) continue;
    // An own "__proto__" key stays a key (an assignment would set the copy's prototype).
    if (k === '__proto__') Object.defineProperty(out, k, { value: sortDeep(x), enumerable: true, writable: true, configurable: true });
    else out[k] = sortDeep(x);
  }
  return out;
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

  /**
   * Whether a stored fingerprint was made from this operation and these arguments (keyed, or a
   * legacy plain SHA-256), or from one of `sameAs`: other forms of the same request that earlier
   * releases fingerprinted as they were given (a transfer's absent period, before it counted as
   * its default: src/operations/transfer/transfer-domain.ts), so that a record they stored still
   * matches the retry of its own request. Each form costs one more HMAC, only when the first misses.
   */
  matches(stored: string, operation: string, args: unknown, sameAs: readonly unknown[] = []): boolean {
    const keyed = stored.startsWith(HMAC_PREFIX);
    if (!keyed && !LEGACY.test(stored)) return false;
    const fingerprint = (form: unknown) => (keyed ? this.of(operation, form) : createHash('sha256').update(message(operation, form)).digest('hex'));
    return [args, ...sameAs].some((form) => same(stored, fingerprint(form)));
  }

  /**
   * A value derived from the key for another purpose (`label` names it), which reveals nothing
   * of the key: e.g. the default Redis channel prefix, the same on every instance of a deployment.
   */
  derive(label: string): string {
    return createHmac('sha256', this.key).update(`rgw derive\u0000${label}`).digest('hex');
  }
}
