/**
 * A bulkRenew job on a REPP backend, whose items go to REPP's bulk renew endpoint in chunks, across
 * a crash (issue 10 items 4 and 5), on PostgreSQL: a gateway process is killed (SIGKILL) while
 * chunks it sent are applied by the registry and their answers still on the way; restarted with
 * the same identity it finishes the job; and two processes share a job, the one that sent chunks
 * is killed before their answers, the other takes the items over when their lease lapses. The
 * registry (a REPP sandbox run by the test process) applied no single renewal, every expiry moved
 * by exactly one year and the registrar paid for N renewals; with one process at a time it also
 * applied exactly ceil(N / chunk) bulk renewals. With two, the count of requests is not fixed: two
 * claims at the same moment (FOR UPDATE SKIP LOCKED) can interleave the job's items between the
 * instances, and each cuts its own share into chunks, the last one short.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import type { GatewayConfig, ReppBackendConfig } from '../../src/config.types.js';
import { REPP_SANDBOX_ACCOUNTS, ReppSandbox } from '../../src/sandbox/repp/index.js';
import { BULK_RENEW, allItems, waitFinished } from '../helpers/bulk.js';
import { startGatewayProcesses, type GatewayProcesses } from '../helpers/gateway-processes.js';
import { apiKeys, type GatewayProcess } from '../helpers/processes.js';

const PG = process.env.TEST_DATABASE_URL;
const N = 20;
const CHUNK = 4;
/** What the REPP sandbox debits for a year's renewal (600 cents, its seed's price list). */
const RENEW_1Y_CENTS = 600;

describe.skipIf(!PG)('REPP bulk chunks across a killed gateway process on PostgreSQL (skipped: set TEST_DATABASE_URL to run it)', () => {
  let procs: GatewayProcesses;
  let sandbox: ReppSandbox;
  let config: GatewayConfig;
  let key: string; // NewRegistrar
  let theirKey: string; // TheRegistrar: its balance pays for the second job
  const running: GatewayProcess[] = [];

  beforeAll(async () => {
    procs = await startGatewayProcesses('rgw-repp-bulk-');
    sandbox = new ReppSandbox({ host: '127.0.0.1', port: 0 });
    const { url } = await sandbox.start();
    const backend: ReppBackendConfig = {
      name: 'repp',
      kind: 'repp',
      url,
      accounts: Object.fromEntries(REPP_SANDBOX_ACCOUNTS.map((a) => [a.registrarId, { username: a.username, password: a.password }])),
      bulkLimit: CHUNK,
    };
    config = {
      ...defaultConfig(),
      port: 0,
      host: '127.0.0.1',
      backends: [backend],
      routes: sandbox.tlds.map((suffix) => ({ suffix, backend: 'repp' })),
      defaultBackend: 'repp',
      idempotency: { leaseMs: 1_500, waitMs: 15_000 },
      bulk: { concurrency: 2, leaseMs: 1_500, backoffMs: 100, idleMs: 100 },
      limits: { ...defaultConfig().limits, rateLimit: false },
      poll: { ...defaultConfig().poll, enabled: false },
    };
    running.push(await start());
    const keys = await apiKeys(procs.db.prisma, config);
    key = keys.NewRegistrar!;
    theirKey = keys.TheRegistrar!;
  }, 90_000);
  afterAll(async () => {
    await procs?.close();
    await sandbox?.stop();
  });

  function start(id = 'one'): Promise<GatewayProcess> {
    return procs.spawn({ config, instanceId: id });
  }

  /** N fresh domains of the key's registrar (NewRegistrar's contact `contact`), made through `via`; their expiry years. */
  async function freshDomains(via: GatewayProcess, prefix: string, as = key, contact = 'ATSAA:KARL') {
    const names = Array.from({ length: N }, (_, i) => `${prefix}-${Date.now().toString(36)}-${i}.ee`);
    for (const name of names) {
      const r = await via.gql(as, `mutation($k: String!, $input: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $input) { name } }`, {
        k: randomUUID(),
        input: { name, registrant: contact, contacts: [{ role: 'ADMIN', id: contact }, { role: 'TECH', id: contact }], nameservers: [{ name: 'ns1.example.net' }, { name: 'ns2.example.net' }], authInfo: `Kood-${name}` },
      });
      expect(r.errors).toBeUndefined();
    }
    return { names, before: new Map(names.map((n) => [n, new Date(sandbox.domain(n)!.expireTime).getUTCFullYear()])) };
  }

  it('a process killed with chunks applied and unanswered, restarted, renews every domain exactly once', async () => {
    const via = running[0]!;
    const { names, before } = await freshDomains(via, 'krahh');
    // Every bulk renewal is applied at once and answered only when released: the process dies in between.
    for (let i = 0; i < N; i++) sandbox.faults.next({ route: 'bulk:renew', action: 'hold-after-apply' });
    const r = await via.gql(key, BULK_RENEW, { k: randomUUID(), domains: names.map((name) => ({ name })) });
    expect(r.errors).toBeUndefined();
    const id = r.data.bulkRenew.job.id as string;
    while (sandbox.applied('bulk:renew') === 0) await new Promise((res) => setTimeout(res, 10));
    await running.pop()!.kill();
    const appliedAtKill = sandbox.applied('bulk:renew');
    expect(appliedAtKill).toBeLessThan(Math.ceil(N / CHUNK)); // some chunks were not sent yet
    sandbox.faults.clear(); // and the held answers go to the dead process's closed connections

    const again = await start();
    running.push(again);
    const done = await waitFinished(again, key, id);
    expect(done.counts).toEqual({ done: N, failed: 0, pending: 0, running: 0, cancelled: 0 });
    expect(sandbox.applied('bulk:renew')).toBe(Math.ceil(N / CHUNK));
    expect(sandbox.applied('domain:renew')).toBe(0);
    for (const n of names) expect(new Date(sandbox.domain(n)!.expireTime).getUTCFullYear()).toBe(before.get(n)! + 1);
    const items = await allItems(again, key, id);
    expect(items.every((i) => i.state === 'SUCCEEDED' && i.transaction.resultCode === 1000 && i.expiresAt)).toBe(true);
  }, 180_000);

  it('two processes share a job; the one that sent chunks is killed before their answers; the other finishes it, nothing renewed twice', async () => {
    const other = await start('two');
    running.push(other);
    const first = running[0]!;
    const { names, before } = await freshDomains(first, 'jaga', theirKey, '1111111:65B7EB55');
    const applied0 = sandbox.applied('bulk:renew');
    const single0 = sandbox.applied('domain:renew');
    const balance0 = sandbox.balanceCents('TheRegistrar');
    for (let i = 0; i < N; i++) sandbox.faults.next({ route: 'bulk:renew', action: 'hold-after-apply' });
    const r = await first.gql(theirKey, BULK_RENEW, { k: randomUUID(), domains: names.map((name) => ({ name })) });
    expect(r.errors).toBeUndefined();
    const id = r.data.bulkRenew.job.id as string;
    while (sandbox.applied('bulk:renew') === applied0) await new Promise((res) => setTimeout(res, 10));
    await running.shift()!.kill();
    sandbox.faults.clear(); // the survivor's own held answers (if it sent any) arrive; the dead one's go nowhere
    const done = await waitFinished(other, theirKey, id);
    expect(done.counts).toEqual({ done: N, failed: 0, pending: 0, running: 0, cancelled: 0 });
    for (const n of names) expect(new Date(sandbox.domain(n)!.expireTime).getUTCFullYear()).toBe(before.get(n)! + 1);
    expect(balance0 - sandbox.balanceCents('TheRegistrar')).toBe(N * RENEW_1Y_CENTS);
    expect(sandbox.applied('domain:renew')).toBe(single0); // every item went through the bulk endpoint
    expect(sandbox.applied('bulk:renew') - applied0).toBeGreaterThanOrEqual(Math.ceil(N / CHUNK));
  }, 180_000);
});
