/**
 * Every refusal the REPP sandbox gives, one small class per condition (as Nomulus keeps one
 * EppException per condition), so each registry message is written once. The body is
 * `{ code, message, data: {} }`; the HTTP status is 400 for EPP-style errors as the registry's
 * REPP controllers answer them, 404 when the object does not exist, 401 for bad credentials.
 */

/**
 * A refusal: HTTP `status` (default 400) with body `{ code, message, data: {} }` (`code` left out when null)
 * and extra `headers`; the EPP-style codes keep their RFC 5730 section 3 meaning (REPP document, "Errors").
 */
export class ReppError extends Error {
  constructor(
    /** EPP result code in the JSON body, or null for HTTP-level refusals without one. */
    readonly code: number | null,
    message: string,
    readonly status = 400,
    /** Extra response headers (Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

// ---- HTTP level (the document's error table) ----
/** 401 with code 2202: no, malformed or unknown HTTP Basic credentials (REPP document, "Authentication", "Errors"). */
export class InvalidCredentials extends ReppError {
  constructor() {
    super(2202, 'Invalid authorization information', 401);
  }
}
/** 403 with code 2201 "Authorization error": the API user's roles do not allow the route (a billing user on object routes, an epp user on the balance). */
export class RoleForbidden extends ReppError {
  constructor() {
    super(2201, 'Authorization error: this API user may not use this endpoint', 403);
  }
}
/** 404 without code: no route of the document matches the path (the path quoted, at most 64 characters). */
export class RouteNotFound extends ReppError {
  constructor(path: string) {
    super(null, `No route matches ${path.slice(0, 64)}`, 404);
  }
}
/** 405 without code and an Allow header: the path exists only for other methods (REPP document, "Errors"). */
export class MethodNotAllowed extends ReppError {
  constructor(method: string, allowed: string[]) {
    super(null, `Method ${method} is not allowed here`, 405, { Allow: allowed.join(', ') });
  }
}
/** 406 without code: the Accept header admits no JSON (REPP document, "Errors": "a format that isn't json"). */
export class NotAcceptable extends ReppError {
  constructor() {
    super(null, 'Not Acceptable: this API only answers application/json', 406);
  }
}
/** 429 without code, with Retry-After (delta-seconds or an HTTP-date, as given): only from a queued 'status' fault (REPP document, "Errors"). */
export class TooManyRequests extends ReppError {
  constructor(retryAfter: string) {
    super(null, 'Too Many Requests', 429, { 'Retry-After': retryAfter });
  }
}
/** 503 without code ("down for maintenance"), Retry-After (delta-seconds or an HTTP-date) when given: only from a queued 'status' fault (REPP document, "Errors"). */
export class ServiceUnavailable extends ReppError {
  constructor(retryAfter?: string) {
    super(null, 'Service Unavailable: down for maintenance', 503, retryAfter === undefined ? {} : { 'Retry-After': retryAfter });
  }
}
/** 500 without code: a sandbox bug, or the 'error-after-apply' fault (the change is then applied). */
export class InternalError extends ReppError {
  constructor() {
    super(null, 'Internal Server Error', 500);
  }
}
/** 413 with code 2001: the request body exceeds maxBodyBytes (default 1 MiB); the connection is then closed. */
export class PayloadTooLarge extends ReppError {
  constructor() {
    super(2001, 'Command syntax error: request body too large', 413);
  }
}

// ---- request syntax ----
/** 400 with code 2001 "Command syntax error": the body is not a JSON object. */
export class InvalidJson extends ReppError {
  constructor() {
    super(2001, 'Command syntax error: the request body is not valid JSON');
  }
}
/** 400 with code 2003 "Required parameter missing", naming the parameter's path (e.g. domain[registrant]). */
export class ParameterMissing extends ReppError {
  constructor(param: string) {
    super(2003, `Required parameter missing: ${param}`);
  }
}
/** 400 with code 2005 "Parameter value syntax error": wrong type or format (not a string, a date, an IP address...). */
export class ParameterSyntax extends ReppError {
  constructor(param: string, why: string) {
    super(2005, `Parameter value syntax error: ${param} ${why}`);
  }
}
/** 400 with code 2004 "Parameter value range error": out of range (period, nameserver or key count, DNSKEY fields, too long). */
export class ParameterRange extends ReppError {
  constructor(param: string, why: string) {
    super(2004, `Parameter value range error: ${param} ${why}`);
  }
}
/** 400 with code 2306 "Parameter value policy error": a registry rule (zone not served, 10-year renewal cap, clientHold already set or not set, a host twice). */
export class ParameterPolicy extends ReppError {
  constructor(why: string) {
    super(2306, `Parameter value policy error: ${why}`);
  }
}

// ---- objects ----
/** 404 with code 2303: the domain, contact or unread notification does not exist or is another registrar's (REPP document, "Errors"). */
export class ObjectNotFound extends ReppError {
  constructor() {
    super(2303, 'Object does not exist', 404);
  }
}
/** An object deleted through the API (the document's 410: "removed from our servers"). */
export class ObjectGone extends ReppError {
  constructor() {
    super(2303, 'Object does not exist: it has been removed', 410);
  }
}
/** 400 with code 2303: a contact, domain, nameserver or key named in the payload does not exist (or not on the domain). */
export class LinkedObjectNotFound extends ReppError {
  constructor(what: string, id: string) {
    super(2303, `Object does not exist: ${what} ${id.slice(0, 64)} was not found`);
  }
}
/** 400 with code 2302 "Object exists": POST /repp/v1/domains for a registered name. */
export class DomainExists extends ReppError {
  constructor() {
    super(2302, 'Domain name already exists');
  }
}
/** 400 with code 2302 "Object exists": POST /repp/v1/contacts with a custom id already in use. */
export class ContactCodeTaken extends ReppError {
  constructor() {
    super(2302, 'Object exists: contact code is already taken');
  }
}
/** 400 with code 2302 "Object exists": adding a nameserver, contact or DNS key the domain already has. */
export class AlreadyOnDomain extends ReppError {
  constructor(what: string, id: string) {
    super(2302, `Object exists: ${what} ${id.slice(0, 64)} already exists on this domain`);
  }
}
/** 400 with code 2305 "Object association prohibits operation": deleting a contact a domain uses (the document's 2305 example). */
export class ContactInUse extends ReppError {
  constructor() {
    super(2305, 'Object association prohibits operation [domains]');
  }
}
/** 400 with code 2304 "Object status prohibits operation", naming the status (server*Prohibited, pendingUpdate, pendingDelete...). */
export class StatusProhibits extends ReppError {
  constructor(status: string) {
    super(2304, `Object status prohibits operation: ${status}`);
  }
}
/** 400 with code 2202 "Invalid authorization information": wrong transfer code (payload, or the Auth-Code header). */
export class InvalidTransferCode extends ReppError {
  constructor() {
    super(2202, 'Invalid authorization information');
  }
}
/** 400 with code 2002 "Command use error": transferring a domain the caller already sponsors. */
export class AlreadySponsor extends ReppError {
  constructor() {
    super(2002, 'Command use error: domain already belongs to the querying registrar');
  }
}
/** 400 with code 2306: renews[exp_date] is not the domain's current expiry date (Tallinn calendar date). */
export class ExpireDateMismatch extends ReppError {
  constructor() {
    super(2306, 'Parameter value policy error: given and current expire dates do not match');
  }
}
/** 400 with code 2104 "Billing failure": the registrar's balance does not cover a create or renew (bulk: the whole batch). */
export class CreditBalanceLow extends ReppError {
  constructor() {
    super(2104, 'Billing failure - credit balance low');
  }
}
/** 400 with code 2202: creating a reserved name without its reservation password (domain[reserved_pw]). */
export class ReservedName extends ReppError {
  constructor() {
    super(2202, 'Invalid authorization information; invalid reserved>pw value');
  }
}
