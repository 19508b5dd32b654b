/** One-shot fault injection for tests of the gateway's retries and exactly-once handling. */

export type ReppFault =
  /** Answer with this HTTP status (429, 503, 500, ...) without applying the request. */
  | { route: string; action: 'status'; status: number; retryAfterSeconds?: number }
  /** Apply the request, then close the connection without answering. */
  | { route: string; action: 'drop-after-apply' }
  /** Apply the request, then answer 500 (the registry failed after its change was committed). */
  | { route: string; action: 'error-after-apply' }
  /** Apply the request, then answer after `delayMs` (a slow registry; a client may die meanwhile). */
  | { route: string; action: 'delay-after-apply'; delayMs: number };

export interface ReppFaults {
  /** Queues a fault for the next request to this route key (e.g. "domain:create"); faults fire once, in order. */
  next(f: ReppFault): void;
  clear(): void;
}

export class ReppFaultQueue implements ReppFaults {
  private queue: ReppFault[] = [];

  next(f: ReppFault): void {
    this.queue.push({ ...f });
  }

  clear(): void {
    this.queue = [];
  }

  take(route: string): ReppFault | undefined {
    const i = this.queue.findIndex((f) => f.route === route);
    return i < 0 ? undefined : this.queue.splice(i, 1)[0];
  }
}
