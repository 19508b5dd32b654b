/**
 * The gateway's backends made before its database is open, to log in the sessions a restarted
 * bulk runner will need (src/bulk/session-hint.ts) while the database opens: on the embedded
 * database that is its PostgreSQL's start (half a second, more after a crash), on PostgreSQL the
 * connection, the migration check and the server chunk's load. src/main.ts makes them; the
 * gateway (src/server.ts, startGateway) takes them instead of making its own and binds their
 * command events to its command log, metrics and traces. Until then nothing but logins is sent:
 * prepare() writes only the login (RFC 5730 section 2.9.1.1), which no command event reports.
 */
import type { CommandEvent } from '../commandlog/command-log.js';
import type { GatewayConfig } from '../config.types.js';
import type { RegistryPort } from '../core/port.js';
import type { SessionLane } from '../bulk/session-hint.js';
import { createBackend, type BackendDeps } from './factory.js';

/** Where the backends' command events go once the gateway has its services (BackendDeps.onCommand, onCommandStart). */
export interface CommandSink {
  onCommand(e: CommandEvent): void;
  onCommandStart(e: CommandEvent): Promise<void>;
}

/** Backends made ahead of the gateway, one per config.backends entry in its order. */
export class EarlyBackends {
  readonly backends: RegistryPort[];
  private sink?: CommandSink;

  constructor(config: Pick<GatewayConfig, 'backends'>, deps: Omit<BackendDeps, 'onCommand' | 'onCommandStart'>) {
    this.backends = config.backends.map((b) =>
      createBackend(b, {
        ...deps,
        onCommand: (e) => this.sink?.onCommand(e),
        onCommandStart: (e) => this.sink?.onCommandStart(e) ?? Promise.resolve(),
      }),
    );
  }

  /** From now on the backends' command events go to `sink` (the gateway's). */
  bind(sink: CommandSink): void {
    this.sink = sink;
  }
}

/**
 * Makes the backends now and logs in the sessions of `lanes` (RegistryPort.prepare, not awaited:
 * a failed login is left to the commands that need the session, as the runner's own prepare is).
 * `clock`, `logger` and `redis` as the gateway passes them to its backends.
 */
export function openSessionsAhead(config: Pick<GatewayConfig, 'backends'>, lanes: SessionLane[], deps: Omit<BackendDeps, 'onCommand' | 'onCommandStart'>): EarlyBackends {
  const early = new EarlyBackends(config, deps);
  for (const lane of lanes) {
    const port = early.backends[config.backends.findIndex((b) => b.name === lane.backend)]!;
    port.prepare(lane.registrarId, Math.min(lane.sessions, port.limits.sessions)).catch((err: unknown) => deps.logger.debug({ err, backend: lane.backend }, 'bulk: opening sessions ahead of the database failed'));
  }
  deps.logger.info({ lanes }, 'bulk: opening the sessions this instance was running items on, while its database opens');
  return early;
}
