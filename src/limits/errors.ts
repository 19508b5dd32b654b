import { GraphQLError } from 'graphql';

/** Which limit refused an operation: the name of its setting in config `limits`. */
export type LimitName = 'maxTokens' | 'maxDepth' | 'maxAliases' | 'maxDirectives' | 'maxFields' | 'maxCost' | 'maxSameNameFields' | 'validationBudget';

/**
 * QUERY_TOO_COMPLEX (HTTP 400): the document or its estimated cost exceeds a limit; refused
 * before anything runs. `extensions.limit` names the setting, `max` its value, `field` (when
 * given) the place in the operation that costs the most, as response names with the argument
 * at the end (`domains.first`, `c3.first` for an alias c3).
 */
export function queryTooComplex(limit: LimitName, max: number, message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', limit, max, ...(field !== undefined ? { field } : {}), http: { status: 400 } } });
}

/**
 * RATE_LIMITED (HTTP 429 with Retry-After): the API key spent its cost points for the current
 * window; `extensions.retryAfter` is the number of seconds until the window starts again.
 */
export function rateLimited(retryAfterSec: number): GraphQLError {
  const seconds = Math.max(1, Math.ceil(retryAfterSec));
  return new GraphQLError(`this API key has used its operation budget for now; retry after ${seconds} s`, {
    extensions: { code: 'RATE_LIMITED', retryAfter: seconds, http: { status: 429, headers: new Map([['retry-after', String(seconds)]]) } },
  });
}

/** BAD_REQUEST (HTTP 400): a subscription sent over HTTP, which serves queries and mutations only. */
export function subscriptionOverHttp(): GraphQLError {
  return new GraphQLError('subscriptions are served over WebSocket (graphql-ws, subprotocol graphql-transport-ws) on this path; HTTP serves queries and mutations', {
    extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
  });
}
