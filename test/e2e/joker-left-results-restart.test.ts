/**
 * A Joker result the gateway delivers but leaves at Joker (domain-transfer-get-auth-id: its
 * Auth-ID is for the reseller's own tools) is turned into a poll message once, however often the
 * gateway restarts and whichever instance polls the reseller. Review defect: the marks saying
 * "delivered, leave it" were in memory only, so a restarted gateway, or another instance taking
 * the poll lease over, retrieved the result again (reading its Auth-ID once more, one more DMAPI
 * request against the reseller's limits per such result) and published its stored row again; the
 * unique poll store and the subscription streams kept that from reaching clients twice, which these
 * tests also check. Now a result the poll store already holds (poll_messages, unique per backend,
 * account and Proc-ID) is skipped before it is retrieved.
 * Over HTTPS against one Joker sandbox (a registry of its own, as in production) shared by
 * gateways on one database; the reseller's tool is a separate DMAPI client (test/helpers/dmapi.ts).
 */
import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JokerBackendConfig } from '../../src/backends/joker/config.js';
import { JOKER_SANDBOX_ACCOUNTS, JokerSandbox } from '../../src/sandbox/joker/index.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { atStandaloneJoker, dmapiSession } from '../helpers/dmapi.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { REDIS, redisUp } from '../helpers/redis.js';
import { HANG_GUARD_MS } from '../helpers/subscriber.js';

const NAME = 'alpha.joker.test';
const MESSAGES = 'query($o: [String!]) { pollMessages(objects: $o) { edges { node { id message upstreamId } } } }';

let registry: JokerSandbox;
let jokerUrl = '';
let jokerCa = '';
let tool: Awaited<ReturnType<typeof dmapiSession>>;
beforeAll(async () => {
  registry = new JokerSandbox({ domainDelayMs: 0 });
  ({ url: jokerUrl, ca: jokerCa } = await registry.start());
  tool = await dmapiSession(jokerUrl, jokerCa, JOKER_SANDBOX_ACCOUNTS[0].apiKey);
}, 60_000);
afterAll(() => registry?.stop());

let db: TestDatabase;
const gateways: TestGateway[] = [];
const subscriptions: Client[] = [];
/** Proc-IDs of the results the tool asked for in the current test. */
const asked: string[] = [];
beforeEach(async () => {
  db = await freshDatabase();
}, 60_000);
afterEach(async () => {
  // The tool is done with its results: it deletes them, so the next test's fresh database meets none.
  for (const id of asked.splice(0)) await tool('result-delete', { 'proc-id': id });
  for (const s of subscriptions.splice(0)) await s.dispose();
  for (const g of gateways.splice(0)) await g.close();
  await db?.close();
});

/** A gateway on the test's database whose Joker backend is `registry` (with `redisPrefix`: its fan-out through Redis); its poller runs a round at start and when pollMessages asks (drainNow). */
async function instance(redisPrefix?: string): Promise<TestGateway> {
  const g = await startTestGateway({
    database: { prisma: db.prisma, close: async () => undefined },
    configure: (c) => {
      c.poll = { ...c.poll, enabled: true, intervalMs: 3_600_000, leaseMs: 60_000 }; // a lease outlives a slow start of the other instance; stop() gives it back
      c.bulk = { ...c.bulk, enabled: false };
      // Instances share subscription fan-out through Redis, as in production.
      if (redisPrefix) Object.assign(c, { redisUrl: REDIS, redisPrefix });
      c.backends = c.backends.filter((b) => b.kind === 'joker');
      const kept = new Set(c.backends.map((b) => b.name));
      c.routes = c.routes.filter((r) => kept.has(r.backend));
      c.defaultBackend = c.backends[0]!.name;
      atStandaloneJoker(c.backends[0] as JokerBackendConfig, jokerUrl, jokerCa);
    },
  });
  gateways.push(g);
  return g;
}

/** The reseller's own tool asks Joker for the domain's Auth-ID: the new result's Proc-ID. */
async function askAuthId(): Promise<string> {
  const r = await tool('domain-transfer-get-auth-id', { domain: NAME });
  const id = r.h['proc-id']![0]!;
  asked.push(id);
  return id;
}

/** Upstream ids of the registrar's stored messages about NAME, as pollMessages lists them (after the gateway drained Joker). */
async function listed(g: TestGateway): Promise<string[]> {
  const r = await g.gql(g.keys.NewRegistrar!, MESSAGES, { o: [NAME] });
  expect(r.errors).toBeUndefined();
  return r.data.pollMessages.edges.map((e: any) => e.node.upstreamId);
}

/** A pollMessages subscription (no cursor: from the newest stored message on) on `g`, listening once this resolves; `got` collects the upstream ids it receives. */
async function subscribe(g: TestGateway): Promise<{ got: string[]; until(id: string): Promise<void> }> {
  const got: string[] = [];
  const errors: unknown[] = [];
  const before = g.gateway.services.events.listeners('NewRegistrar');
  const client = createClient({ url: g.gateway.wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${g.keys.NewRegistrar}` }, retryAttempts: 0 });
  subscriptions.push(client);
  client.subscribe<any>(
    { query: `subscription { pollMessages(objects: ["${NAME}"]) { id upstreamId } }` },
    { next: (r) => (r.data ? got.push(r.data.pollMessages.upstreamId) : errors.push(r.errors)), error: (e) => errors.push(e), complete: () => undefined },
  );
  /** Resolves once `ok` holds; throws on a subscription error, or after HANG_GUARD_MS (a hang guard, not a deadline). */
  const until = async (ok: () => boolean, what: string) => {
    const guard = Date.now() + HANG_GUARD_MS;
    while (!ok()) {
      if (errors.length > 0) throw new Error(`subscription failed: ${JSON.stringify(errors)}`);
      if (Date.now() > guard) throw new Error(`no ${what} (hang guard); got ${JSON.stringify(got)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await until(() => g.gateway.services.events.listeners('NewRegistrar') > before, 'listening');
  return { got, until: (id) => until(() => got.includes(id), `message ${id}`) };
}

describe.sequential('a domain-transfer-get-auth-id result left at Joker is one poll message', () => {
  it('across a gateway restart on the same database: not retrieved, stored or sent to subscribers again', async () => {
    const a = await instance();
    const liveA = await subscribe(a);
    const first = await askAuthId();
    expect(await listed(a)).toEqual([first]);
    await liveA.until(first);
    expect(liveA.got).toEqual([first]);
    for (const s of subscriptions.splice(0)) await s.dispose();
    await gateways.shift()!.close();

    // The restart: a new gateway on the same database and the same Joker reseller.
    const retrieved = registry.answered('result-retrieve');
    const b = await instance();
    const liveB = await subscribe(b);
    expect(await listed(b)).toEqual([first]);
    // A later result, to know the subscription has had everything B's rounds published.
    const second = await askAuthId();
    expect(await listed(b)).toEqual([first, second]);
    await liveB.until(second);
    expect(liveB.got).toEqual([second]);
    // Joker was asked for the new result only: the first one's Auth-ID was not read again.
    expect(registry.answered('result-retrieve') - retrieved).toBe(1);
    // Both still at Joker for the tool that asked.
    for (const id of [first, second]) expect((await tool('result-retrieve', { 'proc-id': id })).text).toMatch(/Auth-ID: (?!\*)\S+/);
  }, 60_000);

  it.skipIf(!redisUp)('two gateways on one database (fan-out through Redis): the instance that takes the poll lease over does not deliver it again', async () => {
    const prefix = `rgw-test-${randomUUID()}:`;
    const a = await instance(prefix);
    // A's round for the registrar (the one pollMessages waits for) has taken the reseller's lease
    // before B starts, so B cannot: started together, either could come first (CI under load: B did).
    expect(await listed(a)).toEqual([]);
    const b = await instance(prefix);
    const liveA = await subscribe(a);
    const liveB = await subscribe(b);
    const first = await askAuthId();
    expect(await listed(a)).toEqual([first]); // A holds the lease
    await liveA.until(first);
    await liveB.until(first);

    // A stops polling (releasing its lease) and keeps serving; B takes the reseller's queue over.
    await a.gateway.services.ingester!.stop();
    const retrieved = registry.answered('result-retrieve');
    expect(await listed(b)).toEqual([first]);
    const second = await askAuthId();
    expect(await listed(b)).toEqual([first, second]);
    await liveA.until(second);
    await liveB.until(second);
    expect(liveA.got).toEqual([first, second]);
    expect(liveB.got).toEqual([first, second]);
    expect(registry.answered('result-retrieve') - retrieved).toBe(1);
  }, 60_000);
});
