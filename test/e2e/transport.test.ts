/**
 * The transports against real suites: graphql-http's audit of the GraphQL-over-HTTP spec, the
 * graphql-ws client and raw graphql-ws protocol cases (GraphiQL: graphiql-browser.test.ts).
 */
import { serverAudits } from 'graphql-http';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freshDatabase } from '../helpers/db.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  // Apollo adds stack traces to errors unless NODE_ENV is production or test; a gateway started
  // without NODE_ENV (as `npm start` is) must not.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'development';
  try {
    t = await startTestGateway();
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
});
afterAll(() => t?.close());

describe('GraphQL over HTTP (graphql-http audits)', () => {
  it('passes every MUST audit', async () => {
    const key = t.keys.NewRegistrar!;
    const audits = serverAudits({
      url: t.gateway.url,
      fetchFn: (input: string | URL | Request, init?: RequestInit) => {
        const headers = new Headers(init?.headers);
        headers.set('authorization', `Bearer ${key}`);
        return fetch(input, { ...init, headers });
      },
    });
    const results = await Promise.all(audits.map((a) => a.fn()));
    const errors = results.filter((r) => r.status === 'error');
    expect(errors.map((e) => `${e.name}: ${'reason' in e ? e.reason : ''}`)).toEqual([]);
    const warnings = results.filter((r) => r.status === 'warn').length;
    // Apollo Server 5 passes with 0 MUST errors and a few SHOULD warnings.
    expect(warnings).toBeLessThanOrEqual(5);
  });
});

describe('errors', () => {
  it('carry no stack trace, whatever NODE_ENV says', async () => {
    const anonymous = await t.gql(null, '{ viewer { id } }');
    const syntax = await t.gql(t.keys.NewRegistrar!, '{ viewer { id ');
    const unknown = await t.gql(t.keys.NewRegistrar!, '{ viewer { nope } }');
    for (const r of [anonymous, syntax, unknown]) {
      expect(r.errors?.length).toBeGreaterThan(0);
      expect(JSON.stringify(r.errors)).not.toMatch(/stacktrace|\bat .*\.js:\d+/);
    }
  });
});

describe('malformed requests', () => {
  it('get a GraphQL error as JSON, never an HTML page or a stack trace', async () => {
    const post = (body: string) =>
      fetch(t.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.keys.NewRegistrar}` }, body });
    const broken = await post('{"query": "{ viewer { id } }');
    expect(broken.status).toBe(400);
    expect(broken.headers.get('content-type')).toMatch(/json/);
    const text = await broken.text();
    expect(JSON.parse(text)).toEqual({ errors: [{ message: 'the request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
    const huge = await post(JSON.stringify({ query: `{ viewer { id } }`, variables: { pad: 'x'.repeat(3 * 1024 * 1024) } }));
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('an unknown path is a GraphQL-shaped 404 naming the paths served, not HTML', async () => {
    const base = t.gateway.url.replace(/\/graphql$/, '');
    for (const [method, path] of [['GET', '/graphq'], ['POST', '/api/graphql'], ['GET', '/%3Cscript%3E']] as const) {
      const r = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) });
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await r.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect(body.errors[0]!.extensions.code).toBe('NOT_FOUND');
      expect(body.errors[0]!.message).toContain(`no such path: ${method} `);
      expect(body.errors[0]!.message).toContain('the GraphQL API is at /graphql');
    }
    expect((await fetch(`${base}/graphq`)).headers.get('content-type')).not.toMatch(/html/);
  });

  /** A body whose variable `x` is nested `levels` arrays deep (the body object and `variables` add two levels). */
  const nested = (levels: number) => `{"query":"{ __typename }","variables":{"x":${'['.repeat(levels)}${']'.repeat(levels)}}}`;
  const post = (body: string | Uint8Array, contentType = 'application/json') =>
    fetch(t.gateway.url, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${t.keys.NewRegistrar}` }, body });

  it('refuses a body nested deeper than 32 levels before parsing it, naming the bound; 32 levels are served', async () => {
    const fits = await post(nested(30));
    expect(fits.status).toBe(200);
    expect(await fits.json()).toEqual({ data: { __typename: 'Query' } });
    for (const levels of [31, 1_000_000]) {
      const r = await post(nested(levels));
      expect(r.status).toBe(400);
      expect(await r.json()).toEqual({ errors: [{ message: 'the request body nests arrays and objects more than 32 levels deep', extensions: { code: 'BAD_REQUEST', limit: 'jsonDepth', max: 32 } }] });
    }
    // Brackets inside strings are text, not nesting.
    const inString = await post(JSON.stringify({ query: '{ __typename }', variables: { x: `${'['.repeat(100)}"\\${'{'.repeat(100)}` } }));
    expect(inString.status).toBe(200);
  });

  it('refuses a body holding more JSON values than the largest bulk job needs, naming the bound', async () => {
    const r = await post(`{"query":"{ __typename }","variables":{"x":[${Array(200_000).fill('0').join(',')}]}}`);
    expect(r.status).toBe(400);
    const body = (await r.json()) as { errors: Array<{ message: string; extensions: { code: string; limit: string; max: number } }> };
    expect(body.errors[0]!.extensions).toMatchObject({ code: 'BAD_REQUEST', limit: 'maxJsonValues' });
    expect(body.errors[0]!.message).toBe(`the request body holds more than ${body.errors[0]!.extensions.max} JSON values`);
  });

  it('answers a body in a charset other than UTF-8 with 415, naming the charset', async () => {
    const r = await post('{"query":"{ __typename }"}', 'application/json; charset=iso-8859-1');
    expect(r.status).toBe(415);
    expect(await r.json()).toEqual({ errors: [{ message: 'the request body\'s charset "iso-8859-1" is not supported: send UTF-8 (RFC 8259 section 8.1)', extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('refuses UTF-16 too: the JSON shape limits read UTF-8, and a UTF-16 body nested past them would be parsed', async () => {
    // In UTF-16LE "\u2200" is the bytes 00 22, a quote to a UTF-8 reader: the nesting after it would go uncounted.
    const text = `{"query":"{ __typename }","variables":{"a":"\u2200","x":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    for (const [charset, bytes] of [
      ['utf-16le', Buffer.from(text, 'utf16le')],
      ['UTF-16', Buffer.from(text, 'utf16le')],
    ] as const) {
      const r = await post(bytes, `application/json; charset=${charset}`);
      expect(r.status).toBe(415);
      expect(((await r.json()) as { errors: Array<{ message: string }> }).errors[0]!.message).toBe(`the request body's charset "${charset.toLowerCase()}" is not supported: send UTF-8 (RFC 8259 section 8.1)`);
    }
    // UTF-8, named in any letter case, is served.
    expect((await post('{"query":"{ __typename }"}', 'application/json; charset=UTF-8')).status).toBe(200);
  });
});

describe('health', () => {
  it('/healthz says the process serves; /readyz says its database (and Redis, when configured) answer', async () => {
    const base = t.gateway.url.replace(/graphql$/, '');
    expect(await (await fetch(`${base}healthz`)).json()).toEqual({ ok: true });
    const ready = await fetch(`${base}readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { database: 'ok', redis: 'not configured' } });
  });

  it('/readyz says "shutting down" once shutdown begins, while requests are still served', async () => {
    const leaving = await startTestGateway({ configure: (c) => (c.poll.enabled = false) });
    try {
      const readyz = leaving.gateway.url.replace(/graphql$/, 'readyz');
      expect((await fetch(readyz)).status).toBe(200);
      leaving.gateway.beginShutdown();
      const r = await fetch(readyz);
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({ ready: false, checks: { database: 'ok', redis: 'not configured', instance: 'shutting down' } });
      const q = await leaving.gql(leaving.keys.NewRegistrar!, '{ viewer { id } }');
      expect(q.data.viewer.id).toBe('NewRegistrar');
    } finally {
      await leaving.close();
    }
  });

  it('/readyz stays ready (200) when only Redis does not answer, naming it as degraded, and answers 503 when the database does not', async () => {
    const db = await freshDatabase();
    let down = false;
    const prisma = new Proxy(db.prisma, {
      get: (target, prop, recv) => (prop === '$queryRaw' && down ? () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) : Reflect.get(target, prop, recv)),
    });
    const sick = await startTestGateway({ database: { prisma, close: () => db.close() }, configure: (c) => {
      c.redisUrl = 'redis://127.0.0.1:1'; // nothing listens there
      c.poll.enabled = false;
    } });
    try {
      const readyz = sick.gateway.url.replace(/graphql$/, 'readyz');
      // Every instance shares the one Redis, and each carries on without it: a Redis outage must not
      // take them all out of the load balancer.
      let r = await fetch(readyz);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ ready: true, checks: { database: 'ok', redis: expect.stringMatching(/^unavailable/) }, degraded: ['redis'] });
      const q = await sick.gql(sick.keys.NewRegistrar!, '{ viewer { id } }');
      expect(q.data.viewer.id).toBe('NewRegistrar');
      down = true;
      r = await fetch(readyz);
      expect(r.status).toBe(503);
      const body = (await r.json()) as { checks: Record<string, string> };
      expect(body.checks.database).toBe('unavailable: not reachable');
      expect(JSON.stringify(body)).not.toContain('5432');
    } finally {
      await sick.close();
    }
  });
});

describe('graphql-ws', () => {
  it('runs operations for an authenticated connection', async () => {
    const client = createClient({ url: t.gateway.wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${t.keys.TheRegistrar}` }, retryAttempts: 0 });
    try {
      const result = await new Promise<any>((resolve, reject) => {
        client.subscribe({ query: '{ viewer { id } }' }, { next: resolve, error: reject, complete: () => undefined });
      });
      expect(result.data.viewer.id).toBe('TheRegistrar');
    } finally {
      await client.dispose();
    }
  });

  function raw(): Promise<{ ws: WebSocket; messages: any[]; closed: Promise<{ code: number; reason: string }> }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(t.gateway.wsUrl, 'graphql-transport-ws');
      const messages: any[] = [];
      const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
      ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
      ws.on('open', () => resolve({ ws, messages, closed }));
      ws.on('error', reject);
    });
  }
  const waitFor = async (cond: () => boolean) => {
    for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('answers an invalid operation with the codes HTTP uses', async () => {
    const client = createClient({ url: t.gateway.wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${t.keys.TheRegistrar}` }, retryAttempts: 0 });
    const run = (query: string) =>
      new Promise<any>((resolve) => client.subscribe({ query }, { next: resolve, error: resolve, complete: () => undefined }));
    try {
      expect((await run('subscription { pollMessages { nope } }'))[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect((await run('subscription { pollMessages { id '))[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    } finally {
      await client.dispose();
    }
  });

  it('closes with 4403 and a reason saying what to send when the API key is wrong or missing', async () => {
    for (const payload of [{ Authorization: 'Bearer rgw_wrong' }, {}]) {
      const { ws, closed } = await raw();
      ws.send(JSON.stringify({ type: 'connection_init', payload }));
      expect(await closed).toEqual({ code: 4403, reason: 'Forbidden: no valid API key; send connection_init with payload {"Authorization": "Bearer <key>"}' });
    }
  });

  it('closes with 4401 on subscribe before the ack', async () => {
    const { ws, closed } = await raw();
    ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ viewer { id } }' } }));
    expect((await closed).code).toBe(4401);
  });

  it('closes with 4429 on a second connection_init', async () => {
    const { ws, messages, closed } = await raw();
    ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${t.keys.NewRegistrar}` } }));
    await waitFor(() => messages.some((m) => m.type === 'connection_ack'));
    ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${t.keys.NewRegistrar}` } }));
    expect((await closed).code).toBe(4429);
  });

  it('closes with 1009 and a reason naming the limit on a message larger than the 2 MB a request body may be, before reading it whole', async () => {
    const { ws, closed } = await raw();
    ws.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(3 * 1024 * 1024) } }));
    // ws's own close said only 1009, with an empty reason.
    expect(await closed).toEqual({ code: 1009, reason: 'message too big: limit 2097152 bytes' });
  });

  it('closes with 4400 and a reason naming the bound on a message nested deeper than 32 levels, before parsing it', async () => {
    const { ws, messages, closed } = await raw();
    ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${t.keys.NewRegistrar}` } }));
    await waitFor(() => messages.some((m) => m.type === 'connection_ack'));
    ws.send(`{"id":"1","type":"subscribe","payload":{"query":"{ __typename }","variables":{"x":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}}}`);
    expect(await closed).toEqual({ code: 4400, reason: 'the message nests arrays and objects more than 32 levels deep' });
  });

  it('refuses a subscription beyond 100 on one connection with TOO_MANY_SUBSCRIPTIONS; completing one makes room', async () => {
    const { ws, messages } = await raw();
    ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${t.keys.NewRegistrar}` } }));
    await waitFor(() => messages.some((m) => m.type === 'connection_ack'));
    const subscribe = (id: string) => ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query: 'subscription { pollMessages { id } }' } }));
    for (let i = 1; i <= 101; i++) subscribe(`s${i}`);
    await waitFor(() => messages.some((m) => m.id === 's101'));
    expect(messages.filter((m) => m.type === 'error').map((m) => [m.id, m.payload[0].extensions.code])).toEqual([['s101', 'TOO_MANY_SUBSCRIPTIONS']]);
    await waitFor(() => t.gateway.services.events.listeners('NewRegistrar') >= 100);
    ws.send(JSON.stringify({ id: 's1', type: 'complete' }));
    subscribe('s102');
    await new Promise((r) => setTimeout(r, 200));
    expect(messages.filter((m) => m.type === 'error').map((m) => m.id)).toEqual(['s101']);
    ws.close();
  });

  it('closes with 4400 on a subscription id longer than 128 characters, echoing nothing of it; a 128-character id is served', async () => {
    // Each open subscription keeps its id: a hundred ids of nearly 2 MB each held some 400 MiB per connection.
    const { ws, messages, closed } = await raw();
    ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${t.keys.NewRegistrar}` } }));
    await waitFor(() => messages.some((m) => m.type === 'connection_ack'));
    const long = 'x'.repeat(129);
    ws.send(JSON.stringify({ id: long, type: 'subscribe', payload: { query: 'subscription { pollMessages { id } }' } }));
    expect(await closed).toEqual({ code: 4400, reason: 'Bad request: a subscription id may be at most 128 characters' });
    expect(messages.filter((m) => m.type !== 'connection_ack')).toEqual([]);
    const next = await raw();
    next.ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${t.keys.NewRegistrar}` } }));
    await waitFor(() => next.messages.some((m) => m.type === 'connection_ack'));
    const longest = 'y'.repeat(128);
    next.ws.send(JSON.stringify({ id: longest, type: 'subscribe', payload: { query: '{ viewer { id } }' } }));
    await waitFor(() => next.messages.some((m) => m.id === longest));
    expect(next.messages.find((m) => m.id === longest)).toEqual({ id: longest, type: 'next', payload: { data: { viewer: { id: 'NewRegistrar' } } } });
    next.ws.close();
  });

  it('closes with 4409 on a duplicate operation id', async () => {
    const { ws, messages, closed } = await raw();
    ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${t.keys.NewRegistrar}` } }));
    await waitFor(() => messages.some((m) => m.type === 'connection_ack'));
    const slow = { query: '{ pollMessages { edges { cursor } } }' };
    ws.send(JSON.stringify({ id: 'same', type: 'subscribe', payload: slow }));
    ws.send(JSON.stringify({ id: 'same', type: 'subscribe', payload: slow }));
    expect((await closed).code).toBe(4409);
  });
});
