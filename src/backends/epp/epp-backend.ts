/**
 * The EPP backend: the portable layer (src/backends/portable.ts) over the EPP driver, as the
 * gateway and the tests build it from an EPP backend config.
 */
import type { Clock } from '../../core/clock.js';
import type { EppBackendConfig } from '../../config.types.js';
import { PortableBackend } from '../portable.js';
import { EppDriver } from './epp-driver.js';
import type { EppCommandEvent, EppLogger } from './types.js';

/** EppBackend's options: the portable layer's (clock, command-log hooks, clTRID prefix) and the session queue's bounds. */
export interface EppBackendOptions {
  clock?: Clock;
  logger?: EppLogger;
  /** Called once per upstream command attempt (never with secrets); for the gateway's command log. */
  onCommand?: (e: EppCommandEvent) => void;
  /**
   * Awaited just before a command that carries an idempotency key (a mutation) is sent, so the
   * command log holds it even if the process stops before the answer; a failure here sends nothing.
   */
  onCommandStart?: (e: EppCommandEvent) => Promise<void>;
  /** clTRID prefix (default: "GW" + 6 random hex digits). */
  clTRIDPrefix?: string;
  /** Callers that may wait for a session per account (default 100). */
  maxQueue?: number;
  /** How long a caller may wait for a session (default 60 s). */
  queueTimeoutMs?: number;
}

/** The EPP backend as one object: PortableBackend over an EppDriver for `config` (RFC 5730-5734 over TLS). */
export class EppBackend extends PortableBackend {
  declare readonly driver: EppDriver;

  constructor(config: EppBackendConfig, opts: EppBackendOptions = {}) {
    super(new EppDriver(config, opts), opts);
  }
}
