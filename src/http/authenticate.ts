import type { IncomingMessage } from 'node:http';
import type { ApiKeyCache } from '../auth/key-cache.js';
import { DatabaseUnavailableError } from '../core/errors.js';
import { isDatabaseUnavailable } from '../db/errors.js';

/** Who sent a request: the registrar, and the API key (its id), which rate limits and revocation go by. */
export interface Caller {
  registrar: { id: string; name: string };
  keyId: string;
}

/**
 * Resolves "Bearer <key>" to its caller, or null (no credentials, another scheme, unknown or
 * revoked key, or anything but one string: an array of values, a number, an object). Used by
 * HTTP (every request) and graphql-ws (connection_init) alike; keys come from the instance's
 * cache (src/auth/key-cache.ts), which hears of revocations at once. Throws
 * DatabaseUnavailableError when the key had to be looked up and the database did not answer
 * (the caller answers SERVICE_UNAVAILABLE: the key may be fine); other errors as they come.
 */
export async function authenticate(keys: ApiKeyCache, credentials: unknown): Promise<Caller | null> {
  // Checked, not cast: a regular expression would read ["Bearer k"] as the string "Bearer k".
  if (typeof credentials !== 'string' || !credentials) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(credentials);
  if (!m) return null;
  const found = await keys.resolve(m[1]!).catch((err: unknown) => {
    throw isDatabaseUnavailable(err) ? new DatabaseUnavailableError(err) : err;
  });
  return found ? { registrar: { id: found.registrarId, name: found.registrarName }, keyId: found.keyId } : null;
}

/**
 * The Authorization header of an HTTP request (a graphql-ws upgrade request too): its one value,
 * undefined without one, or every value (an array, which `authenticate` refuses) when it came
 * more than once. Node keeps only the first of repeated Authorization headers in `req.headers`;
 * HTTP defines the field as one set of credentials (RFC 9110 section 11.6.2, not a list), so a
 * request carrying two is refused rather than served as whichever came first.
 */
export function requestAuthorization(req: IncomingMessage): string | string[] | undefined {
  const values = req.headersDistinct.authorization;
  return values && values.length > 1 ? values : values?.[0];
}

/**
 * The credentials of a graphql-ws connection: its connection_init payload's `Authorization` (or
 * `authorization`) as given, whatever its type (`authenticate` refuses anything but a string),
 * else the upgrade request's header (requestAuthorization). A value of null counts as not given;
 * both spellings given with different values come back as both (refused).
 */
export function connectionAuthorization(params: Record<string, unknown>, request: IncomingMessage): unknown {
  const given = [params.Authorization, params.authorization].filter((v) => v !== undefined && v !== null);
  if (given.length === 2 && given[0] !== given[1]) return given;
  return given.length > 0 ? given[0] : requestAuthorization(request);
}
