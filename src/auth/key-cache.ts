/**
 * API keys resolved from memory: every request needs its key resolved (HTTP on each request,
 * graphql-ws at connection_init), and a database round trip per request was most of the cost of
 * a small query. Each instance keeps what a key resolved to (registrar, or revoked) for at most
 * `ttlMs`, and forgets it at once when told the key changed (`forget`, `forgetRegistrar`: the
 * database announces every change to every instance, src/auth/key-changes.ts), or everything
 * when announcements may have been missed (`forgetAll`).
 *
 * - Only keys found in the database are kept (live or revoked); unknown keys are looked up every
 *   time, so guessing keys cannot push real ones out. At most `maxEntries` (oldest out first).
 * - A revocation dated ahead (revokedAt in the future) ends the entry then, not ttlMs later.
 * - Concurrent misses for one key share one lookup. A lookup that started before a change was
 *   announced is answered but not kept (its row may predate the change).
 * - lastUsedAt is still written at most once a minute per key (per instance), off the request path.
 */
import type { PrismaClient } from '../db/generated/client.js';
import { apiKeyHash, findApiKey, isRevoked, LAST_USED_RESOLUTION_MS, touchApiKey, type StoredApiKey } from './api-keys.js';

/** Default `auth.keyCacheTtlMs`: how long a resolved key is trusted without an announcement. */
export const DEFAULT_KEY_CACHE_TTL_MS = 10_000;

/** Who a key belongs to, as requests need it. */
export interface ResolvedKey {
  keyId: string;
  registrarId: string;
  registrarName: string;
}

interface Entry {
  /** null: the key exists and is revoked. */
  key: ResolvedKey | null;
  registrarId: string;
  keyId: string;
  /** Date.now() after which the entry is looked up again. */
  until: number;
  /** When this instance last wrote (or found) lastUsedAt. */
  usedAt: number;
}

/** The in-memory cache of resolved keys described above; `ttlMs` in ms (default DEFAULT_KEY_CACHE_TTL_MS), at most `maxEntries`. */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<ResolvedKey | null>>();
  /** Bumped by every forget*: a lookup started under an older generation is not kept. */
  private generation = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly ttlMs = DEFAULT_KEY_CACHE_TTL_MS,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The live key behind "Bearer <key>" (or a bare key); null for malformed, unknown or revoked keys. */
  resolve(bearer: string | null | undefined): Promise<ResolvedKey | null> {
    const hash = apiKeyHash(bearer);
    if (!hash) return Promise.resolve(null);
    const now = this.now();
    const hit = this.entries.get(hash);
    if (hit && hit.until > now) {
      if (hit.key && hit.usedAt <= now - LAST_USED_RESOLUTION_MS) {
        hit.usedAt = now;
        void touchApiKey(this.prisma, hit.keyId, new Date(now));
      }
      return Promise.resolve(hit.key);
    }
    let lookup = this.pending.get(hash);
    if (!lookup) {
      lookup = this.lookUp(hash, bearer!).finally(() => this.pending.delete(hash));
      this.pending.set(hash, lookup);
    }
    return lookup;
  }

  /** Forgets one key (it was revoked, moved or deleted). */
  forget(keyId: string): void {
    this.generation++;
    for (const [hash, e] of this.entries) if (e.keyId === keyId) this.entries.delete(hash);
  }

  /** Forgets a registrar's keys (it was renamed or deleted). */
  forgetRegistrar(registrarId: string): void {
    this.generation++;
    for (const [hash, e] of this.entries) if (e.registrarId === registrarId) this.entries.delete(hash);
  }

  /** Forgets everything (announcements may have been missed). */
  forgetAll(): void {
    this.generation++;
    this.entries.clear();
  }

  /** Keys held now (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  private async lookUp(hash: string, bearer: string): Promise<ResolvedKey | null> {
    const generation = this.generation;
    const found = await findApiKey(this.prisma, bearer);
    if (!found) return null;
    const now = this.now();
    const revoked = isRevoked(found, new Date(now));
    const key = revoked ? null : { keyId: found.keyId, registrarId: found.registrarId, registrarName: found.registrarName };
    let usedAt = found.lastUsedAt?.getTime() ?? 0;
    if (key && usedAt <= now - LAST_USED_RESOLUTION_MS) {
      usedAt = now;
      void touchApiKey(this.prisma, found.keyId, new Date(now));
    }
    if (generation === this.generation) this.keep(hash, found, key, now, usedAt);
    return key;
  }

  private keep(hash: string, found: StoredApiKey, key: ResolvedKey | null, now: number, usedAt: number): void {
    const revokesAt = !key || !found.revokedAt ? Infinity : found.revokedAt.getTime();
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { key, keyId: found.keyId, registrarId: found.registrarId, until: Math.min(now + this.ttlMs, revokesAt), usedAt });
  }
}
