/** One-shot fault injection for tests of the gateway's retries and exactly-once handling. */
import { OneShotFaults } from '../one-shot-faults.js';

/** One fault for the next request to `route` (a route key such as "domain:create"); each member says what is applied and answered. */
export type ReppFault =
  /** Answer with this HTTP status (429, 503, 500, ...) without applying the request. */
  | { route: string; action: 'status'; status: number; retryAfterSeconds?: number }
  /** Apply the request, then close the connection without answering. */
  | { route: string; action: 'drop-after-apply' }
  /** Apply the request, then answer 500 (the registry failed after its change was committed). */
  | { route: string; action: 'error-after-apply' }
  /** Apply the request, then answer after `delayMs` (a slow registry; a client may die meanwhile). */
  | { route: string; action: 'delay-after-apply'; delayMs: number }
  /** Apply the request, then answer only when the test calls `release()` (a client may die meanwhile). */
  | { route: string; action: 'hold-after-apply' }
  /** Apply the request, then answer `body` as it is with `status` (default 200): an answer the client cannot read. */
  | { route: string; action: 'garble-after-apply'; body: string; status?: number };

/** The test-facing fault queue (ReppSandbox.faults): each fault fires once, in the order queued. */
export interface ReppFaults {
  /** Queues a fault for the next request to this route key (e.g. "domain:create"); faults fire once, in order. */
  next(f: ReppFault): void;
  /** Drops the queued faults and answers every request held by hold-after-apply. */
  clear(): void;
  /** Answers every request held by hold-after-apply so far. */
  release(): void;
}

/** The sandbox's fault queue: ReppFaults plus take(), which the server calls with each matched route's key. */
export class ReppFaultQueue extends OneShotFaults<ReppFault> implements ReppFaults {
  /** Removes and returns the first fault queued for this route key. */
  take(route: string): ReppFault | undefined {
    return this.takeFirst((f) => f.route === route);
  }
}
