/** Types shared across the EPP adapter: logger shape and the per-command observer event. */
import type { PortCommandEvent } from '../portable.js';

/** A pino-compatible logger (only the methods the adapter calls). */
export interface EppLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  /** Whether messages of `level` are written (pino's): frames are redacted for the debug log only when they are. */
  isLevelEnabled?(level: string): boolean;
}

/** The EppLogger that writes nothing (and says no level is enabled, so frames are never redacted for it). */
export const silentLogger: EppLogger = {
  isLevelEnabled: () => false,
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/** One upstream EPP command, as the gateway's command log wants it: the portable layer's event (it is the one that emits it). */
export type EppCommandEvent = PortCommandEvent;
