import type { EppBackendConfig, GatewayConfig } from '../config.types.js';
import type { Clock } from '../core/clock.js';
import { EppSandbox, SANDBOX_REGISTRARS } from './epp/index.js';

export interface RunningSandboxes {
  sandboxes: Map<string, EppSandbox>;
  stop(): Promise<void>;
}

/**
 * Starts an in-process sandbox for every backend configured with `sandbox`, and points that
 * backend at it: host, port, the sandbox's CA, and one account per sandbox registrar (the
 * gateway registrar ids are the sandbox's client ids).
 */
export async function startSandboxes(config: GatewayConfig, clock: Clock): Promise<RunningSandboxes> {
  const sandboxes = new Map<string, EppSandbox>();
  for (const b of config.backends) {
    if (b.kind !== 'epp' || !b.sandbox) continue;
    const tlds = config.routes.filter((r) => r.backend === b.name).map((r) => r.suffix);
    const sandbox = new EppSandbox({ profile: b.sandbox.profile, tlds, clock, transferPeriodMs: b.sandbox.transferPeriodMs, host: '127.0.0.1', port: 0 });
    const { host, port, ca } = await sandbox.start();
    sandboxes.set(b.name, sandbox);
    pointAt(b, host, port, ca);
  }
  return {
    sandboxes,
    async stop() {
      await Promise.all([...sandboxes.values()].map((s) => s.stop()));
    },
  };
}

function pointAt(b: EppBackendConfig, host: string, port: number, ca: string) {
  b.host = host;
  b.port = port;
  b.tls = { ...b.tls, ca, rejectUnauthorized: true, servername: 'localhost' };
  for (const r of SANDBOX_REGISTRARS) {
    b.accounts[r.clientId] ??= { clientId: r.clientId, password: r.password };
  }
}
