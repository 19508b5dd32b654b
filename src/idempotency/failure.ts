import { GatewayError, RegistryError, UpstreamAuthenticationError, UpstreamUnavailableError } from '../core/errors.js';

export type FailureKind = 'not-applied' | 'definite' | 'unknown';

/**
 * How a failed attempt left the registry: not applied (nothing was sent, the gateway refused it,
 * the login failed, or the registry answered that the command failed: 2400/25xx), a definite
 * registry answer to replay (other 2xxx), or unknown (sent, no answer; or an unexpected error
 * after sending).
 */
export function classifyFailure(err: unknown): FailureKind {
  if (err instanceof UpstreamUnavailableError) return err.maybeApplied ? 'unknown' : 'not-applied';
  if (err instanceof UpstreamAuthenticationError) return 'not-applied'; // the login failed: the command was never sent
  if (err instanceof RegistryError) return (err.details.upstreamCode ?? 0) >= 2400 ? 'not-applied' : 'definite';
  if (err instanceof GatewayError) return 'not-applied';
  return 'unknown';
}
