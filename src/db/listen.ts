/**
 * PostgreSQL LISTEN for the gateway's in-memory caches (PostgreSQL docs, "NOTIFY"): a channel's
 * notifications reach `onNotify` with their payload, from any session that committed them.
 *
 * - PostgreSQL: one dedicated connection (pg.Client) per listener, outside the pool, since a
 *   LISTEN belongs to its session. It reconnects on its own (1 s, doubling to 30 s); whenever it
 *   is down, notifications are lost, so `onGap` is called when it drops and again when it is back
 *   (a cache then forgets what it holds). A transaction-mode pooler (PgBouncer) does not carry
 *   LISTEN: point DATABASE_URL at PostgreSQL or a session-mode pool.
 * - PGlite: its own `listen`, in process (one process per embedded database, so nothing is lost).
 */
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** Callbacks of one LISTEN: `onNotify` gets each NOTIFY payload (text, at most 8000 bytes in PostgreSQL) on the channel. */
export interface NotifyHandlers {
  onNotify(payload: string): void;
  /** Notifications may have been missed (the listening connection dropped, or came back). */
  onGap(): void;
  /** The listening connection failed (logged by the caller); it is retried. */
  onError?(err: Error): void;
  /** The LISTEN is in force (again): after each connection that succeeded, the first one included. */
  onListening?(): void;
}

/** Stops listening. */
export type Unlisten = () => Promise<void>;

/** A database that can LISTEN: Database.listen (src/db/client.ts). */
export type Listen = (channel: string, handlers: NotifyHandlers) => Promise<Unlisten>;

const MAX_BACKOFF_MS = 30_000;

/**
 * LISTEN over a dedicated connection to `url`; resolves once the first LISTEN is in force (or has
 * failed: it keeps retrying). `settings`: the connection's time limits (pgTimeoutSettings, src/db/timeouts.ts):
 * a connect that hangs fails and is retried, and TCP keep-alive notices a database that vanished
 * under the idle connection (a black hole sends nothing back), which is then a gap and a reconnect.
 */
export function listenPostgres(url: string, settings: pg.ClientConfig = {}): Listen {
  return async (channel, handlers) => {
    let client: pg.Client | undefined;
    let stopped = false;
    let backoff = 1000;
    let retry: NodeJS.Timeout | undefined;
    const connect = async (): Promise<void> => {
      const c = new pg.Client({ ...settings, connectionString: url });
      client = c;
      let down = false;
      const drop = (err?: Error) => {
        if (down) return;
        down = true;
        if (err) handlers.onError?.(err);
        void c.end().catch(() => undefined);
        if (stopped) return;
        handlers.onGap();
        retry = setTimeout(() => void connect(), backoff);
        retry.unref();
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      };
      c.on('error', drop);
      c.on('end', () => drop());
      c.on('notification', (n) => n.channel === channel && handlers.onNotify(n.payload ?? ''));
      try {
        await c.connect();
        await c.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
        backoff = 1000;
        handlers.onGap(); // anything before this LISTEN went unheard
        handlers.onListening?.();
      } catch (err) {
        drop(err as Error);
      }
    };
    await connect();
    return async () => {
      stopped = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    };
  };
}

/** LISTEN on an embedded PGlite, in process. */
export function listenPGlite(db: Pick<PGlite, 'listen' | 'closed'>): Listen {
  return async (channel, handlers) => {
    const unlisten = await db.listen(channel, (payload) => handlers.onNotify(payload));
    return async () => {
      if (!db.closed) await unlisten();
    };
  };
}
