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
  ) {
    super(errors[0] ?? statusText);
  }
}

const short = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}...` : s);

export class MissingField extends Refusal {
  constructor(field: string) {
    super(2003, 'Required parameter missing', [`missing required field: ${field}`]);
  }
}
export class BadValue extends Refusal {
  constructor(field: string, value: string, why: string) {
    super(2005, 'Parameter value syntax error', [`${field}: ${why} (got "${short(value)}")`]);
  }
}
export class PolicyRefusal extends Refusal {
  constructor(field: string, why: string) {
    super(2306, 'Parameter value policy error', [`${field}: ${why}`]);
  }
}
export class NotAuthenticated extends Refusal {
  constructor(why: string) {
    super(2200, 'Authentication error', [why], 401);
  }
}
export class UnknownRequest extends Refusal {
  constructor(name: string) {
    super(2101, 'Unimplemented command', [`unknown request: ${short(name)}`], 404);
  }
}
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
export class Exists extends Refusal {
  constructor(kind: string, name: string) {
    super(2302, 'Object exists', [`${kind} already exists: ${short(name)}`]);
  }
}
export class NotYours extends Refusal {
  constructor(kind: string, name: string) {
    super(2201, 'Authorization error', [`${kind} is not managed by this reseller: ${short(name)}`]);
  }
}
export class WrongAuthId extends Refusal {
  constructor() {
    super(2202, 'Invalid authorization information', ['transfer-auth-id does not match']);
  }
}
export class InUse extends Refusal {
  constructor(kind: string, name: string, by: string[]) {
    super(2305, 'Object association prohibits operation', [`${kind} ${short(name)} is used by: ${by.slice(0, 5).join(', ')}`]);
  }
}
export class StatusProhibits extends Refusal {
  constructor(why: string) {
    super(2304, 'Object status prohibits operation', [why]);
  }
}
export class NoFunds extends Refusal {
  constructor(neededCents: number) {
    super(2104, 'Billing failure', [`insufficient account balance: ${(neededCents / 100).toFixed(2)} needed`]);
  }
}
export class NotRenewable extends Refusal {
  constructor(why: string) {
    super(2105, 'Object is not eligible for renewal', [why]);
  }
}
/** A test's rate-limit refusal (JokerSandbox.tooManyRequests): HTTP 429, nothing processed. */
export class TooManyRequests extends Refusal {
  constructor(retryAfterSeconds: number) {
    super(2502, 'Too many requests', ['too many requests: rate limit exceeded, request not processed'], 429, retryAfterSeconds);
  }
}
