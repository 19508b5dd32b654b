/**
 * Many simultaneous requests with one idempotency key send exactly one upstream command, in one
 * gateway and across two gateway processes sharing PostgreSQL; a gateway process that dies with a
 * command in flight leaves a record the other process takes over once its lease lapses, and
 * reconciles instead of sending again. The sandbox's own counter is the judge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startGatewayProcesses, type GatewayProcesses } from '../helpers/gateway-processes.js';
import { apiKeys, configFor, startSharedSandbox, type GatewayProcess, type GqlClient, type SharedSandbox } from '../helpers/processes.js';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';

const CREATE = `mutation($k: String!, $name: String!) { createDomain(idempotencyKey: $k, input: { name: $name, authInfo: "Conc-Pw-1" }) { name replayed transaction { clientTransactionId resultCode } } }`;
const RENEW = `mutation($k: String!, $name: String!) { renewDomain(idempotencyKey: $k, input: { name: $name }) { name expiresAt replayed transaction { clientTransactionId resultCode } } }`;

/** Fires `n` requests at once, spread round-robin over the clients. */
function storm(clients: Pick<GqlClient, 'gql'>[], key: string, n: number, query: string, vars: Record<string, unknown>) {
  return Promise.all(Array.from({ length: n }, (_, i) => clients[i % clients.length]!.gql(key, query, vars)));
}

/** Every answer is the one answer (or a retryable IDEMPOTENCY_IN_PROGRESS); exactly one was not replayed. */
function expectOneAnswer(results: Awaited<ReturnType<typeof storm>>, field: string) {
  const answers = results.filter((r) => !r.errors).map((r) => r.data[field]);
  const waiting = results.filter((r) => r.errors);
  for (const r of waiting) expect(r.errors![0]!.extensions).toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS', retryable: true });
  expect(answers.filter((a) => !a.replayed)).toHaveLength(1);
  expect(new Set(answers.map((a) => a.transaction.clientTransactionId)).size).toBe(1);
  return { answers, waiting: waiting.length };
}

describe('one key, 100 simultaneous requests, one gateway', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ configure: (c) => void (c.limits.rateLimit = false) }); // 100 simultaneous mutations: not a rate-limit test
  });
  afterAll(() => t?.close());

  it('createDomain (100 requests) and renewDomain (30) are each sent once', async () => {
    const sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-nomulus') as EppSandbox;
    const A = t.keys.NewRegistrar!;
    const name = `storm-${Date.now().toString(36)}.tld`;
    const creates = sandbox.applied('domain:create');
    const c = expectOneAnswer(await storm([t], A, 100, CREATE, { k: `c-${name}`, name }), 'createDomain');
    expect(c.answers.length).toBe(100);
    expect(sandbox.applied('domain:create') - creates).toBe(1);

    const renews = sandbox.applied('domain:renew');
    const r = expectOneAnswer(await storm([t], A, 30, RENEW, { k: `r-${name}`, name }), 'renewDomain');
    expect(r.answers.length).toBe(30);
    expect(sandbox.applied('domain:renew') - renews).toBe(1);
    expect(sandbox.domain(name)!.expiresAt.toISOString()).toBe(r.answers[0].expiresAt);
  }, 120_000); // 130 mutations on the embedded database: over 30 s at load 21 (the timeout is the only clock)
});

const PG = process.env.TEST_DATABASE_URL;

describe.skipIf(!PG)('two gateway processes sharing PostgreSQL (skipped: set TEST_DATABASE_URL to run it)', () => {
  let procs: GatewayProcesses;
  let shared: SharedSandbox;
  let p1: GatewayProcess;
  let p2: GatewayProcess;
  let A: string;

  beforeAll(async () => {
    procs = await startGatewayProcesses('rgw-procs-');
    shared = await startSharedSandbox({ name: 'sandbox-nomulus', profile: 'nomulus' });
    // Short leases so that a killed process is found dead within one waiting request.
    const config = configFor([shared], { idempotency: { leaseMs: 1_500, waitMs: 15_000 }, limits: { ...defaultConfig().limits, rateLimit: false } });
    [p1, p2] = await Promise.all([1, 2].map(() => procs.spawn({ config })));
    A = (await apiKeys(procs.db.prisma, config)).NewRegistrar!;
  }, 60_000);
  afterAll(async () => {
    await procs?.close();
    await shared?.stop();
  });

  it('100 requests with one key over both processes: one domain:create reaches the registry', async () => {
    const name = `procs-${Date.now().toString(36)}.tld`;
    const before = shared.sandbox.applied('domain:create');
    const { answers } = expectOneAnswer(await storm([p1, p2], A, 100, CREATE, { k: `pc-${name}`, name }), 'createDomain');
    expect(answers.length).toBe(100);
    expect(shared.sandbox.applied('domain:create') - before).toBe(1);
    expect(shared.sandbox.domain(name)?.sponsor).toBe('NewRegistrar');
  });

  it('a process killed with a renew in flight: the other process takes over after the lease and reconciles, sending nothing', async () => {
    const name = `crash-${Date.now().toString(36)}.tld`;
    expect((await p1.gql(A, CREATE, { k: `cc-${name}`, name })).errors).toBeUndefined();
    const expiry = shared.sandbox.domain(name)!.expiresAt;
    const before = shared.sandbox.applied('domain:renew');
    // The registry applies the renew, then holds the answer; the process dies meanwhile.
    shared.sandbox.faults.next({ command: 'domain:renew', action: 'delay', delayMs: 5_000 });
    const inFlight = p1.gql(A, RENEW, { k: `cr-${name}`, name }).catch(() => null);
    await expect.poll(() => shared.sandbox.applied('domain:renew'), { timeout: 10_000 }).toBe(before + 1);
    await p1.kill();
    await inFlight;

    const r = await p2.gql(A, RENEW, { k: `cr-${name}`, name });
    expect(r.errors).toBeUndefined();
    const renewed = new Date(expiry);
    renewed.setUTCFullYear(renewed.getUTCFullYear() + 1);
    expect(r.data.renewDomain).toMatchObject({ name, replayed: true, expiresAt: renewed.toISOString(), transaction: { resultCode: 1000 } });
    expect(shared.sandbox.applied('domain:renew') - before).toBe(1);
    expect(shared.sandbox.domain(name)!.expiresAt.toISOString()).toBe(renewed.toISOString());
    // The dead process wrote its renew to the command log before sending it; the reconciliation
    // settled that entry as applied, and nothing else was sent under the key.
    const log = await p2.gql(A, `query($k: String!) { commandLog(filter: { idempotencyKey: $k, command: "domain:renew" }) { edges { node { outcome applied resultCode finishedAt reconciledAt } } } }`, { k: `cr-${name}` });
    expect(log.data.commandLog.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { outcome: 'RECONCILED_APPLIED', applied: true, resultCode: null, finishedAt: null, reconciledAt: expect.any(String) },
    ]);
  });

  it('SIGTERM with SHUTDOWN_DELAY_MS: not ready at once, still serving for the delay, then gone', async () => {
    const config = configFor([shared], { limits: { ...defaultConfig().limits, rateLimit: false } });
    const p3 = await procs.spawn({ config, env: { SHUTDOWN_DELAY_MS: '1500' } });
    const readyz = p3.url.replace(/graphql$/, 'readyz');
    try {
      expect((await fetch(readyz)).status).toBe(200);
      const signalled = Date.now();
      process.kill(p3.pid, 'SIGTERM');
      await expect.poll(async () => (await fetch(readyz)).status, { timeout: 1_000, interval: 50 }).toBe(503);
      expect((await p3.gql(A, '{ viewer { id } }')).data.viewer.id).toBe('NewRegistrar');
      await expect.poll(() => fetch(readyz).then(() => 'up', () => 'gone'), { timeout: 10_000, interval: 100 }).toBe('gone');
      expect(Date.now() - signalled).toBeGreaterThanOrEqual(1_500);
    } finally {
      await p3.stop();
    }
  });
});
