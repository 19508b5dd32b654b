/**
 * What must still hold when a prepared state-changing command is finally written. The checks that
 * allow a write (the idempotency owner's lease, a bulk item's claim, its job not cancelled) run in
 * the attempt's beforeWrite (src/backends/driver.ts Attempt), just before the driver hands the
 * command over. Where the command is then written later (the EPP I/O thread writes a command
 * waiting behind the answer in flight on its session: src/backends/epp/session/io-thread.ts), the
 * writer checks the fence at the moment of the write and, when it no longer holds, does not write
 * the command and fails it as not sent (the pool tries it again once, which runs the checks again).
 *
 * A fence is two things: an optional shared flag that revokes every command fenced by it at once
 * (a bulk job cancelled on this instance: `revokeFlag`), looked at whenever the command is written;
 * and a time after which the checks' proof is too old (each check narrows it to the margin its own
 * lease keeps: `within`), looked at when the command had to wait behind another: a command written
 * as soon as it is handed over goes out as it always did, right after its checks and the command
 * log's entry. The flag is an Int32Array over a SharedArrayBuffer, so that another thread reads it
 * without a message.
 */

/** Milliseconds since the epoch, as every thread of the process reads them alike (performance.timeOrigin + performance.now(): monotonic within a thread). */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** A flag that revokes the commands of every fence made with it once set (revokeFlag). */
export function revocationFlag(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

/** Sets a revocationFlag: fences made with it no longer let a command be written. */
export function revokeFlag(flag: Int32Array): void {
  Atomics.store(flag, 0, 1);
}

/** The fence one caller's state-changing commands go out under (CallContext.fence). */
export class WriteFence {
  /** The command is not written after this (epochNow() milliseconds); Infinity: no time limit. */
  notAfter = Infinity;

  /** `revoked`: a revocationFlag shared with other fences (one per bulk job), or none. */
  constructor(readonly revoked?: Int32Array) {}

  /** The attempt's checks start over (beforeWrite): no time limit until one of them sets it. */
  reset(): void {
    this.notAfter = Infinity;
  }

  /** A check passed whose proof lasts `ms` more milliseconds: the command must be written within them (the earliest of the checks' limits counts). */
  within(ms: number): void {
    this.notAfter = Math.min(this.notAfter, epochNow() + ms);
  }

  /** Whether the revocation flag is set: the command is not written, whenever that would be. */
  get isRevoked(): boolean {
    return this.revoked !== undefined && Atomics.load(this.revoked, 0) !== 0;
  }
}
