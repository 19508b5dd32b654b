import type { BackendConfig } from '../config.types.js';
import type { Clock } from '../core/clock.js';
import type { RegistryPort } from '../core/port.js';
import type { CommandEvent } from '../commandlog/command-log.js';
import type { Logger } from '../logger.js';
import type { DriverDeps } from './kind.js';
import { kindOf } from './kinds.js';
import { PortableBackend } from './portable.js';

/** What createBackend passes on: the clock and logger to the driver, the command-log hooks to the portable layer. */
export interface BackendDeps {
  clock: Clock;
  logger: Logger;
  onCommand?: (e: CommandEvent) => void;
  onCommandStart?: (e: CommandEvent) => Promise<void>;
  /** The deployment's Redis and key prefix, when REDIS_URL is set (DriverDeps.redis). */
  redis?: DriverDeps['redis'];
  /** Tests only: the drivers' sleeps and time (DriverDeps.timer). */
  timer?: DriverDeps['timer'];
}

/** One backend per config entry: the portable layer over its kind's driver. */
export function createBackend(cfg: BackendConfig, deps: BackendDeps): RegistryPort {
  return new PortableBackend(kindOf(cfg).driver(cfg, { clock: deps.clock, logger: deps.logger, redis: deps.redis, timer: deps.timer }), {
    clock: deps.clock,
    onCommand: deps.onCommand,
    onCommandStart: deps.onCommandStart,
  });
}
