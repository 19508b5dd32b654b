/**
 * OpenTelemetry traces as an operator meets them: with tracing on, every GraphQL operation over
 * HTTP and over graphql-ws is a span, with a child span per upstream command it sent to the
 * sandbox registry (backend, command, result code), joined to the caller's trace by `traceparent`;
 * no secret (auth info, API key, registry password) is in any span. With tracing off (the
 * default) nothing is traced or exported. Spans are read from an in-memory exporter the gateway
 * uses in place of the OTLP one; tracing-otlp.test.ts covers the OTLP export itself.
 */
import { randomUUID } from 'node:crypto';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { wsOnce } from '../helpers/ws.js';

const PW = `Tr4ce-${randomUUID().slice(0, 8)}`;
const name = `trace-${randomUUID().slice(0, 8)}.tld`;
const create = `mutation Register($k: String!) { createDomain(idempotencyKey: $k, input: { name: "${name}", authInfo: "${PW}" }) { name domain { authInfo } } }`;
const read = `query Look { domain(name: "${name}") { name authInfo } }`;

/** Runs the same operations on a gateway: a mutation, a repeated one (2302), a query over graphql-ws, a query joining a caller's trace. */
async function exercise(t: TestGateway, traceparent: string) {
  const A = t.keys.NewRegistrar!;
  expect((await t.gql(A, create, { k: randomUUID() })).errors).toBeUndefined();
  expect((await t.gql(A, create, { k: randomUUID() })).errors?.[0]?.extensions?.code).toBe('OBJECT_EXISTS');
  expect((await wsOnce(t.gateway.wsUrl, A, read)).data.domain.authInfo).toBe(PW);
  const res = await fetch(t.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${A}`, traceparent },
    body: JSON.stringify({ query: read }),
  });
  expect(((await res.json()) as any).data.domain.name).toBe(name);
  // A domain at the REPP sandbox (seeded for NewRegistrar): REST instead of EPP, traced the same way.
  expect((await t.gql(A, 'query Estonian { domain(name: "kass.ee") { name } }')).data.domain.name).toBe('kass.ee');
}

const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const traceparent = `00-${CALLER_TRACE}-b7ad6b7169203331-01`;

describe('tracing on', () => {
  const exporter = new InMemorySpanExporter();
  let t: TestGateway;
  let spans: ReadableSpan[];
  beforeAll(async () => {
    t = await startTestGateway({ traceExporter: exporter, configure: (c) => ((c.tracing = { enabled: true }), (c.poll.enabled = false)) });
    await exercise(t, traceparent);
    await t.gateway.tracing!.forceFlush();
    spans = exporter.getFinishedSpans();
  });
  afterAll(() => t?.close());

  const childrenOf = (parent: ReadableSpan) => spans.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);
  const operation = (spanName: string, transport: string) => spans.filter((s) => s.name === spanName && s.attributes['rgw.transport'] === transport);

  it('a mutation over HTTP: its span, and a child per upstream command with backend, command and result code', () => {
    const [ok, refused] = operation('mutation Register', 'http');
    expect(ok!.attributes).toMatchObject({ 'graphql.operation.type': 'mutation', 'graphql.operation.name': 'Register', 'rgw.registrar': 'NewRegistrar' });
    expect(ok!.status.code).not.toBe(2);
    const commands = childrenOf(ok!);
    expect(commands.map((c) => c.name)).toEqual(expect.arrayContaining(['domain:create', 'domain:info']));
    const created = commands.find((c) => c.name === 'domain:create')!;
    expect(created.attributes).toMatchObject({ 'registry.backend': 'sandbox-nomulus', 'registry.command': 'domain:create', 'registry.object': name, 'registry.result_code': 1000 });
    expect(created.spanContext().traceId).toBe(ok!.spanContext().traceId);
    // Within its operation's time.
    expect(created.startTime[0] * 1e9 + created.startTime[1]).toBeGreaterThanOrEqual(ok!.startTime[0] * 1e9 + ok!.startTime[1] - 1e6);

    // The same name again: the registry answers 2302, the operation fails with OBJECT_EXISTS.
    expect(refused!.attributes['error.type']).toBe('OBJECT_EXISTS');
    expect(refused!.status.code).toBe(2); // SpanStatusCode.ERROR
    const failed = childrenOf(refused!).find((c) => c.name === 'domain:create')!;
    expect(failed.attributes).toMatchObject({ 'registry.result_code': 2302, 'error.type': 'OBJECT_EXISTS' });
  });

  it('a query over graphql-ws: its span, with its upstream command as a child', () => {
    const [overWs] = operation('query Look', 'ws');
    expect(overWs).toBeDefined();
    expect(childrenOf(overWs!).map((c) => [c.name, c.attributes['registry.result_code']])).toEqual([['domain:info', 1000]]);
  });

  it("an HTTP request's traceparent makes the operation part of the caller's trace", () => {
    const joined = operation('query Look', 'http').find((s) => s.spanContext().traceId === CALLER_TRACE);
    expect(joined?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(childrenOf(joined!).map((c) => c.name)).toEqual(['domain:info']);
  });

  it('a query reaching the REST registry (REPP): its command under it, with the HTTP result mapped to a result code', () => {
    const [estonian] = operation('query Estonian', 'http');
    expect(childrenOf(estonian!).map((c) => c.attributes)).toEqual([expect.objectContaining({ 'registry.backend': 'sandbox-repp', 'registry.command': 'domain:info', 'registry.result_code': 1000 })]);
  });

  it('no secret in any span: auth info, API keys, registry passwords', () => {
    const accounts = t.gateway.services.config.backends.flatMap((b) => Object.values(b.accounts) as { password: string; username?: string }[]);
    // A REPP password also travels as HTTP Basic credentials.
    const passwords = accounts.flatMap((a) => [a.password, ...(a.username ? [Buffer.from(`${a.username}:${a.password}`).toString('base64')] : [])]);
    const text = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status, resource: s.resource.attributes })));
    for (const secret of [PW, ...Object.values(t.keys), ...passwords]) expect(text).not.toContain(secret);
  });
});

describe('tracing off (the default)', () => {
  it('traces and exports nothing', async () => {
    const exporter = new InMemorySpanExporter();
    const t = await startTestGateway({ traceExporter: exporter, configure: (c) => (c.poll.enabled = false) });
    try {
      expect(t.gateway.tracing).toBeNull();
      await exercise(t, traceparent);
      await exporter.forceFlush();
      expect(exporter.getFinishedSpans()).toEqual([]);
    } finally {
      await t.close();
    }
  }, 120_000); // it starts a gateway of its own: tens of seconds on a loaded machine
});
