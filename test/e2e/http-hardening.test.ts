/**
 * Issue 8 items 2 (the answer's half), 9 (revoked keys) and 12, and item 3's rate limit: what
 * the transport answers to subscriptions over HTTP, error floods and huge echoed literals, a
 * client spending more than its budget, and a key revoked under an open WebSocket.
 */
import { createHash } from 'node:crypto';
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

describe('per-key rate limit', () => {
  it('refuses a key past its budget with RATE_LIMITED and Retry-After, on HTTP and graphql-ws, while another key is served', async () => {
    const { key: greedy } = await createApiKey(t.gateway.services.prisma, 'NewRegistrar', 'greedy');
    const { key: other } = await createApiKey(t.gateway.services.prisma, 'NewRegistrar', 'other');
describe('automatic persisted queries the client got wrong', () => {
  const query = '{ viewer { id } }';
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  it.each([
    ['a hash that is not the query\'s', { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ viewer { name } }') } } }, 'extensions.persistedQuery.sha256Hash'],
    ['version 2', { query, extensions: { persistedQuery: { version: 2, sha256Hash: sha256(query) } } }, 'extensions.persistedQuery.version'],
    ['version 2, the hash alone', { extensions: { persistedQuery: { version: 2, sha256Hash: sha256(query) } } }, 'extensions.persistedQuery.version'],
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
    // The wrong hash was not stored for the query: asked alone, it is still unknown.
    const hash = (body.extensions.persistedQuery as { sha256Hash: string }).sha256Hash;
    const alone = (await (await post({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } })).json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(alone.errors[0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

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
