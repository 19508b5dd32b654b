/**
 * One port call on the REPP driver: the account's client, the caller's upstream id, and the
 * portable layer's `beforeWrite` hook, run once, just before the first request that changes
 * registry state (a port call may take several REPP requests: updateDomain takes up to nine).
 * If the hook throws, nothing is sent.
 */
import type { Clock } from '../../../core/clock.js';
import type { PortResult } from '../../../core/model/index.js';
import type { ReppAnswer, ReppHttpClient, ReppRequest } from '../http.js';

/** Behaviour a REPP backend's config chooses. */
export interface ReppPolicy {
  /** The registry's time zone, for its calendar dates (renew's exp_date). Default Europe/Tallinn. */
  timeZone?: string;
  /**
   * Registrant changes and deletions are sent as already verified by the registrant (REPP's
   * `verified: true`); false asks the registry to have the registrant confirm (the domain is then
   * pendingUpdate / pendingDeleteConfirmation until they do). Default true.
   */
  verified?: boolean;
  /** Concurrent requests of one call that reads many objects (checkDomains). Default 4. */
  readConcurrency?: number;
}

/** One port call's context for the driver/*.ts functions: the account's client, its API user, the clock, the config policy, the beforeWrite hook and request ids. */
export interface ReppCall {
  client: ReppHttpClient;
  /** The caller's login at this registry (its API user). */
  upstreamId: string;
  clock: Clock;
  policy: ReppPolicy;
  beforeWrite(): Promise<void>;
  /** Attempt.applied: a change request of the call answered as done, naming the input's parts it carried. */
  applied(changes: readonly string[]): void;
  /** The port call's transaction id: the first request's X-Request-Id, then "<id>-r2", "<id>-r3"... */
  requestId?: string;
  /** Background work (CallContext.background): its requests wait for a connection after interactive ones. */
  background?: boolean;
  /** Set once beforeWrite ran. */
  wrote?: boolean;
  /** Requests sent so far. */
  sent?: number;
}

/** Sends one request, running beforeWrite first when it is the call's first change. */
export async function send(call: ReppCall, req: ReppRequest): Promise<ReppAnswer> {
  if (req.changesState && !call.wrote) {
    call.wrote = true;
    await call.beforeWrite();
  }
  const n = (call.sent = (call.sent ?? 0) + 1);
  return call.client.send(req, { requestId: call.requestId && (n === 1 ? call.requestId : `${call.requestId}-r${n}`), background: call.background === true });
}

/**
 * EPP's "action pending" for a change REPP accepted that now waits for the registrant: REPP answers
 * an unverified registrant change or deletion 1000, as the document's examples show, while the
 * domain carries pendingUpdate / pendingDeleteConfirmation until the registrant confirms. Code 1001
 * (RFC 5730 section 3: "Command completed successfully; action pending") is what the gateway's
 * `transaction { pending }` and the domain index go by; the registrant's answer arrives later as a
 * REPP notification (`PENDING_ACTION_COMPLETED`, or `DELETED` for a confirmed deletion).
 */
export function awaitingRegistrant<T>(r: PortResult<T>, status: 'pendingUpdate' | 'pendingDeleteConfirmation'): PortResult<T> {
  return { ...r, code: 1001, message: `Command completed successfully; action pending: the registrant must confirm (${status})` };
}

/** A port result from the answer that carries the outcome (REPP has no server transaction id). */
export function result<T>(answer: ReppAnswer, data: T): PortResult<T> {
  return { data, trid: { client: answer.requestId, server: null }, code: answer.code, message: answer.message };
}

export { mapLimit } from '../../concurrency.js';
