/** One-shot fault injection for tests of the gateway's retries and exactly-once handling. */
import { OneShotFaults } from '../one-shot-faults.js';

/** One fault for the next request to `route` (a route key such as "domain:create"); each member says what is applied and answered. */
export type ReppFault =
  /**
   * Answer with this HTTP status (429, 503, 500, ...) without applying the request. A 429 or 503
   * says Retry-After `retryAfterSeconds` (a 429 default 1), written as delta-seconds, or with
   * `retryAfterAs: 'http-date'` as the HTTP-date that many seconds after the sandbox's clock
   * (IMF-fixdate, RFC 9110 sections 10.2.3 and 5.6.7).
   */
  | { route: string; action: 'status'; status: number; retryAfterSeconds?: number; retryAfterAs?: 'seconds' | 'http-date' }
  /** Apply the request, then close the connection without answering. */
  | { route: string; action: 'drop-after-apply' }
  /** Apply the request, then answer 500 (the registry failed after its change was committed). */
  | { route: string; action: 'error-after-apply' }
  /** Apply the request, then answer after `delayMs` (a slow registry); nothing is answered, and the wait ends, if the client closes the connection meanwhile. */
  | { route: string; action: 'delay-after-apply'; delayMs: number }
  /** Apply the request, then answer only when the test calls `release()`; nothing is answered, and the wait ends, if the client closes the connection meanwhile. */
  | { route: string; action: 'hold-after-apply' }
  /** Apply the request, then answer `body` as it is with `status` (default 200): an answer the client cannot read. */
  | { route: string; action: 'garble-after-apply'; body: string; status?: number };

/** The test-facing fault queue (ReppSandbox.faults): each fault fires once, in the order queued. */
export interface ReppFaults {
  /**
   * Queues a fault for the next request to this route key (e.g. "domain:create") that gets to where
   * the fault fires: past credentials, role and JSON parsing for a 'status' fault, past the
   * request's own checks (applied) for an after-apply one. Faults fire once, in order.
   */
  next(f: ReppFault): void;
  /** Drops the queued faults and answers every request held by hold-after-apply. */
  clear(): void;
  /** Answers every request held by hold-after-apply so far. */
  release(): void;
}

/**
 * Where a fault fires: 'before' the request is applied (a 'status' fault answers instead of
 * applying) or 'after' it was applied (the *-after-apply faults).
 */
export type ReppFaultPhase = 'before' | 'after';

/** The phase a queued fault fires in: 'status' before applying, every other action after. */
export function faultPhase(f: ReppFault): ReppFaultPhase {
  return f.action === 'status' ? 'before' : 'after';
}

/**
 * The sandbox's fault queue: ReppFaults plus take(), which the server calls for each request that
 * reaches a place where a fault fires. A fault is used up only by a request that gets there: a
 * request refused earlier (bad credentials or role, unreadable JSON 2001; and for an after-apply
 * fault, any refusal of the request itself) leaves it queued for the next request to its route.
 */
export class ReppFaultQueue extends OneShotFaults<ReppFault> implements ReppFaults {
  /**
   * Removes and returns the first fault queued for this route key when it fires in `phase`;
   * undefined (and the fault stays queued, keeping the order queued) when the first one for the
   * route fires in the other phase or there is none.
   */
  take(route: string, phase: ReppFaultPhase): ReppFault | undefined {
    const first = this.peekFirst((f) => f.route === route);
    return first && faultPhase(first) === phase ? this.takeFirst((f) => f === first) : undefined;
  }
}
