/**
 * A bulk job bigger than a registry's rate-limit window slows down to the window; it does not fail
 * its items. A bulk-tool trial: 300 HeadlessDomains renewals after another client had spent the
 * key's window (600 requests a minute) ended with an item FAILED `RATE_LIMITED` after its 8
 * attempts (bulk.maxAttempts), most items needing 6 or 7: each refusal took an attempt and waited
 * a back-off that ignored the `retryAfter` it came with. Now a rate limit is no attempt: the item
 * waits for `retryAfter` and runs again, its `attempts` counting only runs the registry could
 * process. Here the sandbox's window is 4 requests a second, the gateway waits for none of it
 * within a request (rateLimitBudgetMs 0) and gives an item 2 attempts: 12 renewals all succeed,
 * each once, each item's attempts 1.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HeadlessSandbox } from '../../src/sandbox/headless/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { allItems, BULK_RENEW, waitFinished } from '../helpers/bulk.js';

const N = 12;
let t: TestGateway;
let A: string;
let hd: HeadlessSandbox;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.enabled = false;
      c.bulk = { backoffMs: 50, maxAttempts: 2, idleMs: 50 };
      const h = c.backends.find((b) => b.kind === 'headless') as unknown as { rateLimitBudgetMs?: number; sandbox?: { applyDelayMs?: number; rateLimit?: { limit: number; windowMs: number } } };
      h.rateLimitBudgetMs = 0;
      h.sandbox = { ...h.sandbox, applyDelayMs: 0, rateLimit: { limit: 4, windowMs: 1_000 } };
    },
  });
  A = t.keys.NewRegistrar!;
  hd = t.gateway.sandboxes.sandboxes.get('sandbox-headless') as HeadlessSandbox;
}, 60_000);
afterAll(() => t?.close());

/** createDomain as a client does it under a rate limit: the same key again after the `retryAfter` it is told. */
async function create(name: string): Promise<string> {
  const k = randomUUID();
  for (;;) {
    const r = await t.gql(A, 'mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Rate-Pw-2026" }) { domain { expiresAt } } }', { k, n: name });
    const e = r.errors?.[0]?.extensions;
    if (e?.code !== 'RATE_LIMITED') {
      expect(r.errors).toBeUndefined();
      return r.data.createDomain.domain.expiresAt;
    }
    await new Promise((res) => setTimeout(res, (e.retryAfter as number) * 1000));
  }
}

it('renews every domain once, items slowed to the window instead of failed, attempts not spent on refusals', async () => {
  const run = randomUUID().slice(0, 8);
  const domains: Array<{ name: string; currentExpiry: string }> = [];
  for (let i = 0; i < N; i++) {
    const name = `rl-${run}-${i}.hdtest`;
    domains.push({ name, currentExpiry: (await create(name)).slice(0, 10) });
  }
  const limited = hd.traffic('NewRegistrar').rateLimited;
  const r = await t.gql(A, BULK_RENEW, { k: randomUUID(), domains });
  expect(r.errors).toBeUndefined();
  const job = await waitFinished(t, A, r.data.bulkRenew.job.id);
  expect(job.counts).toMatchObject({ done: N, failed: 0 });
  const items = await allItems(t, A, r.data.bulkRenew.job.id);
  expect(items.map((i) => [i.state, i.attempts, i.error])).toEqual(Array.from({ length: N }, () => ['SUCCEEDED', 1, null]));
  // The limit did refuse some (the gateway's share, or the registry's 429), and each domain moved one year.
  const refused = hd.traffic('NewRegistrar').rateLimited - limited;
  expect(refused + (await t.gateway.services.prisma.commandLog.count({ where: { operation: 'bulkRenew', resultCode: null, sent: false } }))).toBeGreaterThan(0);
  for (const d of domains) expect(hd.registration(d.name)!.lifecycle.expires_at!.slice(0, 4)).toBe(String(Number(d.currentExpiry.slice(0, 4)) + 1));
}, 120_000);
