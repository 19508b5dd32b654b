/**
 * While the gateway's database (PostgreSQL) does not answer, requests are answered as a
 * temporarily unavailable service, over HTTP and graphql-ws alike: GraphQL error code
 * SERVICE_UNAVAILABLE (retryable, `retryAfter` in seconds: DatabaseUnavailableError), HTTP 503
 * with Retry-After (RFC 9110 sections 15.6.4 and 10.2.3), and a graphql-ws connection whose
 * key could not be looked up is closed with 1013 "Try Again Later" (TRY_AGAIN_LATER,
 * src/http/ws-connections.ts), which graphql-ws's client retries, instead of 4500, which it does not. Which
 * failures count is src/db/errors.ts's isDatabaseUnavailable; any other error stays masked as
 * INTERNAL_SERVER_ERROR (src/http/errors.ts).
 */
import { GraphQLError } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { DATABASE_RETRY_AFTER_SECONDS, DatabaseUnavailableError } from '../core/errors.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import type { Logger } from '../logger.js';

/** extensions.code of a request refused because the gateway's database does not answer (DatabaseUnavailableError). */
export const SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE';

/** `err` as a DatabaseUnavailableError when it is one or a database connection failure (isDatabaseUnavailable); else undefined. */
export function asDatabaseUnavailable(err: unknown): DatabaseUnavailableError | undefined {
  if (err instanceof DatabaseUnavailableError) return err;
  return isDatabaseUnavailable(err) ? new DatabaseUnavailableError(err) : undefined;
}

/**
 * The GraphQLError an HTTP request's context function throws when the API key could not be looked
 * up: Apollo answers it with HTTP 503 and Retry-After, before any operation runs; its
 * originalError is what the formatter answers from (and logs).
 */
export function unavailableBeforeExecution(e: DatabaseUnavailableError): GraphQLError {
  return new GraphQLError(e.message, {
    originalError: e,
    extensions: { code: SERVICE_UNAVAILABLE, http: { status: 503, headers: new Map([['retry-after', String(DATABASE_RETRY_AFTER_SECONDS)]]) } },
  });
}

/** The close reason of a graphql-ws connection refused for it (at most 123 bytes, RFC 6455 section 5.5). */
export const TRY_AGAIN_REASON = `${SERVICE_UNAVAILABLE}: the gateway's database is not answering; retry after ${DATABASE_RETRY_AFTER_SECONDS} s`;

/**
 * Apollo plugin: an answer with a SERVICE_UNAVAILABLE error goes out as HTTP 503 with Retry-After
 * (the largest `retryAfter` among them), unless something before it set another error status
 * (a 429 of the rate limit). A partial answer too: what it lacks came from the database, and
 * asking again later is what the client should do.
 */
export function serviceUnavailablePlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          let retryAfter = 0;
          for (const e of response.body.singleResult.errors ?? []) {
            if (e.extensions?.code === SERVICE_UNAVAILABLE) retryAfter = Math.max(retryAfter, Number(e.extensions.retryAfter) || DATABASE_RETRY_AFTER_SECONDS);
          }
          if (retryAfter === 0 || (response.http.status !== undefined && response.http.status >= 400)) return;
          response.http.status = 503;
          response.http.headers.set('retry-after', String(retryAfter));
        },
      };
    },
  };
}

/** How often at most the answers refused for the database are logged (ms). */
const LOG_EVERY_MS = 60_000;

/**
 * The log of what was answered SERVICE_UNAVAILABLE: one error line with the cause when the first
 * comes, then at most one a minute while they go on, with how many there were since the last
 * line (`answered`), instead of a line per request (a busy instance answers thousands a second).
 */
export class UnavailableLog {
  private last = -Infinity;
  private count = 0;

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  answered(e: DatabaseUnavailableError): void {
    this.count++;
    const t = this.now();
    if (t - this.last < LOG_EVERY_MS) return;
    this.logger.error({ err: e.cause, answered: this.count }, `the database is not answering: requests are answered ${SERVICE_UNAVAILABLE} (HTTP 503); logged again in a minute at most while it lasts`);
    this.last = t;
    this.count = 0;
  }
}
