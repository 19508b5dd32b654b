/**
 * One warning when something the gateway repeats on its own starts failing (a statement every
 * bulk.idleMs, a poll round, the idempotency upkeep, a LISTEN connection), one info line when it
 * works again; the failures in between are not logged. A trial stopped PostgreSQL for 15 s under
 * two idle gateways: each logged a warning with its stack every 500 ms per bulk statement (54 lines
 * of the 80 the outage caused), and an hour's outage would have been some 15,000 lines an
 * instance; a later trial (~70 s) still counted 13 poll-round lines, 4 upkeep stacks and 3
 * listener lines from the parts that logged every failure. As the Redis outage lines
 * (src/pubsub/redis-availability.ts), the first error is kept.
 */
import type { Logger } from '../logger.js';

/** Logs a repeated task's outage once (warn) and its recovery once (info), per `scope`. */
export class OutageLog {
  private readonly failing = new Set<string>();

  constructor(
    private readonly logger: Logger,
    /** What is repeated, as the log names it: 'bulk: looking for items to claim'. */
    private readonly what: string,
    /** When it is tried again, as the warning says it: 'tried again every bulk.idleMs'. */
    private readonly again = 'tried again every bulk.idleMs',
  ) {}

  /** A run failed: logged (warn, with `err` and `fields`) unless the last run under this `scope` failed too. */
  failed(err: unknown, fields: Record<string, unknown> = {}, scope = ''): void {
    if (this.failing.has(scope)) return;
    this.failing.add(scope);
    this.logger.warn({ ...fields, err }, `${this.what} failed; ${this.again}, logged again once it works`);
  }

  /** A run succeeded: logged (info) when the last one under this `scope` had failed. */
  succeeded(fields: Record<string, unknown> = {}, scope = ''): void {
    if (!this.failing.delete(scope)) return;
    this.logger.info({ ...fields }, `${this.what} works again`);
  }
}
