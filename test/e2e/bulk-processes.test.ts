/**
 * Bulk jobs across gateway processes on one PostgreSQL (issue 10 item 5), against one registry
 * (an EPP sandbox in the test process, which counts the renewals it applies): a process killed
 * (SIGKILL) in the middle of a job, restarted with the same instance identity, finishes it; two
 * processes share a job and one is killed half way. In both, every domain is renewed exactly once:
 * the registry applied one renewal per domain and every expiry moved by exactly one year. And one
 * client key sent at once to two processes, as a single mutation and as a bulk job, is one request.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config.types.js';
import { BULK_RENEW, allItems, createDomains, sharedJobsConfig, waitFinished } from '../helpers/bulk.js';
import { startGatewayProcesses, type GatewayProcesses } from '../helpers/gateway-processes.js';
import { apiKeys, startSharedSandbox, type GatewayProcess, type SharedSandbox } from '../helpers/processes.js';

const PG = process.env.TEST_DATABASE_URL;
const N = 40;

describe.skipIf(!PG)('bulk jobs across gateway processes on PostgreSQL (skipped: set TEST_DATABASE_URL to run it)', () => {
  let procs: GatewayProcesses;
  let shared: SharedSandbox;
  let config: GatewayConfig;
  let key: string;
  const running: GatewayProcess[] = [];

  beforeAll(async () => {
    procs = await startGatewayProcesses('rgw-bulk-');
    shared = await startSharedSandbox({ name: 'sandbox-nomulus', profile: 'nomulus' });
    config = sharedJobsConfig(shared);
    running.push(await start('setup'));
    key = (await apiKeys(procs.db.prisma, config)).NewRegistrar!;
  }, 90_000);
  afterAll(async () => {
    await procs?.close();
    await shared?.stop();
  });

  async function start(id: string): Promise<GatewayProcess> {
    return procs.spawn({ config, instanceId: id });
  }

  /**
   * Submits a bulkRenew of N fresh domains with every renewal answered 150 ms late (applied
   * first); returns the job and the expiries before. `givenExpiry`: each item names the domain's
   * current expiry (nothing is read or noted before the renew, as with the CLI's name,expiry lines).
   */
  async function submitSlowJob(via: GatewayProcess, prefix: string, givenExpiry = false) {
    const names = await createDomains(via, key, `${prefix}${Date.now().toString(36)}`, 'tld', N);
    const before = new Map(names.map((n) => [n, shared.sandbox.domain(n)!.expiresAt.getUTCFullYear()]));
    for (let i = 0; i < N; i++) shared.sandbox.faults.next({ command: 'domain:renew', action: 'delay', delayMs: 150 });
    const renewsBefore = shared.sandbox.applied('domain:renew');
    const domains = names.map((name) => (givenExpiry ? { name, currentExpiry: shared.sandbox.domain(name)!.expiresAt.toISOString() } : { name }));
    const r = await via.gql(key, BULK_RENEW, { k: randomUUID(), domains });
    expect(r.errors).toBeUndefined();
    return { id: r.data.bulkRenew.job.id as string, names, before, renewsBefore };
  }

  async function untilApplied(renewsBefore: number, n: number) {
    while (shared.sandbox.applied('domain:renew') - renewsBefore < n) await new Promise((r) => setTimeout(r, 10));
  }

  async function expectEachRenewedOnce(via: GatewayProcess, job: Awaited<ReturnType<typeof submitSlowJob>>) {
    const done = await waitFinished(via, key, job.id);
    expect(done.counts).toEqual({ done: N, failed: 0, pending: 0, running: 0, cancelled: 0 });
    expect(shared.sandbox.applied('domain:renew') - job.renewsBefore).toBe(N);
    for (const n of job.names) expect(shared.sandbox.domain(n)!.expiresAt.getUTCFullYear()).toBe(job.before.get(n)! + 1);
    const items = await allItems(via, key, job.id);
    expect(items.every((i) => i.state === 'SUCCEEDED' && i.expiresAt)).toBe(true);
  }

  it.each([
    ['the expiry read and noted first', false],
    ['the expiry given (no record before sending)', true],
  ])('a process killed mid-job and restarted (same identity) finishes the job without renewing any domain twice (%s)', async (_how, givenExpiry) => {
    const first = running.pop()!;
    const job = await submitSlowJob(first, 'kill', givenExpiry);
    await untilApplied(job.renewsBefore, N / 4);
    await first.kill(); // items in flight: renewals applied whose answers never reached the database
    const again = await start('setup');
    running.push(again);
    await expectEachRenewedOnce(again, job);
  }, 180_000);

  it.each([
    ['the expiry read and noted first', false],
    ['the expiry given (no record before sending)', true],
  ])('two processes share a job; one is killed half way; the other finishes it, no domain renewed twice (%s)', async (_how, givenExpiry) => {
    const other = await start(`second-${givenExpiry}`);
    running.push(other);
    const job = await submitSlowJob(running[0]!, 'share', givenExpiry);
    await untilApplied(job.renewsBefore, N / 2);
    const finished = await procs.db.prisma.bulkItem.findMany({ where: { jobId: job.id, state: 'SUCCEEDED' }, select: { id: true } });
    expect(finished.length).toBeGreaterThan(0);
    await running.shift()!.kill();
    await expectEachRenewedOnce(other, job);
  }, 180_000);

  it('one key sent at the same moment to two processes, as a renewDomain to one and a bulkRenew to the other, 20 times: exactly one wins, the other is IDEMPOTENCY_KEY_REUSED with nothing sent or written', async () => {
    // The key's lock is PostgreSQL's (pg_advisory_xact_lock, src/idempotency/key-lock.ts): the
    // in-process test (bulk.test.ts) cannot tell it from a lock in one process's memory.
    const ROUNDS = 20;
    const other = await start('race');
    running.push(other);
    const [a, b] = [running[0]!, other];
    const names = await createDomains(a, key, `race${Date.now().toString(36)}`, 'tld', ROUNDS);
    const before = new Map(names.map((n) => [n, shared.sandbox.domain(n)!.expiresAt.getUTCFullYear()]));
    const renews = shared.sandbox.applied('domain:renew');
    const RENEW = `mutation($k: String!, $n: String!) { renewDomain(idempotencyKey: $k, input: { name: $n }) { domain { name } } }`;
    const won = { single: 0, bulk: 0 };
    for (const [i, name] of names.entries()) {
      const k = randomUUID();
      // Which process takes which request alternates; both are on their way before either is answered.
      const [viaSingle, viaBulk] = i % 2 === 0 ? [a, b] : [b, a];
      const [s, j] = await Promise.all([viaSingle.gql(key, RENEW, { k, n: name }), viaBulk.gql(key, BULK_RENEW, { k, domains: [{ name }] })]);
      const winners = [s, j].filter((r) => !r.errors);
      expect(winners, `round ${i}: ${JSON.stringify([s.errors, j.errors])}`).toHaveLength(1);
      expect(([s, j].find((r) => r.errors)!.errors![0]!.extensions as any).code).toBe('IDEMPOTENCY_KEY_REUSED');
      const job = await procs.db.prisma.bulkJob.findUnique({ where: { registrarId_idempotencyKey: { registrarId: 'NewRegistrar', idempotencyKey: k } } });
      const record = await procs.db.prisma.idempotencyRecord.findUnique({ where: { registrarId_idempotencyKey: { registrarId: 'NewRegistrar', idempotencyKey: k } } });
      if (j.errors) {
        won.single++;
        expect(job).toBeNull(); // the losing submission wrote no job
      } else {
        won.bulk++;
        expect(record).toBeNull(); // the losing single mutation wrote no record
        await waitFinished(viaBulk, key, j.data.bulkRenew.job.id);
      }
    }
    // One renewal per round: the loser sent nothing.
    expect(shared.sandbox.applied('domain:renew') - renews).toBe(ROUNDS);
    for (const n of names) expect(shared.sandbox.domain(n)!.expiresAt.getUTCFullYear()).toBe(before.get(n)! + 1);
    expect(won.single + won.bulk).toBe(ROUNDS);
  }, 180_000);
});
