/**
 * A stopped database under a gateway process that is idle but busy on its own: polling an
 * upstream account, the idempotency upkeep (purge and the sweep of unknown outcomes), the API
 * key and bulk job LISTEN connections, the bulk runner's look for items. Each of them repeats
 * while PostgreSQL is away, at its interval or back-off; each logs one warning when it starts
 * failing and one info line when it works again, instead of a line per attempt (a trial counted,
 * over 70 s of outage, 13 `poll round failed`, 4 upkeep stacks and 3 listener lines).
 *
 * The gateway reaches PostgreSQL through a TCP proxy the test stops (every connection reset, new
 * ones closed on accept) and starts again; intervals are short so that each part tries many times.
 *
 * Needs PostgreSQL (TEST_DATABASE_URL): the embedded database runs inside the gateway's process,
 * with no connection to lose.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLatencyProxy, type LatencyProxy } from '../../src/sandbox/latency-proxy.js';
import { randomUUID } from 'node:crypto';
import { startBlackHoleProxy, type BlackHoleProxy } from '../helpers/black-hole-proxy.js';
import { BULK_RENEW, allItems, createDomains, waitFinished } from '../helpers/bulk.js';
import { startGatewayProcesses, type GatewayProcesses } from '../helpers/gateway-processes.js';
import { apiKeys, configFor, startSharedSandbox, type GatewayProcess, type SharedSandbox } from '../helpers/processes.js';

const PG = process.env.TEST_DATABASE_URL;
const HOUR = 3_600_000;

/** What repeats on its own, as its warning and its recovery line name it. */
const REPEATED = [
  'poll round',
  'idempotency: purging expired records',
  'idempotency: settling unknown outcomes',
  'API key changes: listening',
  'bulk: listening for jobs submitted elsewhere',
  'bulk: settling items awaiting the registry',
  'bulk: settling overdue items awaiting the registry',
];

type Line = { level: number; msg: string; time: number; account?: string };

describe.skipIf(!PG)('a stopped database: each repeated task logs its outage once (skipped: set TEST_DATABASE_URL)', () => {
  let procs: GatewayProcesses;
  let shared: SharedSandbox;
  let proxy: BlackHoleProxy;
  /** Between the gateway and the registry: holds the registry's answers while a test says so. */
  let registry: LatencyProxy;
  let gateway: GatewayProcess;
  let key: string;

  beforeAll(async () => {
    procs = await startGatewayProcesses('rgw-outage-logs-');
    shared = await startSharedSandbox({ name: 'sandbox-nomulus', profile: 'nomulus' });
    const direct = new URL(procs.db.url!);
    proxy = await startBlackHoleProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const viaProxy = new URL(procs.db.url!);
    viaProxy.port = String(proxy.port);
    registry = await startLatencyProxy({ host: shared.backend.host, port: shared.backend.port });
    const config = configFor([{ ...shared, backend: { ...shared.backend, port: registry.port } }], {
      auth: { keyCacheTtlMs: HOUR, revocationCheckMs: HOUR },
      poll: { intervalMs: 250, leaseMs: 1000, maxBackoffMs: 1000, enabled: true },
      idempotency: { leaseMs: 300, purgeIntervalMs: 300 },
      bulk: { idleMs: 200, overdueCheckMs: 300 },
    });
    key = (await apiKeys(procs.db.prisma, config)).NewRegistrar!;
    gateway = await procs.spawn({ config, env: { DATABASE_URL: viaProxy.toString(), DATABASE_CONNECT_TIMEOUT_MS: '1000', DATABASE_STATEMENT_TIMEOUT_MS: '1000', DATABASE_QUERY_TIMEOUT_MS: '2000' } });
    // The registry is reached before the outage (the poller has logged in).
    await gateway.waitForOutput(/"msg":"epp session logged in"/);
  }, 90_000);
  afterAll(async () => {
    await procs?.close();
    await proxy?.close();
    await registry?.close();
    await shared?.stop();
  });

  const lines = (): Line[] =>
    gateway
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line);
  /** Waits until each task logged `suffix` (' failed', ' works again') since `since`; fails naming those that did not within 20 s. */
  const eachLogged = (since: number, suffix: string) =>
    expect
      .poll(() => REPEATED.filter((what) => !lines().some((l) => l.time >= since && l.msg.startsWith(what + suffix))), { timeout: 20_000, message: `not logged${suffix}` })
      .toEqual([]);
  /** Lines of `level` since `since` whose message starts with `text`, per polled account for the poll rounds (each account's queue has its own). */
  const count = (since: number, text: string, level: number) => {
    const found = lines().filter((l) => l.time >= since && l.level === level && l.msg.startsWith(text));
    return text === 'poll round' ? found.length / new Set(found.map((l) => l.account)).size : found.length;
  };

  it('logs one warning per task when the database stops and one line when it works again, whatever the number of attempts', async () => {
    const start = Date.now();
    proxy.down();
    await eachLogged(start, ' failed');
    // Several seconds more of outage: every task has tried again several times (poll at most every 1 s, the upkeep every 300 ms, the bulk look every 200 ms, the listeners at 1, 2 and 4 s).
    // A request meanwhile: told the database is unavailable, to try again.
    const read = await gateway.gql(key, '{ commandLog(first: 1) { edges { node { command } } } }');
    expect(read.status).toBe(503);
    expect(read.errors![0]!.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    const warned = lines().filter((l) => l.time >= start).length;
    // The outage goes on while the gateway tries again and again (poll at most every 1 s, the upkeep every 300 ms, the bulk look every 200 ms, the listeners at 1, 2 and 4 s): 40 more connections refused.
    const refused = proxy.refused;
    await expect.poll(() => proxy.refused, { timeout: 60_000 }).toBeGreaterThanOrEqual(refused + 40);
    for (const what of REPEATED) expect({ what, warnings: count(start, what, 40) }).toEqual({ what, warnings: 1 });
    const during = lines().filter((l) => l.time >= start && l.level >= 40);
    const byMessage = new Map<string, number>();
    for (const l of during) byMessage.set(`${l.msg} ${l.account ?? ''}`, (byMessage.get(`${l.msg} ${l.account ?? ''}`) ?? 0) + 1);
    // Nothing else repeats either: no warning or error is logged more than once in the outage (per polled account).
    expect([...byMessage].filter(([, n]) => n > 1)).toEqual([]);
    expect(lines().filter((l) => l.time >= start).length).toBeLessThan(warned + 10);

    const back = Date.now();
    proxy.resume();
    await eachLogged(back, ' works again');
    for (const what of REPEATED) expect({ what, warnings: count(start, what, 40), again: count(back, what, 30) }).toEqual({ what, warnings: 1, again: 1 });
  }, 60_000);

  it("a renewal answered while the database is away: its command-log entry gets its answer once the database is back (kept, not dropped), and the retry renews nothing twice", async () => {
    const [name, other] = await createDomains(gateway, key, `outr${Date.now().toString(36)}`, 'tld', 2);
    // Both sessions of the pool logged in first: the poller may have a poll on one whose answer the
    // proxy holds below, and a session logged in then would wait for its login's answer, held too,
    // with the renewal behind it (a CI run under load: the renewal never reached the registry).
    const logins = () => lines().filter((l) => l.msg === 'epp session logged in').length;
    await expect
      .poll(async () => {
        await gateway.gql(key, 'query($a: String!, $b: String!) { a: domain(name: $a) { name } b: domain(name: $b) { name } }', { a: name, b: other });
        return logins();
      }, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(2);
    const expiry = shared.sandbox.domain(name!)!.expiresAt;
    const k = randomUUID();
    const RENEW = 'mutation($k: String!, $name: String!, $exp: DateTimeISO) { renewDomain(idempotencyKey: $k, input: { name: $name, period: { value: 1, unit: YEARS }, currentExpiry: $exp }) { replayed expiresAt } }';
    const renewsBefore = shared.sandbox.applied('domain:renew');
    const start = Date.now();
    // Written to the log before it is sent; applied by the registry, its answer held at the proxy; the database stops; then the answer arrives.
    registry.hold();
    const renewing = gateway.gql(key, RENEW, { k, name, exp: expiry.toISOString() });
    try {
      await expect.poll(() => shared.sandbox.applied('domain:renew'), { timeout: 20_000 }).toBeGreaterThan(renewsBefore);
      proxy.down();
    } finally {
      registry.release();
    }
    try {
      const answered = await renewing;
      expect(answered.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      // The entry's answer cannot be written: kept.
      await expect.poll(() => count(start, 'command log: writing finished commands', 40), { timeout: 20_000 }).toBe(1);
    } finally {
      proxy.resume();
    }
    await expect.poll(() => count(start, 'command log: writing finished commands', 30), { timeout: 20_000 }).toBe(1);
    // (The sweep may also have reconciled the key's record by now, a domain:info under the key: not this entry.)
    const log = await gateway.gql(key, 'query($k: String!) { commandLog(first: 5, filter: { idempotencyKey: $k, command: "domain:renew" }) { edges { node { command outcome } } } }', { k });
    expect(log.errors).toBeUndefined();
    expect(log.data.commandLog.edges.map((e: { node: unknown }) => e.node), JSON.stringify(log.data.commandLog.edges)).toEqual([{ command: 'domain:renew', outcome: 'SUCCEEDED' }]);
    // The client's retry: the renewal it already made, not another.
    await expect
      .poll(async () => (await gateway.gql(key, RENEW, { k, name, exp: expiry.toISOString() })).data?.renewDomain?.replayed, { timeout: 30_000 })
      .toBe(true);
    expect(shared.sandbox.applied('domain:renew') - renewsBefore).toBe(1);
    expect(shared.sandbox.domain(name!)!.expiresAt.getUTCFullYear()).toBe(expiry.getUTCFullYear() + 1);
    expect(count(start, 'command log: writing finished commands', 40)).toBe(1);
  }, 90_000);

  it('a bulk job whose database stops under it: the runner logs its outage once per kind of work, not a line per item or attempt; the job finishes once it is back, each domain renewed once', async () => {
    const N = 12;
    const all = await createDomains(gateway, key, `out${Date.now().toString(36)}`, 'tld', 2 * N);
    // A first job logs in the sessions the runner uses (logins through the proxy would be held below with the answers).
    const warm = await gateway.gql(key, BULK_RENEW, { k: randomUUID(), domains: all.slice(N).map((name) => ({ name })) });
    expect((await waitFinished(gateway, key, warm.data.bulkRenew.job.id)).counts.done).toBe(N);
    const names = all.slice(0, N);
    const before = new Map(names.map((n) => [n, shared.sandbox.domain(n)!.expiresAt.getUTCFullYear()]));
    const renewsBefore = shared.sandbox.applied('domain:renew');
    const start = Date.now();
    // The first renewals are answered by the registry and held at the proxy; the database stops; then their answers arrive.
    registry.hold();
    let id: string;
    try {
      // Each with its expiry: the renewal is the item's only command (no read first, whose answer the proxy would hold).
      const submitted = await gateway.gql(key, BULK_RENEW, { k: randomUUID(), domains: names.map((name) => ({ name, currentExpiry: shared.sandbox.domain(name)!.expiresAt.toISOString() })) });
      expect(submitted.errors).toBeUndefined();
      id = submitted.data.bulkRenew.job.id;
      // A renewal reached the registry (not only a poll command, whose answers the proxy holds too).
      await expect.poll(() => shared.sandbox.applied('domain:renew'), { timeout: 20_000 }).toBeGreaterThan(renewsBefore);
      proxy.down();
    } finally {
      registry.release();
    }
    try {
      // The outcomes cannot be written (tried every 100 ms), the job cannot be read, the leases cannot be renewed.
      await expect.poll(() => count(start, 'bulk: writing item outcomes', 40), { timeout: 20_000 }).toBe(1);
      // Tried again and again meanwhile (the outcomes every 100 ms, claims and job reads with them): 20 more connections refused.
      const refused = proxy.refused;
      await expect.poll(() => proxy.refused, { timeout: 60_000 }).toBeGreaterThanOrEqual(refused + 20);
      const during = lines().filter((l) => l.time >= start && l.level >= 40);
      const byMessage = new Map<string, number>();
      for (const l of during) byMessage.set(`${l.msg} ${l.account ?? ''}`, (byMessage.get(`${l.msg} ${l.account ?? ''}`) ?? 0) + 1);
      expect([...byMessage].filter(([, n]) => n > 1)).toEqual([]);
      expect(during.filter((l) => /unexpected/.test(l.msg))).toEqual([]);
    } finally {
      proxy.resume();
    }
    const done = await waitFinished(gateway, key, id!);
    expect(done.counts).toEqual({ done: N, failed: 0, pending: 0, running: 0, cancelled: 0 });
    expect(shared.sandbox.applied('domain:renew') - renewsBefore).toBe(N);
    for (const n of names) expect(shared.sandbox.domain(n)!.expiresAt.getUTCFullYear()).toBe(before.get(n)! + 1);
    expect((await allItems(gateway, key, id!)).every((i) => i.state === 'SUCCEEDED')).toBe(true);
    await expect.poll(() => count(start, 'bulk: writing item outcomes', 30), { timeout: 20_000 }).toBe(1);
  }, 90_000);
});
