/**
 * The per-request fan-out budget. A request that reads many objects (a loader batch of 500
 * domains, a checkDomains of 5,000 names in 100 commands, a bulk job's items) hands its port
 * calls to its own scheduler, which lets at most min(the account's sessions, `budget`) of them
 * run at one backend at once and queues the rest in order (p-limit, one queue per backend).
 *
 * Why: a backend's session pool (EPP: `poolSize` logged-in sessions, one command in flight each)
 * has a bounded queue of callers (`maxQueue`, default 100) that protects the process from too
 * much work across requests. Without this, one request's 200 reads went to that queue at once and
 * the pool refused the 101st (UPSTREAM_UNAVAILABLE "too many commands waiting for a session");
 * with it, a request never holds more than its budget in the pool's queue, so another client of
 * the same registrar waits behind at most that many of its commands, not behind all of them.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { CallScheduler } from '../core/model/index.js';

/** Default `limits.fanOut`: commands one request may have at one backend at once, when the account has that many sessions. */
export const DEFAULT_FAN_OUT = 8;

/**
 * One request's fan-out scheduling (CallScheduler): a p-limit queue per backend running at most
 * `budget` (limits.fanOut) of the request's commands at once; the rest wait in the request's own
 * queue, not in the backend's session pool. Created per request (src/context.ts).
 */
export class RequestScheduler implements CallScheduler {
  private readonly queues = new Map<string, LimitFunction>();

  /** @param budget most commands this request runs at one backend at once (limits.fanOut), whatever its sessions. */
  constructor(private readonly budget: number = DEFAULT_FAN_OUT) {
    if (!Number.isInteger(budget) || budget < 1) throw new Error('fan-out budget must be a whole number, 1 or more');
  }

  run<T>(backend: string, sessions: number, fn: () => Promise<T>): Promise<T> {
    let limit = this.queues.get(backend);
    if (!limit) {
      limit = pLimit(Math.max(1, Math.min(this.budget, Math.floor(sessions) || 1)));
      this.queues.set(backend, limit);
    }
    return limit(fn);
  }

  /** Calls of this request waiting for their turn at `backend` (not yet handed to it). */
  waiting(backend: string): number {
    return this.queues.get(backend)?.pendingCount ?? 0;
  }
}
