/**
 * A gateway whose Redis is down logs it once per component (poll events, rate limit, the
 * HeadlessDomains shares) with the error, not once per reconnection attempt, and says once when
 * it is back; /readyz stays ready (200) meanwhile, naming Redis as degraded. Redis sits behind a TCP front the test controls:
 * while "down" it resets every connection (ioredis sees ECONNRESET and retries), while "up" it
 * pipes to the machine's Redis. "A few retry cycles" is counted in connections the front refused,
 * not in time.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { RedisFront, redisUp } from '../helpers/redis.js';

type Line = { level: number; msg: string; err?: string };
const lines: Line[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});
const aboutRedis = (l: Line) => /redis/i.test(l.msg);

const front = new RedisFront('down');

let t: TestGateway;
let readyz: string;
beforeAll(async () => {
  const url = await front.start();
  t = await startTestGateway({
    logger: pino({ level: 'info' }, sink),
    configure: (c) => {
      c.poll.enabled = false;
      c.redisUrl = url;
      c.redisPrefix = `rgw-test-${randomUUID().slice(0, 8)}:`;
    },
  });
  readyz = t.gateway.url.replace(/graphql$/, 'readyz');
}, 60_000);
afterAll(async () => {
  await t?.close();
  await front.close();
});

describe('Redis down', () => {
  it('is logged once per component, with the error, however many reconnection attempts fail; /readyz stays 200, naming Redis as degraded', async () => {
    await front.refusedAtLeast(30); // every connection of every component has been refused several times
    const res = await fetch(readyz);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { checks: { redis: string }; degraded?: string[] };
    expect(body.checks.redis).toMatch(/^unavailable/);
    expect(body.degraded).toEqual(['redis']);
    await front.refusedAtLeast(front.refused + 10);

    const warnings = lines.filter((l) => l.level === 40 && aboutRedis(l));
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.length).toBeLessThanOrEqual(3); // poll events, rate limit, HeadlessDomains shares: one each
    expect(new Set(warnings.map((w) => w.msg)).size).toBe(warnings.length);
    for (const w of warnings) expect(w.err).toMatch(/ECONNRESET|closed|refused/i);
    // What the warnings say about readiness is what /readyz answered above (it said 503 while /readyz answered 200).
    const pollEvents = warnings.find((w) => w.msg.startsWith('poll events:'));
    expect(pollEvents?.msg).toContain('/readyz stays 200 meanwhile, naming it in degraded: ["redis"]');
    for (const w of warnings) expect(w.msg).not.toContain('503');
    expect(lines.filter(aboutRedis).length).toBe(warnings.length);
    expect(lines.map((l) => JSON.stringify(l)).join('\n')).not.toContain(t.gateway.services.config.redisUrl);
  }, 60_000);

  it.skipIf(!redisUp)('is back: said once per component, /readyz no longer names it degraded (needs Redis at TEST_REDIS_URL, default 127.0.0.1:6379)', async () => {
    const warningsBefore = lines.filter((l) => l.level === 40 && aboutRedis(l)).length;
    front.set('up');
    while (((await (await fetch(readyz)).json()) as { checks: { redis: string } }).checks.redis !== 'ok') await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await (await fetch(readyz)).json()).toEqual({ ready: true, checks: { database: 'ok', redis: 'ok' } });
    // Every component's connections are up: the readiness check covers poll events only, so wait for the others' lines.
    while (lines.filter((l) => l.level === 30 && /Redis is back/i.test(l.msg)).length < warningsBefore) await new Promise((resolve) => setTimeout(resolve, 50));
    const back = lines.filter((l) => l.level === 30 && /Redis is back/i.test(l.msg));
    expect(back).toHaveLength(warningsBefore);
    expect(new Set(back.map((l) => l.msg)).size).toBe(back.length);
    expect(lines.filter((l) => l.level === 40 && aboutRedis(l))).toHaveLength(warningsBefore);
  }, 60_000);
});
