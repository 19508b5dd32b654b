/**
 * The sandbox's refusals, one per condition, each written once (the shape Nomulus's EppException
 * classes take): an HTTP status, a stable machine code and a message. Answered as
 * `{ "error": { "code": ..., "message": ... } }`. A message names the value it is about as it was
 * sent, whole (a domain, a namespace, a host name, an e-mail address), as a registry's own
 * messages do (the handoff packet promises no cut): what a client may be shown of it is the
 * gateway's to cut. A secret (an auth code) is never named.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * Every refusal as a factory: 401 unauthorized; 403 forbidden_key_profile, channel_not_approved, namespace_not_approved,
 * not_registrar_of_record, invalid_auth_code; 400 invalid_request (extra.field), idempotency_key_required, invalid_json;
 * 404 domain_not_found, not_found; 409 domain_exists, protected_recovery_record, lifecycle_prohibits, expiry_mismatch,
 * transfer_locked, already_registrar_of_record; 413 payload_too_large; 422 idempotency_key_reused; 429 rate_limited
 * (extra.retry_after_seconds). The handoff packet (shared/upstream/000) names no error codes: these are the sandbox's.
 */
export const Errors = {
  unauthorized: () => new ApiError(401, 'unauthorized', 'a bearer token of a registrar_api partner key is required'),
  wrongProfile: (profile: string) => new ApiError(403, 'forbidden_key_profile', `API key profile "${profile}" may not call the registrar API (registrar_api required)`),
  channelNotApproved: () => new ApiError(403, 'channel_not_approved', 'the registrar channel is not approved'),
  namespaceNotApproved: (tld: string) => new ApiError(403, 'namespace_not_approved', `no approved namespace listing for "${tld}" on this registrar channel`),
  notHolder: (domain: string) => new ApiError(403, 'not_registrar_of_record', `${domain} is held by another registrar channel`),
  invalid: (field: string, why: string) => new ApiError(400, 'invalid_request', `${field}: ${why}`, { field }),
  /** A value of the request that is not what `field` takes, named as sent (never an auth code). */
  invalidValue: (field: string, value: string, why: string) => new ApiError(400, 'invalid_request', `${field}: ${JSON.stringify(value)} is not ${why}`, { field }),
  keyRequired: () => new ApiError(400, 'idempotency_key_required', 'mutating commands need an Idempotency-Key header'),
  keyReused: () => new ApiError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different request'),
  notFound: (domain: string) => new ApiError(404, 'domain_not_found', `${domain} is not registered`),
  routeNotFound: () => new ApiError(404, 'not_found', 'no such command'),
  exists: (domain: string) => new ApiError(409, 'domain_exists', `${domain} is already registered`),
  protectedRecord: (domain: string) => new ApiError(409, 'protected_recovery_record', `${domain} is a protected legacy/NB recovery record and needs an explicit recovery decision`),
  lifecycle: (domain: string, state: string) => new ApiError(409, 'lifecycle_prohibits', `${domain} is ${state}`),
  expiryMismatch: () => new ApiError(409, 'expiry_mismatch', 'current_expires_at does not match the registration (already renewed?)'),
  transferLocked: (domain: string) => new ApiError(409, 'transfer_locked', `${domain} has transfer_lock set`),
  alreadyHolder: (domain: string) => new ApiError(409, 'already_registrar_of_record', `${domain} is already held by this channel`),
  badAuthCode: () => new ApiError(403, 'invalid_auth_code', 'the auth code does not match'),
  rateLimited: (retryAfterSeconds: number) => new ApiError(429, 'rate_limited', `rate limit exceeded; retry after ${retryAfterSeconds} s`, { retry_after_seconds: retryAfterSeconds }),
  tooLarge: () => new ApiError(413, 'payload_too_large', 'request body too large'),
  badJson: () => new ApiError(400, 'invalid_json', 'request body is not a JSON object'),
};
