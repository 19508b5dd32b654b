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
import { clipEchoes } from '../echoes.js';

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

/** Body fields that hold secrets (auth_code): never clipped, so that the portable layer's mask finds them whole. */
const SECRET_FIELD = /auth|pass|token|secret|key/i;

/**
 * What a request sent that a refusal may echo (the registry names the domain, host name or
 * registrant field it refuses: "<domain> is not registered"): the path's segments (the domain,
 * decoded), the query's values and every string of the body, at any depth, but those under a
 * secret's field (SECRET_FIELD: auth_code), and what follows each dot of them (a name's namespace);
 * `secrets`: those under a secret's field, which errorFor masks.
 */
export function requestValues(req: { path: string; query?: Record<string, string | number | undefined>; body?: unknown }): { echoes: string[]; secrets: string[] } {
  const echoes: string[] = [];
  const secrets: string[] = [];
  for (const seg of req.path.split('/')) {
    try {
      if (seg) echoes.push(decodeURIComponent(seg));
    } catch {
      echoes.push(seg);
    }
  }
  for (const v of Object.values(req.query ?? {})) if (typeof v === 'string') echoes.push(v);
  const walk = (v: unknown, secret: boolean): void => {
    if (typeof v === 'string') (secret ? secrets : echoes).push(v);
    else if (Array.isArray(v)) for (const x of v) walk(x, secret);
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, secret || SECRET_FIELD.test(k));
  };
  walk(req.body, false);
  // A name's registry echoes its parts too: the namespace of a.b.hdtest ("no approved namespace listing for \"b.hdtest\"").
  const parts = echoes.flatMap((v) => [...v.matchAll(/\./g)].map((m) => v.slice(m.index + 1)));
  return { echoes: [...echoes, ...parts], secrets };
}

/**
 * The gateway error for an answer that is not a 2xx (429 is handled by the client). Its message
 * (and upstreamMessage) is the registry's code and message, with `ctx.secrets` masked ("****") and
 * every echo of `ctx.echoes` (requestValues: what the request sent, secrets left out) cut to
 * MAX_QUOTE characters (src/backends/echoes.ts): no error quotes more than 32 characters of what a
 * client sent (README, Errors); then cut to 200 characters.
 */
export function errorFor(status: number, body: Record<string, unknown> | null, ctx: { backend?: string; secrets: string[]; changesState: boolean; echoes?: readonly string[] }): GatewayError {
  const err = (body?.error ?? {}) as { code?: unknown; message?: unknown };
  const name = typeof err.code === 'string' ? err.code : `http_${status}`;
  const said = String(typeof err.message === 'string' ? err.message : `HTTP ${status}`);
  // Only a few times 200 characters are looked at (a registry's message could be of any length).
  const text = Array.from(clipEchoes(masked(said.slice(0, 4000), ctx.secrets), ctx.echoes ?? [])).slice(0, 200).join('');
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
