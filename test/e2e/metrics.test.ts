/**
 * GET /metrics, as Prometheus scrapes it: upstream commands by outcome, GraphQL operations by
 * outcome, stored poll messages, open subscriptions and held poll leases; behind a token when one
 * is configured; nothing about a registrar, a domain or a secret.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { seriesValue } from '../helpers/metrics.js';
import { settle, Subscriber } from '../helpers/subscriber.js';
import { wsOnce } from '../helpers/ws.js';

const TOKEN = 'm3trics-T0ken-for-tests';
let t: TestGateway;
let metricsUrl: string;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.intervalMs = 100;
      c.metrics = { token: TOKEN };
    },
  });
  metricsUrl = t.gateway.url.replace(/graphql$/, 'metrics');
});
afterAll(() => t?.close());

const scrape = async () => {
  const res = await fetch(metricsUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
};

/** The value of one series, or undefined when it is absent. */
const value = seriesValue;

describe('GET /metrics', () => {
  it('asks for the token when one is configured', async () => {
    expect((await fetch(metricsUrl)).status).toBe(401);
    expect((await fetch(metricsUrl, { headers: { authorization: 'Bearer wrong-token-of-same-len' } })).status).toBe(401);
  });

  it('counts upstream commands, operations, stored poll messages, subscriptions and leases', async () => {
    const name = `metrics-${randomUUID().slice(0, 8)}.tld`;
    const create = `mutation($k: String!) { createDomain(idempotencyKey: $k, input: { name: "${name}", authInfo: "M3trics-Pw" }) { name } }`;
    const before = await scrape();
    const created = (n: string) => value(n, 'rgw_upstream_commands_total', { backend: 'sandbox-nomulus', command: 'domain:create', outcome: 'ok' }) ?? 0;
    const exists = (n: string) => value(n, 'rgw_graphql_operations_total', { type: 'mutation', outcome: 'OBJECT_EXISTS' }) ?? 0;

    expect((await t.gql(t.keys.NewRegistrar!, create, { k: randomUUID() })).errors).toBeUndefined();
    expect((await t.gql(t.keys.NewRegistrar!, create, { k: randomUUID() })).errors?.[0]?.extensions?.code).toBe('OBJECT_EXISTS');
    const subs = await Promise.all([1, 2, 3].map(() => new Subscriber(t.gateway.wsUrl, t.keys.NewRegistrar!).start()));
    try {
      const transfer = await t.gql(t.keys.TheRegistrar!, `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "${name}", authInfo: "M3trics-Pw") { transfer { status } } }`, { k: randomUUID() });
      expect(transfer.errors).toBeUndefined();
      // NewRegistrar may also get the REPP sandbox's seeded notifications: wait for this name's.
      await Promise.all(subs.map((s) => s.waitUntil((m) => m.objectName === name)));
      await settle(100);
      const after = await scrape();

      expect(created(after) - created(before)).toBe(1);
      expect((value(after, 'rgw_upstream_commands_total', { backend: 'sandbox-nomulus', command: 'domain:create', outcome: 'OBJECT_EXISTS' }) ?? 0)).toBeGreaterThanOrEqual(1);
      expect(exists(after) - exists(before)).toBe(1);
      expect(value(after, 'rgw_graphql_operations_total', { type: 'mutation', outcome: 'ok' })).toBeGreaterThanOrEqual(2);
      expect(value(after, 'rgw_upstream_command_duration_seconds_count', { backend: 'sandbox-nomulus', command: 'domain:create' })).toBeGreaterThanOrEqual(2);
      expect(value(after, 'rgw_poll_messages_stored_total', { backend: 'sandbox-nomulus', type: 'TRANSFER_REQUESTED' })).toBeGreaterThanOrEqual(1);
      expect(value(after, 'rgw_poll_ingest_delay_seconds_count', { backend: 'sandbox-nomulus' })).toBeGreaterThanOrEqual(1);
      expect(value(after, 'rgw_subscriptions')).toBe(3);
      // One queue per registrar and account (both sandbox registrars at every sandbox of the
      // zero-setup start), all held by this one instance.
      const backends = t.gateway.services.router.backends();
      const queues = backends.flatMap((b) => ['NewRegistrar', 'TheRegistrar'].filter((r) => b.hasAccount(r)));
      expect(queues).toHaveLength(2 * backends.length);
      expect(value(after, 'rgw_poll_leases_held')).toBe(queues.length);
      expect(value(after, 'rgw_process_resident_memory_bytes')).toBeGreaterThan(0);
      for (const secret of [name, 'NewRegistrar', 'TheRegistrar', 'M3trics-Pw', t.keys.NewRegistrar!]) expect(after).not.toContain(secret);
    } finally {
      await Promise.all(subs.map((s) => s.stop()));
    }
    await settle(100);
    expect(value(await scrape(), 'rgw_subscriptions')).toBe(0);
  });
});

describe('the embedded database', () => {
  it.skipIf(process.env.TEST_DATABASE_URL)("shows its thread's memory: its JavaScript heap and PostgreSQL's WebAssembly memory", async () => {
    const text = await scrape();
    expect(value(text, 'rgw_embedded_database_memory_bytes', { part: 'heap' })).toBeGreaterThan(1024 * 1024);
    // PostgreSQL's shared buffers alone are 16 MB.
    expect(value(text, 'rgw_embedded_database_memory_bytes', { part: 'webassembly' })).toBeGreaterThan(16 * 1024 * 1024);
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)('on PostgreSQL, has no such series', async () => {
    expect(await scrape()).not.toMatch(/rgw_embedded_database_memory_bytes/);
  });
});

describe('GraphQL operations over both transports', () => {
  it('counts a graphql-ws operation as the same operation over HTTP is counted, by type and outcome, with the transport as a label', async () => {
    const A = t.keys.NewRegistrar!;
    // [query, variables, type, outcome]
    const cases: [string, Record<string, unknown> | undefined, string, string][] = [
      ['{ viewer { id } }', undefined, 'query', 'ok'],
      ['{ nope }', undefined, 'invalid', 'GRAPHQL_VALIDATION_FAILED'],
      ['query($n: String!) { domain(name: $n) { name } }', { n: 'not a name!' }, 'query', 'BAD_USER_INPUT'],
    ];
    const count = (text: string, transport: string, type: string, outcome: string) => value(text, 'rgw_graphql_operations_total', { transport, type, outcome }) ?? 0;
    const before = await scrape();
    for (const [query, variables] of cases) {
      await t.gql(A, query, variables);
      await wsOnce(t.gateway.wsUrl, A, query, variables);
    }
    // A subscription refused for its argument, counted once, when refused.
    expect((await wsOnce(t.gateway.wsUrl, A, 'subscription { pollMessages(after: "junk") { id } }')).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const after = await scrape();
    for (const [, , type, outcome] of cases) {
      for (const transport of ['http', 'ws']) expect({ transport, type, outcome, n: count(after, transport, type, outcome) - count(before, transport, type, outcome) }).toEqual({ transport, type, outcome, n: 1 });
    }
    expect(count(after, 'ws', 'subscription', 'BAD_USER_INPUT') - count(before, 'ws', 'subscription', 'BAD_USER_INPUT')).toBe(1);
    // The three subscribers of the test above were counted when they were set up.
    expect(count(after, 'ws', 'subscription', 'ok')).toBeGreaterThanOrEqual(3);
    expect(value(after, 'rgw_graphql_operation_duration_seconds_count', { transport: 'ws', type: 'query' })).toBeGreaterThanOrEqual(2);
  });
  it('counts a well-formed query refused for its missing key as type "invalid", outcome UNAUTHENTICATED, as the README says', async () => {
    const count = (text: string) => value(text, 'rgw_graphql_operations_total', { transport: 'http', type: 'invalid', outcome: 'UNAUTHENTICATED' }) ?? 0;
    const query = (text: string) => value(text, 'rgw_graphql_operations_total', { transport: 'http', type: 'query', outcome: 'UNAUTHENTICATED' }) ?? 0;
    const before = await scrape();
    const res = await fetch(t.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ viewer { id } }' }) });
    expect(res.status).toBe(401);
    const after = await scrape();
    expect(count(after) - count(before)).toBe(1);
    expect(query(after) - query(before)).toBe(0);
  });
  it('counts a refused persisted query as the client is answered, BAD_REQUEST, not INTERNAL_SERVER_ERROR', async () => {
    // A README trial: the client got 400 BAD_REQUEST naming extensions.persistedQuery.version, the
    // metric counted INTERNAL_SERVER_ERROR (Apollo's own error, before the gateway's plugin recoded it).
    const count = (text: string, outcome: string) => value(text, 'rgw_graphql_operations_total', { transport: 'http', type: 'invalid', outcome }) ?? 0;
    const before = await scrape();
    const res = await fetch(t.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.keys.NewRegistrar}` },
      body: JSON.stringify({ query: '{ viewer { id } }', extensions: { persistedQuery: { version: 2, sha256Hash: 'x' } } }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('BAD_REQUEST');
    const after = await scrape();
    expect(count(after, 'BAD_REQUEST') - count(before, 'BAD_REQUEST')).toBe(1);
    expect(count(after, 'INTERNAL_SERVER_ERROR') - count(before, 'INTERNAL_SERVER_ERROR')).toBe(0);
  });

  it('counts a request whose key could not be read (the database away) as the client is answered, INTERNAL_SERVER_ERROR, not "error"', async () => {
    // Trial: PostgreSQL stopped under a gateway; its requests answered 500 INTERNAL_SERVER_ERROR
    // and were counted as outcome="error", a code no answer carries.
    const count = (text: string, outcome: string) => value(text, 'rgw_graphql_operations_total', { transport: 'http', type: 'invalid', outcome }) ?? 0;
    const keys = t.gateway.services.apiKeys;
    const resolve = keys.resolve;
    const before = await scrape();
    keys.resolve = () => Promise.reject(new Error("Can't reach database server at 127.0.0.1:5432"));
    let res: Response;
    try {
      res = await fetch(t.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.keys.NewRegistrar}` }, body: JSON.stringify({ query: '{ viewer { id } }' }) });
    } finally {
      keys.resolve = resolve;
    }
    expect(res.status).toBe(500);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    const after = await scrape();
    expect(count(after, 'INTERNAL_SERVER_ERROR') - count(before, 'INTERNAL_SERVER_ERROR')).toBe(1);
    expect(count(after, 'error') - count(before, 'error')).toBe(0);
  });
});

describe('metrics turned off', () => {
  it('serves no /metrics', async () => {
    const off = await startTestGateway({ configure: (c) => {
      c.metrics = { enabled: false };
      c.poll.enabled = false;
    } });
    try {
      expect((await fetch(off.gateway.url.replace(/graphql$/, 'metrics'))).status).toBe(404);
    } finally {
      await off.close();
    }
  }, 120_000); // it starts a gateway of its own: over 30 s at load 20
});
