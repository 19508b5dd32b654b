import type { GatewayConfig } from '../config.types.js';
import { deploymentFingerprints } from '../idempotency/fingerprint-key.js';
import type { Logger } from '../logger.js';
import { LocalPollEvents, RedisPollEvents, type LoadPollEvents, type PollEvents } from './poll-events.js';

type PrefixConfig = Pick<GatewayConfig, 'redisPrefix' | 'idempotency' | 'databaseUrl' | 'dataDir'>;

/**
 * The start of this deployment's Redis channel names: `redisPrefix` (env REDIS_PREFIX) as given,
 * else "rgw:" and 16 hex characters derived from the deployment's idempotency key (an HMAC of a
 * fixed label, which reveals nothing of the key). Every instance of a deployment shares that key,
 * so they share the prefix; another deployment has another key, so another prefix.
 */
export function redisPrefix(config: PrefixConfig): string {
  return config.redisPrefix ?? `rgw:${deploymentFingerprints(config).derive('redis channel prefix').slice(0, 16)}:`;
}

/**
 * The deployment's Redis for the backends (BackendDeps.redis: HeadlessDomains' shared rate-limit
 * budgets), keys under redisPrefix, when `redisUrl` is set; else undefined. One derivation for
 * the gateway's backends and those src/main.ts makes ahead of it (src/backends/early.ts).
 */
export function backendRedis(config: PrefixConfig & Pick<GatewayConfig, 'redisUrl'>): { url: string; keyPrefix: string } | undefined {
  return config.redisUrl ? { url: config.redisUrl, keyPrefix: redisPrefix(config) } : undefined;
}

/** The gateway's poll event fan-out: over Redis when `redisUrl` is set (channels under redisPrefix), in process otherwise. */
export function createPollEvents(config: PrefixConfig & Pick<GatewayConfig, 'redisUrl'>, load: LoadPollEvents, logger: Logger): PollEvents {
  return config.redisUrl ? new RedisPollEvents(config.redisUrl, logger, { prefix: redisPrefix(config), load }) : new LocalPollEvents();
}
