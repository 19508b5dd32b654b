/**
 * One warning when Redis stops answering, one line when it is back: ioredis emits `error` on
 * every failed (re)connection attempt (its retry strategy tries again every 50 ms to 2 s), so a
 * listener that logs each one fills the log while Redis is down (48 lines in 14 s from the poll
 * events' two connections).
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

/** The two lines logRedisAvailability writes for one component's Redis connections. */
export interface RedisAvailabilityMessages {
  /** Logged (warn, with the first error's message as `err`) when a connection fails while all were up, or at the first attempt. */
  down: string;
  /** Logged (info) when every connection is ready again after `down` was logged. */
  back: string;
  /** Extra fields of both lines (never the Redis URL: it may hold a password). */
  fields?: Record<string, unknown>;
}

/**
 * Watches the connections one component holds to Redis (`clients`) and logs their outage once:
 * a warning with the error when the first connection fails, an info line when all of them are
 * `ready` again; the errors in between (every reconnection attempt of every connection) are not
 * logged. Installing it also gives each client its `error` listener (ioredis would otherwise print
 * "Unhandled error event" to the console).
 */
export function logRedisAvailability(clients: Redis[], logger: Logger, messages: RedisAvailabilityMessages): void {
  let down = false;
  for (const client of clients) {
    client.on('error', (err: Error) => {
      if (down) return;
      down = true;
      logger.warn({ ...messages.fields, err: err.message }, messages.down);
    });
    client.on('ready', () => {
      if (!down || !clients.every((c) => c.status === 'ready')) return;
      down = false;
      logger.info({ ...messages.fields }, messages.back);
    });
  }
}
