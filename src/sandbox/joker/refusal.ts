/**
 * The sandbox's refusals, one class per condition (Nomulus's EppException model): each message is
 * written once. A refusal becomes a reply with a non-zero Status-Code, a Status-Text and its Error
 * lines (DMAPI document, "Basics": Error lines mean the request was not processed). Codes are the
 * EPP result codes the condition has in RFC 5730, so a registrar reads one vocabulary.
 */
export class Refusal extends Error {
  constructor(
    readonly statusCode: number,
    readonly statusText: string,
    readonly errors: string[],
    readonly httpStatus = 200,
    /** Seconds sent as Retry-After, where the refusal advises a wait. */
    readonly retryAfterSeconds?: number,
    /** The Retry-After header as written, when not the seconds (an HTTP date). */
    readonly retryAfter?: string,
  ) {
    super(errors[0] ?? statusText);
  }
}

const short = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}...` : s);

/** Status-Code 2003 "Required parameter missing": a required request variable is absent or empty. */
export class MissingField extends Refusal {
  constructor(field: string) {
    super(2003, 'Required parameter missing', [`missing required field: ${field}`]);
  }
}
/** Status-Code 2005 "Parameter value syntax error": a variable's value has the wrong form (quoted, at most 40 characters). */
export class BadValue extends Refusal {
  constructor(field: string, value: string, why: string) {
    super(2005, 'Parameter value syntax error', [`${field}: ${why} (got "${short(value)}")`]);
  }
}
/** Status-Code 2306 "Parameter value policy error": a reseller or registry rule (TLD, period, ns-list 1-13, force=1 needed...). */
export class PolicyRefusal extends Refusal {
  constructor(field: string, why: string) {
    super(2306, 'Parameter value policy error', [`${field}: ${why}`]);
  }
}
/** HTTP 401, Status-Code 2200 "Authentication error": bad login credentials, or no live auth-sid (missing, expired after idling). */
export class NotAuthenticated extends Refusal {
  constructor(why: string) {
    super(2200, 'Authentication error', [why], 401);
  }
}
/** HTTP 404, Status-Code 2101 "Unimplemented command": no request of this name under /request/. */
export class UnknownRequest extends Refusal {
  constructor(name: string) {
    super(2101, 'Unimplemented command', [`unknown request: ${short(name)}`], 404);
  }
}
/** Status-Code 2303 "Object does not exist": the domain, contact, name server or host named is not registered (or deleted). */
export class NotFound extends Refusal {
  constructor(kind: string, name: string) {
    super(2303, 'Object does not exist', [`${kind} not found: ${short(name)}`]);
  }
}
/** Objects a request refers to that are not registered (DMAPI only accepts pre-registered handles). */
export class MissingObjects extends Refusal {
  constructor(missing: string[]) {
    super(2303, 'Object does not exist', missing.map((m) => `not registered: ${m}`));
  }
}
/** Status-Code 2302 "Object exists": registering a domain or creating a name server that already exists. */
export class Exists extends Refusal {
  constructor(kind: string, name: string) {
    super(2302, 'Object exists', [`${kind} already exists: ${short(name)}`]);
  }
}
/** Status-Code 2201 "Authorization error": the object belongs to another reseller. */
export class NotYours extends Refusal {
  constructor(kind: string, name: string) {
    super(2201, 'Authorization error', [`${kind} is not managed by this reseller: ${short(name)}`]);
  }
}
/** Status-Code 2202 "Invalid authorization information": transfer-auth-id does not match (domain-transfer-in-reseller, at processing). */
export class WrongAuthId extends Refusal {
  constructor() {
    super(2202, 'Invalid authorization information', ['transfer-auth-id does not match']);
  }
}
/** Status-Code 2305 "Object association prohibits operation": deleting a contact or name server a domain uses (up to 5 named). */
export class InUse extends Refusal {
  constructor(kind: string, name: string, by: string[]) {
    super(2305, 'Object association prohibits operation', [`${kind} ${short(name)} is used by: ${by.slice(0, 5).join(', ')}`]);
  }
}
/** Status-Code 2304 "Object status prohibits operation": the domain is locked (domain-delete, transfer in). */
export class StatusProhibits extends Refusal {
  constructor(why: string) {
    super(2304, 'Object status prohibits operation', [why]);
  }
}
/** Status-Code 2104 "Billing failure": the account balance cannot pay the request (amount needed in EUR). */
export class NoFunds extends Refusal {
  constructor(neededCents: number) {
    super(2104, 'Billing failure', [`insufficient account balance: ${(neededCents / 100).toFixed(2)} needed`]);
  }
}
/** Status-Code 2105 "Object is not eligible for renewal": domain-renew with an expyear the expiry has already reached (safe retry). */
export class NotRenewable extends Refusal {
  constructor(why: string) {
    super(2105, 'Object is not eligible for renewal', [why]);
  }
}
/** A test's rate-limit refusal (JokerSandbox.tooManyRequests): HTTP 429, nothing processed. */
export class TooManyRequests extends Refusal {
  constructor(retryAfterSeconds: number, retryAfter?: string) {
    super(2502, 'Too many requests', ['too many requests: rate limit exceeded, request not processed'], 429, retryAfterSeconds, retryAfter);
  }
}
