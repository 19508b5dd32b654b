/**
 * Errors, one class per EPP result-code family (the model Nomulus uses for EppException).
 * REPP carries EPP result codes in its JSON; HeadlessDomains and Joker map onto the same codes.
 * Every error has a stable `code` that becomes `extensions.code` at the GraphQL edge.
 */

/** What a GatewayError carries besides its message; src/http/errors.ts turns it into `extensions` (backend -> `registry`). */
export interface ErrorDetails {
  /** The GraphQL argument or input field at fault, as a path ("input.nameservers[1].ipv4[0]"). */
  field?: string;
  /** Upstream result code and message, where there is one. */
  upstreamCode?: number;
  upstreamMessage?: string;
  backend?: string;
  /** Safe to retry unchanged. */
  retryable?: boolean;
  /** Seconds to wait before retrying (an upstream's Retry-After). */
  retryAfter?: number;
  /**
   * The domain the error is about, where one answer holds many domains and the path alone does
   * not name it: a `domains` page's edge whose node could not be read (DomainReadError).
   */
  domainName?: string;
  /**
   * The parts of the input (input paths, `input.add.statuses`) the registry had applied before this
   * refusal or failure: an update sent as several requests (REPP, HeadlessDomains, Joker), whose
   * earlier requests stay applied (the registry has no single request for the whole change). Set by
   * the portable layer (src/backends/portable.ts); `extensions.partlyApplied`.
   */
  partlyApplied?: string[];
  /** The setting of a limit that refused the request (`bulk.maxOpenJobs`), and its value. */
  limit?: string;
  max?: number;
}

/**
 * Base of every error the gateway means a client to see: `code` becomes `extensions.code`, `details`
 * the other extensions (src/http/errors.ts). Anything else is masked as INTERNAL_SERVER_ERROR.
 */
export abstract class GatewayError extends Error {
  abstract readonly code: string;
  readonly details: ErrorDetails;
  constructor(message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

/**
 * Characters of a value sent by a client that an error message quotes at most (README, Errors:
 * "a message quotes at most 32 characters of what was sent"). Every quote goes through quoted()
 * or quotedSpelling() below, so this is the one bound.
 */
export const MAX_QUOTE = 32;

/** The first MAX_QUOTE characters (code points, so a surrogate pair is never split) of `text`, and whether it was cut. */
function head(text: string): { head: string; cut: boolean } {
  const h = Array.from(text.slice(0, MAX_QUOTE * 2)).slice(0, MAX_QUOTE).join('');
  return { head: h, cut: h.length < text.length };
}

/**
 * A client's string as an error message may show it: JSON-quoted (control characters escaped), at
 * most MAX_QUOTE characters, with "…" after the closing quote when cut. Never pass a secret (auth
 * info, passwords): those are not quoted at all (and src/http/secrets.ts takes any value the
 * request used as a secret out of every answer's errors, whoever quoted it).
 */
export function quoted(value: string): string {
  const h = head(value);
  return escapeInvisible(JSON.stringify(h.head)) + (h.cut ? '…' : '');
}

/** `text` with each INVISIBLE character written as \uXXXX (a character beyond U+FFFF as its surrogate pair, as JSON writes it). */
function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''));
}

/**
 * Characters JSON.stringify leaves as they are that a log line or a UI would not show as
 * themselves: C1 controls, format characters (Unicode category Cf: the bidirectional overrides
 * and isolates such as U+202E, which would turn the rest of a message around, zero-width
 * characters, the soft hyphen, the byte order mark) and the line and paragraph separators.
 * quoted() writes them as \uXXXX escapes, as JSON writes the C0 controls.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/**
 * A client's value that is already spelt out (a GraphQL literal as graphql-js prints it, `{a: 1}`,
 * `[1, 2]`; JSON; a name), as an error message may show it: at most MAX_QUOTE characters, with "…"
 * when cut. For a string use quoted().
 */
export function quotedSpelling(text: string): string {
  const h = head(text);
  return escapeInvisible(h.cut ? `${h.head}…` : text);
}

/** Cuts a message or field path to `max` characters, so no error can carry an unbounded input. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${Array.from(text.slice(0, max)).slice(0, max - 1).join('')}…`;
}

/**
 * Bad input caught before any upstream call or database write: `field` is the argument path
 * ("input.postalInfo[0].street[1]"). Messages quote at most a short prefix of what was sent
 * (see quoted()); as a last guard the field is cut to 128 and the message to 512 characters.
 * `backend`: the registry whose rule refused it (a period it does not take), as extensions.registry.
 */
export class ValidationError extends GatewayError {
  readonly code = 'BAD_USER_INPUT';
  /** What is wrong, as given (the message is `<field>: <reason>`): what fieldMessage() puts after another field. */
  readonly reason: string;
  constructor(field: string, message: string, backend?: string) {
    const f = clip(field, 128);
    super(clip(`${f}: ${message}`, 512), backend ? { field: f, backend } : { field: f });
    this.reason = clip(message, 512);
  }
}

/**
 * A renewal whose current expiry is not the domain's (RFC 5731 section 3.2.3: the server rejects a
 * <renew> whose curExpDate is not the domain's expiry date). BAD_USER_INPUT naming `field`
 * (`input.currentExpiry`; a bulk item's `currentExpiry`) on every backend, whichever way it was
 * found: the registry's refusal (Nomulus 2004 "The current expiration date is incorrect", REPP 2306
 * "given and current expire dates do not match", HeadlessDomains 409 expiry_mismatch), whose code
 * and message stay in `upstreamCode` / `upstreamMessage`, or the gateway's own comparison before
 * sending (Joker, whose renewals name no current expiry; a REPP native bulk renewal). `given` and
 * `actual` are the calendar days compared (YYYY-MM-DD, as the registry compares them: UTC, REPP's
 * time zone). `actualAt`, the expiry as `expiresAt` gives it, is quoted too when its UTC date is not
 * `actual` (REPP's Tallinn midnight is 22:00 or 21:00 UTC the day before), so that the day named
 * can be found in what the client reads: `2028-12-06 does not match the domain's actual expiry
 * (2028-12-07 in the registry's calendar: expiresAt 2028-12-06T22:00:00.000Z)`. Nothing was
 * renewed. Under the idempotency key it is kept as any registry refusal is (replayed to a retry)
 * when the registry refused it, and not kept when the gateway did: send the corrected request under
 * a new key.
 */
export class ExpiryMismatchError extends ValidationError {
  constructor(
    readonly given: string,
    readonly actual: string,
    field = 'input.currentExpiry',
    upstream: Pick<ErrorDetails, 'upstreamCode' | 'upstreamMessage' | 'backend'> = {},
    readonly actualAt?: Date,
  ) {
    const shown = actualAt && actualAt.toISOString().slice(0, 10) !== actual ? `${actual} in the registry's calendar: expiresAt ${actualAt.toISOString()}` : actual;
    super(field, `${given} does not match the domain's actual expiry (${shown}): nothing was renewed`);
    Object.assign(this.details, upstream);
  }

  /** The same refusal naming another field (a bulk item's `currentExpiry`). */
  at(field: string): ExpiryMismatchError {
    const { upstreamCode, upstreamMessage, backend } = this.details;
    return new ExpiryMismatchError(this.given, this.actual, field, { upstreamCode, upstreamMessage, backend }, this.actualAt);
  }
}

/** UNKNOWN_TLD: no configured backend routes the name's suffix (src/routing/router.ts); `field` names the argument. */
export class UnknownTldError extends GatewayError {
  readonly code = 'UNKNOWN_TLD';
  /** The message after its field (`no registry is configured for "x.zz"`): what fieldMessage() puts after another field. */
  readonly reason: string;
  constructor(field: string, name: string) {
    const reason = `no registry is configured for ${quoted(name)}`;
    super(`${field}: ${reason}`, { field });
    this.reason = reason;
  }
}

/**
 * An object the gateway recorded at a registry its config no longer has (a config change dropped
 * the backend, while the domain index still lists the registrar's domains there: README
 * "`domains`"). Not the caller's input, so not BAD_USER_INPUT: UNKNOWN_TLD, as for a name no
 * configured registry serves, with `extensions.registry` naming it. Nothing is sent. The
 * message names no object: a `domains` edge's error (DomainReadError) puts the domain before it.
 */
export class RegistryNotConfiguredError extends GatewayError {
  readonly code = 'UNKNOWN_TLD';
  constructor(registry: string) {
    super(`recorded at registry ${quoted(registry)}, which the gateway's config no longer has`, { backend: clip(registry, 64) });
  }
}

/**
 * Applies `mask` to the parts of `err` its message is rebuilt from (ValidationError and
 * UnknownTldError's reason, UnsupportedByBackendError's what), so that whatever masks a message's
 * secrets masks them there too and a rebuilt message (fieldMessage, a bulk refusal) shows none.
 */
export function maskedParts(err: GatewayError, mask: (text: string) => string): void {
  if (err instanceof ValidationError || err instanceof UnknownTldError) (err as { reason: string }).reason = mask(err.reason);
  if (err instanceof UnsupportedByBackendError) (err as { what: string }).what = mask(err.what);
}

/**
 * The message `err` would have naming `field` instead of the field it was built with, read from
 * the error's own parts, never from its message's text: `<field>: <reason>` for the errors whose
 * message names their field (ValidationError, UnknownTldError; cut as ValidationError cuts);
 * undefined for any other error (an UnsupportedByBackendError names its field only in
 * details.field; a registry's refusal carries the registry's own words, whatever they start with).
 */
export function fieldMessage(err: GatewayError, field: string): string | undefined {
  if (!(err instanceof ValidationError || err instanceof UnknownTldError)) return undefined;
  return clip(`${clip(field, 128)}: ${err.reason}`, 512);
}

/** UNAUTHENTICATED: no valid API key (the HTTP and WebSocket layers currently answer it as a GraphQLError of their own, src/server.ts). */
export class UnauthenticatedError extends GatewayError {
  readonly code = 'UNAUTHENTICATED';
}

/** FORBIDDEN: the registrar may not do this (no account on the backend, a sandbox-only action on a real registry). */
export class ForbiddenError extends GatewayError {
  readonly code = 'FORBIDDEN';
}

/** The backend lacks the capability; thrown before anything is sent. */
export class UnsupportedByBackendError extends GatewayError {
  readonly code = 'UNSUPPORTED_BY_BACKEND';
  /**
   * `field`: the argument or input field that asked for it, when one did (extensions.field);
   * `which`: the domains of a list it is about, after the backend's name (a bulk job's first domain
   * there and how many more, see registryDomains in src/bulk/submit.ts).
   */
  constructor(backend: string, what: string, field?: string, which?: string) {
    super(`backend "${backend}"${which ? ` (${which})` : ''} does not support ${what}`, field ? { backend, field: clip(field, 128) } : { backend });
    this.what = what;
  }

  /** What the backend does not support, as given (`status serverHold`): the same refusal can be rebuilt naming another field or domains. */
  readonly what: string;
}

/**
 * A bulk submission over one of the registrar's bulk limits (bulk.maxOpenJobs: jobs not finished;
 * bulk.maxPendingItems: items not run yet, PENDING or RUNNING, with the new job's): refused whole
 * before anything is written, so the same request (and key) may be sent again once earlier jobs
 * have run. `limit` names the setting, `max` its value; `field` is `domains` for the items.
 */
export class BulkLimitError extends GatewayError {
  readonly code = 'BULK_LIMIT_REACHED';
  constructor(limit: 'maxOpenJobs' | 'maxPendingItems', max: number, message: string) {
    super(message, { ...(limit === 'maxPendingItems' ? { field: 'domains' } : {}), limit: `bulk.${limit}`, max, retryable: true });
  }
}

/** A subscriber fell too far behind the live stream; it resumes from its cursor and loses nothing. */
export class SlowSubscriberError extends GatewayError {
  readonly code = 'SUBSCRIBER_TOO_SLOW';
  constructor(behind: number, lastId: string | null) {
    super(
      `more than ${behind} messages waited for this subscriber, so the subscription ended; subscribe again with after: ${lastId === null ? 'the id of the last message you handled' : `"${lastId}"`} to get the rest from the store`,
      { retryable: true },
    );
  }
}

/** Base of errors that carry an upstream result code. */
export abstract class RegistryError extends GatewayError {}

/** 2000-2005: the command or its syntax/parameters were rejected by the upstream. */
export class CommandSyntaxError extends RegistryError {
  readonly code = 'UPSTREAM_REJECTED_INPUT';
}
/** 2100-2103 and other 21xx without a class of their own: unimplemented protocol version, command, option or extension (RFC 5730 section 3). */
export class UnimplementedError extends RegistryError {
  readonly code = 'UNIMPLEMENTED_BY_REGISTRY';
}
/** 2104 "Billing failure" (RFC 5730 section 3): BILLING_FAILURE. */
export class BillingFailureError extends RegistryError {
  readonly code = 'BILLING_FAILURE';
}
/** 2105, 2106 "Object is not eligible for renewal / transfer" (RFC 5730 section 3): NOT_ELIGIBLE. */
export class NotEligibleError extends RegistryError {
  readonly code = 'NOT_ELIGIBLE';
}
/** 2201, 2202: authorization. */
export class AuthorizationError extends RegistryError {
  readonly code = 'AUTHORIZATION_ERROR';
}
/** 2200: authentication (login) failed upstream. */
export class UpstreamAuthenticationError extends RegistryError {
  readonly code = 'UPSTREAM_AUTHENTICATION_ERROR';
}
/** 2300: object pending transfer. */
export class PendingTransferError extends RegistryError {
  readonly code = 'OBJECT_PENDING_TRANSFER';
}
/** 2301: object not pending transfer. */
export class NotPendingTransferError extends RegistryError {
  readonly code = 'OBJECT_NOT_PENDING_TRANSFER';
}
/** 2302 */
export class ObjectExistsError extends RegistryError {
  readonly code = 'OBJECT_EXISTS';
}
/** 2303 */
export class ObjectNotFoundError extends RegistryError {
  readonly code = 'OBJECT_NOT_FOUND';
}
/** 2304 */
export class StatusProhibitsError extends RegistryError {
  readonly code = 'STATUS_PROHIBITS_OPERATION';
}
/** 2305 */
export class AssociationProhibitsError extends RegistryError {
  readonly code = 'ASSOCIATION_PROHIBITS_OPERATION';
}
/** 2306 */
export class ParameterPolicyError extends RegistryError {
  readonly code = 'PARAMETER_VALUE_POLICY_ERROR';
}
/** 2307, 2308 */
export class PolicyError extends RegistryError {
  readonly code = 'REGISTRY_POLICY_ERROR';
}
/** 2400, 2500-2502: the upstream failed; the session may be gone. */
export class UpstreamFailureError extends RegistryError {
  readonly code = 'UPSTREAM_FAILURE';
}
/**
 * EPP 2502 "Session limit exceeded; server closing connection" (RFC 5730 section 3): the server
 * refused the command because a limit was exceeded, without processing it. The code an HTTP
 * registry's "too many requests" answer (HTTP 429) maps onto, so that the command log records it
 * as the registry's refusal (FAILED, applied: false) and the key is free to send again.
 */
export const LIMIT_EXCEEDED = 2502;

/**
 * The registry's own rate limit (HTTP 429) outlasted the request's budget: nothing was applied
 * (a failure that is never the key's answer: the same key may be sent again); `retryAfter` is the
 * registry's advised delay in seconds (Retry-After, RFC 9110 section 10.2.3), absent when the
 * registry advised none. When the registry
 * itself answered 429, `upstreamCode` is LIMIT_EXCEEDED (2502) and `upstreamMessage` its message.
 * `sent` is false when the gateway's own share of the limit refused the request before anything
 * went to the registry (the command log then says NOT_SENT); true or absent: it was sent.
 */
export class UpstreamRateLimitedError extends GatewayError {
  readonly code = 'RATE_LIMITED';
  readonly sent: boolean;
  constructor(message: string, details: ErrorDetails & { sent?: boolean }) {
    const { sent, ...rest } = details;
    super(message, { retryable: true, ...rest });
    this.sent = sent ?? true;
  }
}

/**
 * The registry could not be reached or did not answer (see `maybeApplied`), or answered something
 * that cannot be read (unreadableAnswer).
 */
export class UpstreamUnavailableError extends RegistryError {
  readonly code = 'UPSTREAM_UNAVAILABLE';
  /**
   * true when the request may have reached the registry and been processed (a change's outcome is
   * then unknown); false when it certainly was not (never sent, or an answer the registry's document
   * says means "not processed", such as REPP's 503).
   */
  readonly maybeApplied: boolean;
  constructor(message: string, details: ErrorDetails & { maybeApplied: boolean }) {
    super(message, { retryable: true, ...details });
    this.maybeApplied = details.maybeApplied;
  }
}

/**
 * The registry answered a request that was sent, but the answer cannot be read: a body that is not
 * JSON or not the shape the registry's document gives it (REPP, HeadlessDomains), a DMAPI reply
 * without the Status-Code or a field its request promises (Joker's contact-create Handle). Nothing in
 * such an answer says the command was refused before it was processed, so the command may well have
 * taken effect: UPSTREAM_UNAVAILABLE (retryable) with `maybeApplied` true, whatever the request, so
 * the idempotency key's outcome is unknown (src/idempotency/failure.ts) and a retry with it reads the
 * registry (src/idempotency/reconcile) before sending anything again; a read's entry in the command
 * log says NO_ANSWER, a change's UNKNOWN. Only what the registry's document names as a refusal (its
 * error bodies, Joker's Error lines) is a definite answer; see each HTTP backend's errors.ts.
 * `message` says what was wrong (it should quote no more than a short prefix of the answer).
 */
export function unreadableAnswer(message: string, details: Pick<ErrorDetails, 'backend' | 'upstreamMessage'> = {}): UpstreamUnavailableError {
  return new UpstreamUnavailableError(message, { ...details, maybeApplied: true });
}

/**
 * Seconds a client is told to wait (`retryAfter`, HTTP Retry-After) when the gateway's database
 * does not answer: the gateway cannot know when it will again, and an instance retries its own
 * connections on every request, so a short, fixed advice.
 */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * The gateway's own database (PostgreSQL) could not be reached or dropped the connection, so the
 * request could not be served now (src/db/errors.ts isDatabaseUnavailable says which failures
 * count); `cause` is that failure, for the log only (it names the database's host and port).
 * Code SERVICE_UNAVAILABLE (HTTP 503 with Retry-After, RFC 9110 sections 15.6.4 and 10.2.3),
 * `retryable`, `retryAfter` DATABASE_RETRY_AFTER_SECONDS. Not UPSTREAM_UNAVAILABLE: no registry
 * is involved. `sent`, for a mutation: false when nothing went to the registry (the same
 * idempotency key may be sent again as it is), true when the command may have reached it
 * before the database stopped answering (a retry with the key reconciles before sending again);
 * undefined for what sends nothing (a query, the API key's lookup).
 */
export class DatabaseUnavailableError extends GatewayError {
  readonly code = 'SERVICE_UNAVAILABLE';
  override readonly cause: unknown;
  readonly sent: boolean | undefined;
  constructor(cause: unknown, sent?: boolean) {
    const retry = `retry after ${DATABASE_RETRY_AFTER_SECONDS} s`;
    super(
      sent === false
        ? `the gateway's database is not answering, so nothing was sent to the registry: ${retry} with the same idempotencyKey`
        : sent === true
          ? `the gateway's database stopped answering after the command went to the registry: ${retry} with the same idempotencyKey, which finds out from the registry whether it took effect before sending anything again`
          : `the gateway's database is not answering: ${retry}`,
      { retryable: true, retryAfter: DATABASE_RETRY_AFTER_SECONDS },
    );
    this.cause = cause;
    this.sent = sent;
  }
}

/**
 * One domain of a page that could not be read: a `domains` edge answers `node: null` with this
 * error at `["domains", "edges", i, "node"]`, and the page's other edges answer in full. It is
 * the read's own error (its `code`: RATE_LIMITED, UPSTREAM_UNAVAILABLE, ...; its registry,
 * upstream code and message, retryable, retryAfter) naming the domain in `details.domainName`
 * (`extensions.domainName`) and `backend` (`extensions.registry`), with the message
 * "<domain>: <the read's message>". A `cause` that is not a GatewayError (a bug) answers
 * INTERNAL_SERVER_ERROR and says nothing of it; src/http/errors.ts logs it. One cause may be
 * shared by many domains (a registry that failed once for a whole batch, src/fanout/outages.ts):
 * each domain gets its own DomainReadError, the cause is never changed.
 */
export class DomainReadError extends GatewayError {
  readonly code: string;
  override readonly cause: unknown;
  constructor(domainName: string, backend: string, cause: unknown) {
    const known = cause instanceof GatewayError ? cause : undefined;
    super(`${domainName}: ${known ? known.message : 'Internal server error'}`, { ...known?.details, backend: known?.details.backend ?? backend, domainName });
    this.code = known?.code ?? 'INTERNAL_SERVER_ERROR';
    this.cause = cause;
  }
}

type RegistryErrorClass = new (message: string, details?: ErrorDetails) => RegistryError;

const BY_CODE: Record<number, RegistryErrorClass> = {
  2104: BillingFailureError,
  2105: NotEligibleError,
  2106: NotEligibleError,
  2200: UpstreamAuthenticationError,
  2201: AuthorizationError,
  2202: AuthorizationError,
  2300: PendingTransferError,
  2301: NotPendingTransferError,
  2302: ObjectExistsError,
  2303: ObjectNotFoundError,
  2304: StatusProhibitsError,
  2305: AssociationProhibitsError,
  2306: ParameterPolicyError,
  2307: PolicyError,
  2308: PolicyError,
};

/** Map an upstream EPP-style result code (>= 2000) to its error class. */
/**
 * A registry's 2202 "Invalid authorization information" (RFC 5730 section 3: the server could not
 * authorize the command "using the authorization information provided") answering a command that
 * carried an auth code is about that code: the error names `field` (the request's auth code:
 * `authInfo`, a bulk item's `domains[i].authInfo`) unless it names one already. Other errors are
 * given back as they are. Changes `err` in place and returns it.
 */
export function namingAuthInfo<E>(err: E, field = 'authInfo'): E {
  if (err instanceof AuthorizationError && err.details.upstreamCode === 2202 && err.details.field === undefined) err.details.field = field;
  return err;
}

export function registryErrorFor(code: number, message: string, backend?: string): RegistryError {
  const details: ErrorDetails = { upstreamCode: code, upstreamMessage: message, backend };
  const cls = BY_CODE[code];
  if (cls) return new cls(message, details);
  if (code >= 2000 && code < 2100) return new CommandSyntaxError(message, details);
  if (code >= 2100 && code < 2200) return new UnimplementedError(message, details);
  if (code >= 2200 && code < 2300) return new AuthorizationError(message, details);
  if (code >= 2300 && code < 2400) return new PolicyError(message, details);
  return new UpstreamFailureError(message, { ...details, retryable: code >= 2400 });
}
