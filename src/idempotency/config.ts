import type { GatewayConfig } from '../config.types.js';
import type { Logger } from '../logger.js';
import type { IdempotencyOptions, IdempotencyService } from './service.js';

export const IDEMPOTENCY_DEFAULTS = { ttlHours: 168, waitMs: 10_000, leaseMs: 15_000, purgeIntervalMs: 3_600_000 } as const;

/** Service options from the config's `idempotency` section (defaults for what it leaves out). */
export function idempotencyOptions(config: Pick<GatewayConfig, 'idempotency'>): Partial<IdempotencyOptions> {
  const c = { ...IDEMPOTENCY_DEFAULTS, ...(config.idempotency ?? {}) };
  for (const k of Object.keys(IDEMPOTENCY_DEFAULTS) as Array<keyof typeof IDEMPOTENCY_DEFAULTS>) {
    const v = c[k];
    if (typeof v !== 'number' || !(v > 0)) throw new Error(`config: idempotency.${k} must be a positive number`);
  }
  return { ttlMs: c.ttlHours * 3_600_000, waitMs: c.waitMs, leaseMs: c.leaseMs };
}

/** Deletes expired records now and then every purgeIntervalMs; stop() ends it (waiting for a running purge). */
export function startPurgeTimer(service: IdempotencyService, config: Pick<GatewayConfig, 'idempotency'>, logger: Logger): { stop(): Promise<void> } {
  const every = config.idempotency?.purgeIntervalMs ?? IDEMPOTENCY_DEFAULTS.purgeIntervalMs;
  let running: Promise<void> | null = null;
  const purge = () => {
    running ??= service
      .purgeExpired()
      .then((n) => void (n > 0 && logger.info({ purged: n }, 'idempotency: expired records purged')))
      .catch((err: unknown) => logger.error({ err }, 'idempotency: purge failed'))
      .finally(() => (running = null));
  };
  purge();
  const timer = setInterval(purge, every);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
