/**
 * A bulk item taken over in doubt from another instance is looked up when it runs, not on the
 * word of the claim that took it. BulkStore.claim says, for each item it takes over RUNNING,
 * whether its key has an idempotency record; but the instance that held it may still be alive
 * (its lease lapsed while it stalled) and write that record between this runner's claim and the
 * item's run (a later attempt of the item runs through IdempotencyService.run, which writes the
 * key's record itself; a late settle no longer writes the record of an item its instance does not
 * hold: test/unit/bulk/store-settle.test.ts). Here that other instance's run is a renewal the registry refused
 * (clientRenewProhibited, lifted right after), its FAILED record written right after this runner's
 * claim statement answered. The item must end with that refusal, replayed, and no renewal sent:
 * run on the claim's word, it was reconciled with the registry (expiry unchanged: not applied) and
 * renewed, although its key's answer was the refusal.
 *
 * Items of this instance's own earlier life (the same identity, its process gone: lapsed by the
 * runner's start) are run on the claim's word, and reconciled without a lookup of each key.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { itemKey, type ClaimedItem } from '../../src/bulk/store.js';
import { renewDomain } from '../../src/operations/domain/renew-domain.js';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { allItems, BULK_RENEW, createDomains, startGatewayRunnerStopped, waitFinished } from '../helpers/bulk.js';
import type { TestGateway } from '../helpers/gateway.js';

const INSTANCE = 'this-instance';
const BACKEND = 'sandbox-nomulus';
const UPDATE = `mutation($k: String!, $input: UpdateDomainInput!) { updateDomain(idempotencyKey: $k, input: $input) { domain { name } } }`;

let t: TestGateway;
let sandbox: EppSandbox;
let key: string;

beforeAll(async () => {
  // The runner is started by the test once the items it needs are in place.
  ({ t, sandbox, key } = await startGatewayRunnerStopped({ instanceId: INSTANCE, leaseMs: 1_500, idleMs: 50, backoffMs: 20, backendConcurrency: { [BACKEND]: 2 } }));
}, 120_000);
afterAll(async () => {
  vi.restoreAllMocks();
  await t?.close();
});

/** Submits a renewal of `names` (runner stopped: its items stay PENDING) and marks every item RUNNING under `holder`, as that holder's claim left them. */
async function heldBy(names: string[], holder: string, leaseUntil: Date) {
  const { prisma } = t.gateway.services;
  const domains = names.map((name) => ({ name, currentExpiry: sandbox.domain(name)!.expiresAt.toISOString() }));
  const submitted = await t.gql(key, BULK_RENEW, { k: randomUUID(), domains });
  expect(submitted.errors).toBeUndefined();
  const jobId: string = submitted.data.bulkRenew.job.id;
  const claimed = await prisma.bulkItem.updateMany({ where: { jobId }, data: { state: 'RUNNING', holder, leaseUntil, attempts: 1 } });
  expect(claimed.count).toBe(names.length);
  return jobId;
}

describe('a bulk item taken over in doubt', () => {
  it("from this instance's earlier life: run on the claim's word, no lookup of its key; renewed once", async () => {
    const { idempotency, bulk } = t.gateway.services;
    const names = await createDomains(t, key, `life${Date.now().toString(36)}`, 'tld', 3);
    const years = names.map((n) => sandbox.domain(n)!.expiresAt.getUTCFullYear());
    const jobId = await heldBy(names, INSTANCE, new Date(Date.now() + 3_600_000));
    const lookups = vi.spyOn(idempotency, 'hasRecord');
    const renews = sandbox.applied('domain:renew');

    await bulk.runner.start();
    const done = await waitFinished(t, key, jobId); // bounded by the test's timeout
    expect(done.counts).toMatchObject({ done: 3, failed: 0 });
    expect(lookups).not.toHaveBeenCalled();
    expect(sandbox.applied('domain:renew') - renews).toBe(3);
    names.forEach((n, i) => expect(sandbox.domain(n)!.expiresAt.getUTCFullYear()).toBe(years[i]! + 1));
    lookups.mockRestore();
  }, 90_000);

  it('from another instance, whose refused run writes its record after the claim: the refusal is replayed, no renewal sent', async () => {
    const { prisma, router, idempotency, clock, config, bulk } = t.gateway.services;
    await bulk.runner.stop(); // the job's item is not claimed before the other instance holds it
    const [name] = await createDomains(t, key, `other${Date.now().toString(36)}`, 'tld', 1);
    const expiry = sandbox.domain(name!)!.expiresAt;
    // The registry refuses renewals of the domain while the other instance's run is sent.
    expect((await t.gql(key, UPDATE, { k: randomUUID(), input: { name, add: { statuses: ['clientRenewProhibited'] } } })).errors).toBeUndefined();
    const jobId = await heldBy([name!], 'other-instance', new Date(Date.now() - 1_000)); // its lease lapsed
    const job = await prisma.bulkJob.findUniqueOrThrow({ where: { id: jobId } });
    const itemKeyOf = itemKey(job.idempotencyKey, 0);

    // Right after this runner's claim answered (it read no record for the key), the other
    // instance's run ends: refused, its record written; then the status is lifted.
    const realClaim = bulk.store.claim.bind(bulk.store);
    let refused: unknown;
    vi.spyOn(bulk.store, 'claim').mockImplementation(async (...args) => {
      const items: ClaimedItem[] = await realClaim(...args);
      if (refused === undefined && items.some((i) => i.jobId === jobId)) {
        expect(items.find((i) => i.jobId === jobId)!.inDoubt).toMatchObject({ ownHolder: false, recorded: false });
        const env = { router, prisma, idempotency, clock, config };
        const actor = { registrarId: 'NewRegistrar', idempotencyKey: itemKeyOf, cause: 'bulkRenew' };
        refused = await renewDomain(env, actor, { name: name!, period: { value: 1, unit: 'y' }, currentExpiry: expiry }, 'period', 'currentExpiry').then(
          () => null,
          (e: unknown) => e,
        );
        const lifted = await t.gql(key, UPDATE, { k: randomUUID(), input: { name, remove: { statuses: ['clientRenewProhibited'] } } });
        expect(lifted.errors).toBeUndefined();
      }
      return items;
    });
    const renews = sandbox.applied('domain:renew');

    await bulk.runner.start();
    const done = await waitFinished(t, key, jobId);
    expect(refused).toMatchObject({ code: 'STATUS_PROHIBITS_OPERATION' }); // the other instance's run: refused
    expect((await prisma.idempotencyRecord.findFirstOrThrow({ where: { idempotencyKey: itemKeyOf } })).state).toBe('FAILED');
    expect(done.counts).toMatchObject({ done: 0, failed: 1 });
    const [item] = await allItems(t, key, jobId);
    expect(item).toMatchObject({ state: 'FAILED', error: { code: 'STATUS_PROHIBITS_OPERATION' } });
    expect(sandbox.applied('domain:renew') - renews).toBe(0);
    expect(sandbox.domain(name!)!.expiresAt.toISOString()).toBe(expiry.toISOString());
  }, 90_000);
});
