import type { EppBackendConfig, GatewayConfig } from '../config.types.js';
import type { Clock } from '../core/clock.js';
import type { EppSandbox } from './epp/index.js';

export interface RunningSandboxes {
  sandboxes: Map<string, EppSandbox>;
  stop(): Promise<void>;
}

/**
 * Starts an in-process sandbox for every backend configured with `sandbox`, and points that
 * backend at it: host, port, the sandbox's CA, and one account per sandbox registrar (the
 * gateway registrar ids are the sandbox's client ids). With `stateDir`, each sandbox keeps its
 * state in `<stateDir>/<backend name>.json` (see epp/state-file.ts), so that it matches a
 * database that outlives the process; without, it starts from its seed.
 */
export async function startSandboxes(config: GatewayConfig, clock: Clock, stateDir?: string): Promise<RunningSandboxes> {
  const sandboxes = new Map<string, EppSandbox>();
  const wanted = config.backends.filter((b) => b.kind === 'epp' && b.sandbox);
  // Loaded only when wanted: a gateway in front of real registries never carries sandbox code.
  const { EppSandbox, SANDBOX_REGISTRARS } = wanted.length ? await import('./epp/index.js') : ({} as never);
  for (const b of wanted) {
    if (!b.sandbox) continue;
    const tlds = config.routes.filter((r) => r.backend === b.name).map((r) => r.suffix);
    const state = stateDir === undefined ? undefined : { dir: stateDir, name: b.name };
    const sandbox = new EppSandbox({ profile: b.sandbox.profile, tlds, clock, transferPeriodMs: b.sandbox.transferPeriodMs, host: '127.0.0.1', port: 0, state });
    sandboxes.set(b.name, sandbox);
    const { host, port, ca } = await sandbox.start().catch(async (e: unknown) => {
      await Promise.all([...sandboxes.values()].map((s) => s.stop()));
      throw e;
    });
    pointAt(b, host, port, ca, SANDBOX_REGISTRARS);
  }
  return {
    sandboxes,
    async stop() {
      await Promise.all([...sandboxes.values()].map((s) => s.stop()));
    },
  };
}

function pointAt(b: EppBackendConfig, host: string, port: number, ca: string, registrars: ReadonlyArray<{ clientId: string; password: string }>) {
  b.host = host;
  b.port = port;
  b.tls = { ...b.tls, ca, rejectUnauthorized: true, servername: 'localhost' };
  for (const r of registrars) {
    b.accounts[r.clientId] ??= { clientId: r.clientId, password: r.password };
  }
}
