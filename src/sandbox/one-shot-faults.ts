/**
 * What the sandboxes' fault injection has in common (EPP: src/sandbox/epp/faults.ts, REPP:
 * src/sandbox/repp/faults.ts): faults queued by a test fire once each, in the order queued, and
 * answers held by a hold-after-apply fault wait until the test releases them.
 */
export class OneShotFaults<F extends object> {
  private queue: F[] = [];
  private held: Array<() => void> = [];

  /** Queues a copy of `f` for the next matching command or request. */
  next(f: F): void {
    this.queue.push({ ...f });
  }

  /** Drops the queued faults and answers everything held. */
  clear(): void {
    this.queue = [];
    this.release();
  }

  /** Answers everything held so far. */
  release(): void {
    for (const answer of this.held.splice(0)) answer();
  }

  /** Resolves when release() (or clear()) is called. */
  hold(): Promise<void> {
    return new Promise((resolve) => this.held.push(resolve));
  }

  /** The first queued fault that `matches`, left queued; undefined when none does. */
  protected peekFirst(matches: (f: F) => boolean): F | undefined {
    return this.queue.find(matches);
  }

  /** Removes and returns the first queued fault that `matches`, or undefined when none does. */
  protected takeFirst(matches: (f: F) => boolean): F | undefined {
    const i = this.queue.findIndex(matches);
    return i < 0 ? undefined : this.queue.splice(i, 1)[0];
  }
}
