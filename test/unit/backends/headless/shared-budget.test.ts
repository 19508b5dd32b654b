/**
 * The HeadlessDomains rate-limit shares across gateway instances (src/backends/headless/budget.ts):
 * two backends built the way the gateway builds them (createBackend, with the deployment's Redis
 * and key prefix as src/server.ts passes them) on one key of one sandbox, over real sockets. With
 * Redis their requests together stay within the requests' share of each window and the registry
 * answers no 429; with in-memory budgets (no Redis, or before the shares were shared) each spends
 * the whole share and the registry answers 429. While Redis does not answer, each instance still
 * keeps its own share, and says so in the log once. Time is a fake clock (the sandbox's windows
 * and the budgets' alike), so nothing here depends on how fast the machine is.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { setSandboxToken, type HeadlessAccountConfig, type HeadlessBackendConfig } from '../../../../src/backends/headless/config.js';
import { createBackend } from '../../../../src/backends/factory.js';
import { FakeClock } from '../../../../src/core/clock.js';
import { GatewayError, UpstreamRateLimitedError } from '../../../../src/core/errors.js';
import type { RegistryPort } from '../../../../src/core/port.js';
import { createLogger, type Logger } from '../../../../src/logger.js';
import { HeadlessSandbox } from '../../../../src/sandbox/headless/index.js';
import { REDIS, redisUp } from '../../../helpers/redis.js';


const clock = new FakeClock('2026-06-11T12:00:00Z');
// 40 requests per 30 s window per key: 4 for the poller (one every 7.5 s), 36 for requests.
const sandbox = new HeadlessSandbox({ clock, registrars: ['acme'], applyDelayMs: 0, rateLimit: { limit: 40, windowMs: 30_000 } });
const acme = { registrarId: 'acme' };
const accounts: Record<string, HeadlessAccountConfig> = {};
let url = '';
// The budgets' time is the sandbox's clock; a wait moves it (none happens: rateLimitBudgetMs 0 answers at once).
const timer = { now: () => clock.now().getTime(), sleep: async (ms: number) => clock.advance(ms) };
// One prefix per run: the fake clock's windows are the same in every run, Redis keeps keys a window long.
const keyPrefix = `rgw-test:${randomUUID()}:`;
const opened: RegistryPort[] = [];

/** A backend as src/server.ts builds it: with the deployment's Redis and prefix when `redisUrl` is given. */
function instance(redisUrl: string | undefined, logger: Logger = createLogger('silent')): RegistryPort {
  const cfg: HeadlessBackendConfig = { name: 'hd', kind: 'headless', url, accounts, rateLimitBudgetMs: 0 };
  const b = createBackend(cfg, { clock, logger, timer, redis: redisUrl ? { url: redisUrl, keyPrefix } : undefined });
  opened.push(b);
  return b;
}

/** What the sandbox counted for acme's key while `fn` ran. */
async function counted(fn: () => Promise<unknown>): Promise<{ requests: number; rateLimited: number }> {
  const before = sandbox.traffic('acme');
  await fn();
  const after = sandbox.traffic('acme');
  return { requests: after.requests - before.requests, rateLimited: after.rateLimited - before.rateLimited };
}

/** As an instance starts: GET /status (the capabilities, which carry the key's limit), then a check of one name. */
async function warm(b: RegistryPort, i: number): Promise<void> {
  await b.capabilities(acme);
  await b.checkDomains(acme, [`warm-${i}.hdtest`]);
}

/** Each instance checks `n` names at once (one request each), both at the same time; answers the refusals. */
async function burst(instances: RegistryPort[], n: number): Promise<{ checked: number; refused: GatewayError[] }> {
  let checked = 0;
  const refused: GatewayError[] = [];
  await Promise.all(
    instances.flatMap((b, i) =>
      Array.from({ length: n }, (_, j) => b.checkDomains(acme, [`burst-${i}-${j}.hdtest`]).then(() => void checked++, (e: GatewayError) => void refused.push(e))),
    ),
  );
  return { checked, refused };
}

beforeAll(async () => {
  url = (await sandbox.start()).url;
  for (const r of sandbox.registrars) setSandboxToken((accounts[r.registrarId] = { channelId: r.channelId }), r.token);
});
afterAll(async () => {
  await Promise.all(opened.map((b) => b.close()));
  await sandbox.stop();
});
beforeEach(() => {
  clock.advance(30_000); // a fresh rate-limit window, at the sandbox and in the budgets
});

describe('HeadlessDomains rate-limit shares across instances', () => {
  test.skipIf(!redisUp)('with Redis (needs Redis at TEST_REDIS_URL, default 127.0.0.1:6379): two instances together stay within the requests share; the registry answers no 429', async () => {
    const one = instance(REDIS);
    const two = instance(REDIS);
    let result!: { checked: number; refused: GatewayError[] };
    const sent = await counted(async () => {
      // Each reads GET /status (the key's limit) and checks one name, then both check 30 names at once.
      await warm(one, 1);
      await warm(two, 2);
      result = await burst([one, two], 30);
    });
    expect(sent).toEqual({ requests: 36, rateLimited: 0 });
    expect(result.checked).toBe(32); // 36 - 2 GET /status - 2 warm-up checks
    expect(result.refused).toHaveLength(60 - 32);
    for (const e of result.refused) {
      expect(e).toBeInstanceOf(UpstreamRateLimitedError);
      expect(e.message).not.toContain('HTTP 429'); // refused by the gateway, never sent
    }
    // The poller's share is untouched by the requests, and counted across the instances too: one GET /poll per 7.5 s step between them.
    const polls = await counted(async () => {
      await expect(one.pollRequest(acme)).resolves.toMatchObject({ code: expect.any(Number) });
      await expect(two.pollRequest(acme)).rejects.toBeInstanceOf(UpstreamRateLimitedError);
      clock.advance(7_500);
      await expect(two.pollRequest(acme)).resolves.toMatchObject({ code: expect.any(Number) });
    });
    expect(polls).toEqual({ requests: 2, rateLimited: 0 });

    // The keys name the backend, the account and the lane, never the bearer token.
    const redis = new Redis(REDIS);
    try {
      const keys = await redis.keys(`${keyPrefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      for (const k of keys) expect(k).toMatch(new RegExp(`^${keyPrefix}hdrate:hd:acme:(requests|poller):\\d+\\+\\d+$`));
      const token = sandbox.registrars.find((r) => r.registrarId === 'acme')!.token;
      expect(keys.join(' ')).not.toContain(token);
    } finally {
      redis.disconnect();
    }
  });

  test('in-memory budgets (no Redis): each instance spends the whole requests share, so together they meet the registry 429', async () => {
    const one = instance(undefined);
    const two = instance(undefined);
    const sent = await counted(async () => {
      await warm(one, 1);
      await warm(two, 2);
      await burst([one, two], 30);
    });
    // Each instance allowed itself 2 + 30 (within its own 36): 64 sent, the registry served 40.
    expect(sent).toEqual({ requests: 40, rateLimited: 24 });
  });

  test('Redis not answering: each instance keeps its own share (insurance limiter) and logs it once, without the token or the Redis URL', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    const unreachable = 'redis://:s3cret-pw@127.0.0.1:1'; // nothing listens on port 1
    const one = instance(unreachable, logger);
    let result!: { checked: number; refused: GatewayError[] };
    const sent = await counted(async () => {
      await warm(one, 1);
      result = await burst([one], 40);
    });
    expect(sent).toEqual({ requests: 36, rateLimited: 0 });
    expect(result.checked).toBe(34);
    const warnings = lines.map((l) => JSON.parse(l) as { level: number; msg: string; backend: string }).filter((l) => /Redis unavailable/.test(l.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, backend: 'hd' });
    const token = sandbox.registrars.find((r) => r.registrarId === 'acme')!.token;
    expect(lines.join('\n')).not.toContain(token);
    expect(lines.join('\n')).not.toContain('s3cret-pw');
  });
});
