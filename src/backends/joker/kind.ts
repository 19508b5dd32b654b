/** The Joker backend kind: config check, driver, in-process sandbox (src/sandbox/joker). */
import { sandboxTlsFile, type BackendKind } from '../kind.js';
import { validateJokerConfig, type JokerBackendConfig } from './config.js';
import { JokerDriver } from './joker-driver.js';
import { keysOf } from '../../config-keys.js';

/** The "joker" backend kind: config keys and check (validateJokerConfig), JokerDriver, and the in-process DMAPI sandbox (src/sandbox/joker). */
export const jokerKind: BackendKind<JokerBackendConfig> = {
  kind: 'joker',
  configKeys: keysOf<JokerBackendConfig>({
    name: 'value',
    kind: 'value',
    url: 'value',
    tls: keysOf<NonNullable<JokerBackendConfig['tls']>>({ ca: 'value', servername: 'value', rejectUnauthorized: 'value' }),
    accounts: { values: keysOf<JokerBackendConfig['accounts'][string]>({ uid: 'value', password: 'value', username: 'value', transferContact: 'value' }) },
    timeoutMs: 'value',
    monthlyTlds: 'value',
    currency: 'value',
    sandbox: keysOf<NonNullable<JokerBackendConfig['sandbox']>>({ domainDelayMs: 'value', objectDelayMs: 'value', sessionIdleMs: 'value' }),
  }),
  validate: validateJokerConfig,
  driver: (cfg, deps) => new JokerDriver(cfg, { clock: deps.clock, logger: deps.logger }),
  async startSandbox(cfg, ctx) {
    const { JokerSandbox, JOKER_SANDBOX_ACCOUNTS } = await import('../../sandbox/joker/index.js');
    const s = cfg.sandbox ?? {};
    const sandbox = new JokerSandbox({ tlds: ctx.tlds, clock: ctx.clock, domainDelayMs: s.domainDelayMs, objectDelayMs: s.objectDelayMs, sessionIdleMs: s.sessionIdleMs, tlsFile: sandboxTlsFile(ctx, 'https'), state: ctx.state });
    const a = await sandbox.start();
    cfg.url = a.url;
    cfg.monthlyTlds ??= sandbox.monthlyTlds;
    cfg.tls = { ...cfg.tls, ca: a.ca, servername: 'localhost', rejectUnauthorized: true };
    // Each reseller's seeded contact is its transfer-in contact.
    for (const r of JOKER_SANDBOX_ACCOUNTS) cfg.accounts[r.registrarId] ??= { uid: r.uid, password: r.apiKey, transferContact: r.contact };
    return { instance: sandbox, about: 'a Joker reseller account (DMAPI, asynchronous requests)' };
  },
};
