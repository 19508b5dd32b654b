/** Types shared across the EPP adapter: logger shape and the per-command observer event. */
import type { CommandName } from '../../core/commands.js';

/** A pino-compatible logger (only the methods the adapter calls). */
export interface EppLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  /** Whether messages of `level` are written (pino's): frames are redacted for the debug log only when they are. */
  isLevelEnabled?(level: string): boolean;
}

export const silentLogger: EppLogger = {
  isLevelEnabled: () => false,
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/**
 * One upstream command, as the gateway's command log wants it. Never carries secrets:
 * no passwords, no authInfo, no frames.
 */
export interface EppCommandEvent {
  backend: string;
  /** Gateway registrar id. */
  registrarId: string;
  /** Upstream login (EPP clID). */
  clientId: string;
  /** Command name, e.g. "domain:create", "poll:req". */
  command: CommandName;
  /** Domain/host name or contact id the command concerns. */
  objectName?: string;
  clTRID: string;
  svTRID?: string;
  /** EPP result code, when a response arrived. */
  code?: number;
  /** Upstream message (secrets masked), when a response arrived. */
  message?: string;
  /** The gateway error code when the command failed (e.g. OBJECT_EXISTS, UPSTREAM_UNAVAILABLE). */
  errorCode?: string;
  /** For transport failures: whether the command may have reached the registry. */
  maybeApplied?: boolean;
  /** false when the command never reached the registry (its session was gone before the frame was written): nothing was applied. */
  sent?: boolean;
  durationMs: number;
  idempotencyKey?: string;
  operation?: string;
}
