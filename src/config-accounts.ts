/**
 * Backend accounts checked against the gateway's registrars at start (src/server.ts, once the
 * configured registrars are stored): an account is keyed by a gateway registrar id
 * (`backends[].accounts`), and ids are case-sensitive, so an account under "newregistrar" was
 * taken without a word and every call of "NewRegistrar" then met FORBIDDEN ("has no account on
 * backend"). README "Configuration".
 */
import { ConfigError } from './config-error.js';
import type { Logger } from './logger.js';

/** Each backend's name and the registrar ids its configured accounts are keyed by. */
export type ConfiguredAccounts = Array<{ backend: string; registrars: string[] }>;

/**
 * Throws ConfigError for an account keyed by an id that is no registrar's but differs only in
 * case from one (`config: backend "<backend>" account "newregistrar": no registrar "newregistrar"; did
 * you mean "NewRegistrar"? (registrar ids are case-sensitive)`). An account keyed by an id no
 * registrar has in any case is a warning in the log (`backend account for an unknown registrar`,
 * with `backend` and `registrar`), not a refusal: it may be for a registrar made later
 * (`key:create --new-registrar`), and it is used as soon as that registrar exists. `known`: the
 * registrar ids of the database (the configured ones included).
 */
export function checkAccountRegistrars(accounts: ConfiguredAccounts, known: readonly string[], logger: Pick<Logger, 'warn'>): void {
  const ids = new Set(known);
  for (const { backend, registrars } of accounts) {
    for (const id of registrars) {
      if (ids.has(id)) continue;
      const same = known.find((k) => k.toLowerCase() === id.toLowerCase());
      if (same !== undefined) {
        throw new ConfigError(`config: backend "${backend}" account ${JSON.stringify(id)}: no registrar ${JSON.stringify(id)}; did you mean ${JSON.stringify(same)}? (registrar ids are case-sensitive: key the account by the registrar's id)`);
      }
      logger.warn({ backend, registrar: id }, 'backend account for an unknown registrar: no registrar has this id (not in the config file\'s registrars nor in the database), so the account is unused until one is created with it');
    }
  }
}
