import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { GatewayError } from '../core/errors.js';
import type { Logger } from '../logger.js';

/**
 * Every error leaves with a stable extensions.code. Gateway errors carry the field at fault and,
 * for registry errors, the upstream code and message; anything unexpected is masked as
 * INTERNAL_SERVER_ERROR with the detail only in the log.
 */
export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

export function makeFormatError(logger: Logger): FormatError {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    let original = unwrapResolverError(error);
    // graphql-ws wraps an error thrown by a subscription's stream without a path, which Apollo's
    // unwrapping leaves alone: look inside, so it is coded (or masked) like any other.
    if (original instanceof GraphQLError && original.originalError) original = original.originalError;
    if (original instanceof GatewayError) {
      const d = original.details;
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: {
          code: original.code,
          ...(d.field ? { field: d.field } : {}),
          ...(d.upstreamCode !== undefined ? { upstreamCode: d.upstreamCode, upstreamMessage: d.upstreamMessage } : {}),
          ...(d.backend ? { registry: d.backend } : {}),
          ...(d.retryable ? { retryable: true } : {}),
        },
      };
    }
    const code = formatted.extensions?.code;
    if (original instanceof GraphQLError || (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR')) {
      return { ...formatted, extensions: { ...formatted.extensions, code: code ?? 'BAD_REQUEST' } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error');
    return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
