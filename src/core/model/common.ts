/** Registry-neutral model shared by every backend. Adapters map their wire formats onto these types. */
import type { WriteFence } from '../write-fence.js';

/** Transaction ids of one upstream exchange (EPP clTRID/svTRID, REPP request id, ...). */
export interface TransactionIds {
  client: string;
  server?: string | null;
}

/** What every port method returns: the neutral value plus the upstream transaction ids. */
export interface PortResult<T> {
  data: T;
  trid: TransactionIds;
  /** Upstream result code (EPP 1000/1001/...; other backends map onto the same codes). */
  code: number;
  message?: string;
  /**
   * True when the registry only queued the command (code 1001) and reports its own outcome later,
   * as a pending-action completion poll message whose upstream id is `trid.server` (Joker DMAPI: a
   * request whose result-list status is still "?", its Proc-ID). Never set for a command the
   * registry executed while someone else decides (an EPP transfer request answered 1001 waits for
   * the losing registrar, RFC 5730 section 3 "action pending").
   */
  awaitsCompletion?: boolean;
  /**
   * True when the driver sent nothing that changes the registry: the object already was as the
   * command asks (a Joker update adding the transfer lock to a locked domain: "nothing to change").
   * Kept by the portable layer only for a command that never reached its beforeWrite (driver.ts);
   * such a command has no command event (no command log entry, no upstream metrics), and a bulk
   * item it ends is `skipped` (src/bulk/kinds.ts).
   */
  unchanged?: boolean;
}

/** Role of a domain contact (RFC 5731 section 2.2 <domain:contact type="...">); the registrant is a separate field. */
export type ContactRole = 'admin' | 'tech' | 'billing';

/** Period unit: years or months (RFC 5731 section 2.5 pUnitType "y" / "m"). */
export type PeriodUnit = 'y' | 'm';

/**
 * A registration or renewal period (RFC 5731 section 2.5, validity periods): `value` a whole number, 1-10 years or
 * 1-120 months after checkPeriod; whether the registry takes `unit` is Capabilities.periodUnits.
 */
export interface Period {
  value: number;
  unit: PeriodUnit;
}

/**
 * One name's availability (RFC 5731/5732 section 3.1.1 <check> <cd>, RFC 5733 for contact ids):
 * `name` as asked (domains and hosts in lower-case A-labels), `reason` the registry's text when unavailable.
 */
export interface CheckResult {
  name: string;
  available: boolean;
  reason?: string | null;
}

/** Who a call is made for: the gateway registrar, and the idempotency key of the mutation (if any). */
export interface CallContext {
  /** Gateway registrar id (the API key's owner); the backend maps it to its upstream login. */
  registrarId: string;
  idempotencyKey?: string;
  /**
   * The gateway operation that caused the call's commands, as the command log names it
   * (CommandLogEntry.operation, README "Command log"): the GraphQL root field (set per request by
   * src/commandlog/attribution.ts: `renewDomain` for a renewal and its payload's read-back,
   * `domain` for a domain query), a bulk job's mutation (`bulkRenew`) for everything the job sends,
   * `poll` for the poller. Set by the gateway, carried into each command event by the port layer.
   */
  operation?: string;
  /**
   * The idempotency attempt the call's commands belong to (its CommandWatch.id, via Attempt.id):
   * the command log runs that attempt's beforeSend (its lease fence) for them and counts them for
   * it alone, not for another attempt of the same key in this process (an owner that stalled and
   * the request that took the key over). Absent: every open watch of the key (the first beforeSend).
   */
  attempt?: number;
  /**
   * The request's fan-out scheduler (src/fanout/scheduler.ts): every port call made with this
   * context waits its turn there, so one request never has more commands at a backend than its
   * budget, however many objects it reads. Absent: the call goes straight to the backend.
   */
  scheduler?: CallScheduler;
  /**
   * Work nobody waits on interactively: a bulk job's item or chunk (src/bulk/runner.ts,
   * src/bulk/native.ts). When calls wait for a backend's connection (an EPP session of the
   * account's pool, an HTTP backend's kept-alive connections), those without it are handed one
   * first, so a query sent while a job runs waits behind at most the commands already under way,
   * not behind the job's queue (README, Bulk mutations, "Concurrency"). Absent: interactive.
   */
  background?: boolean;
  /**
   * What must still hold when the call's state-changing commands are written (src/core/write-fence.ts):
   * made per mutation by runOperation (a bulk item's carries its job's revocation flag), narrowed by
   * the checks run in the attempt's beforeWrite, checked by a writer that writes the command later
   * (the EPP I/O thread). Absent: nothing to check at the write.
   */
  fence?: WriteFence;
  /**
   * The batch of reads this call belongs to (one loader batch, src/loaders/loaders.ts): port calls
   * carrying the same object were issued together, so a driver may answer them from one registry
   * read (Joker: the reseller's pending requests). Absent: the call reads on its own.
   */
  readBatch?: object;
  /**
   * The poll round this call belongs to (one PollService.drain of one queue): its pollRequest and
   * pollAck calls carry the same object, so a driver may work through one read of the queue
   * instead of reading it again for every message (Joker: one result-list per round, then
   * result-retrieve and result-delete per message); once that read is worked through, the round
   * ends and what arrived meanwhile waits for the next round. Absent: each call reads on its own.
   */
  pollRound?: object;
  /**
   * Which of `upstreamIds` (message ids of the queue being polled, as the driver's
   * UpstreamPollMessage.id gives them) the gateway's poll store already holds: poll_messages is
   * unique per backend, upstream account and upstream id, so the answer is durable and the same for
   * every instance on the database. PollService.drain supplies it. A driver that leaves a delivered
   * message upstream (Joker: a domain-transfer-get-auth-id result, whose Auth-ID is the reseller's)
   * skips the ones stored, so a restart or another instance taking the queue over does not read
   * them again. Absent: nothing is known to be stored (such a message is delivered on every call).
   * Rejects when the store cannot be read (the poll round then fails and is retried).
   */
  pollStored?: (upstreamIds: string[]) => Promise<ReadonlySet<string>>;
}

/**
 * Runs the port calls of one request (or one bulk job) within a budget per backend: at most
 * `sessions` of them at a time (capped by the scheduler's own budget), the others queued in order.
 */
export interface CallScheduler {
  /** Runs `fn` once fewer than min(`sessions`, the budget) of this scheduler's calls to `backend` are running. */
  run<T>(backend: string, sessions: number, fn: () => Promise<T>): Promise<T>;
}
