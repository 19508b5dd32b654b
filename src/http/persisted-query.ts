import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';

/** The `extensions.persistedQuery` of a request Apollo Server refuses as the client's mistake, and why. */
export interface PersistedQueryRefusal {
  /** `extensions.persistedQuery` (not an object), `extensions.persistedQuery.version` or `extensions.persistedQuery.sha256Hash`. */
  field: string;
  message: string;
}

/** The form of a hash Apollo Server computes for a query: SHA-256, lower-case hex. */
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * What is wrong with a request's automatic persisted query extension: not an object (a string, a
 * number, a list: it was told as a version other than 1), a `version` other than 1, a
 * `sha256Hash` missing or not of a SHA-256's form (64 lower-case hex characters, as Apollo Server
 * computes it; a number or 100,000 letters went on to the cache and came back as
 * PERSISTED_QUERY_NOT_FOUND, asking the client to send the query with that hash), or a `query`
 * sent with a `sha256Hash` that is not its SHA-256 (Apollo Server 5.x, requestPipeline). Null when
 * none applies (no extension, a good one, or a well-formed hash alone: PERSISTED_QUERY_NOT_FOUND
 * when unknown, Apollo's own code).
 */
export function persistedQueryRefusal(request: { query?: string; extensions?: Record<string, unknown> }): PersistedQueryRefusal | null {
  const given = request.extensions?.persistedQuery;
  if (given === undefined || given === null) return null;
  if (typeof given !== 'object' || Array.isArray(given)) {
    return { field: 'extensions.persistedQuery', message: 'extensions.persistedQuery: is not an object ({"version": 1, "sha256Hash": "<SHA-256 of the query, hex>"}); nothing ran' };
  }
  const pq = given as { version?: unknown; sha256Hash?: unknown };
  if (pq.version !== 1) {
    return { field: 'extensions.persistedQuery.version', message: 'extensions.persistedQuery.version: only version 1 of automatic persisted queries is supported; nothing ran' };
  }
  if (typeof pq.sha256Hash !== 'string' || !SHA256_HEX.test(pq.sha256Hash)) {
    return {
      field: 'extensions.persistedQuery.sha256Hash',
      message: 'extensions.persistedQuery.sha256Hash: is not a SHA-256 (64 lower-case hex characters); nothing ran and nothing was stored',
    };
  }
  if (request.query !== undefined && pq.sha256Hash !== createHash('sha256').update(request.query).digest('hex')) {
    return {
      field: 'extensions.persistedQuery.sha256Hash',
      message: 'extensions.persistedQuery.sha256Hash: is not the SHA-256 (hex) of the query sent with it; nothing ran and nothing was stored',
    };
  }
  return null;
}

/**
 * Apollo plugin: the refusals of persistedQueryRefusal leave as BAD_REQUEST (HTTP 400, Apollo
 * Server's code for a request it cannot serve) naming the field in `extensions.field`. Apollo
 * Server 5 gives these two errors no code, so they went out as INTERNAL_SERVER_ERROR, which tells
 * a client to retry, not to fix its request. Apollo answers such a request with its one error and
 * runs nothing; this rewrites that answer as it leaves (each operation of a batch on its own).
 */
export function persistedQueryPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart({ request }) {
      const refusal = persistedQueryRefusal(request);
      if (!refusal) return;
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          const error: GraphQLFormattedError = { message: refusal.message, extensions: { code: 'BAD_REQUEST', field: refusal.field } };
          response.body.singleResult.errors = [error];
          // A malformed hash alone: Apollo answered PERSISTED_QUERY_NOT_FOUND, with 200.
          response.http.status = 400;
        },
      };
    },
  };
}
