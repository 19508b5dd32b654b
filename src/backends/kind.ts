/**
 * What a backend kind provides, from its own folder src/backends/<kind>/ (go-cloud's
 * blob/memblob/memblob.go registers itself; here each kind is one entry of kinds.ts): its config
 * check, its driver factory and its in-process sandbox. Nothing else in the code base switches on
 * the kind: see "Adding a backend" in README.md.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../logger.js';
import type { Timer } from './repp/retry.js';
import type { Driver } from './driver.js';
import { ConfigError } from '../config-error.js';
import type { KeyShape } from '../config-keys.js';

/** The part of a backend config every kind shares. */
export interface BackendConfigBase {
  name: string;
  kind: string;
  /** Gateway registrar id -> the account's login; a password unless the kind reads its own credentials. */
  accounts: Record<string, { password?: string }>;
  /** Present when the gateway runs an in-process sandbox for this backend. */
  sandbox?: object;
}

/** What a kind's driver factory is given besides its config entry. */
export interface DriverDeps {
  clock: Clock;
  logger: Logger;
  /**
   * The deployment's Redis (REDIS_URL) and key prefix (REDIS_PREFIX), when configured: a kind that
   * counts something per registry account across instances keeps it there (HeadlessDomains: its
   * rate-limit shares).
   */
  redis?: { url: string; keyPrefix: string };
  /** Sleeps and time (now(): ms since the epoch) for retries and rate budgets; tests only, default the system's. */
  timer?: Timer;
}

/** What a kind's startSandbox is given: the clock, the TLDs to serve and where state may persist. */
export interface SandboxContext {
  clock: Clock;
  /** The route suffixes of this backend: the TLDs its sandbox serves. */
  tlds: string[];
  /** Where the sandbox may keep its state across restarts (`<dir>/<name>.json`), if at all. */
  state?: { dir: string; name: string };
}

/**
 * Where a sandbox keeps its TLS certificate across restarts (src/sandbox/tls-store.ts): `<dir>/tls/<kind>.json`
 * beside the sandboxes' state (a folder, so that no backend's `<name>.json` can be it); undefined without a state dir.
 * `kind`: 'epp' (the EPP sandboxes' certificate) or 'https' (the one the REPP, Joker and HeadlessDomains sandboxes share).
 */
export function sandboxTlsFile(ctx: SandboxContext, kind: 'epp' | 'https'): string | undefined {
  return ctx.state && `${ctx.state.dir}/tls/${kind}.json`;
}

/** A started sandbox: the instance (tests reach its faults and clock through it) and how to stop it. */
export interface StartedSandbox {
  instance: { stop(): Promise<void> };
  /** A few words for the start banner ("an EPP registry with contact objects"). */
  about: string;
}

/**
 * One backend kind (one entry of kinds.ts): its config keys and check (ConfigError), its driver
 * factory and its sandbox starter (README.md "Adding a backend").
 */
export interface BackendKind<C extends BackendConfigBase = BackendConfigBase> {
  kind: C['kind'];
  /**
   * The kind reads its accounts' credentials itself (HeadlessDomains: a bearer token from the
   * environment or a file, never the config file), so the config check asks no password.
   */
  ownCredentials?: boolean;
  /**
   * The keys a config entry of this kind may have, at every level (keysOf over its config type):
   * any other key in the config file is refused, naming its path (src/config-keys.ts).
   */
  configKeys: KeyShape;
  /**
   * Throws a clear message (ConfigError) for a config entry of this kind that cannot work. With
   * `opts.secrets` false (the operator commands, src/config.ts ConfigUse) it neither demands nor
   * reads the accounts' credentials (environment, token files); every other check is the same.
   */
  validate(cfg: C, opts?: { secrets?: boolean }): void;
  /** The driver that speaks this kind's protocol for one configured backend. */
  driver(cfg: C, deps: DriverDeps): Driver;
  /**
   * Starts this kind's in-process sandbox for `cfg` and points `cfg` at it (address, trust, one
   * account per sandbox registrar). Loads the sandbox code on demand: a gateway in front of real
   * registries never carries it.
   */
  startSandbox(cfg: C, ctx: SandboxContext): Promise<StartedSandbox>;
}

/**
 * The environment variable that holds one account's credential: `GATEWAY_<BACKEND>_<REGISTRAR>_<WHAT>`,
 * names upper-cased and anything but A-Z and 0-9 made `_` (README "Configuration"); `what` is
 * PASSWORD (EPP, REPP, Joker) or TOKEN (HeadlessDomains).
 */
export function credentialVariable(backend: string, registrar: string, what: 'PASSWORD' | 'TOKEN'): string {
  return ['GATEWAY', backend, registrar, what].map((p) => p.toUpperCase().replace(/[^A-Z0-9]/g, '_')).join('_');
}

/** Throws the config error for a backend base URL that is not http(s) (https for a registry; http for a local one). */
export function checkBackendUrl(backend: string, url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`config: backend "${backend}" url is not a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ConfigError(`config: backend "${backend}" url must be https (or http for a local registry)`);
}
