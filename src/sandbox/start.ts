import { kindOf } from '../backends/kinds.js';
import type { StartedSandbox } from '../backends/kind.js';
import type { GatewayConfig } from '../config.types.js';
import type { Clock } from '../core/clock.js';
import { lockSandboxState } from './state-lock.js';

/** What startSandboxes() resolves: the started sandboxes and a line about each, by backend name, and stop() for all of them. */
export interface RunningSandboxes {
  /** By backend name: the sandbox instance (EppSandbox, ReppSandbox) and a few words about it. */
  sandboxes: Map<string, StartedSandbox['instance']>;
  about: Map<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts an in-process sandbox for every backend configured with `sandbox`, through its kind
 * (src/backends/kinds.ts), which points the backend at it: address, trust, one account per sandbox
 * registrar (the gateway registrar ids are the sandbox's registrar ids). With `stateDir`, a
 * sandbox that can keeps its state in `<stateDir>/<backend name>.json`, so that it matches a
 * database that outlives the process; without, it starts from its seed. The state folder is this
 * process's while its sandboxes run (lockSandboxState: two processes writing the same state files
 * would each overwrite the other's registries); a second gateway on it is refused with
 * StartupError, before any sandbox starts.
 */
export async function startSandboxes(config: GatewayConfig, clock: Clock, stateDir?: string): Promise<RunningSandboxes> {
  const sandboxes = new Map<string, StartedSandbox['instance']>();
  const about = new Map<string, string>();
  const release = stateDir !== undefined && config.backends.some((b) => b.sandbox) ? lockSandboxState(stateDir, 'another gateway with sandboxes on the same DATA_DIR', 'DATA_DIR') : () => {};
  const stop = () =>
    Promise.all([...sandboxes.values()].map((s) => s.stop()))
      .then(() => undefined)
      .finally(release);
  for (const b of config.backends) {
    if (!b.sandbox) continue;
    const tlds = config.routes.filter((r) => r.backend === b.name).map((r) => r.suffix);
    const state = stateDir === undefined ? undefined : { dir: stateDir, name: b.name };
    const started = await kindOf(b)
      .startSandbox(b, { clock, tlds, state })
      .catch(async (e: unknown) => {
        await stop();
        throw e;
      });
    sandboxes.set(b.name, started.instance);
    about.set(b.name, started.about);
  }
  return { sandboxes, about, stop };
}
