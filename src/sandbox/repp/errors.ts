/**
 * Every refusal the REPP sandbox gives, one small class per condition (as Nomulus keeps one
 * EppException per condition), so each registry message is written once. The body is
 * `{ code, message, data: {} }`; the HTTP status is 400 for EPP-style errors as the registry's
 * REPP controllers answer them, 404 when the object does not exist, 401 for bad credentials.
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
export class InvalidCredentials extends ReppError {
  constructor() {
    super(2202, 'Invalid authorization information', 401);
  }
}
export class RoleForbidden extends ReppError {
  constructor() {
    super(2201, 'Authorization error: this API user may not use this endpoint', 403);
  }
}
export class RouteNotFound extends ReppError {
  constructor(path: string) {
    super(null, `No route matches ${path.slice(0, 64)}`, 404);
  }
}
export class MethodNotAllowed extends ReppError {
  constructor(method: string, allowed: string[]) {
    super(null, `Method ${method} is not allowed here`, 405, { Allow: allowed.join(', ') });
  }
}
export class NotAcceptable extends ReppError {
  constructor() {
    super(null, 'Not Acceptable: this API only answers application/json', 406);
  }
}
export class TooManyRequests extends ReppError {
  constructor(retryAfterSeconds: number) {
    super(null, 'Too Many Requests', 429, { 'Retry-After': String(retryAfterSeconds) });
  }
}
export class ServiceUnavailable extends ReppError {
  constructor(retryAfterSeconds?: number) {
    super(null, 'Service Unavailable: down for maintenance', 503, retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) });
  }
}
export class InternalError extends ReppError {
  constructor() {
    super(null, 'Internal Server Error', 500);
  }
}
export class PayloadTooLarge extends ReppError {
  constructor() {
    super(2001, 'Command syntax error: request body too large', 413);
  }
}

// ---- request syntax ----
export class InvalidJson extends ReppError {
  constructor() {
    super(2001, 'Command syntax error: the request body is not valid JSON');
  }
}
export class ParameterMissing extends ReppError {
  constructor(param: string) {
    super(2003, `Required parameter missing: ${param}`);
  }
}
export class ParameterSyntax extends ReppError {
  constructor(param: string, why: string) {
    super(2005, `Parameter value syntax error: ${param} ${why}`);
  }
}
export class ParameterRange extends ReppError {
  constructor(param: string, why: string) {
    super(2004, `Parameter value range error: ${param} ${why}`);
  }
}
export class ParameterPolicy extends ReppError {
  constructor(why: string) {
    super(2306, `Parameter value policy error: ${why}`);
  }
}

// ---- objects ----
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
export class LinkedObjectNotFound extends ReppError {
  constructor(what: string, id: string) {
    super(2303, `Object does not exist: ${what} ${id.slice(0, 64)} was not found`);
  }
}
export class DomainExists extends ReppError {
  constructor() {
    super(2302, 'Domain name already exists');
  }
}
export class ContactCodeTaken extends ReppError {
  constructor() {
    super(2302, 'Object exists: contact code is already taken');
  }
}
export class AlreadyOnDomain extends ReppError {
  constructor(what: string, id: string) {
    super(2302, `Object exists: ${what} ${id.slice(0, 64)} already exists on this domain`);
  }
}
export class ContactInUse extends ReppError {
  constructor() {
    super(2305, 'Object association prohibits operation [domains]');
  }
}
export class StatusProhibits extends ReppError {
  constructor(status: string) {
    super(2304, `Object status prohibits operation: ${status}`);
  }
}
export class InvalidTransferCode extends ReppError {
  constructor() {
    super(2202, 'Invalid authorization information');
  }
}
export class AlreadySponsor extends ReppError {
  constructor() {
    super(2002, 'Command use error: domain already belongs to the querying registrar');
  }
}
export class ExpireDateMismatch extends ReppError {
  constructor() {
    super(2306, 'Parameter value policy error: given and current expire dates do not match');
  }
}
export class CreditBalanceLow extends ReppError {
  constructor() {
    super(2104, 'Billing failure - credit balance low');
  }
}
export class ReservedName extends ReppError {
  constructor() {
    super(2202, 'Invalid authorization information; invalid reserved>pw value');
  }
}
