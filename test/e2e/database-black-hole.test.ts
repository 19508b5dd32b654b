/**
 * PostgreSQL that stops answering without refusing or closing anything (a network black hole, a
 * frozen host), and a statement PostgreSQL itself gives up on, under a gateway process started as
 * production starts it, with small limits from the environment (DATABASE_*_MS, src/db/timeouts.ts).
 * The gateway reaches its database through a TCP proxy the test controls; black-holed, the proxy
 * forwards nothing either way and closes nothing. Before the limits, a request then waited for the
 * operating system's TCP timeouts (a quarter of an hour and more); now it is answered
 * SERVICE_UNAVAILABLE (HTTP 503), a mutation says nothing was sent, and once the proxy forwards
 * again the same instance answers and the same idempotency key is a plain first send.
 *
 * Needs PostgreSQL (TEST_DATABASE_URL): the embedded database (PGlite) runs inside the gateway's
 * process, with no network between them to fail and no connection limits to apply.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config.types.js';
import { CLIENT_KEY_LOCK } from '../../src/idempotency/key-lock.js';
import { startBlackHoleProxy, type BlackHoleProxy } from '../helpers/black-hole-proxy.js';
import { seriesValue } from '../helpers/metrics.js';
import { startGatewayProcesses, type GatewayProcesses } from '../helpers/gateway-processes.js';
import { apiKeys, configFor, startSharedSandbox, type GatewayProcess, type SharedSandbox } from '../helpers/processes.js';

const PG = process.env.TEST_DATABASE_URL;
const HOUR = 3_600_000;
const CREATE = 'mutation($k: String!, $name: String!) { createDomain(idempotencyKey: $k, input: { name: $name, authInfo: "Hole-pw-1" }) { name replayed transaction { resultCode } } }';
const LOG = '{ commandLog(first: 5) { edges { node { command } } } }';
const UNAVAILABLE = { code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfter: 5 };

describe.skipIf(!PG)('PostgreSQL that stops answering (skipped: set TEST_DATABASE_URL; the embedded database has no network to fail)', () => {
  let procs: GatewayProcesses;
  let shared: SharedSandbox;
  let proxy: BlackHoleProxy;
  let gateway: GatewayProcess;
  let key: string;
  let config: GatewayConfig;
  /** The database's URL through the proxy. */
  let viaProxy: URL;

  beforeAll(async () => {
    procs = await startGatewayProcesses('rgw-black-hole-');
    shared = await startSharedSandbox({ name: 'sandbox-nomulus', profile: 'nomulus' });
    const direct = new URL(procs.db.url!);
    proxy = await startBlackHoleProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    viaProxy = new URL(procs.db.url!);
    viaProxy.port = String(proxy.port);
    // Keys stay in memory, so a request reaches the database at its operation, not at its key.
    config = configFor([shared], { auth: { keyCacheTtlMs: HOUR, revocationCheckMs: HOUR }, poll: { intervalMs: 2000, leaseMs: 10_000, maxBackoffMs: 60_000, enabled: false } });
    gateway = await procs.spawn({
      config,
      env: { DATABASE_URL: viaProxy.toString(), DATABASE_CONNECT_TIMEOUT_MS: '2000', DATABASE_STATEMENT_TIMEOUT_MS: '2000', DATABASE_QUERY_TIMEOUT_MS: '4000' },
    });
    key = (await apiKeys(procs.db.prisma, config)).NewRegistrar!;
    expect((await gateway.gql(key, LOG)).status).toBe(200);
  }, 90_000);
  afterAll(async () => {
    await procs?.close();
    await proxy?.close();
    await shared?.stop();
  });

  it('a black hole: SERVICE_UNAVAILABLE, nothing sent; once it forwards again, the same instance and the same key work', async () => {
    const name = `hole-${randomUUID().slice(0, 8)}.tld`;
    const k = randomUUID();
    const creates = shared.sandbox.applied('domain:create');

    proxy.blackHole();
    const refused = await gateway.gql(key, CREATE, { k, name });
    expect(refused.status).toBe(503);
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors![0]!.extensions).toEqual(UNAVAILABLE);
    expect(refused.errors![0]!.message).toContain('nothing was sent to the registry');
    const read = await gateway.gql(key, LOG);
    expect(read.status).toBe(503);
    expect(read.errors![0]!.extensions).toEqual(UNAVAILABLE);
    expect(shared.sandbox.applied('domain:create')).toBe(creates);

    proxy.resume();
    expect(await gateway.gql(key, LOG)).toMatchObject({ status: 200, data: { commandLog: { edges: expect.any(Array) } } });
    const created = await gateway.gql(key, CREATE, { k, name });
    expect(created.errors).toBeUndefined();
    expect(created.data.createDomain).toEqual({ name, replayed: false, transaction: { resultCode: 1000 } });
    expect(shared.sandbox.applied('domain:create')).toBe(creates + 1);
    expect(gateway.output()).not.toContain('unexpected error');
  }, 90_000);

  it('a statement PostgreSQL cancels (statement_timeout): SERVICE_UNAVAILABLE, and the idempotency key is free once it could run', async () => {
    const name = `stuck-${randomUUID().slice(0, 8)}.tld`;
    const k = randomUUID();
    const creates = shared.sandbox.applied('domain:create');
    // Another session holds the lock the key's first record is written under (src/idempotency/key-lock.ts).
    const holder = new pg.Client({ connectionString: procs.db.url });
    await holder.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock($1::int, hashtext(length($2::text) || ':' || $2 || $3))`, [CLIENT_KEY_LOCK, 'NewRegistrar', k]);
      const refused = await gateway.gql(key, CREATE, { k, name });
      expect(refused.status).toBe(503);
      expect(refused.errors![0]!.extensions).toEqual(UNAVAILABLE);
      expect(refused.errors![0]!.message).toContain('nothing was sent to the registry');
      expect(shared.sandbox.applied('domain:create')).toBe(creates);
    } finally {
      await holder.end();
    }
    const created = await gateway.gql(key, CREATE, { k, name });
    expect(created.data?.createDomain).toEqual({ name, replayed: false, transaction: { resultCode: 1000 } });
    expect(shared.sandbox.applied('domain:create')).toBe(creates + 1);
  }, 60_000);

  it('GET /metrics answers while the database is a black hole, without the bulk backlog it cannot read, and with it again once the database answers', async () => {
    // The database's own limits far beyond the test's: only /metrics' own limit on its read can answer the scrape in time.
    const slow = await procs.spawn({
      config,
      instanceId: 'metrics',
      env: { DATABASE_URL: viaProxy.toString(), BULK_ENABLED: 'false', DATABASE_CONNECT_TIMEOUT_MS: '600000', DATABASE_QUERY_TIMEOUT_MS: '600000' },
    });
    // Items of a backend no instance runs (a registry since removed from the config): they stay PENDING whatever runs.
    const job = await procs.db.prisma.bulkJob.create({
      data: { registrarId: 'NewRegistrar', idempotencyKey: randomUUID(), kind: 'renew', fingerprint: 'test', params: {}, state: 'RUNNING', total: 2 },
    });
    await procs.db.prisma.bulkItem.createMany({ data: [0, 1].map((position) => ({ jobId: job.id, position, name: `m${position}.gone`, backend: 'gone-registry', state: 'PENDING' as const })) });
    try {
      const metricsUrl = slow.url.replace(/\/graphql$/, '/metrics');
      const scrape = async () => {
        const res = await fetch(metricsUrl);
        expect(res.status).toBe(200);
        return res.text();
      };
      const pending = (text: string) => seriesValue(text, 'rgw_bulk_items', { backend: 'gone-registry', state: 'PENDING' });
      expect(pending(await scrape())).toBe(2);

      proxy.blackHole();
      try {
        for (let i = 0; i < 2; i++) {
          const text = await scrape();
          expect(text).toMatch(/^rgw_process_cpu_seconds_total /m);
          expect(text).toMatch(/^# TYPE rgw_upstream_commands_total counter$/m);
          expect(pending(text)).toBeUndefined();
        }
      } finally {
        proxy.resume();
      }
      // The read under way from the black hole ends once its answer arrives; a scrape after it reads again.
      let back: number | undefined;
      while ((back = pending(await scrape())) === undefined) await new Promise((r) => setTimeout(r, 100));
      expect(back).toBe(2);
      expect(slow.output()).toMatch(/reading the bulk backlog took longer than 2000 ms/);
    } finally {
      await slow.stop();
      await procs.db.prisma.bulkJob.delete({ where: { id: job.id } }); // its items with it
    }
  }, 60_000);
});
