/**
 * PostgreSQL stops answering under a running gateway, as an operator meets it: the gateway reaches
 * its database through a TCP proxy, the test stops the proxy (every connection dropped, new ones
 * refused) and starts it again on the same port. Meanwhile clients and a load balancer are told the
 * service is temporarily unavailable (HTTP 503 with Retry-After, SERVICE_UNAVAILABLE with
 * retryAfter; a graphql-ws connection_init is closed with 1013 Try Again Later), a mutation that
 * could not record its key says nothing was sent, and once the database is back the same API key
 * and the same idempotency key work without a restart.
 *
 * Needs PostgreSQL (TEST_DATABASE_URL): the embedded database (PGlite) runs inside the gateway's
 * process and has no connection that could be lost, so there is no outage to test there.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createClient, type Client } from 'graphql-ws';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApiKey } from '../../src/auth/api-keys.js';
import { openDatabase } from '../../src/db/client.js';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { startLatencyProxy, type LatencyProxy } from '../../src/sandbox/latency-proxy.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const PG = process.env.TEST_DATABASE_URL;

const CREATE = 'mutation($k: String!, $name: String!) { createDomain(idempotencyKey: $k, input: { name: $name, authInfo: "Outage-pw-1" }) { name replayed transaction { resultCode } } }';
const LOG = '{ commandLog(first: 5) { edges { node { command } } } }';

type Answer = { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

/** A query, mutation or refused subscription on an open graphql-ws client: its answer (graphql-ws completes each). */
function once(client: Client, query: string, variables?: Record<string, unknown>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    client.subscribe(
      { query, variables },
      {
        next: (r) => resolve(r as Answer),
        error: (e) => (Array.isArray(e) ? resolve({ errors: e }) : reject(e instanceof Error ? e : new Error(`closed: ${(e as { code: number }).code} ${(e as { reason: string }).reason}`))),
        complete: () => undefined,
      },
    );
  });
}

/** A raw graphql-transport-ws connection_init with `key`: how the server answers it (ack, or the close code and reason). */
function connectionInit(url: string, key: string): Promise<{ acked: boolean; code?: number; reason?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'graphql-transport-ws');
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${key}` } })));
    ws.on('message', (m) => {
      if (JSON.parse(String(m)).type === 'connection_ack') {
        resolve({ acked: true });
        ws.close();
      }
    });
    ws.on('close', (code, reason) => resolve({ acked: false, code, reason: String(reason) }));
    ws.on('error', reject);
  });
}

describe.skipIf(!PG)('PostgreSQL stops answering and comes back (skipped: set TEST_DATABASE_URL; the embedded database cannot go away)', () => {
  let db: TestDatabase;
  let proxy: LatencyProxy;
  let t: TestGateway;
  let ws: Client;
  const logLines: Array<{ level: number; msg: string }> = [];

  beforeAll(async () => {
    db = await freshDatabase();
    const direct = new URL(db.url!);
    const target = { host: direct.hostname, port: Number(direct.port || 5432) };
    proxy = await startLatencyProxy(target);
    const viaProxy = new URL(db.url!);
    viaProxy.port = String(proxy.port);
    const opened = await openDatabase({ url: viaProxy.toString(), migrate: false, poolSize: 4 });
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => void (logLines.push(JSON.parse(String(chunk))), done()) }));
    t = await startTestGateway({ database: opened, logger, configure: (c) => (c.poll.enabled = false) });
    ws = createClient({ url: t.gateway.wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${t.keys.NewRegistrar}` }, retryAttempts: 0, lazy: false });
    // Before the outage: the connection is acknowledged and serves, as HTTP does.
    expect((await once(ws, '{ viewer { id } }')).data?.viewer.id).toBe('NewRegistrar');
    expect((await t.gql(t.keys.NewRegistrar!, '{ viewer { id } }')).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await ws?.dispose();
    await t?.close();
    await proxy?.close().catch(() => undefined);
    await db?.close();
  });

  it('answers 503 with Retry-After and SERVICE_UNAVAILABLE over HTTP and graphql-ws, sends nothing, and serves the same keys once it is back', async () => {
    const sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-nomulus') as EppSandbox;
    // A key never used yet: the instance must look it up in the database.
    const { key: fresh } = await createApiKey(db.prisma, 'NewRegistrar', 'outage');
    const name = `outage-${randomUUID().slice(0, 8)}.tld`;
    const idempotencyKey = randomUUID();
    const creates = sandbox.applied('domain:create');
    const port = proxy.port;
    const direct = new URL(db.url!);

    await proxy.close(); // PostgreSQL is gone: open connections dropped, new ones refused

    // HTTP: the key's lookup needs the database.
    for (const [key, query] of [
      [fresh, '{ viewer { id } }'],
      [t.keys.NewRegistrar!, LOG],
    ] as const) {
      const res = await fetch(t.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query }) });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const body = (await res.json()) as Answer;
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0]!.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfter: 5 });
      expect(body.errors![0]!.message).not.toMatch(new RegExp(`${port}|127\\.0\\.0\\.1|ECONNREFUSED`));
    }

    // graphql-ws, on the connection authenticated before: a read, a subscription, a mutation.
    const read = await once(ws, LOG);
    expect(read.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfter: 5 });
    const sub = await once(ws, 'subscription { pollMessages { id } }');
    expect(sub.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfter: 5 });
    const refused = await once(ws, CREATE, { k: idempotencyKey, name });
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfter: 5 });
    expect(refused.errors![0]!.message).toContain('nothing was sent to the registry');
    expect(refused.errors![0]!.message).toContain('same idempotencyKey');
    expect(sandbox.applied('domain:create')).toBe(creates);
    // A new connection's connection_init: 1013 Try Again Later (graphql-ws's client retries it).
    const init = await connectionInit(t.gateway.wsUrl, fresh);
    expect(init).toMatchObject({ acked: false, code: 1013 });
    expect(init.reason).toMatch(/^SERVICE_UNAVAILABLE: .*retry after 5 s$/);

    proxy = await startLatencyProxy({ host: direct.hostname, port: Number(direct.port || 5432) }, { port }); // back, on the same address

    // Same API keys, same instance, no restart.
    const http = await t.gql(fresh, '{ viewer { id } }');
    expect(http).toMatchObject({ status: 200, data: { viewer: { id: 'NewRegistrar' } } });
    expect(await connectionInit(t.gateway.wsUrl, fresh)).toEqual({ acked: true });
    // The same idempotency key: a first send (nothing had been), applied once.
    const created = await once(ws, CREATE, { k: idempotencyKey, name });
    expect(created.errors).toBeUndefined();
    expect(created.data.createDomain).toEqual({ name, replayed: false, transaction: { resultCode: 1000 } });
    expect(sandbox.applied('domain:create')).toBe(creates + 1);
    await t.gateway.commandLog.flush();
    expect(await db.prisma.commandLog.count({ where: { idempotencyKey } })).toBe(1);

    // The operator's log: the outage once (an error line with its cause), no "unexpected error".
    const outage = logLines.filter((l) => /database is not answering/.test(l.msg));
    expect(outage).toHaveLength(1);
    expect(outage[0]!.level).toBe(50);
    expect(logLines.filter((l) => l.msg === 'unexpected error')).toEqual([]);
  }, 60_000);
});
