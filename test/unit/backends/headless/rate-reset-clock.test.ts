/**
 * A HeadlessDomains 429 that advises no delay (no Retry-After, no retry_after_seconds) is waited
 * out until the window's reset GET /status reported, measured on the gateway's clock, not the
 * machine's: on a fake clock years away from the wall clock the wait is the rest of the window.
 * The sandbox answers through a relay that drops both advices; its rate limit is met by a second
 * instance on the same key spending its share (no Redis), as in shared-budget.test.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { setSandboxToken, type HeadlessAccountConfig, type HeadlessBackendConfig } from '../../../../src/backends/headless/config.js';
import { HeadlessDriver } from '../../../../src/backends/headless/index.js';
import { PortableBackend } from '../../../../src/backends/portable.js';
import { FakeClock } from '../../../../src/core/clock.js';
import { HeadlessSandbox } from '../../../../src/sandbox/headless/index.js';

const clock = new FakeClock('2031-03-04T05:06:00Z');
// 40 requests per 30 s window: 36 for requests, 4 for the poller in each instance's budget.
const sandbox = new HeadlessSandbox({ clock, registrars: ['acme'], rateLimit: { limit: 40, windowMs: 30_000 } });
const acme = { registrarId: 'acme' };
const accounts: Record<string, HeadlessAccountConfig> = {};
const slept: number[] = [];
const timer = { now: () => clock.now().getTime(), sleep: async (ms: number) => void (slept.push(ms), clock.advance(ms)) };
let relay: http.Server;
let url = '';
const ports: PortableBackend[] = [];

function instance(): PortableBackend {
  const cfg: HeadlessBackendConfig = { name: 'hd', kind: 'headless', url, accounts, rateLimitBudgetMs: 60_000 };
  const p = new PortableBackend(new HeadlessDriver(cfg, { clock, timer }), { clock });
  ports.push(p);
  return p;
}

beforeAll(async () => {
  const upstream = (await sandbox.start()).url.replace(/\/$/, '');
  for (const r of sandbox.registrars) setSandboxToken((accounts[r.registrarId] = { channelId: r.channelId }), r.token);
  relay = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)) as [string, string][]);
    const answer = await fetch(upstream + req.url, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    const body = (await answer.json()) as { error?: Record<string, unknown> };
    if (body.error) delete body.error.retry_after_seconds;
    // No Retry-After: only the status and the JSON go back.
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await Promise.all(ports.map((p) => p.close()));
  await new Promise((r) => relay?.close(r));
  await sandbox.stop();
});

test("a 429 without advice waits until the reported reset on the gateway's clock, then the request is served", async () => {
  const one = instance();
  const two = instance();
  await one.capabilities(acme); // GET /status: the limit and the window's reset
  await two.capabilities(acme);
  for (let i = 0; i < 35; i++) await two.checkDomains(acme, [`two-${i}.hdtest`]); // two's whole requests share
  const before = sandbox.traffic('acme');
  // one still has its own share; the registry has 40 - 37 = 3 left in this window.
  for (let i = 0; i < 4; i++) await one.checkDomains(acme, [`one-${i}.hdtest`]);
  const after = sandbox.traffic('acme');
  expect(after.rateLimited - before.rateLimited).toBe(1);
  expect(slept).toHaveLength(1);
  expect(slept[0]).toBeGreaterThan(0);
  expect(slept[0]).toBeLessThanOrEqual(30_000);
});
