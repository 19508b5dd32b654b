/**
 * A bulk worker (API_ENABLED=false, config api.enabled false; README "Scaling out") beside an
 * instance that serves the API with its own runner off (BULK_ENABLED=false), on one PostgreSQL,
 * as separate processes, against one registry (an EPP sandbox in the test process, which counts
 * the renewals it applies). The worker answers /healthz, /readyz and /metrics and no GraphQL
 * (NOT_FOUND); a job submitted to the API instance is run by the worker alone (which hears of it
 * through PostgreSQL's NOTIFY, not only at its next idle look), its progress
 * reaches a subscriber of the API instance, and when the worker is killed (SIGKILL) half way
 * and started again with the same identity it finishes the job: every domain renewed exactly once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config.types.js';
import { BULK_RENEW, allItems, createDomains, followJob, startApiBesideWorkers, waitFinished, type ApiBesideWorkers } from '../helpers/bulk.js';
import type { GatewayProcesses } from '../helpers/gateway-processes.js';
import type { GatewayProcess, SharedSandbox } from '../helpers/processes.js';

const PG = process.env.TEST_DATABASE_URL;
const N = 30;
const WORKER = { API_ENABLED: 'false' };

describe.skipIf(!PG)('a bulk worker without the API beside an API instance, on PostgreSQL (skipped: set TEST_DATABASE_URL to run it)', () => {
  let procs: GatewayProcesses;
  let shared: SharedSandbox;
  let config: GatewayConfig;
  let api: GatewayProcess;
  let key: string;
  let close: () => Promise<void>;
  let submitSlowRenewals: ApiBesideWorkers['submitSlowRenewals'];

  beforeAll(async () => {
    // The API instance runs no bulk items of its own: whatever runs, the worker ran.
    ({ procs, shared, config, api, key, close, submitSlowRenewals } = await startApiBesideWorkers('rgw-worker-'));
  }, 90_000);
  afterAll(() => close?.());

  const base = (p: GatewayProcess) => p.url.replace(/\/graphql$/, '');

  it('answers /healthz, /readyz and /metrics, and any GraphQL request with NOT_FOUND, over HTTP and WebSocket', async () => {
    const worker = await procs.spawn({ config, instanceId: 'probe', env: WORKER });
    try {
      const health = await fetch(`${base(worker)}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ ok: true });
      const ready = await fetch(`${base(worker)}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { checks: Record<string, string> }).checks.database).toBe('ok');
      const metrics = await fetch(`${base(worker)}/metrics`);
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toMatch(/^# HELP rgw_upstream_commands_total /m);
      expect(text).toMatch(/^# HELP rgw_bulk_items /m);
      // No series of an API it does not serve (the API instance has them).
      const apiText = await (await fetch(`${base(api)}/metrics`)).text();
      for (const name of ['rgw_graphql_operations_total', 'rgw_graphql_operation_duration_seconds', 'rgw_subscriptions', 'rgw_document_cache_bytes']) {
        expect(text).not.toMatch(new RegExp(`^# HELP ${name} `, 'm'));
        expect(apiText).toMatch(new RegExp(`^# HELP ${name} `, 'm'));
      }
      const gql = await worker.gql(key, '{ __typename }');
      expect(gql.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(gql.errors?.[0]?.message).toMatch(/serves no GraphQL API/);
      // No WebSocket upgrade either: graphql-ws's client fails to connect.
      const { events, errors } = await followJob(worker.url.replace(/^http/, 'ws'), key, randomUUID());
      expect(events).toEqual([]);
      expect(errors.length).toBeGreaterThan(0);
      // What the worker printed: no sandbox API keys (it has no API to use them on).
      expect(worker.output()).not.toMatch(/Sandbox API keys/);
      expect(worker.output()).toMatch(/"api":false[^\n]*"msg":"gateway listening"/);
    } finally {
      await worker.stop();
    }
  }, 60_000);

  it('hears of a job submitted to the API instance at once (PostgreSQL NOTIFY): a worker whose idle look never comes runs it', async () => {
    // bulk.idleMs at the timer's limit (24.8 days): the worker's own look for work happens once, at its start.
    const worker = await procs.spawn({ config: { ...config, bulk: { ...config.bulk, idleMs: 2_147_483_647 } }, instanceId: 'listener', env: WORKER });
    try {
      const names = await createDomains(api, key, `nt${Date.now().toString(36)}`, 'tld', 3);
      const renewsBefore = shared.sandbox.applied('domain:renew');
      const submitted = await api.gql(key, BULK_RENEW, { k: randomUUID(), domains: names.map((name) => ({ name })) });
      expect(submitted.errors).toBeUndefined();
      const done = await waitFinished(api, key, submitted.data.bulkRenew.job.id);
      expect(done.counts).toEqual({ done: 3, failed: 0, pending: 0, running: 0, cancelled: 0 });
      expect(shared.sandbox.applied('domain:renew') - renewsBefore).toBe(3);
    } finally {
      await worker.stop();
    }
  }, 60_000);

  it('runs a job submitted to the API instance; killed half way and started again, it finishes the job, every domain renewed exactly once, and the API instance\'s subscriber sees each outcome', async () => {
    // Renewals applied at once, answered 150 ms later: a kill leaves renewals applied whose answers never reached the database.
    const { names, before, renewsBefore, id } = await submitSlowRenewals('wk', N);
    const followed = followJob(api.url.replace(/^http/, 'ws'), key, id);
    // Nothing runs before a worker does: the API instance's runner is off.
    expect((await api.gql(key, `query($id: ID!) { bulkJob(id: $id) { counts { pending } } }`, { id })).data.bulkJob.counts.pending).toBe(N);
    expect(shared.sandbox.applied('domain:renew')).toBe(renewsBefore);

    const worker = await procs.spawn({ config, instanceId: 'worker', env: WORKER });
    while (shared.sandbox.applied('domain:renew') - renewsBefore < N / 3) await new Promise((r) => setTimeout(r, 10));
    await worker.kill();
    const again = await procs.spawn({ config, instanceId: 'worker', env: WORKER });
    try {
      const done = await waitFinished(api, key, id);
      expect(done.counts).toEqual({ done: N, failed: 0, pending: 0, running: 0, cancelled: 0 });
      expect(shared.sandbox.applied('domain:renew') - renewsBefore).toBe(N);
      for (const n of names) expect(shared.sandbox.domain(n)!.expiresAt.getUTCFullYear()).toBe(before.get(n)! + 1);
      const items = await allItems(api, key, id);
      expect(items.every((i) => i.state === 'SUCCEEDED' && i.expiresAt)).toBe(true);
      // The restarted worker said it took its earlier life's items back.
      expect(again.output()).toMatch(/items this instance was running before it stopped/);
      const { events, errors } = await followed;
      expect(errors).toEqual([]);
      expect(events.at(-1).job.state).toBe('COMPLETED');
      const outcomes = events.flatMap((e) => e.outcomes).filter((o) => o.state === 'SUCCEEDED');
      expect(new Set(outcomes.map((o) => o.domainName))).toEqual(new Set(names));
    } finally {
      await again.stop();
    }
  }, 180_000);
});
