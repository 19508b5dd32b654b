/**
 * The keys a config file may have, at every level. A misspelled key (`limitz`, `logLevle`,
 * `rejectUnauthorised`) was ignored without a word, and the gateway ran on the default the
 * operator meant to change; now it is refused, naming its path and the key it is closest to.
 *
 * Each object's keys are listed against its TypeScript type (keysOf): a key added to or removed
 * from a config type without its line here fails the type check, so the list cannot fall behind.
 * Only the keys are checked here; values are checked by validateConfig and the kinds' validate.
 */
import { suggestionList } from 'graphql/jsutils/suggestionList.js';
import { ConfigError } from './config-error.js';

/** A setting's shape, as far as its keys go. */
export type KeyShape =
  /** A value (its type is checked elsewhere). */
  | 'value'
  /** An object with these keys only. */
  | { readonly keys: Readonly<Record<string, KeyShape>> }
  /** A list, each element of this shape. */
  | { readonly each: KeyShape }
  /** An object whose keys the config chooses (registrar ids, backend names), each value of this shape. */
  | { readonly values: KeyShape }
  /** The shape that depends on the object itself (a backend: by its `kind`); undefined: not checked here. */
  | { readonly select: (value: Record<string, unknown>) => KeyShape | undefined; readonly what: (value: Record<string, unknown>) => string };

/** An object's keys, each with its shape: exactly the keys of `T` (optional ones included), checked by the compiler. */
export function keysOf<T>(keys: { readonly [K in keyof Required<T>]: KeyShape }): KeyShape {
  return { keys };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `a.b`, `a[0]`, `accounts["my id"]` for a key that is not a plain name. */
function join(path: string, key: string): string {
  if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `${path}[${JSON.stringify(key.slice(0, 40))}]`;
  return path ? `${path}.${key}` : key;
}

/**
 * Throws ConfigError for the first key of `value` (the config file as written) that `shape` does
 * not have: `config: limitz is not a setting (did you mean limits?)`; for a backend, which kind's
 * settings it is not one of. The suggestion is graphql-js's suggestionList (the lexical distance
 * behind its "Did you mean" hints): the closest key, when one is close. Values of another type
 * than their shape (a number where an object belongs) are left to the value checks.
 */
export function checkKeys(value: unknown, shape: KeyShape, path = '', what = ''): void {
  if (shape === 'value') return;
  if ('each' in shape) {
    if (Array.isArray(value)) value.forEach((v, i) => checkKeys(v, shape.each, `${path}[${i}]`, what));
    return;
  }
  if (!isObject(value)) return;
  if ('select' in shape) {
    const chosen = shape.select(value);
    if (chosen) checkKeys(value, chosen, path, shape.what(value));
    return;
  }
  if ('values' in shape) {
    for (const [k, v] of Object.entries(value)) checkKeys(v, shape.values, join(path, k), what);
    return;
  }
  const known = Object.keys(shape.keys);
  for (const [k, v] of Object.entries(value)) {
    const inner = Object.hasOwn(shape.keys, k) ? shape.keys[k] : undefined;
    if (inner === undefined) {
      const [close] = suggestionList(k, known);
      const of = what ? ` of ${what}` : '';
      throw new ConfigError(`config: ${join(path, k)} is not a setting${of}${close ? ` (did you mean ${join(path, close)}?)` : ` (known: ${known.join(', ')})`}`);
    }
    checkKeys(v, inner, join(path, k), what);
  }
}

/**
 * Whether `name` is an environment variable of the gateway or its command-line tools spelt with
 * the GATEWAY_ prefix (as written, upper case): GATEWAY_CONFIG (the config file, src/config.ts),
 * GATEWAY_URL and GATEWAY_API_KEY (`npm run bulk`, `npm run ote`), and an account's credential
 * GATEWAY_<BACKEND>_<REGISTRAR>_PASSWORD or _TOKEN (src/backends/kind.ts, credentialVariable).
 * A tool that refuses a misspelt variable never takes one of these for a misspelling.
 */
export function isGatewayVariable(name: string): boolean {
  return GATEWAY_VARIABLES.includes(name) || /^GATEWAY_[A-Z0-9_]+_(PASSWORD|TOKEN)$/.test(name);
}

/** The GATEWAY_ variables with fixed names (isGatewayVariable). */
const GATEWAY_VARIABLES: readonly string[] = ['GATEWAY_CONFIG', 'GATEWAY_URL', 'GATEWAY_API_KEY'];
