/** The HeadlessDomains backend kind: config check, driver, in-process sandbox (src/sandbox/headless). */
import { sandboxTlsFile, type BackendKind } from '../kind.js';
import { setSandboxToken, validateHeadlessConfig, type HeadlessBackendConfig } from './config.js';
import { HeadlessDriver } from './driver.js';
import { keysOf } from '../../config-keys.js';

/** The "headless" backend kind: config keys and check (tokens from the environment or a file only), HeadlessDriver, and the in-process HeadlessDomains sandbox (src/sandbox/headless). */
export const headlessKind: BackendKind<HeadlessBackendConfig> = {
  kind: 'headless',
  ownCredentials: true,
  configKeys: keysOf<HeadlessBackendConfig>({
    name: 'value',
    kind: 'value',
    url: 'value',
    tls: keysOf<NonNullable<HeadlessBackendConfig['tls']>>({ ca: 'value', servername: 'value', rejectUnauthorized: 'value' }),
    // password and token are refused by validate with their own message (never in the file).
    accounts: { values: keysOf<HeadlessBackendConfig['accounts'][string]>({ channelId: 'value', tokenFile: 'value', password: 'value', token: 'value' }) },
    timeoutMs: 'value',
    rateLimitBudgetMs: 'value',
    rateLimit: keysOf<NonNullable<HeadlessBackendConfig['rateLimit']>>({ limit: 'value', windowSeconds: 'value', pollerShare: 'value' }),
    checkConcurrency: 'value',
    sandboxReset: 'value',
    sandbox: keysOf<NonNullable<HeadlessBackendConfig['sandbox']>>({ applyDelayMs: 'value', rateLimit: keysOf<NonNullable<NonNullable<HeadlessBackendConfig['sandbox']>['rateLimit']>>({ limit: 'value', windowMs: 'value' }) }),
  }),
  validate: validateHeadlessConfig,
  driver: (cfg, deps) => new HeadlessDriver(cfg, { clock: deps.clock, logger: deps.logger, redis: deps.redis, timer: deps.timer }),
  async startSandbox(cfg, ctx) {
    const { HeadlessSandbox } = await import('../../sandbox/headless/index.js');
    const { certificates } = await import('../../sandbox/repp/tls.js');
    const c = await certificates(sandboxTlsFile(ctx, 'https'));
    const sandbox = new HeadlessSandbox({ tlds: ctx.tlds, clock: ctx.clock, tls: { key: c.key, cert: c.cert }, applyDelayMs: cfg.sandbox?.applyDelayMs, rateLimit: cfg.sandbox?.rateLimit });
    const a = await sandbox.start();
    cfg.url = a.url;
    cfg.tls = { ...cfg.tls, ca: c.cert, servername: 'localhost', rejectUnauthorized: true };
    cfg.sandboxReset = true;
    for (const r of sandbox.registrars) {
      const account = (cfg.accounts[r.registrarId] ??= { channelId: r.channelId });
      account.channelId ??= r.channelId;
      // The token stays in memory, beside the config object, never in it.
      setSandboxToken(account, r.token);
    }
    return { instance: sandbox, about: 'HeadlessDomains registrar API v1 (HTTPS + JSON, bearer tokens)' };
  },
};
