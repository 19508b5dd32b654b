/**
 * The REPP backend built as the gateway builds it (createBackend with DriverDeps.clock and .timer)
 * waits out a 429's Retry-After on that timer, as HeadlessDomains does: the REPP sandbox (HTTPS
 * with a client certificate, as reppKind starts it) answers 429s, and the retry's wait is the fake
 * timer's, not a real sleep. A Retry-After given as an HTTP date (RFC 9110 section 10.2.3) is
 * measured against the backend's clock, not the machine's: the fake clock is years after the wall
 * clock, and the sandbox writes the date on that same clock.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { createBackend } from '../../../../src/backends/factory.js';
import type { ReppBackendConfig } from '../../../../src/backends/repp/config.js';
import { reppKind } from '../../../../src/backends/repp/kind.js';
import type { Timer } from '../../../../src/backends/repp/retry.js';
import { FakeClock } from '../../../../src/core/clock.js';
import type { RegistryPort } from '../../../../src/core/port.js';
import { createLogger } from '../../../../src/logger.js';
import type { ReppSandbox } from '../../../../src/sandbox/repp/index.js';

// Years after the wall clock: a date measured against Date.now() would be a wait of years.
const clock = new FakeClock('2031-03-04T05:06:00Z');
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
beforeEach(() => {
  slept.length = 0;
  sandbox.reset();
});

test("a 429's Retry-After is waited out on the injected timer, then the request succeeds", async () => {
  sandbox.faults.next({ route: 'balance', action: 'status', status: 429, retryAfterSeconds: 3 });
  const r = await port.balance({ registrarId: 'NewRegistrar' });
  expect(r.code).toBe(1000);
  expect(slept).toEqual([3000]);
});

test('a 429 with Retry-After as an HTTP date 3 s ahead is waited out 3 s on the fake clock, then the request succeeds', async () => {
  sandbox.faults.next({ route: 'balance', action: 'status', status: 429, retryAfterSeconds: 3, retryAfterAs: 'http-date' });
  const r = await port.balance({ registrarId: 'NewRegistrar' });
  expect(r.code).toBe(1000);
  expect(slept).toEqual([3000]);
});

test('a 429 that outlasts the retries: RATE_LIMITED advising the 3 s the date says, not years', async () => {
  for (let i = 0; i < 10; i++) sandbox.faults.next({ route: 'balance', action: 'status', status: 429, retryAfterSeconds: 3, retryAfterAs: 'http-date' });
  const e = await port.balance({ registrarId: 'NewRegistrar' }).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toMatchObject({ code: 'RATE_LIMITED', message: 'registry rate limit (HTTP 429): retry after 3 s', details: { retryAfter: 3, upstreamCode: 2502 } });
  expect(slept).toEqual([3000, 3000, 3000, 3000]); // DEFAULT_RETRY: 5 attempts within 15 s
});
