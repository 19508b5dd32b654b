/**
 * Registry sandboxes whose work a test can hold: HeadlessDomains (backend applies) and Joker
 * (queued requests). A change made while the sandbox holds is answered and read as pending
 * whatever the machine's load, instead of racing a delay; released, it is applied at the
 * sandbox's next request.
 */
import type { HeadlessBackendConfig } from '../../src/backends/headless/config.js';
import type { JokerBackendConfig } from '../../src/backends/joker/config.js';
import type { HeadlessSandbox } from '../../src/sandbox/headless/index.js';
import type { JokerSandbox } from '../../src/sandbox/joker/index.js';
import { startTestGateway, type TestGateway } from './gateway.js';

/** A sandbox with hold() (keep whatever it would apply or process pending) and release() (end that). */
export interface HoldableSandbox {
  hold(): void;
  release(): void;
}

/**
 * Runs `fn` while `sandbox` holds, and releases it afterwards, also when `fn` throws; resolves or
 * rejects as `fn` does. What fell due meanwhile is applied at the sandbox's next request.
 */
export async function whileHeld<T>(sandbox: HoldableSandbox, fn: () => Promise<T>): Promise<T> {
  sandbox.hold();
  try {
    return await fn();
  } finally {
    sandbox.release();
  }
}

/** The holdable sandboxes of the zero-setup config, by backend kind: their sandbox settings and class. */
interface Holdable {
  headless: { settings: NonNullable<HeadlessBackendConfig['sandbox']>; sandbox: HeadlessSandbox };
  joker: { settings: NonNullable<JokerBackendConfig['sandbox']>; sandbox: JokerSandbox };
}

/** What startGatewayWithHoldableSandbox returns. */
export interface GatewayWithHoldableSandbox<S extends HoldableSandbox> {
  /** The whole gateway (startTestGateway); t.close() ends it. */
  t: TestGateway;
  /** NewRegistrar's API key. */
  key: string;
  /** The in-process sandbox of the backend asked for (hold(), release(), and its own test methods). */
  sandbox: S;
}

/**
 * Starts the zero-setup test gateway (startTestGateway: a fresh database, every registry sandbox
 * in process over TLS, an API key per sandbox registrar) with its poller every `pollIntervalMs`
 * and the first backend of `kind` given the sandbox settings `sandbox` (give it no delay, e.g.
 * `{ applyDelayMs: 0 }` or `{ domainDelayMs: 0 }`, so its work is done at once unless held with
 * whileHeld). Returns the gateway, NewRegistrar's key and that backend's sandbox. Cleans up
 * nothing itself: the caller closes the gateway (`t.close()`: gateway, sandboxes, database).
 */
export async function startGatewayWithHoldableSandbox<K extends keyof Holdable>(
  kind: K,
  opts: { pollIntervalMs: number; sandbox: Holdable[K]['settings'] },
): Promise<GatewayWithHoldableSandbox<Holdable[K]['sandbox']>> {
  let name = '';
  const t = await startTestGateway({
    configure: (c) => {
      c.poll.intervalMs = opts.pollIntervalMs;
      const backend = c.backends.find((b) => b.kind === kind) as HeadlessBackendConfig | JokerBackendConfig | undefined;
      if (!backend) throw new Error(`the zero-setup config has no ${kind} backend`);
      backend.sandbox = opts.sandbox;
      name = backend.name;
    },
  });
  return { t, key: t.keys.NewRegistrar!, sandbox: t.gateway.sandboxes.sandboxes.get(name) as Holdable[K]['sandbox'] };
}
