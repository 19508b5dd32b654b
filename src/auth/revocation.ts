/**
 * Revoking an API key ends what it opened: HTTP resolves the key on every request (from
 * ApiKeyCache, which forgets the key as soon as the database announces the change); a WebSocket
 * connection authenticates once, at connection_init, so each instance checks the keys of its open
 * connections against the database when a key change is announced (src/auth/key-changes.ts) and,
 * in case an announcement was lost, every `auth.revocationCheckMs` (default 5000 ms), and closes
 * the connections of a key revoked (or deleted) since, with their subscriptions. The database is
 * the one place every revocation reaches, from any instance or the CLI, so this needs no Redis;
 * one indexed query per instance per check, however many connections.
 */
import type { PrismaClient } from '../db/generated/client.js';
import type { Logger } from '../logger.js';

/** Default `auth.revocationCheckMs`: ms between checks of open WebSocket connections' keys. */
export const DEFAULT_REVOCATION_CHECK_MS = 5000;
const IDS_PER_QUERY = 1000;

/** Closes what revoked keys opened (see above): watch() a connection's key; start() checks every `intervalMs` ms; check() now. */
export class KeyRevocationWatch {
  private readonly watched = new Map<string, Set<() => void>>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
    private readonly intervalMs = DEFAULT_REVOCATION_CHECK_MS,
    /** Told of every key found revoked (the key cache forgets it, should its announcement have been lost). */
    private readonly onRevoked: (keyId: string) => void = () => undefined,
  ) {}

  /** Calls `end` (once) when `keyId` is found revoked; the returned function stops watching. */
  watch(keyId: string, end: () => void): () => void {
    let ends = this.watched.get(keyId);
    if (!ends) this.watched.set(keyId, (ends = new Set()));
    ends.add(end);
    return () => {
      ends.delete(end);
      if (ends.size === 0 && this.watched.get(keyId) === ends) this.watched.delete(keyId);
    };
  }

  /** Checks every watched key now; ends the watchers of revoked keys and returns how many keys that was. */
  check(): Promise<number> {
    this.running ??= this.checkOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async checkOnce(): Promise<number> {
    const ids = [...this.watched.keys()];
    const now = new Date(); // as resolveApiKey decides, so HTTP and WebSocket agree on a key
    const live = new Set<string>();
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const rows = await this.prisma.apiKey.findMany({
        where: { id: { in: ids.slice(i, i + IDS_PER_QUERY) }, OR: [{ revokedAt: null }, { revokedAt: { gt: now } }] },
        select: { id: true },
      });
      for (const r of rows) live.add(r.id);
    }
    const revoked = ids.filter((id) => !live.has(id));
    for (const id of revoked) {
      const ends = this.watched.get(id);
      this.watched.delete(id);
      this.onRevoked(id);
      for (const end of ends ?? []) end();
    }
    if (revoked.length > 0) this.logger.info({ keys: revoked.length }, 'closed the WebSocket connections of revoked API keys');
    return revoked.length;
  }

  start(): void {
    this.timer ??= setInterval(() => {
      if (this.watched.size === 0) return;
      this.check().catch((err: unknown) => this.logger.warn({ err }, 'API key revocation check failed; trying again next period'));
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
