/**
 * A HeadlessDomains backend's config (gateway.config.json `backends[]` entry with `kind:
 * "headless"`), and where each account's bearer token comes from. The token is the secret of a
 * Partners API key with the `registrar_api` profile, bound to the registrar's channel (document,
 * "Prerequisites" 2). It is read from the environment or from a file, never from the config file
 * (document, "Prerequisites" 4: tokens are kept out of public logs), and never written anywhere.
 */
import { readFileSync } from 'node:fs';
import { checkBackendUrl, credentialVariable } from '../kind.js';
import { ConfigError } from '../../config-error.js';
import { timerMs } from '../../config-settings.js';

/** One registrar's HeadlessDomains account: its channel id and where its bearer token comes from (tokenFile, else GATEWAY_<BACKEND>_<REGISTRAR>_TOKEN); never a token in the file. */
export interface HeadlessAccountConfig {
  /** The registrar channel the account's key is bound to (HeadlessDomains Partners); the sponsor id of its domains. */
  channelId?: string;
  /** A file holding the bearer token (its first line). Else GATEWAY_<BACKEND>_<REGISTRAR>_TOKEN. */
  tokenFile?: string;
  /** Not accepted: see tokenFile. Declared so that a config carrying one is refused clearly. */
  password?: string;
  token?: never;
}

/** A `kind: "headless"` backend entry of gateway.config.json (keys listed in headlessKind.configKeys; README "Configuration"); checked by validateHeadlessConfig (ConfigError). */
export interface HeadlessBackendConfig {
  name: string;
  kind: 'headless';
  /** Base URL the document's paths go after: https://partners.headlessdomains.com/api/v1/registrar/v1 */
  url: string;
  tls?: { ca?: string; servername?: string; rejectUnauthorized?: boolean };
  /** Gateway registrar id -> where its token comes from. */
  accounts: Record<string, HeadlessAccountConfig>;
  /** How long one request may wait for its answer, in ms. Default 30000. */
  timeoutMs?: number;
  /** How long a request may wait for its share of the rate limit, or out the registry's 429s, in all, in ms. Default 15000. */
  rateLimitBudgetMs?: number;
  /**
   * The registry's per-key limit as the gateway shares it out (src/backends/headless/budget.ts):
   * `limit` requests per `windowSeconds` (used until GET /status reports the key's own, which
   * replaces them), of which `pollerShare` (a fraction, at most 0.5; at least one request) is
   * reserved for the poller, paced over the window. Default { limit: 600, windowSeconds: 60, pollerShare: 0.1 }.
   */
  rateLimit?: { limit?: number; windowSeconds?: number; pollerShare?: number };
  /** Concurrent checks of one checkDomains (one name per request). Default 4. */
  checkConcurrency?: number;
  /** This backend is a sandbox: the sandboxReset mutation is accepted for it. */
  sandboxReset?: boolean;
  /** When set, the gateway starts an in-process HeadlessDomains sandbox and points `url` at it. */
  sandbox?: { applyDelayMs?: number; rateLimit?: { limit: number; windowMs: number } };
}

/** The environment variable that holds an account's token. */
export function tokenVariable(backend: string, registrarId: string): string {
  return credentialVariable(backend, registrarId, 'TOKEN');
}

/** Tokens the in-process sandbox issued, by account config object (never serialised with the config). */
const sandboxTokens = new WeakMap<HeadlessAccountConfig, string>();

/** Keeps the token the in-process sandbox issued for `account` in memory beside it (readToken prefers it); never written to the config. */
export function setSandboxToken(account: HeadlessAccountConfig, token: string): void {
  sandboxTokens.set(account, token);
}

/**
 * The account's bearer token: the sandbox's, else the environment's, else the file's first line.
 * Throws (naming the variable and file, never a value) when there is none.
 */
export function readToken(cfg: HeadlessBackendConfig, registrarId: string, env: NodeJS.ProcessEnv = process.env): string {
  const a = cfg.accounts[registrarId];
  const fromSandbox = sandboxTokens.get(a);
  if (fromSandbox) return fromSandbox;
  const v = env[tokenVariable(cfg.name, registrarId)];
  if (v && v.trim()) return v.trim();
  if (a.tokenFile) {
    let text: string;
    try {
      text = readFileSync(a.tokenFile, 'utf8');
    } catch (e) {
      throw new ConfigError(`config: backend "${cfg.name}" account "${registrarId}": token file cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const t = text.split(/\r?\n/)[0].trim();
    if (t) return t;
  }
  throw new ConfigError(`config: backend "${cfg.name}" account "${registrarId}" has no bearer token (set ${tokenVariable(cfg.name, registrarId)} or accounts.${registrarId}.tokenFile)`);
}

/**
 * Config errors that keep a gateway from starting (ConfigError naming the backend and setting:
 * timeoutMs, each request's setTimeout, 1 or more, and rateLimitBudgetMs, which bounds the
 * setTimeout of each wait for the rate limit, 0 or more, whole milliseconds up to MAX_TIMER_MS:
 * timerMs); with `opts.secrets` false (an operator command, which never calls the registry) an
 * account's token is not looked for.
 */
export function validateHeadlessConfig(b: HeadlessBackendConfig, opts: { secrets?: boolean } = {}): void {
  if (!b.sandbox) checkBackendUrl(b.name, b.url);
  if (b.timeoutMs !== undefined) timerMs(b.timeoutMs, `backend "${b.name}" timeoutMs`);
  if (b.rateLimitBudgetMs !== undefined) timerMs(b.rateLimitBudgetMs, `backend "${b.name}" rateLimitBudgetMs`, { min: 0 });
  for (const [registrar, a] of Object.entries(b.accounts)) {
    if ('token' in a || 'password' in a) {
      throw new ConfigError(`config: backend "${b.name}" account "${registrar}": bearer tokens are never read from the config file; set ${tokenVariable(b.name, registrar)} or tokenFile`);
    }
    if (!b.sandbox && opts.secrets !== false) readToken(b, registrar);
  }
}
