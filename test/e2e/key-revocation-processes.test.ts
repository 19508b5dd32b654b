/**
 * Issue 11 item 3: API keys are resolved from each instance's memory, and a revoked key stops
 * working at once on every instance. Two gateway processes share PostgreSQL and Redis; both
 * trust a resolved key for an hour and re-check WebSocket connections only hourly, so the only
 * thing that can end the key within the test is the database's announcement of the revocation
 * (NOTIFY from the api_keys trigger, src/auth/key-changes.ts). The key is revoked from outside
 * both instances, as the CLI or an operator's SQL would.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../src/auth/api-keys.js';
import { startGatewayProcesses, type GatewayProcesses } from '../helpers/gateway-processes.js';
import { configFor, startSharedSandbox, type GatewayProcess, type SharedSandbox } from '../helpers/processes.js';

const PG = process.env.TEST_DATABASE_URL;
const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const HOUR = 3_600_000;

describe.skipIf(!PG)('a key revoked while two gateway processes hold it (skipped: set TEST_DATABASE_URL to run it)', () => {
  let procs: GatewayProcesses;
  let shared: SharedSandbox;
  let gateways: GatewayProcess[] = [];

  beforeAll(async () => {
    procs = await startGatewayProcesses('rgw-keys-');
    shared = await startSharedSandbox({ name: 'sandbox-nomulus', profile: 'nomulus' });
    const config = configFor([shared], { redisUrl: REDIS, auth: { keyCacheTtlMs: HOUR, revocationCheckMs: HOUR }, poll: { intervalMs: 2000, leaseMs: 10_000, maxBackoffMs: 60_000, enabled: false } });
    gateways = await Promise.all([1, 2].map(() => procs.spawn({ config })));
  }, 60_000);
  afterAll(async () => {
    await procs?.close();
    await shared?.stop();
  });

  /** A graphql-ws connection with a pollMessages subscription open; resolves `closed` with the close code. */
  async function subscribed(url: string, key: string) {
    const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${key}` }, retryAttempts: 0 });
    const closed = new Promise<number>((resolve) => client.on('closed', (ev) => resolve((ev as { code: number }).code)));
    client.subscribe({ query: 'subscription { pollMessages { id } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    await new Promise<void>((resolve) => client.on('connected', () => resolve()));
    return { client, closed };
  }

  /** Asks `g` until it refuses `key` (401); only the test's timeout bounds it. */
  async function refusedBy(g: GatewayProcess, key: string): Promise<number> {
    for (;;) {
      const { status } = await g.gql(key, '{ viewer { id } }');
      if (status !== 200) return status;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('is refused by both instances and its WebSocket connections close (4403), while another key of the registrar goes on', async () => {
    const revoked = await createApiKey(procs.db.prisma, 'TheRegistrar', 'to be revoked');
    const kept = await createApiKey(procs.db.prisma, 'TheRegistrar', 'kept');
    // Both instances have resolved both keys, so both hold them in memory.
    for (const g of gateways) {
      for (const k of [revoked, kept]) expect((await g.gql(k.key, '{ viewer { id } }')).data?.viewer.id).toBe('TheRegistrar');
    }
    const doomed = await subscribed(gateways[1]!.url, revoked.key);
    const survivor = await subscribed(gateways[0]!.url, kept.key);
    let survivorClosed = false;
    void survivor.closed.then(() => (survivorClosed = true));

    expect(await revokeApiKey(procs.db.prisma, revoked.id)).toBe(true);
    expect(await Promise.all(gateways.map((g) => refusedBy(g, revoked.key)))).toEqual([401, 401]);
    expect(await doomed.closed).toBe(4403);

    for (const g of gateways) expect((await g.gql(kept.key, '{ viewer { id } }')).data?.viewer.id).toBe('TheRegistrar');
    expect(survivorClosed).toBe(false);
    await Promise.all([doomed.client.dispose(), survivor.client.dispose()]);
  });
});
