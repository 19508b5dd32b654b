/**
 * A gateway restarted with its identity (bulk.instanceId) that finds items of its own earlier life
 * still RUNNING settles them before it loads its HTTP side (bulk.resumeFirstMs): when its API first
 * answers, those items are reconciled with the registry and written. It waits at most
 * resumeFirstMs: with the registry holding the reconciliation reads, the API still comes up and
 * the items finish afterwards. A start with nothing of its own in doubt does not wait at all, even
 * with a registry that holds every renewal of a job it runs.
 *
 * The earlier life is written into the database as a killed process leaves it (every item
 * claimed, RUNNING under the instance's name, lease running, nothing sent); the restarted
 * gateways are whole gateways (startGateway) on the same database, against one registry (an EPP
 * sandbox in the test process).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import type { BulkConfig, GatewayConfig } from '../../src/config.types.js';
import { allItems, BULK_RENEW, createDomains, waitFinished } from '../helpers/bulk.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { apiKeys, configFor, startInProcessGateway, startSharedSandbox, type InProcessGateway, type SharedSandbox } from '../helpers/processes.js';

const INSTANCE = 'resumed-instance';
const N = 8;
const JOB = 'query($id: ID!) { bulkJob(id: $id) { counts { done failed pending running cancelled } } }';

let shared: SharedSandbox;
let db: TestDatabase;
let setup: InProcessGateway;
let key: string;

const configWith = (bulk: BulkConfig): GatewayConfig =>
  configFor([shared], {
    bulk: { instanceId: INSTANCE, leaseMs: 60_000, idleMs: 50, backoffMs: 20, backendConcurrency: { 'sandbox-nomulus': 2 }, ...bulk },
    limits: { ...defaultConfig().limits, rateLimit: false },
    poll: { ...defaultConfig().poll, enabled: false },
  });

beforeAll(async () => {
  shared = await startSharedSandbox({ name: 'sandbox-nomulus', profile: 'nomulus' });
  db = await freshDatabase();
  // Creates the domains and takes the jobs; runs no item (bulk off).
  setup = await startInProcessGateway(configWith({ enabled: false, instanceId: 'setup' }), db.prisma);
  key = (await apiKeys(db.prisma, configWith({}))).NewRegistrar!;
}, 120_000);
afterAll(async () => {
  await setup?.close();
  await db?.close();
  await shared?.stop();
});

/** A bulkRenew of N fresh domains, taken by the setup gateway; `killed`: its items as the instance's killed earlier life left them. */
async function job(prefix: string, killed: boolean) {
  const names = await createDomains(setup, key, `${prefix}${Date.now().toString(36)}`, 'tld', N);
  const before = new Map(names.map((n) => [n, shared.sandbox.domain(n)!.expiresAt.getUTCFullYear()]));
  const domains = names.map((name) => ({ name, currentExpiry: shared.sandbox.domain(name)!.expiresAt.toISOString() }));
  const r = await setup.gql(key, BULK_RENEW, { k: randomUUID(), domains });
  expect(r.errors).toBeUndefined();
  const id: string = r.data.bulkRenew.job.id;
  if (killed) {
    const claimed = await db.prisma.bulkItem.updateMany({ where: { jobId: id }, data: { state: 'RUNNING', holder: INSTANCE, leaseUntil: new Date(Date.now() + 3_600_000), attempts: 1 } });
    expect(claimed.count).toBe(N);
  }
  return { id, names, before, renews: shared.sandbox.applied('domain:renew') };
}

async function expectEachRenewedOnce(gw: InProcessGateway, j: Awaited<ReturnType<typeof job>>) {
  const done = await waitFinished(gw, key, j.id); // bounded by the test's timeout
  expect(done.counts).toEqual({ done: N, failed: 0, pending: 0, running: 0, cancelled: 0 });
  expect(shared.sandbox.applied('domain:renew') - j.renews).toBe(N);
  for (const n of j.names) expect(shared.sandbox.domain(n)!.expiresAt.getUTCFullYear()).toBe(j.before.get(n)! + 1);
  expect((await allItems(gw, key, j.id)).every((i) => i.state === 'SUCCEEDED')).toBe(true);
}

describe('a restarted gateway with bulk items of its own in doubt', () => {
  it('has them reconciled, renewed once and written by the time its API first answers', async () => {
    const j = await job('first', true);
    // Every reconciliation read answered late: settling the items takes several rounds of it.
    for (let i = 0; i < N; i++) shared.sandbox.faults.next({ command: 'domain:info', action: 'delay', delayMs: 300 });
    const infos = shared.sandbox.applied('domain:info');
    const gw = await startInProcessGateway(configWith({ resumeFirstMs: 600_000 }), db.prisma);
    try {
      const first = await gw.gql(key, JOB, { id: j.id });
      expect(first.data.bulkJob.counts).toEqual({ done: N, failed: 0, pending: 0, running: 0, cancelled: 0 });
      expect(shared.sandbox.applied('domain:info') - infos).toBe(N); // each was read back before anything was sent again
      await expectEachRenewedOnce(gw, j);
    } finally {
      shared.sandbox.faults.clear();
      await gw.close();
    }
  }, 90_000);

  it('still starts its API after bulk.resumeFirstMs when the registry holds the reconciliation reads; the items finish afterwards', async () => {
    const j = await job('capped', true);
    for (let i = 0; i < N; i++) shared.sandbox.faults.next({ command: 'domain:info', action: 'hold-after-apply' });
    const gw = await startInProcessGateway(configWith({ resumeFirstMs: 300 }), db.prisma);
    try {
      const health = await fetch(gw.url.replace(/graphql$/, 'healthz'));
      expect(health.status).toBe(200);
      const first = await gw.gql(key, JOB, { id: j.id });
      expect(first.data.bulkJob.counts.running).toBe(N); // none could be reconciled yet
      shared.sandbox.faults.clear(); // answers the held reads
      await expectEachRenewedOnce(gw, j);
    } finally {
      shared.sandbox.faults.clear();
      await gw.close();
    }
  }, 90_000);

  it('does not wait at a start with nothing of its own in doubt, even while the registry holds every renewal of a job it runs', async () => {
    const j = await job('pending', false);
    for (let i = 0; i < N; i++) shared.sandbox.faults.next({ command: 'domain:renew', action: 'hold-after-apply' });
    // A cap that would outlast the test: only a start that does not wait gets past it.
    const gw = await startInProcessGateway(configWith({ resumeFirstMs: 600_000 }), db.prisma);
    try {
      const first = await gw.gql(key, JOB, { id: j.id });
      expect(first.errors).toBeUndefined();
      expect(first.data.bulkJob.counts.done).toBe(0); // the renewals are held: nothing finished before the API answered
      shared.sandbox.faults.clear();
      await expectEachRenewedOnce(gw, j);
    } finally {
      shared.sandbox.faults.clear();
      await gw.close();
    }
  }, 90_000);
});
