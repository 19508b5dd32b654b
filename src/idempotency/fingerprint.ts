import { createHash } from 'node:crypto';

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

/** Fingerprint of an operation and its canonicalised (already normalised) arguments. */
export function fingerprint(operation: string, args: unknown): string {
  return createHash('sha256').update(operation).update('\u0000').update(canonicalJson(args)).digest('hex');
}
