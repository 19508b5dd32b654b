import { randomUUID } from 'node:crypto';
import type { BulkConfig, GatewayConfig } from '../config.types.js';
import { ConfigError } from '../config-error.js';
import { timerMs } from '../config-settings.js';
import { MAX_RETENTION_DAYS } from '../commandlog/retention.js';

/** Domains one bulk job may hold when bulk.maxItems is not set. */
export const DEFAULT_MAX_ITEMS = 20_000;

/** Days a finished job is kept when bulk.retentionDays is not set (BulkConfig.retentionDays). */
export const DEFAULT_RETENTION_DAYS = 30;

/** Bulk settings with every default filled in (see BulkConfig in src/config.types.ts). */
export type BulkSettings = Required<Omit<BulkConfig, 'backendConcurrency'>> & { backendConcurrency: Record<string, number> };

const positive = (name: string, v: number) => {
  if (!Number.isInteger(v) || v < 1) throw new ConfigError(`config: bulk.${name} must be a whole number, 1 or more`);
  return v;
};

/**
 * The bulk settings of a config; throws ConfigError naming the setting on a value that is not a
 * positive whole number, and on a leaseMs, idleMs or overdueCheckMs above MAX_TIMER_MS (timerMs:
 * each becomes a setInterval's delay in src/bulk/runner.ts; backoffMs does not, it dates the next
 * attempt, at most 60 s ahead).
 */
export function bulkSettings(config: Pick<GatewayConfig, 'bulk' | 'databaseUrl'>): BulkSettings {
  const b = config.bulk ?? {};
  // A switch given as a string ("false") was taken as on: a worker meant to run no jobs ran them.
  if (b.enabled !== undefined && typeof b.enabled !== 'boolean') throw new ConfigError('config: bulk.enabled (BULK_ENABLED) must be true or false');
  if (b.instanceId !== undefined && !(typeof b.instanceId === 'string' && b.instanceId.trim() !== '')) throw new ConfigError('config: bulk.instanceId (BULK_INSTANCE_ID) must be a non-empty string');
  const per = b.backendConcurrency as unknown;
  if (per !== undefined && (per === null || typeof per !== 'object' || Array.isArray(per))) throw new ConfigError('config: bulk.backendConcurrency must be an object of backend names and whole numbers');
  const s: BulkSettings = {
    concurrency: positive('concurrency', b.concurrency ?? 16),
    backendConcurrency: b.backendConcurrency ?? {},
    maxAttempts: positive('maxAttempts', b.maxAttempts ?? 8),
    backoffMs: positive('backoffMs', b.backoffMs ?? 1000),
    leaseMs: timerMs(b.leaseMs ?? 30_000, 'bulk.leaseMs'),
    idleMs: timerMs(b.idleMs ?? 500, 'bulk.idleMs'),
    maxItems: positive('maxItems', b.maxItems ?? DEFAULT_MAX_ITEMS),
    maxOpenJobs: positive('maxOpenJobs', b.maxOpenJobs ?? 20),
    maxPendingItems: positive('maxPendingItems', b.maxPendingItems ?? 60_000),
    overdueCheckMs: timerMs(b.overdueCheckMs ?? 60_000, 'bulk.overdueCheckMs'),
    retentionDays: positive('retentionDays', b.retentionDays ?? DEFAULT_RETENTION_DAYS),
    // The embedded database serves one process: a restart is the same instance.
    instanceId: b.instanceId ?? (config.databaseUrl ? randomUUID() : 'embedded'),
    enabled: b.enabled ?? true,
  };
  if (s.retentionDays > MAX_RETENTION_DAYS) throw new ConfigError(`config: bulk.retentionDays must be at most ${MAX_RETENTION_DAYS} days`);
  for (const [name, n] of Object.entries(s.backendConcurrency)) positive(`backendConcurrency.${name}`, n);
  if (s.maxPendingItems < s.maxItems) throw new ConfigError(`config: bulk.maxPendingItems (${s.maxPendingItems}) must be at least bulk.maxItems (${s.maxItems}): a job of maxItems domains could never be submitted`);
  return s;
}
