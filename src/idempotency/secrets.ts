import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Fingerprints } from './fingerprint.js';
import { SECRET_NAMES as SECRET_KEYS } from '../core/secret-names.js';


/** Keyed digests (written now): HMAC-SHA-256 under a key derived from the deployment's idempotency key. */
const KEYED = 'secret:hmac-sha256:';
/** Unkeyed digests of records written before keyed ones (a salted SHA-256): still matched until they expire. */
const LEGACY = 'secret:sha256:';

/**
 * What an idempotency record keeps of a secret argument (authInfo, password): a salted HMAC-SHA-256
 * under a key derived from the deployment's idempotency key (Fingerprints.derive("argument
 * secrets")), `secret:hmac-sha256:<salt>:<hex>`. Enough for reconciliation to tell whether the
 * registry now holds the value sent (an update of the auth info), not to recover it; and, unlike a
 * plain salted hash, a copy of the database does not let anyone confirm a guessed auth code
 * either (README, Idempotency contract: Fingerprints), since the key is kept outside it.
 */
export class SecretDigests {
  private readonly key: Buffer;
  constructor(fingerprints: Pick<Fingerprints, 'derive'>) {
    this.key = Buffer.from(fingerprints.derive('argument secrets'), 'hex');
  }

  /** The keyed digest of a secret, with a fresh salt unless one is given. */
  hash(value: string, salt = randomBytes(8).toString('hex')): string {
    return `${KEYED}${salt}:${this.digest(salt, value)}`;
  }

  /** Whether `actual` (as read from the registry) is the secret `stored` was made from (a keyed digest, or a legacy salted SHA-256). */
  matches(stored: unknown, actual: string | null | undefined): boolean {
    if (typeof stored !== 'string' || actual == null) return false;
    const prefix = stored.startsWith(KEYED) ? KEYED : stored.startsWith(LEGACY) ? LEGACY : null;
    if (!prefix) return false;
    const [salt, hex] = stored.slice(prefix.length).split(':');
    if (!salt || !hex) return false;
    const a = Buffer.from(prefix === KEYED ? this.digest(salt, actual) : legacyDigest(salt, actual), 'hex');
    const b = Buffer.from(hex, 'hex');
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /**
   * The arguments as an idempotency record keeps them (`request`): JSON-safe (dates as ISO
   * strings), with every secret (authInfo, password, pw) replaced by its keyed digest.
   */
  storable(args: unknown): unknown {
    if (args instanceof Date) return args.toISOString();
    if (Array.isArray(args)) return args.map((a) => this.storable(a));
    if (args && typeof args === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(args)) {
        if (v === undefined) continue;
        out[k] = SECRET_KEYS.has(k) && typeof v === 'string' ? this.hash(v) : this.storable(v);
      }
      return out;
    }
    return args;
  }

  private digest(salt: string, value: string): string {
    return createHmac('sha256', this.key).update(salt).update('\u0000').update(value).digest('hex');
  }
}

function legacyDigest(salt: string, value: string): string {
  return createHash('sha256').update(salt).update('\u0000').update(value).digest('hex');
}
