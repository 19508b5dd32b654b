/**
 * GET /metrics shows the bulk backlog of the shared database, as an operator alerts on it: a job
 * submitted while no instance runs items (every runner off, or every worker down) waits with
 * nothing in the job saying so; rgw_bulk_items counts its items by state, rgw_bulk_items_claimed
 * those an instance holds now (0: nothing takes them) and rgw_bulk_oldest_runnable_seconds says
 * how long the longest-waiting one could have been running.
 * All three are read from the database at each scrape (BulkStore.backlog), so an API instance with its
 * runner off (this one, until the test starts it) reports what no worker takes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { BULK_RENEW, createDomains, startGatewayRunnerStopped, waitFinished } from '../helpers/bulk.js';
import type { TestGateway } from '../helpers/gateway.js';
import { seriesValue } from '../helpers/metrics.js';

const BACKEND = 'sandbox-nomulus';
let t: TestGateway;
let sandbox: EppSandbox;
let key: string;

beforeAll(async () => {
  ({ t, sandbox, key } = await startGatewayRunnerStopped({ idleMs: 50, backendConcurrency: { [BACKEND]: 2 } }));
}, 120_000);
afterAll(() => t?.close());

const scrape = async () => {
  const res = await fetch(t.gateway.url.replace(/graphql$/, 'metrics'));
  expect(res.status).toBe(200);
  return res.text();
};
const items = (text: string, state: string) => seriesValue(text, 'rgw_bulk_items', { backend: BACKEND, state });
const waited = (text: string) => seriesValue(text, 'rgw_bulk_oldest_runnable_seconds', { backend: BACKEND });
const claimed = (text: string) => seriesValue(text, 'rgw_bulk_items_claimed', { backend: BACKEND });

describe('the bulk backlog on /metrics', () => {
  it('counts a job no runner takes, says how long it has waited, and drops the series once a runner has finished it', async () => {
    const { prisma, bulk } = t.gateway.services;
    const names = await createDomains(t, key, `backlog${Date.now().toString(36)}`, 'tld', 4);
    const before = await scrape();
    expect(items(before, 'PENDING')).toBeUndefined();
    expect(waited(before)).toBeUndefined();

    const domains = names.map((name) => ({ name, currentExpiry: sandbox.domain(name)!.expiresAt.toISOString() }));
    const submitted = await t.gql(key, BULK_RENEW, { k: randomUUID(), domains });
    expect(submitted.errors).toBeUndefined();
    const jobId: string = submitted.data.bulkRenew.job.id;
    // One item RUNNING under another instance's live lease: counted as RUNNING, not as waiting to be run.
    const [first] = await prisma.bulkItem.findMany({ where: { jobId }, orderBy: { position: 'asc' }, take: 1 });
    await prisma.bulkItem.update({ where: { id: first!.id }, data: { state: 'RUNNING', holder: 'another-instance', leaseUntil: new Date(Date.now() + 3_600_000), attempts: 1 } });

    const one = await scrape();
    expect(items(one, 'PENDING')).toBe(3);
    expect(items(one, 'RUNNING')).toBe(1);
    expect(claimed(one)).toBe(1);
    expect(waited(one)).toBeGreaterThanOrEqual(0);

    // Its holder gone, its lease lapsed a minute ago: it could have been taken over since then.
    await prisma.bulkItem.update({ where: { id: first!.id }, data: { leaseUntil: new Date(Date.now() - 60_000) } });
    // Nothing holds any item now and four could run: what an alert on a stall looks for.
    const stalled = await scrape();
    expect(claimed(stalled)).toBe(0);
    expect(items(stalled, 'RUNNING')).toBe(1);
    expect(waited(stalled)).toBeGreaterThanOrEqual(59);
    await bulk.runner.start();
    const job = await waitFinished(t, key, jobId);
    expect(job.counts).toMatchObject({ done: 4, failed: 0, pending: 0, running: 0 });
    const after = await scrape();
    expect(items(after, 'PENDING')).toBeUndefined();
    expect(items(after, 'RUNNING')).toBeUndefined();
    expect(waited(after)).toBeUndefined();
    expect(claimed(after)).toBeUndefined();
  }, 120_000);
});
