/**
 * The HTTP backends (Joker's DMAPI, HeadlessDomains) hand an account's next free connection to a
 * query before a bulk job's items (RegistryConnections, src/backends/http-exchange.ts), as the EPP
 * session pool does (test/e2e/fanout.test.ts): with the registry's answers held back by a proxy,
 * a job's requests beyond the account's four connections wait as `background`, a query sent then
 * as `interactive` (what an operator reads on /metrics, rgw_upstream_waiting), and once the
 * answers flow the query is answered while the job still runs. The in-process sandboxes behind a
 * proxy that can hold their answers.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendConfig } from '../../src/config.types.js';
import { startLatencyProxy, type LatencyProxy } from '../../src/sandbox/latency-proxy.js';
import { BULK_RENEW, waitFinished } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { seriesValue } from '../helpers/metrics.js';

let t: TestGateway;
const proxies = new Map<string, LatencyProxy>();
const run = randomUUID().slice(0, 6);

beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
  // Each HTTP registry reached through a proxy that can hold its answers (their clients connect at first use: none yet).
  for (const name of ['sandbox-joker', 'sandbox-headless']) {
    const cfg = t.gateway.services.config.backends.find((b) => b.name === name) as BackendConfig & { url: string };
    const url = new URL(cfg.url);
    const proxy = await startLatencyProxy({ host: url.hostname, port: Number(url.port) });
    proxies.set(name, proxy);
    url.hostname = proxy.host;
    url.port = String(proxy.port);
    cfg.url = url.toString().replace(/\/$/, url.pathname === '/' ? '' : '/');
  }
});
afterAll(async () => {
  await t?.close();
  for (const p of proxies.values()) await p.close();
});

const waiting = async (backend: string) => {
  const text = await (await fetch(t.gateway.url.replace(/graphql$/, 'metrics'))).text();
  return { interactive: seriesValue(text, 'rgw_upstream_waiting', { backend, class: 'interactive' }), background: seriesValue(text, 'rgw_upstream_waiting', { backend, class: 'background' }) };
};
async function until(cond: () => Promise<boolean>): Promise<void> {
  while (!(await cond())) await new Promise((r) => setTimeout(r, 20));
}

describe.each([
  ['sandbox-joker', 'joker.test'],
  ['sandbox-headless', 'hdtest'],
])('%s', (backend, tld) => {
  it("a query waits for the account's connections as interactive, ahead of the job's requests, and is answered while the job runs", async () => {
    const A = t.keys.NewRegistrar!;
    const query = `{ domain(name: "prio-${run}-query.${tld}") { name } }`;
    // The account's session and connections open (a Joker login), before the answers are held.
    const warm = await t.gql(A, query);
    expect(warm.errors, JSON.stringify(warm.errors?.[0])).toBeUndefined();
    const proxy = proxies.get(backend)!;
    // 200 names the registry does not have: each item's requests still wait for a connection (they fail once answered).
    // The submission reads the registry (its live capabilities): the answers are held once it is answered.
    const names = Array.from({ length: 200 }, (_, i) => `prio-${run}-${i}.${tld}`);
    const submitted = await t.gql(A, BULK_RENEW, { k: randomUUID(), domains: names.map((name) => ({ name })) });
    proxy.hold();
    expect(submitted.errors, JSON.stringify(submitted.errors?.[0])).toBeUndefined();
    // Four requests at the registry (the account's connections), the job's others waiting (the test's timeout bounds the wait).
    await until(async () => ((await waiting(backend)).background ?? 0) >= 8);
    expect((await waiting(backend)).interactive).toBe(0);
    const answered = t.gql(A, query);
    await until(async () => (await waiting(backend)).interactive === 1);
    const held = (await waiting(backend)).background!;
    proxy.release();
    const r = await answered;
    expect(r.errors, JSON.stringify(r.errors?.[0])).toBeUndefined();
    expect(r.data.domain).toBeNull();
    expect(held).toBeGreaterThanOrEqual(8);
    const done = await waitFinished(t, A, submitted.data.bulkRenew.job.id);
    expect(done.counts.done + done.counts.failed).toBe(200);
    expect(await waiting(backend)).toEqual({ interactive: 0, background: 0 });
  }, 120_000);
});
