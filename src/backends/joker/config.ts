/**
 * A Joker backend's config (gateway.config.json `backends[]` entry with `kind: "joker"`). The
 * account's secret may come from the environment like every account's
 * (GATEWAY_<BACKEND>_<REGISTRAR>_PASSWORD).
 */
import { ConfigError } from '../../config-error.js';
import { timerMs } from '../../config-settings.js';

/** One reseller account at Joker: its UID, the API key (or password with `username`) for DMAPI "login", and an optional transfer-in contact handle. */
export interface JokerAccountConfig {
  /** The reseller's Joker user id (login's "UID"): the sponsor id domains show. */
  uid: string;
  /** With `username`: the account's password; without it: the DMAPI API key (document, "login"). */
  password: string;
  /** The web login, when logging in by username and password instead of an API key. */
  username?: string;
  /**
   * The contact handle used as admin-c, tech-c and billing-c of a transfer-in, which DMAPI
   * requires and the gateway's transfer request does not carry (domain-transfer-in-reseller).
   */
  transferContact?: string;
}

/** A `kind: "joker"` backend entry of gateway.config.json (keys listed in jokerKind.configKeys; README "Configuration"); checked by validateJokerConfig (ConfigError). */
export interface JokerBackendConfig {
  name: string;
  kind: 'joker';
  /** Base URL; requests go to <url>/request/<name> (https://dmapi.joker.com). TLS only. */
  url: string;
  tls?: {
    /** PEM of the CA that signed the server certificate, for a private CA (the sandbox). */
    ca?: string;
    servername?: string;
    rejectUnauthorized?: boolean;
  };
  /** Gateway registrar id -> reseller account. */
  accounts: Record<string, JokerAccountConfig>;
  /** How long one request may wait for its answer, in ms. Default 30000. */
  timeoutMs?: number;
  /**
   * TLDs whose periods may be any number of months (DMAPI periods are MONTHS; most registries take
   * whole years). A period that is not whole years on any other TLD is BAD_USER_INPUT before
   * anything is sent. Default none.
   */
  monthlyTlds?: string[];
  /** Currency of Account-Balance. Default EUR. */
  currency?: string;
  /** When set, the gateway starts an in-process Joker sandbox for this backend and points `url` at it. */
  sandbox?: { domainDelayMs?: number; objectDelayMs?: number; sessionIdleMs?: number };
}

/**
 * Config errors that keep a gateway from starting (ConfigError naming the backend and setting;
 * timeoutMs, each request's setTimeout, whole milliseconds from 1 to MAX_TIMER_MS: timerMs); with
 * `opts.secrets` false (an operator command, which never calls the registry) an account's password
 * is not demanded.
 */
export function validateJokerConfig(b: JokerBackendConfig, opts: { secrets?: boolean } = {}): void {
  if (b.timeoutMs !== undefined) timerMs(b.timeoutMs, `backend "${b.name}" timeoutMs`);
  if (!b.sandbox) {
    let u: URL;
    try {
      u = new URL(b.url);
    } catch {
      throw new ConfigError(`config: backend "${b.name}" url is not a URL`);
    }
    if (u.protocol !== 'https:') throw new ConfigError(`config: backend "${b.name}" url must be https (DMAPI accepts TLS only)`);
  }
  for (const [registrar, a] of Object.entries(b.accounts)) {
    if (!a.uid) throw new ConfigError(`config: backend "${b.name}" account "${registrar}" has no uid (the reseller's Joker user id)`);
    if (!a.password && opts.secrets !== false) throw new ConfigError(`config: backend "${b.name}" account "${registrar}" has no password or API key`);
  }
}
