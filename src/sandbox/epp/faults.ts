/** One-shot fault injection for tests of the gateway's retry and idempotency handling. */
import { OneShotFaults } from '../one-shot-faults.js';

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

export interface Fault {
  /** Command key as counted by applied(), e.g. "domain:renew", "domain:transfer:request", "poll:req". */
  command: string;
  action: FaultAction;
  delayMs?: number;
}

export interface Faults {
  /** Queues a fault for the next matching command (faults fire once, in the order queued). */
  next(f: Fault): void;
  /** Drops the queued faults and answers every command held by hold-after-apply. */
  clear(): void;
  /** Answers every command held by hold-after-apply so far. */
  release(): void;
}

export class FaultQueue extends OneShotFaults<Fault> implements Faults {
  /** Removes and returns the first fault queued for this command key. */
  take(command: string | null): Fault | undefined {
    if (command === null) return undefined;
    return this.takeFirst((f) => f.command === command);
  }
}
