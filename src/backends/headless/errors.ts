/**
 * HeadlessDomains refusals -> the gateway's error classes (src/core/errors.ts), by the registry's
 * machine code (`{ "error": { "code": "domain_exists", "message": ... } }`) and HTTP status,
 * onto the EPP result codes every backend maps to (guide, "Errors").
 *
 * | registry code | EPP code | gateway error |
 * | --- | --- | --- |
 * | unauthorized (401), forbidden_key_profile, channel_not_approved | 2200 | UPSTREAM_AUTHENTICATION_ERROR |
 * | not_registrar_of_record | 2201 | AUTHORIZATION_ERROR |
 * | invalid_auth_code | 2202 | AUTHORIZATION_ERROR |
 * | domain_not_found | 2303 | OBJECT_NOT_FOUND |
 * | domain_exists, protected_recovery_record | 2302 | OBJECT_EXISTS |
 * | lifecycle_prohibits, transfer_locked | 2304 | STATUS_PROHIBITS_OPERATION |
 * | already_registrar_of_record | 2106 | NOT_ELIGIBLE |
 * | namespace_not_approved, expiry_mismatch, idempotency_key_reused | 2306 | PARAMETER_VALUE_POLICY_ERROR |
 * | invalid_request, invalid_json, idempotency_key_required, other 4xx | 2005 | UPSTREAM_REJECTED_INPUT |
 * | 5xx | - | UPSTREAM_UNAVAILABLE (outcome unknown for a change) |
 * | a change's 4xx (not 401) without the error body | - | UPSTREAM_UNAVAILABLE, outcome unknown (core/errors.ts unreadableAnswer) |
 *
 * The document (shared/upstream/000_1527c6e3181c1cc7.txt) names no status that means "not
 * processed"; only its error bodies say the registry refused, so only they are definite answers.
 */
import { UpstreamAuthenticationError, UpstreamUnavailableError, registryErrorFor, unreadableAnswer, type GatewayError } from '../../core/errors.js';

const CODES: Record<string, number> = {
  unauthorized: 2200,
  forbidden_key_profile: 2200,
  channel_not_approved: 2200,
  not_registrar_of_record: 2201,
  invalid_auth_code: 2202,
  domain_not_found: 2303,
  domain_exists: 2302,
  protected_recovery_record: 2302,
  lifecycle_prohibits: 2304,
  transfer_locked: 2304,
  already_registrar_of_record: 2106,
  namespace_not_approved: 2306,
  expiry_mismatch: 2306,
  idempotency_key_reused: 2306,
};

/** Replaces each secret (3+ characters) with "****". */
export function masked(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('****');
  return out;
}

/** The gateway error for an answer that is not a 2xx (429 is handled by the client). */
export function errorFor(status: number, body: Record<string, unknown> | null, ctx: { backend?: string; secrets: string[]; changesState: boolean }): GatewayError {
  const err = (body?.error ?? {}) as { code?: unknown; message?: unknown };
  const name = typeof err.code === 'string' ? err.code : `http_${status}`;
  const text = masked(String(typeof err.message === 'string' ? err.message : `HTTP ${status}`).slice(0, 200), ctx.secrets);
  const message = `${name}: ${text}`;
  if (status >= 500) return new UpstreamUnavailableError(`registry failed (HTTP ${status}): ${message}`, { backend: ctx.backend, upstreamMessage: message, maybeApplied: ctx.changesState });
  // A refusal names itself: the registry's error body with its machine code. A 4xx without one
  // (not JSON, another shape: a proxy's page, a cut answer) says nothing of what the registry did
  // with a change it was sent; a 401 is a refused key whatever its body (nothing was processed).
  if (typeof err.code !== 'string' && status !== 401 && ctx.changesState) return unreadableAnswer(`registry answered HTTP ${status} without its error body`, { backend: ctx.backend, upstreamMessage: message });
  const code = CODES[name] ?? (status === 401 ? 2200 : status === 404 ? 2303 : 2005);
  if (code === 2200) return new UpstreamAuthenticationError(`registry refused the API key: ${message}`, { backend: ctx.backend, upstreamCode: code, upstreamMessage: message });
  return registryErrorFor(code, message, ctx.backend);
}
