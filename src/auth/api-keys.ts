/**
 * API keys: "rgw_" + base64url(32 random bytes). The plaintext is returned once, at creation;
 * only its SHA-256 (hex) is stored. A salted slow hash would add nothing for 256-bit random keys
 * (nothing to brute-force) and would make every request pay for it; SHA-256 also lets the key be
 * found by an indexed equality lookup.
 *
 * `prefix` is the first 12 characters ("rgw_" + 8 random ones, 48 of the 256 bits) so a human can
 * tell keys apart in a list; "rgw_" plus 4 characters would collide too easily.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PrismaClient } from '../db/generated/client.js';

/** What every gateway API key starts with ("rgw_"), followed by 43 base64url characters (32 random bytes). */
export const API_KEY_PREFIX = 'rgw_';
const KEY_PATTERN = /^rgw_[A-Za-z0-9_-]{43}$/;
const PREFIX_LENGTH = 12;
/** lastUsedAt is written at most this often per key. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** A key just made (createApiKey): `key` the plaintext, `prefix` its first 12 characters, which stay visible in listings. */
export interface CreatedApiKey {
  id: string;
  registrarId: string;
  label: string;
  /** The key itself. Shown once: it cannot be recovered later. */
  key: string;
  prefix: string;
}

/** A live key (verifyApiKey): whose it is and its id. */
export interface VerifiedApiKey {
  registrarId: string;
  keyId: string;
}

/** A key as listings show it (never its hash); dates are UTC instants, `revokedAt` null while live. */
export interface ApiKeyInfo {
  id: string;
  registrarId: string;
  label: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** SHA-256 of the key's UTF-8 bytes, as lower-case hex: what the `api_keys.hash` column holds. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Creates (or renames) a registrar. */
export async function ensureRegistrar(prisma: PrismaClient, id: string, name: string = id) {
  return prisma.registrar.upsert({ where: { id }, update: { name }, create: { id, name } });
}

/** Creates a key for an existing registrar; the plaintext is in the result and nowhere else. */
export async function createApiKey(prisma: PrismaClient, registrarId: string, label = ''): Promise<CreatedApiKey> {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  const prefix = key.slice(0, PREFIX_LENGTH);
  const row = await prisma.apiKey.create({ data: { registrarId, label, prefix, hash: hashApiKey(key) } });
  return { id: row.id, registrarId, label, key, prefix };
}

/**
 * Resolves a key (bare, or as "Bearer <key>") to its registrar; null for malformed, unknown or
 * revoked keys. The lookup is by hash, so response time says nothing about the key's characters;
 * the stored hash is compared again in constant time.
 */
export async function verifyApiKey(
  prisma: PrismaClient,
  bearer: string | null | undefined,
  now: Date = new Date(),
): Promise<VerifiedApiKey | null> {
  const found = await resolveApiKey(prisma, bearer, now);
  return found ? { registrarId: found.registrarId, keyId: found.keyId } : null;
}

/** A stored key as found by its hash: who it belongs to and whether (and from when) it is revoked. */
export interface StoredApiKey {
  keyId: string;
  registrarId: string;
  registrarName: string;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/**
 * Finds a key (bare, or as "Bearer <key>") by its SHA-256, revoked or not; null for malformed and
 * unknown keys. The lookup is by hash, so response time says nothing about the key's characters;
 * the stored hash is compared again in constant time. One query, with the registrar's name.
 */
export async function findApiKey(prisma: PrismaClient, bearer: string | null | undefined): Promise<StoredApiKey | null> {
  const hash = apiKeyHash(bearer);
  if (!hash) return null;
  const row = await prisma.apiKey.findUnique({
    where: { hash },
    select: { id: true, registrarId: true, hash: true, revokedAt: true, lastUsedAt: true, registrar: { select: { name: true } } },
  });
  if (!row || !timingSafeEqual(Buffer.from(row.hash, 'hex'), Buffer.from(hash, 'hex'))) return null;
  return { keyId: row.id, registrarId: row.registrarId, registrarName: row.registrar.name, revokedAt: row.revokedAt, lastUsedAt: row.lastUsedAt };
}

/** The SHA-256 (hex) of a well-formed key (bare, or as "Bearer <key>"); null for anything else. */
export function apiKeyHash(bearer: string | null | undefined): string | null {
  const key = bearer?.trim().replace(/^Bearer\s+/i, '');
  return key && KEY_PATTERN.test(key) ? hashApiKey(key) : null;
}

/** Whether a stored key is revoked at `now` (a revocation may be dated ahead). */
export function isRevoked(key: Pick<StoredApiKey, 'revokedAt'>, now: Date): boolean {
  return !!key.revokedAt && key.revokedAt <= now;
}

/**
 * Records that a key was used at `now`, at most once per LAST_USED_RESOLUTION_MS: conditional, so
 * a burst of requests (or of instances) writes once; a failed write is ignored (it must not fail
 * the request).
 */
export async function touchApiKey(prisma: PrismaClient, keyId: string, now: Date = new Date()): Promise<void> {
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  await prisma.apiKey
    .updateMany({ where: { id: keyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: stale } }] }, data: { lastUsedAt: now } })
    .catch(() => undefined);
}

/** verifyApiKey plus the registrar's name, read in the same query, straight from the database (the gateway's requests go through ApiKeyCache). */
export async function resolveApiKey(
  prisma: PrismaClient,
  bearer: string | null | undefined,
  now: Date = new Date(),
): Promise<(VerifiedApiKey & { registrarName: string }) | null> {
  const found = await findApiKey(prisma, bearer);
  if (!found || isRevoked(found, now)) return null;
  if (!found.lastUsedAt || found.lastUsedAt.getTime() <= now.getTime() - LAST_USED_RESOLUTION_MS) await touchApiKey(prisma, found.keyId, now);
  return { registrarId: found.registrarId, keyId: found.keyId, registrarName: found.registrarName };
}

/** Revokes one key by id; true when a live key was revoked. */
export async function revokeApiKey(prisma: PrismaClient, keyId: string, now: Date = new Date()): Promise<boolean> {
  const { count } = await prisma.apiKey.updateMany({ where: { id: keyId, revokedAt: null }, data: { revokedAt: now } });
  return count > 0;
}

/** Revokes every live key of a registrar carrying `label`; returns how many. */
export async function revokeApiKeysByLabel(
  prisma: PrismaClient,
  registrarId: string,
  label: string,
  now: Date = new Date(),
): Promise<number> {
  const { count } = await prisma.apiKey.updateMany({ where: { registrarId, label, revokedAt: null }, data: { revokedAt: now } });
  return count;
}

/** A registrar's keys, or with `registrarId` undefined every registrar's (never their hashes), by registrar, newest first. */
export async function listApiKeys(prisma: PrismaClient, registrarId: string | undefined): Promise<ApiKeyInfo[]> {
  return prisma.apiKey.findMany({
    where: registrarId === undefined ? {} : { registrarId },
    orderBy: [{ registrarId: 'asc' }, { createdAt: 'desc' }, { id: 'asc' }],
    select: { id: true, registrarId: true, label: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
}

/** One key by id (never its hash); null when there is none. */
export async function findApiKeyById(prisma: PrismaClient, keyId: string): Promise<ApiKeyInfo | null> {
  return prisma.apiKey.findUnique({
    where: { id: keyId },
    select: { id: true, registrarId: true, label: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
}
