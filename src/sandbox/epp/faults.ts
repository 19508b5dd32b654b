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
  /** Queues a fault for the next matching command (faults fire once, in the order queued). */
  next(f: Fault): void;
  /** Drops the queued faults and answers every command held by hold-after-apply. */
  clear(): void;
  /** Answers every command held by hold-after-apply so far. */
  release(): void;
}

/** The sandbox's fault queue: Faults plus take(), which the TLS server calls with each prepared command's key. */
export class FaultQueue extends OneShotFaults<Fault> implements Faults {
  /** Removes and returns the first fault queued for this command key. */
  take(command: string | null): Fault | undefined {
    if (command === null) return undefined;
    return this.takeFirst((f) => f.command === command);
  }
}
