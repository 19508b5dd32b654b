/** The HeadlessDomains backend kind: config check, driver, in-process sandbox (src/sandbox/headless). */
import { sandboxTlsFile, type BackendKind } from '../kind.js';
import { setSandboxToken, validateHeadlessConfig, type HeadlessBackendConfig } from './config.js';
import { HeadlessDriver } from './driver.js';

export const headlessKind: BackendKind<HeadlessBackendConfig> = {
  kind: 'headless',
  ownCredentials: true,
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
