/**
 * A REPP backend's config (gateway.config.json `backends[]` entry with `kind: "repp"`). Passwords
 * may come from the environment like every account's (GATEWAY_<BACKEND>_<REGISTRAR>_PASSWORD).
 */
import { checkBackendUrl } from '../kind.js';
import type { RetryPolicy } from './retry.js';
import { ConfigError } from '../../config-error.js';
import { timerMs } from '../../config-settings.js';

/** One registrar's REPP login: the API user and its password (HTTP Basic; the password may come from GATEWAY_<BACKEND>_<REGISTRAR>_PASSWORD). */
export interface ReppAccountConfig {
  /** The API user (REPP document, "Authentication"). */
  username: string;
  password: string;
}

/** A `kind: "repp"` backend entry of gateway.config.json (keys listed in reppKind.configKeys; README "Configuration"); checked by validateReppConfig (ConfigError). */
export interface ReppBackendConfig {
  name: string;
  kind: 'repp';
  /** Base URL; the document's paths go after it (https://repp.internet.ee, https://testrepp.internet.ee). */
  url: string;
  tls?: {
    /** PEM of the CA that signed the registry's certificate (a path or the PEM itself). */
    ca?: string;
    /** The client certificate and key the registry issued (the ones used for EPP). */
    cert?: string;
    key?: string;
    servername?: string;
    rejectUnauthorized?: boolean;
  };
  /** Gateway registrar id -> API user. */
  accounts: Record<string, ReppAccountConfig>;
  /** How long one request may wait for its answer, in ms. Default 30000. */
  timeoutMs?: number;
  /** Retries of 429/503 (default: 15 s budget, 500 ms first delay, doubling to 8 s, 5 attempts). */
  retry?: Partial<RetryPolicy>;
  /** The registry's time zone for its calendar dates. Default Europe/Tallinn. */
  timeZone?: string;
  /** Registrant changes and deletions sent as verified by the registrant. Default true. */
  verified?: boolean;
  /**
   * Most domains one bulk request carries (bulk renew, bulk transfer, bulk name server change):
   * a bulk job's items go to REPP in chunks of this many. The document sets no limit; the default,
   * 200, is its own page size for lists ("limit ... 200"). Default 200.
   */
  bulkLimit?: number;
  /** When set, the gateway starts an in-process REPP sandbox for this backend and points `url` at it. */
  sandbox?: { registrantReplyMs?: number };
}

/** Whether `zone` is a time zone name the runtime's Intl knows ("Europe/Tallinn"; not "", not "Europe/Talinn"). */
function knownTimeZone(zone: unknown): boolean {
  if (typeof zone !== 'string' || zone === '') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Config errors that keep a gateway from starting (ConfigError naming the backend and setting):
 * among them a timeoutMs (1 or more) or retry.budgetMs, baseDelayMs or maxDelayMs (0 or more) that
 * is not whole milliseconds up to MAX_TIMER_MS (timerMs): the first is each request's setTimeout,
 * the others bound the setTimeout of the wait between retries.
 */
export function validateReppConfig(b: ReppBackendConfig): void {
  if (!b.sandbox) checkBackendUrl(b.name, b.url);
  if (b.timeoutMs !== undefined) timerMs(b.timeoutMs, `backend "${b.name}" timeoutMs`);
  for (const key of ['budgetMs', 'baseDelayMs', 'maxDelayMs'] as const) {
    const v = b.retry?.[key];
    if (v !== undefined) timerMs(v, `backend "${b.name}" retry.${key}`, { min: 0 });
  }
  if (b.bulkLimit !== undefined && (!Number.isInteger(b.bulkLimit) || b.bulkLimit < 1)) throw new ConfigError(`config: backend "${b.name}" bulkLimit must be a whole number, 1 or more`);
  // The registry's calendar (exp_date, renewals' new expiry): a zone the runtime does not know would
  // fail only after a renewal was sent, leaving it unreported.
  if (b.timeZone !== undefined && !knownTimeZone(b.timeZone)) throw new ConfigError(`config: backend "${b.name}" timeZone must be an IANA time zone name, such as "Europe/Tallinn"`);
  for (const [registrar, a] of Object.entries(b.accounts)) {
    if (!a.username) throw new ConfigError(`config: backend "${b.name}" account "${registrar}" has no username`);
  }
}
