/**
 * A gateway restarted with the identity it had (a fixed bulk.instanceId, or the embedded
 * database's 'embedded') takes back every item its earlier life held, however many claims that
 * takes. Those items are RUNNING under the same holder name the new process uses: the new process
 * must renew the leases of only the items it claimed itself, or an item it has not claimed yet
 * when its first lease renewal runs keeps a live lease for good, is never claimed again and its
 * job never finishes (seen with bench/bulk.mjs item 4: items RUNNING for ever after the restart,
 * their leases renewed by the new process, no idempotency record).
 *
 * The earlier life is written into the database as a killed process leaves it (every item
 * claimed, RUNNING, lease running, nothing sent); the restarted runner's first claim takes part of
 * them, whose reconciliation reads the registry holds until a lease renewal has run.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { allItems, BULK_RENEW, createDomains, startGatewayRunnerStopped, waitFinished } from '../helpers/bulk.js';
import type { TestGateway } from '../helpers/gateway.js';

const INSTANCE = 'restarted-instance';
/** More items than the runner claims at once (64 at this concurrency): a second claim is needed. */
const N = 80;

let t: TestGateway;
let sandbox: EppSandbox;
let key: string;

beforeAll(async () => {
  // The runner is started by the test once the items it needs are in place.
  ({ t, sandbox, key } = await startGatewayRunnerStopped({ instanceId: INSTANCE, leaseMs: 1_500, idleMs: 50, backoffMs: 20, backendConcurrency: { 'sandbox-nomulus': 2 } }));
}, 120_000);
afterAll(() => t?.close());

describe('a bulk runner restarted with its identity', () => {
  it('takes back every item its earlier life held, also those its first claim left, and renews each domain once', async () => {
    const { prisma } = t.gateway.services;
    const names = await createDomains(t, key, `own${Date.now().toString(36)}`, 'tld', N);
    const before = new Map(names.map((n) => [n, sandbox.domain(n)!.expiresAt.getUTCFullYear()]));
    const domains = names.map((name) => ({ name, currentExpiry: sandbox.domain(name)!.expiresAt.toISOString() }));
    const submitted = await t.gql(key, BULK_RENEW, { k: randomUUID(), domains });
    expect(submitted.errors).toBeUndefined();
    const jobId: string = submitted.data.bulkRenew.job.id;

    // The earlier life (same identity) had claimed every item and was killed before sending any.
    const claimed = await prisma.bulkItem.updateMany({ where: { jobId }, data: { state: 'RUNNING', holder: INSTANCE, leaseUntil: new Date(Date.now() + 3_600_000), attempts: 1 } });
    expect(claimed.count).toBe(N);

    // The restarted runner's first claim takes some of them in doubt; their reconciliation reads
    // (domain:info) are held, so the lane does not claim again until a lease renewal has run.
    const infos = sandbox.applied('domain:info');
    const renews = sandbox.applied('domain:renew');
    for (let i = 0; i < 8; i++) sandbox.faults.next({ command: 'domain:info', action: 'hold-after-apply' });
    await t.gateway.services.bulk.runner.start();
    while (sandbox.applied('domain:info') - infos < 2) await new Promise((r) => setTimeout(r, 10));
    const leaseOfClaimed = async () =>
      (await prisma.bulkItem.aggregate({ where: { jobId, state: 'RUNNING', attempts: 2 }, _max: { leaseUntil: true } }))._max.leaseUntil!.getTime();
    const claimedUntil = await leaseOfClaimed();
    const firstClaim = await prisma.bulkItem.count({ where: { jobId, attempts: 2 } });
    expect(firstClaim).toBeGreaterThan(0);
    expect(firstClaim).toBeLessThan(N); // some are left for a later claim
    while ((await leaseOfClaimed()) <= claimedUntil) await new Promise((r) => setTimeout(r, 20)); // a renewal ran
    sandbox.faults.clear(); // answers the held reads, drops the faults not used

    const done = await waitFinished(t, key, jobId); // bounded by the test's timeout
    expect(done.counts).toEqual({ done: N, failed: 0, pending: 0, running: 0, cancelled: 0 });
    expect(sandbox.applied('domain:renew') - renews).toBe(N);
    for (const n of names) expect(sandbox.domain(n)!.expiresAt.getUTCFullYear()).toBe(before.get(n)! + 1);
    const items = await allItems(t, key, jobId);
    expect(items.every((i) => i.state === 'SUCCEEDED' && i.attempts === 2)).toBe(true);
  }, 90_000);

  it('opens the sessions the items it takes back run on before it claims them: per registrar, at most what the lane runs at once', async () => {
    const { prisma, router, bulk } = t.gateway.services;
    await bulk.runner.stop();
    // Two registrars' jobs, submitted while no runner runs, then held by the earlier life.
    const jobs: Array<{ registrar: string; jobId: string; names: string[]; before: Map<string, number> }> = [];
    for (const [registrar, n] of [['NewRegistrar', 5], ['TheRegistrar', 1]] as const) {
      const k = t.keys[registrar]!;
      const names = await createDomains(t, k, `prep${n}${Date.now().toString(36)}`, 'tld', n);
      const before = new Map(names.map((name) => [name, sandbox.domain(name)!.expiresAt.getUTCFullYear()]));
      const submitted = await t.gql(k, BULK_RENEW, { k: randomUUID(), domains: names.map((name) => ({ name, currentExpiry: sandbox.domain(name)!.expiresAt.toISOString() })) });
      expect(submitted.errors).toBeUndefined();
      jobs.push({ registrar, jobId: submitted.data.bulkRenew.job.id, names, before });
    }
    const held = await prisma.bulkItem.updateMany({ where: { jobId: { in: jobs.map((j) => j.jobId) } }, data: { state: 'RUNNING', holder: INSTANCE, leaseUntil: new Date(Date.now() + 3_600_000), attempts: 1 } });
    expect(held.count).toBe(6);

    const prepare = vi.spyOn(router.named('sandbox-nomulus'), 'prepare');
    const claim = vi.spyOn(bulk.store, 'claim');
    try {
      await bulk.runner.start();
      // The lane runs 2 at once (its concurrency, and the sandbox account's 2 sessions): 5 items need 2 sessions, 1 item 1.
      expect(prepare.mock.calls).toEqual([
        ['NewRegistrar', 2],
        ['TheRegistrar', 1],
      ]);
      await vi.waitFor(() => expect(claim).toHaveBeenCalled());
      expect(prepare.mock.invocationCallOrder[1]!).toBeLessThan(claim.mock.invocationCallOrder[0]!);
      for (const j of jobs) {
        const done = await waitFinished(t, t.keys[j.registrar]!, j.jobId);
        expect(done.counts).toEqual({ done: j.names.length, failed: 0, pending: 0, running: 0, cancelled: 0 });
        for (const n of j.names) expect(sandbox.domain(n)!.expiresAt.getUTCFullYear()).toBe(j.before.get(n)! + 1);
      }
    } finally {
      prepare.mockRestore();
      claim.mockRestore();
    }
  }, 90_000);
});
