/** The REPP backend kind: config check, driver, in-process sandbox (src/sandbox/repp). */
import { sandboxTlsFile, type BackendKind } from '../kind.js';
import { validateReppConfig, type ReppBackendConfig } from './config.js';
import { ReppDriver } from './repp-driver.js';
import { keysOf } from '../../config-keys.js';
import type { RetryPolicy } from './retry.js';

/** The "repp" backend kind: config keys and check (validateReppConfig), ReppDriver, and the in-process REPP sandbox over HTTPS with a client certificate (src/sandbox/repp). */
export const reppKind: BackendKind<ReppBackendConfig> = {
  kind: 'repp',
  configKeys: keysOf<ReppBackendConfig>({
    name: 'value',
    kind: 'value',
    url: 'value',
    tls: keysOf<NonNullable<ReppBackendConfig['tls']>>({ ca: 'value', cert: 'value', key: 'value', servername: 'value', rejectUnauthorized: 'value' }),
    accounts: { values: keysOf<ReppBackendConfig['accounts'][string]>({ username: 'value', password: 'value' }) },
    timeoutMs: 'value',
    retry: keysOf<RetryPolicy>({ budgetMs: 'value', baseDelayMs: 'value', maxDelayMs: 'value', maxAttempts: 'value' }),
    timeZone: 'value',
    verified: 'value',
    bulkLimit: 'value',
    sandbox: keysOf<NonNullable<ReppBackendConfig['sandbox']>>({ registrantReplyMs: 'value' }),
  }),
  validate: validateReppConfig,
  driver: (cfg, deps) => new ReppDriver(cfg, { clock: deps.clock, timer: deps.timer, logger: deps.logger }),
  async startSandbox(cfg, ctx) {
    const { ReppSandbox, REPP_SANDBOX_ACCOUNTS } = await import('../../sandbox/repp/index.js');
    // HTTPS with a client certificate, as the registry asks for (REPP document, "Authentication").
    const sandbox = new ReppSandbox({ tlds: ctx.tlds, clock: ctx.clock, tls: { clientCertificate: true }, registrantReplyMs: cfg.sandbox?.registrantReplyMs, tlsFile: sandboxTlsFile(ctx, 'https') });
    const a = await sandbox.start();
    cfg.url = a.url;
    cfg.tls = { ...cfg.tls, ca: a.ca, cert: a.clientCert, key: a.clientKey, servername: 'localhost', rejectUnauthorized: true };
    for (const r of REPP_SANDBOX_ACCOUNTS) cfg.accounts[r.registrarId] ??= { username: r.username, password: r.password };
    return { instance: sandbox, about: 'the Estonian registry (REPP, REST + JSON)' };
  },
};
