/**
 * Issue 8 items 2 (the answer's half), 9 (revoked keys) and 12, and item 3's rate limit: what
 * the transport answers to subscriptions over HTTP, error floods and huge echoed literals, a
 * client spending more than its budget, and a key revoked under an open WebSocket. Slow clients
 * on a raw socket: a request without a valid key is refused before its body is read, and a
 * request that is not sent whole within limits.requestTimeoutMs / headersTimeoutMs is closed.
 */
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { createClient } from 'graphql-ws';
import { pino } from 'pino';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../src/auth/api-keys.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { wsOnce } from '../helpers/ws.js';

const logLines: Array<{ level: number; msg: string }> = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
    done();
  },
});

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    logger: pino({ level: 'info' }, sink),
    configure: (c) => {
      c.poll.enabled = false;
      c.limits.maxErrors = 5;
      // A window no smaller than maxCost, as the config check asks.
      c.limits.maxCost = 299;
      c.limits.rateLimit = { points: 300, durationSec: 3600 };
      c.auth = { revocationCheckMs: 100 };
    },
  });
});
afterAll(() => t?.close());

const post = (body: unknown, headers: Record<string, string> = {}, key = t.keys.NewRegistrar) =>
  fetch(t.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers }, body: JSON.stringify(body) });

describe('subscriptions over HTTP', () => {
  it.each([
    ['plain', {}],
    ["Apollo Client's multipart accept", { accept: 'multipart/mixed;subscriptionSpec="1.0", application/json' }],
  ])('are refused with a 400 BAD_REQUEST pointing to graphql-ws, and nothing in the error log (%s)', async (_name, headers) => {
    const errorsBefore = logLines.filter((l) => l.level >= 50).length;
    const res = await post({ query: 'subscription { pollMessages { id } }' }, headers);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0]!.message).toContain('graphql-ws');
    expect(logLines.filter((l) => l.level >= 50).length).toBe(errorsBefore);
  });
});

describe('answers', () => {
  it('carry no X-Powered-By header', async () => {
    const res = await post({ query: '{ viewer { id } }' });
    expect(res.headers.get('x-powered-by')).toBeNull();
    const health = await fetch(new URL('/healthz', t.gateway.url));
    expect(health.headers.get('x-powered-by')).toBeNull();
  });

  it('carry at most limits.maxErrors errors, the last saying how many were left out (HTTP and graphql-ws)', async () => {
    const query = `{ ${Array.from({ length: 8 }, (_, i) => `d${i}: domain(name: "bad_${i}..example") { name }`).join(' ')} }`;
    const http = await t.gql(t.keys.TheRegistrar!, query);
    const ws = await wsOnce(t.gateway.wsUrl, t.keys.TheRegistrar!, query);
    for (const errors of [http.errors!, ws.errors!]) {
      expect(errors).toHaveLength(5);
      expect(errors.slice(0, 4).map((e) => e.extensions?.code)).toEqual(Array(4).fill('BAD_USER_INPUT'));
      expect(errors[4]).toMatchObject({ extensions: { code: 'TOO_MANY_ERRORS', omitted: 4 } });
    }
  });

  it('never echo a huge literal whole: a message is cut at 500 characters', async () => {
    const res = await post({ query: `{ domain(name: ${'9'.repeat(100_000)}) { name } }` }, {}, t.keys.TheRegistrar);
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(text.length).toBeLessThan(2000);
    expect(JSON.parse(text).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('automatic persisted queries the client got wrong', () => {
  const query = '{ viewer { id } }';
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  it.each([
    ['a hash that is not the query\'s', { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ viewer { name } }') } } }, 'extensions.persistedQuery.sha256Hash'],
    ['version 2', { query, extensions: { persistedQuery: { version: 2, sha256Hash: sha256(query) } } }, 'extensions.persistedQuery.version'],
    ['version 2, the hash alone', { extensions: { persistedQuery: { version: 2, sha256Hash: sha256(query) } } }, 'extensions.persistedQuery.version'],
    ['a number for the hash, alone', { extensions: { persistedQuery: { version: 1, sha256Hash: 123 } } }, 'extensions.persistedQuery.sha256Hash'],
    ['no hash', { extensions: { persistedQuery: { version: 1 } } }, 'extensions.persistedQuery.sha256Hash'],
    ['100,000 letters for the hash, alone', { extensions: { persistedQuery: { version: 1, sha256Hash: 'Z'.repeat(100_000) } } }, 'extensions.persistedQuery.sha256Hash'],
    ['an upper-case hash, alone', { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query).toUpperCase() } } }, 'extensions.persistedQuery.sha256Hash'],
    ['a string for the extension', { query, extensions: { persistedQuery: 'x' } }, 'extensions.persistedQuery'],
    ['a list for the extension', { query, extensions: { persistedQuery: [1, sha256(query)] } }, 'extensions.persistedQuery'],
  ])('%s: 400 BAD_REQUEST naming extensions.persistedQuery (not INTERNAL_SERVER_ERROR), nothing stored, nothing in the error log', async (_name, body, field) => {
    const errorsBefore = logLines.filter((l) => l.level >= 50).length;
    const res = await post(body);
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { data?: unknown; errors: Array<{ message: string; extensions: Record<string, unknown> }> };
    expect(answer.data).toBeUndefined();
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors[0]!.extensions).toEqual({ code: 'BAD_REQUEST', field });
    expect(answer.errors[0]!.message).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}: `));
    expect(logLines.filter((l) => l.level >= 50).length).toBe(errorsBefore);
    expect(answer.errors[0]!.message.length).toBeLessThan(200); // nothing of what was sent quoted
    // The wrong hash was not stored for the query: asked alone, it is still unknown.
    const hash = (body.extensions.persistedQuery as { sha256Hash?: unknown }).sha256Hash;
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) return; // its form alone is refused (above)
    const alone = (await (await post({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } })).json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(alone.errors[0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('per-key rate limit', () => {
  it('refuses a key past its budget with RATE_LIMITED and Retry-After, on HTTP and graphql-ws, while another key is served', async () => {
    const { key: greedy } = await createApiKey(t.gateway.services.prisma, 'NewRegistrar', 'greedy');
    const { key: other } = await createApiKey(t.gateway.services.prisma, 'NewRegistrar', 'other');
    // 300 points: a domain() read costs 10 (1 on arrival, 9 once its cost is known); the 31st no longer fits.
    const read = '{ domain(name: "nothing.example") { name } }';
    const answers = [];
    for (let i = 0; i < 31; i++) answers.push(await post({ query: read }, {}, greedy));
    expect(answers.slice(0, 30).every((r) => r.status === 200)).toBe(true);
    const refused = answers[30]!;
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused.json()) as { errors: Array<{ extensions: { code: string; retryAfter: number } }> };
    expect(body.errors[0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    const ws = await wsOnce(t.gateway.wsUrl, greedy, '{ viewer { id } }');
    expect(ws.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    const served = await post({ query: read }, {}, other);
    expect(served.status).toBe(200);
  });
});

describe('a revoked API key', () => {
  /** A graphql-ws client with a pollMessages subscription open, recording how its connection closes. */
  async function subscribed(key: string) {
    const client = createClient({ url: t.gateway.wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${key}` }, retryAttempts: 0 });
    const closed = new Promise<number>((resolve) => client.on('closed', (ev) => resolve((ev as { code: number }).code)));
    const ended = new Promise<unknown>((resolve) => client.subscribe({ query: 'subscription { pollMessages { id } }' }, { next: () => undefined, error: resolve, complete: () => resolve('complete') }));
    await new Promise<void>((resolve) => client.on('connected', () => resolve()));
    return { client, closed, ended };
  }

  it("closes that key's open WebSocket connections (4403), ending their subscriptions, and only that key's", async () => {
    const prisma = t.gateway.services.prisma;
    const revoked = await createApiKey(prisma, 'TheRegistrar', 'to be revoked');
    const kept = await createApiKey(prisma, 'TheRegistrar', 'kept');
    const doomed = await subscribed(revoked.key);
    const survivor = await subscribed(kept.key);
    let survivorClosed = false;
    void survivor.closed.then(() => (survivorClosed = true));
    expect(await revokeApiKey(prisma, revoked.id)).toBe(true);
    expect(await doomed.closed).toBe(4403);
    await doomed.ended;
    expect((await t.gql(revoked.key, '{ viewer { id } }')).status).toBe(401);
    const stillServed = await new Promise<any>((resolve, reject) => survivor.client.subscribe({ query: '{ viewer { id } }' }, { next: resolve, error: reject, complete: () => undefined }));
    expect(stillServed.data.viewer.id).toBe('TheRegistrar');
    expect(survivorClosed).toBe(false);
    await Promise.all([doomed.client.dispose(), survivor.client.dispose()]);
  });
});

/**
 * A raw HTTP/1.1 client on its own socket: everything the server sends, and whether it has closed
 * the connection (its 'end' or 'close'), observed as events.
 */
function rawClient(url: string) {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  let received = '';
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((l) => l());
  let closed = false;
  socket.on('data', (b: Buffer) => ((received += b.toString('latin1')), changed()));
  socket.on('end', () => ((closed = true), changed()));
  socket.on('close', () => ((closed = true), changed()));
  socket.on('error', () => undefined); // a write after the server's close: ECONNRESET/EPIPE
  /** Resolves once `done()` holds (checked on every event). */
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => done() && (listeners.delete(check), resolve());
      listeners.add(check);
      check();
    });
  return {
    socket,
    received: () => received,
    closed: () => closed,
    until,
    /** The status line's code, once the head of an answer has arrived. */
    status: () => Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1]),
  };
}

/** The head of a POST to /graphql announcing `length` bytes of JSON body. */
const postHead = (url: string, length: number, authorization?: string) =>
  [`POST ${new URL(url).pathname} HTTP/1.1`, `Host: ${new URL(url).host}`, 'Content-Type: application/json', `Content-Length: ${length}`, ...(authorization ? [`Authorization: ${authorization}`] : []), '', ''].join('\r\n');

describe('a slow request body', () => {
  const TWO_MB = 2 * 1024 * 1024 - 1;
  it.each([
    ['no Authorization header', undefined],
    ['a key that does not exist', 'Bearer rgw_not_a_key_at_all'],
  ])('with %s: 401 UNAUTHENTICATED in the usual shape while the body is still being sent, and the connection closed', async (_name, authorization) => {
    const usual = await fetch(t.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify({ query: '{ viewer { id } }' }) });
    const c = rawClient(t.gateway.url);
    // The head and 16 bytes of a body announced as almost 2 MB, and nothing more until the server has answered.
    c.socket.write(postHead(t.gateway.url, TWO_MB, authorization) + '{"query":"{ view');
    await c.until(() => c.closed());
    expect(c.status()).toBe(401);
    const [head, body] = c.received().split('\r\n\r\n');
    expect(head).toMatch(/^content-type: application\/json; charset=utf-8$/im);
    expect(head).toMatch(/^connection: close$/im);
    expect(usual.status).toBe(401);
    expect(JSON.parse(body!)).toEqual(await usual.json());
    expect(JSON.parse(body!)).toEqual({ errors: [{ message: 'send a valid API key: Authorization: Bearer <key>', extensions: { code: 'UNAUTHENTICATED' } }] });
    c.socket.destroy();
  });

  it('with a valid key is read as usual (the key is checked once, before the body)', async () => {
    const body = JSON.stringify({ query: '{ viewer { id } }' });
    const c = rawClient(t.gateway.url);
    c.socket.write(postHead(t.gateway.url, Buffer.byteLength(body), `Bearer ${t.keys.NewRegistrar}`));
    // The body in two parts, the second only once the first has gone out.
    await new Promise<void>((resolve) => c.socket.write(body.slice(0, 10), () => resolve()));
    c.socket.write(body.slice(10));
    await c.until(() => c.received().includes('"viewer"'));
    expect(c.status()).toBe(200);
    expect(JSON.parse(c.received().split('\r\n\r\n')[1]!)).toEqual({ data: { viewer: { id: 'NewRegistrar' } } });
    c.socket.destroy();
  });
});

describe('limits.requestTimeoutMs and headersTimeoutMs', () => {
  // Its own gateway with tiny timeouts (the defaults are 30 s and 10 s).
  let slow: TestGateway;
  beforeAll(async () => {
    slow = await startTestGateway({ configure: (c) => ((c.poll.enabled = false), (c.limits.requestTimeoutMs = 300), (c.limits.headersTimeoutMs = 300)) });
  });
  afterAll(() => slow?.close());

  it('close a request with a valid key whose body dribbles in (408), long before the body is whole', async () => {
    const announced = 100_000;
    const c = rawClient(slow.gateway.url);
    c.socket.write(postHead(slow.gateway.url, announced, `Bearer ${slow.keys.NewRegistrar}`) + '{"query":"');
    // One byte at a time, each once the one before has been written, until the server closes.
    let sent = 0;
    const dribble = () => {
      if (c.closed() || c.socket.destroyed) return;
      sent++;
      c.socket.write(' ', () => setImmediate(dribble));
    };
    dribble();
    await c.until(() => c.closed());
    expect(c.status()).toBe(408);
    expect(sent).toBeLessThan(announced);
    c.socket.destroy();
  });

  it('close a connection whose headers never end (408)', async () => {
    const c = rawClient(slow.gateway.url);
    c.socket.write(`POST /graphql HTTP/1.1\r\nHost: ${new URL(slow.gateway.url).host}\r\nX-Slow: `);
    await c.until(() => c.closed());
    expect(c.status()).toBe(408);
    c.socket.destroy();
  });

  it('leave requests sent at once served, and WebSocket connections open past the timeout', async () => {
    expect(await slow.gql(slow.keys.NewRegistrar!, '{ viewer { id } }')).toMatchObject({ status: 200, data: { viewer: { id: 'NewRegistrar' } } });
    // A subscription outliving several request timeouts: its upgrade request was complete at once.
    const client = createClient({ url: slow.gateway.wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${slow.keys.NewRegistrar}` }, retryAttempts: 0, lazy: false });
    let closed = false;
    client.on('closed', () => (closed = true));
    await new Promise<void>((resolve) => client.on('connected', () => resolve()));
    const ask = () => new Promise<any>((resolve, reject) => client.subscribe({ query: '{ viewer { id } }' }, { next: resolve, error: reject, complete: () => undefined }));
    expect((await ask()).data.viewer.id).toBe('NewRegistrar');
    // Another request timing out on the same server (its checker has run past 300 ms) ...
    const c = rawClient(slow.gateway.url);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    await c.until(() => c.closed());
    c.socket.destroy();
    // ... and the WebSocket connection is still served.
    expect((await ask()).data.viewer.id).toBe('NewRegistrar');
    expect(closed).toBe(false);
    await client.dispose();
  });
});
