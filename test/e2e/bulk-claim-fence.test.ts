/**
 * A bulk runner whose claim on an item lapsed, and was taken by another holder, does not send the
 * item's command (exactly once under stalls). The gateway's runner ('runner-a') claims a renewal
 * item whose command waits for the registrar's one session (a read whose answer the EPP sandbox
 * holds); the runner's database statements then stall (its lease renewals never answer, its claims
 * find nothing), the item's lease lapses in the database and another holder ('runner-b') claims it,
 * as another instance does. When the session frees, the first runner must send nothing and write
 * no outcome for the item: the item stays RUNNING under its new holder, the registry applied no
 * renewal and the domain's expiry did not move.
 * - refused by the fence: its last confirmation is older than half a lease, so it renews the
 *   item's claim first, and that statement finds the item taken;
 * - refused from memory: a renewal that ran after the takeover did not return the item, so the
 *   runner dropped it before the command's turn came.
 * The wait for the lapse is a wait for the database's state; what holds the command is the
 * sandbox's hold, and what stalls the runner is its store's statements held back.
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EppBackendConfig } from '../../src/config.types.js';
import { BulkStore } from '../../src/bulk/store.js';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { BULK_RENEW, createDomains } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const BACKEND = 'sandbox-nomulus';
const INFO = `query($name: String!) { domain(name: $name) { name } }`;
const TAKEN_AT_SEND = /claim of an item was taken by another instance before its command was sent/;
const TAKEN_AT_RENEWAL = /claims found taken by another instance/;

let t: TestGateway;
let sandbox: EppSandbox;
let key: string;
const lines: string[] = [];

beforeAll(async () => {
  t = await startTestGateway({
    logger: pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) }),
    configure: (c) => {
      c.bulk = { instanceId: 'runner-a', leaseMs: 1_000, idleMs: 50, backoffMs: 20, backendConcurrency: { [BACKEND]: 1 } };
      c.poll = { ...c.poll, enabled: false };
      c.limits.rateLimit = false;
      // One session per registrar: a read held there keeps the item's command waiting.
      const backend = c.backends.find((b) => b.name === BACKEND) as EppBackendConfig;
      backend.poolSize = 1;
    },
  });
  sandbox = t.gateway.sandboxes.sandboxes.get(BACKEND) as EppSandbox;
  key = t.keys['NewRegistrar']!;
}, 120_000);
afterAll(async () => {
  vi.restoreAllMocks();
  sandbox?.faults.release();
  await t?.close();
});

/**
 * Holds the registrar's one session (a domain read the sandbox answers on release), submits a
 * renewal of `name` and waits until runner-a holds its item; then stalls runner-a's statements
 * (renewals never answer, claims find nothing), waits until the item's lease lapsed in the
 * database and has 'runner-b' claim it. Returns the job, the held read, and the stalls (restore them).
 */
async function takenWhileWaiting(name: string, busy: string) {
  const { prisma, bulk } = t.gateway.services;
  const infos = sandbox.applied('domain:info');
  sandbox.faults.next({ command: 'domain:info', action: 'hold-after-apply' });
  const holding = t.gql(key, INFO, { name: busy });
  await expect.poll(() => sandbox.applied('domain:info'), { timeout: 10_000 }).toBe(infos + 1);

  const currentExpiry = sandbox.domain(name)!.expiresAt.toISOString();
  const submitted = await t.gql(key, BULK_RENEW, { k: randomUUID(), domains: [{ name, currentExpiry }] });
  expect(submitted.errors).toBeUndefined();
  const jobId: string = submitted.data.bulkRenew.job.id;
  const item = () => prisma.bulkItem.findFirstOrThrow({ where: { jobId } });
  await expect.poll(async () => (await item()).holder, { timeout: 10_000 }).toBe('runner-a');

  const renewals = vi.spyOn(bulk.store, 'renewLeases').mockImplementation(() => new Promise(() => {}));
  const claims = vi.spyOn(bulk.store, 'claim').mockResolvedValue([]);
  const lapsed = async () => (await prisma.$queryRaw<Array<{ lapsed: boolean }>>`SELECT lease_until < now() AS lapsed FROM bulk_items WHERE job_id = ${jobId}`)[0]!.lapsed;
  await expect.poll(lapsed, { timeout: 10_000, interval: 50 }).toBe(true);
  const taken = await new BulkStore(prisma).claim('runner-b', BACKEND, 10, 600_000);
  expect(taken.map((i) => ({ job: i.jobId, name: i.name, inDoubt: i.inDoubt?.ownHolder }))).toEqual([{ job: jobId, name, inDoubt: false }]);
  return { jobId, item, holding, renewals, claims, currentExpiry };
}

/** Releases the held read, waits until runner-a's run of the item ended (refused, or sent), and checks that it sent nothing. */
async function releaseAndCheck(s: Awaited<ReturnType<typeof takenWhileWaiting>>, name: string, renews: number) {
  sandbox.faults.release();
  expect((await s.holding).errors).toBeUndefined();
  await expect.poll(() => TAKEN_AT_SEND.test(lines.join('')) || sandbox.applied('domain:renew') > renews, { timeout: 10_000 }).toBe(true);
  await t.gateway.services.bulk.runner.flush();
  expect(sandbox.applied('domain:renew') - renews).toBe(0);
  expect(sandbox.domain(name)!.expiresAt.toISOString()).toBe(s.currentExpiry);
  // No outcome from runner-a: the item is runner-b's, untouched; no record of its key was kept.
  expect(await s.item()).toMatchObject({ state: 'RUNNING', holder: 'runner-b', attempts: 2, error: null, result: null });
  expect(await t.gateway.services.prisma.idempotencyRecord.count({ where: { idempotencyKey: { startsWith: 'bulk:' } } })).toBe(0);
}

describe('a bulk item whose claim lapsed and was taken by another holder', () => {
  it('is not sent by the first runner: its fence (one renewal of the claim) finds the item taken', async () => {
    const [busy, name] = await createDomains(t, key, `fence${Date.now().toString(36)}`, 'tld', 2);
    const renews = sandbox.applied('domain:renew');
    const s = await takenWhileWaiting(name!, busy!);
    await releaseAndCheck(s, name!, renews);
    expect(lines.join('')).not.toMatch(TAKEN_AT_RENEWAL); // no renewal landed: the fence found it
    s.renewals.mockRestore();
    s.claims.mockRestore();
  }, 60_000);

  it('is not sent by the first runner once a renewal found it taken', async () => {
    lines.length = 0;
    const [busy, name] = await createDomains(t, key, `renew${Date.now().toString(36)}`, 'tld', 2);
    const renews = sandbox.applied('domain:renew');
    const s = await takenWhileWaiting(name!, busy!);
    // runner-a's renewals land again (its claims still find nothing): the next one misses the item.
    s.renewals.mockRestore();
    const renewals = vi.spyOn(t.gateway.services.bulk.store, 'renewLeases');
    await expect.poll(() => renewals.mock.results.length, { timeout: 10_000 }).toBeGreaterThan(0);
    await renewals.mock.results[0]!.value;
    renewals.mockRestore();
    await releaseAndCheck(s, name!, renews);
    expect(lines.join('')).toMatch(TAKEN_AT_RENEWAL);
    s.claims.mockRestore();
  }, 60_000);
});
