/**
 * REPP answers -> the gateway's error classes (src/core/errors.ts). REPP carries EPP result codes
 * in its JSON body (`{ "code": 2305, "message": "Object association prohibits operation [domains]" }`)
 * beside an HTTP status; the document's error table (shared/upstream/002_13834b2b835d5bf6.txt,
 * "Errors") lists 400, 401, 403, 404, 405, 406, 410, 418, 429, 500 and 503.
 *
 * | HTTP status | gateway error | why |
 * | --- | --- | --- |
 * | 2xx with code >= 2000, 400, other 4xx with a code | by the EPP code (registryErrorFor) | the registry refused, and says why |
 * | 400 without a code, 413 | UPSTREAM_REJECTED_INPUT (2001) | the request was malformed |
 * | 401 | UPSTREAM_AUTHENTICATION_ERROR | "Your API key is wrong" (the body says 2202) |
 * | 403 | AUTHORIZATION_ERROR | the API user may not do this |
 * | 404, 410 | OBJECT_NOT_FOUND | not found, or "removed from our servers" |
 * | 405 | UNIMPLEMENTED_BY_REGISTRY | the registry has no such command |
 * | 406, 418, other 4xx | UPSTREAM_FAILURE (2400, not retryable) | the registry refused the exchange itself |
 * | 429 | RATE_LIMITED (2502, retryAfter from Retry-After), not applied (retried first: see retry.ts) | "Too Many Requests" |
 * | 503 | UPSTREAM_UNAVAILABLE (2400), not applied (retried first) | "temporarily offline for maintenance" |
 * | 500 and other 5xx | UPSTREAM_UNAVAILABLE, outcome unknown for a change | the registry failed, perhaps after committing |
 * | 2xx that is not a REPP result, or whose `data` lacks what the document shows | UPSTREAM_UNAVAILABLE, outcome unknown (http.ts, codec/read.ts) | an answer that cannot be read is no refusal: the change may have been made |
 *
 * Every answer the document lists as a refusal (every row but 500 and other 5xx) carries an EPP
 * result code (the body's, else the one in brackets), so the command log records the registry's
 * refusal (FAILED, applied: false), never UNKNOWN; 2400 and 2502 leave the idempotency key free to
 * send again (src/idempotency/failure.ts), the others are the key's answer.
 */
import {
  AuthorizationError,
  CommandSyntaxError,
  LIMIT_EXCEEDED,
  ObjectNotFoundError,
  UnimplementedError,
  UpstreamAuthenticationError,
  UpstreamFailureError,
  UpstreamRateLimitedError,
  UpstreamUnavailableError,
  registryErrorFor,
  type GatewayError,
} from '../../core/errors.js';

/** What a failed exchange is mapped with. */
export interface FailureContext {
  backend?: string;
  /** Values to mask in upstream messages (password, transfer codes). */
  secrets: ReadonlyArray<string | null | undefined>;
  /** The request changes registry state (a lost or failed answer leaves its outcome unknown). */
  changesState: boolean;
  /** The answer's Retry-After, in ms (429, 503), when it had one. */
  retryAfterMs?: number;
}

/** Replaces every secret in a registry message with "****" (an echoed transfer code never leaves the adapter). */
export function maskSecrets(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('****');
  return out;
}

/** The body's EPP code and message, where it has them. */
export interface Envelope {
  code?: number;
  message?: string;
}

const short = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}...` : s);

/** The gateway error for a REPP answer that is not a success. */
export function errorFor(status: number, body: Envelope | null, ctx: FailureContext): GatewayError {
  const code = body?.code;
  const message = maskSecrets(short(body?.message ?? `HTTP ${status}`), ctx.secrets);
  const details = { upstreamCode: code, upstreamMessage: message, backend: ctx.backend };
  if (status === 401) return new UpstreamAuthenticationError(`registry refused the API user's credentials: ${message}`, { ...details, upstreamCode: code ?? 2200 });
  if (status === 403) return new AuthorizationError(message, { ...details, upstreamCode: code ?? 2201 });
  if (status === 404 || status === 410) return new ObjectNotFoundError(message, { ...details, upstreamCode: code ?? 2303 });
  if (status === 405) return new UnimplementedError(`registry does not allow this method here: ${message}`, { ...details, upstreamCode: code ?? 2101 });
  const retryAfter = ctx.retryAfterMs === undefined ? undefined : Math.max(1, Math.ceil(ctx.retryAfterMs / 1000));
  if (status === 429) {
    const wait = retryAfter === undefined ? '' : `: retry after ${retryAfter} s`;
    return new UpstreamRateLimitedError(`registry rate limit (HTTP 429)${wait}`, { ...details, upstreamCode: LIMIT_EXCEEDED, ...(retryAfter === undefined ? {} : { retryAfter }) });
  }
  if (status === 503) return new UpstreamUnavailableError(`registry unavailable (HTTP 503): ${message}`, { ...details, upstreamCode: code ?? 2400, maybeApplied: false, ...(retryAfter === undefined ? {} : { retryAfter }) });
  if (status >= 500) return new UpstreamUnavailableError(`registry failed (HTTP ${status}): ${message}`, { ...details, maybeApplied: ctx.changesState });
  if (status === 406 || status === 418) return new UpstreamFailureError(`registry refused the exchange (HTTP ${status}): ${message}`, { ...details, upstreamCode: code ?? 2400, retryable: false });
  if (code !== undefined && code >= 2000) return registryErrorFor(code, message, ctx.backend);
  if (status === 400 || status === 413) return new CommandSyntaxError(message, { ...details, upstreamCode: code ?? 2001 });
  return new UpstreamFailureError(`unexpected registry answer (HTTP ${status}): ${message}`, { ...details, upstreamCode: code ?? 2400, retryable: false });
}
