import type { GatewayConfig } from '../config.types.js';
import type { Logger } from '../logger.js';
import { OutageLog } from '../observe/outage-log.js';
import type { IdempotencyOptions, IdempotencyService } from './service.js';
import { ConfigError } from '../config-error.js';
import { timerMs } from '../config-settings.js';

/**
 * Defaults of the config's `idempotency` section (README "Idempotency contract"): records kept
 * 168 h (7 days), a queued command's up to 2160 h (90 days); a duplicate waits 10,000 ms, a lease
 * lapses after 15,000 ms, expired records are purged every 3,600,000 ms.
 */
export const IDEMPOTENCY_DEFAULTS = { ttlHours: 168, awaitHours: 2160, waitMs: 10_000, leaseMs: 15_000, purgeIntervalMs: 3_600_000 } as const;

/**
 * The longest ttlHours and awaitHours taken: 876,000 hours (100 years). They only set
 * dates (a record's expiry), but a date past JavaScript's last one (ttlHours 3e9 was taken) made
 * every record's expiry an Invalid Date, so the gateway started and then failed every mutation.
 */
export const MAX_RETENTION_HOURS = 876_000;

/**
 * Service options from the config's `idempotency` section (defaults for what it leaves out).
 * Throws ConfigError naming the setting on a value that is not a positive number, on a leaseMs
 * or purgeIntervalMs outside 1 to MAX_TIMER_MS (timerMs: each becomes a setInterval's delay,
 * startPurgeTimer, and leaseMs / 3 the lease's heartbeat), and on a ttlHours or awaitHours above
 * MAX_RETENTION_HOURS. waitMs, ttlHours and awaitHours only set deadlines and dates.
 */
export function idempotencyOptions(config: Pick<GatewayConfig, 'idempotency'>): Partial<IdempotencyOptions> {
  const c = { ...IDEMPOTENCY_DEFAULTS, ...(config.idempotency ?? {}) };
  for (const k of Object.keys(IDEMPOTENCY_DEFAULTS) as Array<keyof typeof IDEMPOTENCY_DEFAULTS>) {
    const v = c[k];
    if (k === 'leaseMs' || k === 'purgeIntervalMs') timerMs(v, `idempotency.${k}`, { fractions: true });
    else if (typeof v !== 'number' || !(v > 0)) throw new ConfigError(`config: idempotency.${k} must be a positive number`);
    else if ((k === 'ttlHours' || k === 'awaitHours') && v > MAX_RETENTION_HOURS) throw new ConfigError(`config: idempotency.${k} must be at most ${MAX_RETENTION_HOURS} hours`);
  }
  return { ttlMs: c.ttlHours * 3_600_000, awaitMs: c.awaitHours * 3_600_000, waitMs: c.waitMs, leaseMs: c.leaseMs };
}

/**
 * Background upkeep of the records: deletes (when given) the bulk jobs finished more than
 * bulk.retentionDays ago with their items and their items' records (BulkService.purgeFinished),
 * then the expired records, now and then every purgeIntervalMs, then
 * (when given) the command log entries past their retention (CommandLog.purgeExpired, after the
 * records, so entries whose record just went go too), and settles what dead processes left
 * unknown (IdempotencyService.settleAbandoned) now and then every leaseMs. stop() ends both
 * (waiting for a running round).
 */
export function startPurgeTimer(
  service: IdempotencyService,
  config: Pick<GatewayConfig, 'idempotency'>,
  logger: Logger,
  commandLog?: { purgeExpired(): Promise<number> },
  bulkJobs?: { purgeFinished(): Promise<{ jobs: number; items: number }> },
): { stop(): Promise<void> } {
  const every = config.idempotency?.purgeIntervalMs ?? IDEMPOTENCY_DEFAULTS.purgeIntervalMs;
  const sweepEvery = config.idempotency?.leaseMs ?? IDEMPOTENCY_DEFAULTS.leaseMs;
  const purge = repeat(
    async () => {
      // The finished bulk jobs past bulk.retentionDays go first, their items' records with them.
      const jobs = await bulkJobs?.purgeFinished();
      if (jobs && jobs.jobs > 0) logger.info(jobs, 'bulk: jobs finished more than bulk.retentionDays ago purged, with their items');
      const n = await service.purgeExpired();
      if (n > 0) logger.info({ purged: n }, 'idempotency: expired records purged');
      const entries = (await commandLog?.purgeExpired()) ?? 0;
      if (entries > 0) logger.info({ purged: entries }, 'command log: entries past their retention purged');
    },
    every,
    new OutageLog(logger, 'idempotency: purging expired records', 'tried again every idempotency.purgeIntervalMs'),
  );
  const sweep = repeat(
    () => service.settleAbandoned().then((n) => void (n > 0 && logger.info({ settled: n }, 'idempotency: unknown outcomes settled'))),
    sweepEvery,
    new OutageLog(logger, 'idempotency: settling unknown outcomes', 'tried again every idempotency.leaseMs'),
  );
  return {
    async stop() {
      await Promise.all([purge.stop(), sweep.stop()]);
    },
  };
}

/** Runs `task` now and then every `everyMs`, never two rounds at once; a failing run is logged once per outage (`outage`). */
function repeat(task: () => Promise<void>, everyMs: number, outage: OutageLog): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const round = () => {
    running ??= task()
      .then(
        () => outage.succeeded(),
        (err: unknown) => outage.failed(err),
      )
      .finally(() => (running = null));
  };
  round();
  const timer = setInterval(round, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
