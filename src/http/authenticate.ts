import type { ApiKeyCache } from '../auth/key-cache.js';

/** Who sent a request: the registrar, and the API key (its id), which rate limits and revocation go by. */
export interface Caller {
  registrar: { id: string; name: string };
  keyId: string;
}

/**
 * Resolves "Bearer <key>" to its caller, or null (no header, another scheme, unknown or revoked
 * key). Used by HTTP (every request) and graphql-ws (connection_init) alike; keys come from the
 * instance's cache (src/auth/key-cache.ts), which hears of revocations at once.
 */
export async function authenticate(keys: ApiKeyCache, header: string | undefined | null): Promise<Caller | null> {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return null;
  const found = await keys.resolve(m[1]!);
  return found ? { registrar: { id: found.registrarId, name: found.registrarName }, keyId: found.keyId } : null;
}
