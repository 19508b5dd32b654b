import { ExpiryMismatchError, GatewayError, LIMIT_EXCEEDED, RegistryError, UpstreamAuthenticationError, UpstreamRateLimitedError, UpstreamUnavailableError } from '../core/errors.js';

/** How a failed attempt left the registry, as classifyFailure below decides: not applied, definite (kept as the key's answer), or unknown. */
export type FailureKind = 'not-applied' | 'definite' | 'unknown';

/**
 * How a failed attempt left the registry (RFC 5730 section 3 result codes):
 * - not applied: nothing was sent (UpstreamUnavailableError with maybeApplied false: no session,
 *   a session closed before the frame was written, a login the registry ended; or an answer the
 *   registry's document says was not processed, such as REPP's 503), the gateway refused it, the
 *   login failed, the registry answered 2400 "Command failed", or it refused the command for a
 *   limit before processing it: 2502 "Session limit exceeded" (RFC 5730 section 3) and an HTTP
 *   registry's 429 (UpstreamRateLimitedError, upstreamCode 2502);
 * - unknown: sent and no answer, an unexpected error after sending, or 2500/2501 (the server
 *   failed and closed the session while handling it: the retry reads the registry's state before
 *   sending again); also an answer that arrived but cannot be read (core/errors.ts
 *   unreadableAnswer: UpstreamUnavailableError with maybeApplied): an EPP frame that is not EPP
 *   (session.ts), an EPP success (1xxx) whose response data its command's parser cannot read
 *   (epp-driver.ts send: a renew without <domain:renData>), an HTTP registry's 2xx whose
 *   body is not JSON or not the document's shape, a HeadlessDomains 4xx without its error body,
 *   an HTTP 5xx the document does not call "not processed" (REPP: "500 Internal Server Error --
 *   We had a problem with our server"), a DMAPI 200 without Status-Code or without the Handle a
 *   contact-create returns. Only what a registry's document names as its refusal is definite;
 *   the HTTP backends' errors.ts files say which answers those are;
 * - definite: any other 2xxx answer, kept and replayed as the key's answer; also a renewal the
 *   registry refused for its stale current expiry, answered as ExpiryMismatchError (BAD_USER_INPUT
 *   with the registry's code): the registry answered, and may hold the key (HeadlessDomains
 *   refuses its idempotency key for another request). The gateway's own expiry check (no
 *   upstream code, nothing sent) is not applied.
 * The idempotency service also treats any failure of an attempt that sent no command as not
 * applied (see IdempotencyService.failureKind).
 */
export function classifyFailure(err: unknown): FailureKind {
  if (err instanceof UpstreamRateLimitedError) return 'not-applied'; // refused before processing, by the gateway's share or the registry's 429
  if (err instanceof UpstreamUnavailableError) return err.maybeApplied ? 'unknown' : 'not-applied';
  if (err instanceof UpstreamAuthenticationError) return 'not-applied'; // the login failed: the command was never sent
  if (err instanceof RegistryError) {
    const code = err.details.upstreamCode ?? 0;
    if (code === LIMIT_EXCEEDED) return 'not-applied';
    if (code >= 2500) return 'unknown';
    return code >= 2400 ? 'not-applied' : 'definite';
  }
  if (err instanceof ExpiryMismatchError) return err.details.upstreamCode === undefined ? 'not-applied' : 'definite';
  if (err instanceof GatewayError) return 'not-applied';
  return 'unknown';
}
