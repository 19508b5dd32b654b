import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import { requestAuthorization } from './authenticate.js';
import type { Readiness } from './health.js';

/** What a worker's GET /metrics answers from (src/metrics.ts Metrics, loaded). */
export interface WorkerMetrics {
  text(): Promise<string>;
  readonly contentType: string;
}

/** What createWorkerServer serves from. */
export interface WorkerHttpOptions {
  /** GET /readyz's answer (src/http/health.ts readiness). */
  ready(): Promise<Readiness>;
  /** GET /metrics, when metrics are on (config metrics.enabled); absent: 404 as any other path. */
  metrics?: WorkerMetrics;
  /** metrics.token (METRICS_TOKEN): GET /metrics then asks for `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** node:http's requestTimeout and headersTimeout (ms), the API's limits.requestTimeoutMs and headersTimeoutMs. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  logger: Logger;
}

/** What any other request is told (HTTP 404, a GraphQL-shaped error with extensions.code NOT_FOUND). */
export const NO_API_MESSAGE = 'this instance serves no GraphQL API (a worker: api.enabled false, or API_ENABLED=false): it runs bulk jobs and poll ingestion; send GraphQL requests to an instance that serves the API';

/**
 * The HTTP server of an instance without the GraphQL API (config `api.enabled: false`, env
 * API_ENABLED=false; README "Scaling out": bulk and poll workers beside the instances that serve
 * the API, on one PostgreSQL). It is node:http alone, without express, Apollo, graphql-ws or the
 * schema, which such an instance never loads: a worker restarted after a crash runs its bulk
 * items without first spending some 0.6 s of its one JavaScript thread loading them.
 *
 *   GET /healthz   200 `{"ok":true}`: the process serves HTTP (liveness)
 *   GET /readyz    200 or 503 with src/http/health.ts's Readiness (the database within 2 s, not shutting down)
 *   GET /metrics   Prometheus text, when metrics are on; with a token, 401 without `Authorization: Bearer <token>`
 *   anything else  404 `{"errors":[{"message":...,"extensions":{"code":"NOT_FOUND"}}]}` (HEAD: no body)
 *
 * HEAD is answered as GET without a body. Request bodies are not read. Not listening yet: the
 * caller listens (src/http/listen.ts) and closes it.
 */
export function createWorkerServer(opts: WorkerHttpOptions): Server {
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(res.req.method === 'HEAD' ? undefined : JSON.stringify(body));
  };
  const text = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (get && path === '/healthz') return json(res, 200, { ok: true });
    if (get && path === '/readyz') {
      const r = await opts.ready();
      return json(res, r.ready ? 200 : 503, r);
    }
    if (get && path === '/metrics' && opts.metrics) {
      if (opts.metricsToken && !bearerMatches(requestAuthorization(req), opts.metricsToken)) {
        return text(res, 401, 'text/plain; charset=utf-8', 'send the metrics token: Authorization: Bearer <token>\n');
      }
      return text(res, 200, opts.metrics.contentType, await opts.metrics.text());
    }
    json(res, 404, { errors: [{ message: NO_API_MESSAGE, extensions: { code: 'NOT_FOUND' } }] });
  };
  return createServer(httpServerOptions(opts), (req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.logger.error({ err }, 'unexpected HTTP error');
      if (!res.headersSent) json(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    });
  });
}

/**
 * node:http's time limits for a client (ms; the config's limits.requestTimeoutMs and
 * headersTimeoutMs), checked every quarter of headersTimeoutMs (10 ms to 1 s): Node's defaults give
 * a client 300 s to send a request (60 s for its headers), and check only every 30 s, so a 2 MB
 * body sent slowly held a connection and its buffer for five minutes.
 */
export function httpServerOptions({ requestTimeoutMs, headersTimeoutMs }: { requestTimeoutMs: number; headersTimeoutMs: number }) {
  return { requestTimeout: requestTimeoutMs, headersTimeout: headersTimeoutMs, connectionsCheckingInterval: Math.min(1000, Math.max(10, Math.floor(headersTimeoutMs / 4))) };
}

/**
 * Whether an Authorization header is `Bearer <token>`, compared in constant time (node:crypto
 * timingSafeEqual); a header given more than once never matches. GET /metrics's check, on the API
 * instances (src/server.ts) as on workers.
 */
export function bearerMatches(header: string | string[] | undefined, token: string): boolean {
  if (Array.isArray(header)) return false;
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
