import type { BackendConfig } from '../config.types.js';
import type { Clock } from '../core/clock.js';
import type { RegistryPort } from '../core/port.js';
import type { CommandEvent } from '../commandlog/command-log.js';
import type { Logger } from '../logger.js';
import { EppBackend } from './epp/index.js';

export interface BackendDeps {
  clock: Clock;
  logger: Logger;
  onCommand?: (e: CommandEvent) => void;
  onCommandStart?: (e: CommandEvent) => Promise<void>;
}

/** One adapter per configured backend, by protocol kind. */
export function createBackend(cfg: BackendConfig, deps: BackendDeps): RegistryPort {
  switch (cfg.kind) {
    case 'epp':
      return new EppBackend(cfg, {
        clock: deps.clock,
        logger: deps.logger, // the adapter names its backend in every line itself
        onCommand: deps.onCommand ? (e) => deps.onCommand!({ ...e, backend: cfg.name }) : undefined,
        onCommandStart: deps.onCommandStart ? (e) => deps.onCommandStart!({ ...e, backend: cfg.name }) : undefined,
      });
    default:
      throw new Error(`backend "${(cfg as { name: string }).name}": unknown kind "${(cfg as { kind: string }).kind}"`);
  }
}
