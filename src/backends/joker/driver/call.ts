/**
 * One port call on the Joker driver: the account's client and UID, the clock, and the portable
 * layer's `beforeWrite` hook, run once just before the first request that changes registry state.
 */
import type { Clock } from '../../../core/clock.js';
import type { PortResult } from '../../../core/model/index.js';
import type { DmapiRequest, JokerClient } from '../http.js';
import type { DmapiReply } from '../reply.js';

/** One port call's context for the driver/*.ts functions: the account's JokerClient and UID, clock, clTRID, config (transfer contact, currency, monthly TLDs), the beforeWrite hook and shared read state. */
export interface JokerCall {
  client: JokerClient;
  /** The reseller's Joker user id (the sponsor id of its domains). */
  uid: string;
  backend: string;
  clock: Clock;
  /** The attempt's transaction id, sent as "cltrid" with modifying requests (result-list shows it). */
  clTRID: string;
  account: { transferContact?: string };
  currency: string;
  /** TLDs that take any number of months (config monthlyTlds). */
  monthlyTlds: readonly string[];
  beforeWrite(): Promise<void>;
  /** Attempt.applied: a change request of the call answered as done, naming the input's parts it carried. */
  applied(changes: readonly string[]): void;
  /** Background work (CallContext.background): its requests wait for a connection after interactive ones. */
  background?: boolean;
  wrote?: boolean;
  /**
   * The reseller's requests still being processed (result-list pending=1), shared by the reads of
   * one loader batch (CallContext.readBatch, results.ts PendingLists); absent: each read asks for
   * its own object's.
   */
  pendingList?: () => Promise<PendingRequest[]>;
  /** Called before a modifying request is sent: shared pending lists of the account are read again. */
  changed?: () => void;
  /** The poll round's state (CallContext.pollRound, results.ts pollRequest); absent: each poll call lists on its own. */
  pollRound?: PollRound;
  /** The account's results delivered but left upstream, until acknowledged (results.ts LEFT_UPSTREAM). */
  kept?: KeptResults;
  /** Which of these Proc-IDs the gateway's poll store holds (CallContext.pollStored); absent: none known. */
  pollStored?: (procIds: string[]) => Promise<ReadonlySet<string>>;
}

/**
 * One account's results the poller delivered but will not delete upstream (results.ts
 * LEFT_UPSTREAM), by Proc-ID, from pollRequest until its pollAck (which then sends no
 * result-delete). In memory, and only for that span: which such results were delivered before is
 * the poll store's word (JokerCall.pollStored), which survives a restart and is shared by every
 * instance on the database.
 */
export interface KeptResults {
  delivered: Set<string>;
}

/**
 * One poll round's read of the queue (results.ts pollRequest): the answered results (ack/nack)
 * its single result-list showed, oldest first, less those delivered and deleted since; unset until
 * the round's first pollRequest.
 */
export interface PollRound {
  done?: Record<string, string>[];
}

/** One request Joker is still processing: its type ("domain-renew") and object (a domain name, a handle). */
export interface PendingRequest {
  type: string;
  object: string;
}

/** Sends one request; a modifying one runs beforeWrite first (once per call) and carries the cltrid. */
export async function send(call: JokerCall, req: DmapiRequest): Promise<DmapiReply> {
  if (req.changesState && !call.wrote) {
    call.wrote = true;
    await call.beforeWrite();
  }
  if (req.changesState) call.changed?.();
  const sent = req.changesState ? { ...req, vars: { ...req.vars, cltrid: call.clTRID } } : req;
  return call.client.send(call.background ? { ...sent, background: true } : sent);
}

/** A port result: Status-Code 0 is EPP 1000 (1001 while the request waits for processing); the server id is the Proc-ID, else the Tracking-Id. */
export function result<T>(call: JokerCall, reply: DmapiReply, data: T, pending = false): PortResult<T> {
  return {
    data,
    trid: { client: call.clTRID, server: reply.procId ?? reply.trackingId ?? null },
    code: pending ? 1001 : 1000,
    message: pending ? `accepted, processing (Proc-ID ${reply.procId}); the result arrives as a poll message` : (reply.statusText ?? undefined),
    ...(pending ? { awaitsCompletion: true } : {}),
  };
}

export { mapLimit } from '../../concurrency.js';
