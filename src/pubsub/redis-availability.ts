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
  /** How long a connection may go without being ready before `down` is logged (ms; default READY_WITHIN_MS). */
  readyWithinMs?: number;
}

/**
 * How long a command on a request's path may wait for Redis before it fails (ioredis
 * `commandTimeout`, ms): the rate limits' counts (an API key's budget, HeadlessDomains' shares)
 * then fall back to this instance's own count. A Redis that takes the connection and stops
 * answering (hung, or a proxy in front of it that stalls) gives ioredis no error to fail on, and
 * every GraphQL request on the instance waited for it (an operator's trial: 40 s and more, while
 * /readyz said ready and nothing was logged). A healthy Redis answers in well under 1 ms.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 500;

/**
 * How long a Redis connection may take to become ready before its outage is logged, without an
 * error: a server that takes the TCP connection and never answers (a hung Redis, a wrong port
 * behind a proxy) gives ioredis nothing to fail on, and was never logged (an operator's trial
 * waited 55 s; `/readyz` said `redis: unavailable` all along).
 */
export const READY_WITHIN_MS = 10_000;

/**
 * Watches the connections one component holds to Redis (`clients`) and logs their outage once:
 * a warning with the error when the first connection fails (or one is not ready readyWithinMs
 * after it was opened or connected), an info line when all of them are
 * `ready` again; the errors in between (every reconnection attempt of every connection) are not
 * logged. Installing it also gives each client its `error` listener (ioredis would otherwise print
 * "Unhandled error event" to the console).
 */
export function logRedisAvailability(clients: Redis[], logger: Logger, messages: RedisAvailabilityMessages): void {
  let down = false;
  const readyWithin = messages.readyWithinMs ?? READY_WITHIN_MS;
  // A connection not ready readyWithin after it was opened, or after it connected, is an outage
  // too: connected (or connecting) and never answering. One closed on purpose (`end`) or not yet
  // asked to connect (`wait`) is not.
  const checkReady = () => {
    if (down) return;
    const stuck = clients.find((c) => c.status !== 'ready' && c.status !== 'end' && c.status !== 'wait');
    if (!stuck) return;
    down = true;
    logger.warn({ ...messages.fields, err: `no connection ready within ${readyWithin} ms (${stuck.status}): the server takes the connection and does not answer, or cannot be reached` }, messages.down);
  };
  setTimeout(checkReady, readyWithin).unref();
  for (const client of clients) {
    client.on('connect', () => void setTimeout(checkReady, readyWithin).unref());
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
