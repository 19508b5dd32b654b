/**
 * Tracing turned on the standard way, by OpenTelemetry's variables (OTEL_EXPORTER_OTLP_ENDPOINT,
 * OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_SERVICE_NAME), exports over OTLP/HTTP to a collector: here a
 * loopback HTTP server in the test that keeps what it receives. Default protocol http/protobuf
 * (strings travel as plain UTF-8 in protobuf, so the body shows the span names), and http/json.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { tracingFromEnv } from '../../src/config.js';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../src/logger.js';
import { startTestGateway } from '../helpers/gateway.js';

const received: { path: string; type: string; body: Buffer }[] = [];
let collector: Server;
let endpoint: string;
beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', type: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
      if (req.url === '/refuse') return void res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":3,"message":"refused by the test"}');
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/json' }).end(req.headers['content-type']?.includes('json') ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => collector.close(() => resolve())));
// Each test starts a gateway of its own: tens of seconds on a loaded machine.
vi.setConfig({ testTimeout: 120_000 });
afterEach(() => {
  vi.unstubAllEnvs();
  received.length = 0;
});

/** A gateway configured from the environment answers one query, then stops (which flushes its spans). */
async function oneQuery(logger?: Logger): Promise<void> {
  const t = await startTestGateway({ logger, configure: (c) => ((c.tracing = tracingFromEnv(process.env, c.tracing)), (c.poll.enabled = false)) });
  try {
    expect(t.gateway.tracing).not.toBeNull();
    const r = await t.gql(t.keys.NewRegistrar!, 'query Exported { checkDomains(names: ["exported.tld"]) { available } }');
    expect(r.errors).toBeUndefined();
  } finally {
    await t.close();
  }
}

it('OTEL_EXPORTER_OTLP_ENDPOINT alone: http/protobuf to <endpoint>/v1/traces', async () => {
  vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', endpoint);
  vi.stubEnv('OTEL_SERVICE_NAME', 'gateway-under-test');
  await oneQuery();
  const traces = received.filter((r) => r.path === '/v1/traces');
  expect(traces.length).toBeGreaterThan(0);
  expect(traces[0]!.type).toBe('application/x-protobuf');
  const body = Buffer.concat(traces.map((r) => r.body)).toString('latin1');
  for (const text of ['query Exported', 'domain:check', 'gateway-under-test']) expect(body).toContain(text);
});

it('OTEL_EXPORTER_OTLP_PROTOCOL=http/json: the spans as OTLP JSON, the command a child of the operation', async () => {
  vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', `${endpoint}/custom/traces`);
  vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', 'http/json');
  await oneQuery();
  const traces = received.filter((r) => r.path === '/custom/traces');
  expect(traces[0]?.type).toBe('application/json');
  const spans = traces.flatMap((r) => JSON.parse(r.body.toString()).resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans)));
  const op = spans.find((s: any) => s.name === 'query Exported');
  const command = spans.find((s: any) => s.name === 'domain:check');
  expect(command.parentSpanId).toBe(op.spanId);
  expect(command.traceId).toBe(op.traceId);
});

it('a collector that refuses the spans: the gateway still stops, and its log says so', async () => {
  vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', `${endpoint}/refuse`);
  vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', 'http/json');
  const lines: { component?: string; level: number; msg: string }[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(...String(chunk).split('\n').filter(Boolean).map((l) => JSON.parse(l))), done()) });
  await oneQuery(pino({ level: 'warn' }, sink));
  expect(received.some((r) => r.path === '/refuse')).toBe(true);
  expect(lines.find((l) => l.component === 'opentelemetry')).toMatchObject({ level: 40, msg: 'the last spans could not be exported' });
});
