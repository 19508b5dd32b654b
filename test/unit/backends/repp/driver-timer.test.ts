/**
 * The REPP backend built as the gateway builds it (createBackend with DriverDeps.timer) waits out
 * a 429's Retry-After on that timer, as HeadlessDomains does: the REPP sandbox (HTTPS with a
 * client certificate, as reppKind starts it) answers one 429, and the retry's wait is the fake
 * timer's, not a real sleep.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createBackend } from '../../../../src/backends/factory.js';
import type { ReppBackendConfig } from '../../../../src/backends/repp/config.js';
import { reppKind } from '../../../../src/backends/repp/kind.js';
import type { Timer } from '../../../../src/backends/repp/retry.js';
import { FakeClock } from '../../../../src/core/clock.js';
import type { RegistryPort } from '../../../../src/core/port.js';
import { createLogger } from '../../../../src/logger.js';
import type { ReppSandbox } from '../../../../src/sandbox/repp/index.js';

const clock = new FakeClock('2026-01-01T10:00:00Z');
const slept: number[] = [];
// Time moves only when the backend sleeps on it.
const timer: Timer = { now: () => clock.now().getTime(), sleep: async (ms) => void (slept.push(ms), clock.advance(ms)) };
const cfg: ReppBackendConfig = { name: 'sandbox-repp', kind: 'repp', url: '', accounts: {}, sandbox: {} };
let sandbox: ReppSandbox;
let port: RegistryPort;

beforeAll(async () => {
  sandbox = (await reppKind.startSandbox(cfg, { clock, tlds: ['ee'] })).instance as ReppSandbox;
  port = createBackend(cfg, { clock, logger: createLogger('silent'), timer });
});
afterAll(async () => {
  await port?.close();
  await sandbox?.stop();
});

test("a 429's Retry-After is waited out on the injected timer, then the request succeeds", async () => {
  sandbox.faults.next({ route: 'balance', action: 'status', status: 429, retryAfterSeconds: 3 });
  const r = await port.balance({ registrarId: 'NewRegistrar' });
  expect(r.code).toBe(1000);
  expect(slept).toEqual([3000]);
});
