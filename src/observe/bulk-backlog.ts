/**
 * The bulk backlog as GET /metrics reads it (MetricsSources.bulkBacklog, src/metrics.ts): from the
 * shared database at each scrape, but never at the cost of the scrape. A scrape is answered within
 * BACKLOG_READ_TIMEOUT_MS whatever the database does: a read that takes longer (a database that is
 * unreachable, or whose connections are all busy) leaves the rgw_bulk_* series out of that scrape,
 * and the rest of it (the process and upstream metrics an operator needs during an outage) is
 * answered at once; Prometheus's default scrape_timeout is 10 s, the pool's wait for a connection
 * alone up to database.connectTimeoutMs (10 s) and a statement up to database.queryTimeoutMs.
 * One read at a time: while a read is still under way, later scrapes go without the series instead
 * of queueing more statements behind it. A failure or a read past the limit is logged once, until
 * a read answers again in time; a read past the limit that then fails logs its error (the cause:
 * the pool's connect timeout, the statement's timeout...) once too.
 */
import type { BulkBacklog } from '../bulk/store.js';
import type { Logger } from '../logger.js';

/** How long (ms) a scrape waits for the backlog before it answers without the rgw_bulk_* series. */
export const BACKLOG_READ_TIMEOUT_MS = 2_000;

/**
 * A MetricsSources.bulkBacklog over `read` (BulkStore.backlog): resolves with the rows, or null
 * (never rejects) when the read failed, took longer than `timeoutMs` (ms), or an earlier one is
 * still under way.
 */
export function backlogSource(read: () => Promise<BulkBacklog[]>, logger: Logger, timeoutMs = BACKLOG_READ_TIMEOUT_MS): () => Promise<BulkBacklog[] | null> {
  let underWay: Promise<unknown> | null = null;
  let failing = false;
  /** Whether a late read's own failure was logged in this outage. */
  let causeLogged = false;
  const failed = (err: unknown, why: string) => {
    if (!failing) logger.warn({ err }, `metrics: reading the bulk backlog ${why}; the rgw_bulk_* series are left out of scrapes until a read answers within ${timeoutMs} ms`);
    failing = true;
    return null;
  };
  return async () => {
    if (underWay) return failed(undefined, 'is still under way from an earlier scrape');
    const reading = read();
    // Only one read is ever under way (the check above), so its end clears the mark.
    const ended = () => void (underWay = null);
    underWay = reading.then(ended, ended);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
      timer.unref();
    });
    try {
      const rows = await Promise.race([reading, late]);
      if (rows === 'late') {
        reading.catch((err: unknown) => {
          if (failing && !causeLogged) logger.warn({ err }, 'metrics: the bulk backlog read that took too long failed');
          causeLogged = true;
        });
        return failed(undefined, `took longer than ${timeoutMs} ms`);
      }
      if (failing) logger.info('metrics: reading the bulk backlog works again');
      failing = false;
      causeLogged = false;
      return rows;
    } catch (err) {
      return failed(err, 'failed');
    } finally {
      clearTimeout(timer);
    }
  };
}
