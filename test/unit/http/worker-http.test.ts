/**
 * A worker's HTTP server (API_ENABLED=false; src/http/worker-http.ts), over a real socket: what
 * an orchestrator and Prometheus meet (/healthz, /readyz, /metrics with and without its token),
 * and what a client that sends GraphQL to a worker is told (404 NOT_FOUND, as GraphQL errors).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerServer, NO_API_MESSAGE, type WorkerHttpOptions } from '../../../src/http/worker-http.js';
import { createLogger } from '../../../src/logger.js';
import type { Readiness } from '../../../src/http/health.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(opts: Partial<WorkerHttpOptions> = {}): Promise<string> {
  const server = createWorkerServer({
    ready: async (): Promise<Readiness> => ({ ready: true, checks: { database: 'ok', redis: 'not configured' } }),
    requestTimeoutMs: 30_000,
    headersTimeoutMs: 10_000,
    logger: createLogger('silent'),
    ...opts,
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const metrics = { contentType: 'text/plain; version=0.0.4; charset=utf-8', text: async () => '# HELP rgw_up 1\nrgw_up 1\n' };

describe('a worker answers over HTTP', () => {
  it('/healthz 200, /readyz 200 or 503 with the readiness checks', async () => {
    let ready = true;
    const url = await serve({ ready: async () => ({ ready, checks: { database: ready ? 'ok' : 'unavailable: not reachable', redis: 'not configured' } }) });
    const health = await fetch(`${url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { ok: true }]);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    ready = false;
    const down = await fetch(`${url}/readyz?x=1`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ ready: false, checks: { database: 'unavailable: not reachable', redis: 'not configured' } });
  });

  it('/metrics with the token asked as the API asks it (401 without, 200 with), and 404 when metrics are off', async () => {
    const url = await serve({ metrics, metricsToken: 's3cret-token' });
    const refused = await fetch(`${url}/metrics`);
    expect(refused.status).toBe(401);
    expect(await refused.text()).toBe('send the metrics token: Authorization: Bearer <token>\n');
    expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong-token!' } })).status).toBe(401);
    const ok = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer s3cret-token' } });
    expect([ok.status, ok.headers.get('content-type'), await ok.text()]).toEqual([200, metrics.contentType, '# HELP rgw_up 1\nrgw_up 1\n']);
    const off = await serve();
    expect((await fetch(`${off}/metrics`)).status).toBe(404);
  });

  it('anything else, GraphQL included, 404 with a GraphQL error NOT_FOUND; HEAD without a body', async () => {
    const url = await serve({ metrics });
    for (const [path, init] of [
      ['/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }],
      ['/graphql', {}],
      ['/', {}],
      ['/healthz', { method: 'POST' }],
    ] as const) {
      const res = await fetch(`${url}${path}`, init);
      expect(res.status, `${init.method ?? 'GET'} ${path}`).toBe(404);
      expect(await res.json()).toEqual({ errors: [{ message: NO_API_MESSAGE, extensions: { code: 'NOT_FOUND' } }] });
    }
    const head = await fetch(`${url}/healthz`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('a readiness check that throws is a 500 with INTERNAL_SERVER_ERROR, and the server goes on', async () => {
    const url = await serve({ ready: async () => Promise.reject(new Error('boom')) });
    const res = await fetch(`${url}/readyz`);
    expect([res.status, await res.json()]).toEqual([500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }]);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
