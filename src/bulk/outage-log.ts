/**
 * One warning when a statement the bulk runner repeats on its own (every idleMs: looking for items
 * to claim, claiming, settling items awaiting the registry) starts failing, one info line when it
 * works again; the failures in between are not logged. A trial stopped PostgreSQL for 15 s under
 * two idle gateways: each logged a warning with its stack every 500 ms per statement (54 lines of
 * the 80 the outage caused), and an hour's outage would have been some 15,000 lines an instance.
 * As the Redis outage lines (src/pubsub/redis-availability.ts), the first error is kept.
 */
import type { Logger } from '../logger.js';

/** Logs a repeated statement's outage once (warn) and its recovery once (info), per `scope`. */
export class OutageLog {
  private readonly failing = new Set<string>();

  constructor(
    private readonly logger: Logger,
    /** What is repeated, as the log names it: 'bulk: looking for items to claim'. */
    private readonly what: string,
  ) {}

  /** A run failed: logged (warn, with `err` and `fields`) unless the last run under this `scope` failed too. */
  failed(err: unknown, fields: Record<string, unknown> = {}, scope = ''): void {
    if (this.failing.has(scope)) return;
    this.failing.add(scope);
    this.logger.warn({ ...fields, err }, `${this.what} failed; tried again every idleMs, logged again once it works`);
  }

  /** A run succeeded: logged (info) when the last one under this `scope` had failed. */
  succeeded(fields: Record<string, unknown> = {}, scope = ''): void {
    if (!this.failing.delete(scope)) return;
    this.logger.info({ ...fields }, `${this.what} works again`);
  }
}
