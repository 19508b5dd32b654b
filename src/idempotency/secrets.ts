import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Argument names that hold secrets: never stored as given. */
const SECRET_KEYS = new Set(['authInfo', 'password', 'pw']);

const PREFIX = 'secret:sha256:';

function digest(salt: string, value: string): string {
  return createHash('sha256').update(salt).update('\u0000').update(value).digest('hex');
}

/** A salted hash of a secret: enough to check a later value against it, not to recover it. */
export function hashSecret(value: string, salt = randomBytes(8).toString('hex')): string {
  return `${PREFIX}${salt}:${digest(salt, value)}`;
}

/** Whether `actual` (as read from the registry) is the secret `stored` was made from. */
export function secretMatches(stored: unknown, actual: string | null | undefined): boolean {
  if (typeof stored !== 'string' || !stored.startsWith(PREFIX) || actual == null) return false;
  const [salt, hex] = stored.slice(PREFIX.length).split(':');
  if (!salt || !hex) return false;
  const a = Buffer.from(digest(salt, actual), 'hex');
  const b = Buffer.from(hex, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The arguments as an idempotency record keeps them (`request`): JSON-safe (dates as ISO
 * strings), with every secret (authInfo, password) replaced by a salted hash.
 */
export function storableArgs(args: unknown): unknown {
  if (args instanceof Date) return args.toISOString();
  if (Array.isArray(args)) return args.map(storableArgs);
  if (args && typeof args === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(args)) {
      if (v === undefined) continue;
      out[k] = SECRET_KEYS.has(k) && typeof v === 'string' ? hashSecret(v) : storableArgs(v);
    }
    return out;
  }
  return args;
}
