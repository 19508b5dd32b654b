/**
 * A bulk runner that stops cleanly (Ctrl-C, SIGTERM: BulkRunner.stop) gives back the items it had
 * claimed and not started. Found as a bulk user: a gateway killed during a bulkRenew (kill -9)
 * left 130 items RUNNING; the restarted gateway took them back in doubt (their commands may have
 * been sent) and, stopped with Ctrl-C before it had run them all, gave the rest back PENDING. They
 * were then run as first runs: no reconciliation, the renewal sent again with the current expiry
 * it was given, refused by the registry (2004: the earlier life's renewal had been applied), and
 * the item FAILED although its domain was renewed once. An item given back now stays in doubt
 * (RUNNING under a lapsed lease, claimed from the same time), and its claim is undone (attempts).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { allItems, BULK_RENEW, createDomains, startGatewayRunnerStopped, waitFinished } from '../helpers/bulk.js';
import type { TestGateway } from '../helpers/gateway.js';

const INSTANCE = 'give-back-instance';
const N = 24;

let t: TestGateway;
let sandbox: EppSandbox;
let key: string;

beforeAll(async () => {
  // The runner is started by the test once the items it needs are in place.
  ({ t, sandbox, key } = await startGatewayRunnerStopped({ instanceId: INSTANCE, idleMs: 50, backoffMs: 20, backendConcurrency: { 'sandbox-nomulus': 1 } }));
}, 120_000);
afterAll(() => t?.close());

describe('a bulk runner stopped before it ran the items it claimed', () => {
  it('gives back items it took in doubt still in doubt: reconciled after the restart, not sent again, SUCCEEDED', async () => {
    const { prisma, bulk } = t.gateway.services;
    const names = await createDomains(t, key, `gb${Date.now().toString(36)}`, 'tld', N);
    const before = new Map(names.map((n) => [n, sandbox.domain(n)!.expiresAt.toISOString()]));
    const submitted = await t.gql(key, BULK_RENEW, { k: randomUUID(), domains: names.map((name) => ({ name, currentExpiry: before.get(name) })) });
    expect(submitted.errors).toBeUndefined();
    const jobId: string = submitted.data.bulkRenew.job.id;

    // An earlier life claimed every item, renewed every domain (the registry applied it) and was
    // killed before it wrote any outcome.
    const claimedAt = new Date(Date.now() - 1_000);
    await prisma.bulkItem.updateMany({ where: { jobId }, data: { state: 'RUNNING', holder: 'killed-instance', leaseUntil: new Date(Date.now() - 1), attempts: 1, updatedAt: claimedAt } });
    for (const name of names) {
      const r = await t.gql(key, `mutation($k: String!, $n: String!, $e: DateTimeISO!) { renewDomain(idempotencyKey: $k, input: { name: $n, currentExpiry: $e, period: { value: 1, unit: YEARS } }) { expiresAt } }`, { k: randomUUID(), n: name, e: before.get(name) });
      expect(r.errors).toBeUndefined();
    }
    const renews = sandbox.applied('domain:renew');

    // This runner takes them in doubt; its first reconciliation read is held, then it is stopped:
    // the items in flight finish, the rest of what it claimed is given back.
    const infos = sandbox.applied('domain:info');
    sandbox.faults.next({ command: 'domain:info', action: 'hold-after-apply' });
    await bulk.runner.start();
    while (sandbox.applied('domain:info') - infos < 1) await new Promise((r) => setTimeout(r, 10));
    const stopped = bulk.runner.stop();
    sandbox.faults.clear();
    await stopped;
    const givenBack = await prisma.bulkItem.count({ where: { jobId, state: { in: ['PENDING', 'RUNNING'] } } });
    expect(givenBack).toBeGreaterThan(0);

    await bulk.runner.start();
    const done = await waitFinished(t, key, jobId);
    expect(done.counts).toEqual({ done: N, failed: 0, pending: 0, running: 0, cancelled: 0 });
    expect(sandbox.applied('domain:renew')).toBe(renews); // nothing renewed again
    const items = await allItems(t, key, jobId);
    expect(items.filter((i) => i.state !== 'SUCCEEDED')).toEqual([]);
    // Each item was claimed by this runner twice at most (in doubt, then after the restart), never counted for the claim it gave back.
    expect(Math.max(...items.map((i) => i.attempts))).toBe(2);
  }, 120_000);
});
