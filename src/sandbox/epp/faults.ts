/** One-shot fault injection for tests of the gateway's retry and idempotency handling. */
import { OneShotFaults } from '../one-shot-faults.js';

/** What a queued fault does to the command it fires on (server.ts applies it); each member says what is applied and answered. */
export type FaultAction =
  /** Apply the command, then close the connection without answering. */
  | 'drop-after-apply'
  /** Apply the command, then wait delayMs (default 1000) before answering; nothing is answered if the client closes the connection meanwhile. */
  | 'delay'
  /**
   * Apply the command, then answer only when release() is called, whatever the clock says;
   * nothing is answered if the client closes the connection meanwhile.
   */
  | 'hold-after-apply'
  /**
   * Apply the command, then answer its success result (code, msg, msgQ, trID) without <resData>:
   * a schema-valid frame (resData is optional, RFC 5730 section 2.6) that a client cannot read
   * when the command's answer carries data (RFC 5731 creData, renData, trnData, infData).
   */
  | 'omit-resdata'
  /** Answer 2400 "Command failed" without applying the command. */
  | 'server-error'
  /** Answer 2500 and close the connection without applying the command. */
  | 'close-session'
  /** Answer 2502 "Session limit exceeded; server closing connection" and close the connection, without applying the command (RFC 5730 section 3). */
  | 'session-limit'
  /**
   * End the session's login first, as registries end idle logins: answer 2002 "Registrar is not
   * logged in." without applying; the connection stays open and needs a new login.
   */
  | 'end-login';

/** One queued fault: the command key it fires on, the action, and for 'delay' the wait in ms (default 1000). */
export interface Fault {
  /** Command key as counted by applied(), e.g. "domain:renew", "domain:transfer:request", "poll:req". */
  command: string;
  action: FaultAction;
  delayMs?: number;
}

/** The test-facing fault queue (EppSandbox.faults): each fault fires once, in the order queued. */
export interface Faults {
  /**
   * Queues a fault for the next command of this key that gets to where the fault fires: a command
   * the session may send (logged in; a frame that is well-formed, schema-valid and names a command)
   * for server-error, close-session, session-limit and end-login, which answer instead of running
   * it; a command that was applied (answered below 2000) for drop-after-apply, delay,
   * hold-after-apply and omit-resdata. A command refused earlier (not logged in, a syntax or policy error, any
   * refusal of its own for an after-apply fault) leaves the fault queued. Faults fire once, in order.
   */
  next(f: Fault): void;
  /** Drops the queued faults and answers every command held by hold-after-apply. */
  clear(): void;
  /** Answers every command held by hold-after-apply so far. */
  release(): void;
}

/**
 * Where a fault fires: 'before' the command runs (it answers instead of applying) or 'after' the
 * command was applied (drop-after-apply, delay, hold-after-apply, omit-resdata).
 */
export type FaultPhase = 'before' | 'after';

const AFTER_APPLY: ReadonlySet<FaultAction> = new Set<FaultAction>(['drop-after-apply', 'delay', 'hold-after-apply', 'omit-resdata']);

/** The phase a queued fault fires in: after applying for drop-after-apply, delay, hold-after-apply and omit-resdata; before running for the others. */
export function faultPhase(f: Fault): FaultPhase {
  return AFTER_APPLY.has(f.action) ? 'after' : 'before';
}

/**
 * The sandbox's fault queue: Faults plus take(), which the TLS server calls for each command that
 * gets to a place where a fault fires (see Faults.next); a command refused earlier uses up nothing.
 */
export class FaultQueue extends OneShotFaults<Fault> implements Faults {
  /**
   * Removes and returns the first fault queued for this command key when it fires in `phase`;
   * undefined (and the fault stays queued, keeping the order queued) when the first one for the
   * key fires in the other phase, or there is none, or the frame named no command (null).
   */
  take(command: string | null, phase: FaultPhase): Fault | undefined {
    if (command === null) return undefined;
    const first = this.peekFirst((f) => f.command === command);
    return first && faultPhase(first) === phase ? this.takeFirst((f) => f === first) : undefined;
  }
}
