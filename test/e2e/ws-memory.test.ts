/**
 * What one graphql-ws client can make the gateway hold, over a real socket: variables an
 * operation does not declare are dropped and the rest are bounded per connection
 * (limits.wsRetainedBytes, PAYLOAD_TOO_LARGE naming `variables`); a ping's payload is echoed up
 * to 125 characters (a longer one closes with 4400); a client that does not read is closed with
 * 1008 once limits.wsBufferedBytes wait for it, and its queued answers are dropped with one debug
 * line, not an error per answer; variables nested too deep to write out no longer close the
 * connection with 4500; the document cache is bounded by the bytes it holds.
 */
import { Writable } from 'node:stream';
import { getIntrospectionQuery } from 'graphql';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const RETAINED = 200 * 1024;
const BUFFERED = 256 * 1024;
const lines: any[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    logger: pino({ level: 'debug' }, sink),
    configure: (c) => {
      c.poll.enabled = false;
      c.limits.rateLimit = false;
      c.limits.wsRetainedBytes = RETAINED;
      c.limits.wsBufferedBytes = BUFFERED;
    },
  });
});
afterAll(() => t?.close());

/** Waits until `cond` holds (checked every 10 ms); the 25 s bound only ends a hang, it decides nothing. */
const waitFor = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 2_500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`never happened: ${what}`);
};

type Raw = { ws: WebSocket; messages: any[]; closed: Promise<{ code: number; reason: string }> };

/** A graphql-transport-ws socket after its connection_ack: every message it gets, and how it closed. */
async function acknowledged(key = t.keys.NewRegistrar!): Promise<Raw> {
  const ws = new WebSocket(t.gateway.wsUrl, 'graphql-transport-ws');
  const messages: any[] = [];
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: String(reason) })));
  ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
  ws.on('error', () => undefined);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${key}` } }));
  await waitFor(() => messages.some((m) => m.type === 'connection_ack'), 'connection_ack');
  return { ws, messages, closed };
}

const listeners = () => t.gateway.services.events.listeners('NewRegistrar');
const POLL = 'subscription ($objects: [String!]) { pollMessages(objects: $objects) { id } }';
/** The most a pollMessages filter takes: 500 names of 238 characters (some 120 KB of JSON). */
const names = () => Array.from({ length: 500 }, (_, i) => `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${String(i).padStart(50, 'd')}.test`);

describe('variables an open operation keeps (limits.wsRetainedBytes)', () => {
  it('undeclared variables are dropped before anything keeps them; declared ones count until their operation completes; the subscribe beyond is refused naming variables', async () => {
    const s = await acknowledged();
    const before = listeners();
    // Three subscriptions each sent with 1 MB of variables the operation does not declare: all
    // open, as none of it is kept (each alone is five times the connection's budget).
    for (const id of ['u1', 'u2', 'u3']) s.ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query: POLL, variables: { unused: 'x'.repeat(1024 * 1024) } } }));
    await waitFor(() => listeners() === before + 3, 'three subscriptions listening');
    // Declared variables are kept: 120 KB fits the 200 KiB budget once, not twice.
    s.ws.send(JSON.stringify({ id: 'd1', type: 'subscribe', payload: { query: POLL, variables: { objects: names() } } }));
    await waitFor(() => listeners() === before + 4, 'the declared one listening');
    s.ws.send(JSON.stringify({ id: 'd2', type: 'subscribe', payload: { query: POLL, variables: { objects: names() } } }));
    await waitFor(() => s.messages.some((m) => m.id === 'd2'), 'an answer to d2');
    const refusal = s.messages.find((m) => m.id === 'd2');
    expect(refusal.type).toBe('error');
    expect(refusal.payload[0].extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE', limit: 'wsRetainedBytes', max: RETAINED, field: 'variables' });
    expect(refusal.payload[0].message).toMatch(/^variables: .*limits\.wsRetainedBytes \(204800\)/);
    expect(listeners()).toBe(before + 4);
    // Completing d1 gives its bytes back: the same subscribe is served now.
    s.ws.send(JSON.stringify({ id: 'd1', type: 'complete' }));
    await waitFor(() => listeners() === before + 3, 'd1 completed');
    s.ws.send(JSON.stringify({ id: 'd3', type: 'subscribe', payload: { query: POLL, variables: { objects: names() } } }));
    await waitFor(() => listeners() === before + 4, 'd3 listening');
    expect(s.messages.filter((m) => m.type === 'error')).toHaveLength(1);
    expect(s.ws.readyState).toBe(WebSocket.OPEN);
    s.ws.close();
    await s.closed;
  });

  it("connection_init authenticates with its key; the payload's other fields (1 MB, five times the budget) are not kept, so the connection's operations are served", async () => {
    const pad = 'x'.repeat(1024 * 1024);
    const client = createClient({ url: t.gateway.wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${t.keys.TheRegistrar}`, pad }, retryAttempts: 0, lazy: false });
    try {
      const run = (query: string, variables?: Record<string, unknown>) =>
        new Promise<any>((resolve, reject) => {
          client.subscribe({ query, variables }, { next: resolve, error: (e) => (Array.isArray(e) ? resolve({ errors: e }) : reject(e)), complete: () => undefined });
        });
      // Authenticated as the key's registrar; what the connection holds counts its operations only.
      expect(await run('{ viewer { id } }')).toEqual({ data: { viewer: { id: 'TheRegistrar' } } });
      // A subscription with 120 KB of declared variables (within the 200 KiB budget, but not with a 1 MB payload kept beside it).
      const before = t.gateway.services.events.listeners('TheRegistrar');
      void run(POLL, { objects: names() }); // a refusal (PAYLOAD_TOO_LARGE) would never listen
      await waitFor(() => t.gateway.services.events.listeners('TheRegistrar') === before + 1, 'the subscription listening');
    } finally {
      await client.dispose();
    }
    // The same payload with a wrong key is refused (4403), as without the other fields.
    const wrong = createClient({ url: t.gateway.wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: 'Bearer rgw_wrong', pad }, retryAttempts: 0, lazy: false });
    const closed = await new Promise<{ code: number }>((resolve) => wrong.on('closed', (e) => resolve(e as { code: number })));
    expect(closed.code).toBe(4403);
    await wrong.dispose();
  });

  it('a document of 650,000 comment lines (1.3 MB, some 60 MB once parsed) is refused before it is parsed: comments count against maxTokens', async () => {
    const s = await acknowledged();
    s.ws.send(JSON.stringify({ id: 'c', type: 'subscribe', payload: { query: `${POLL}\n${'#\n'.repeat(650_000)}` } }));
    await waitFor(() => s.messages.some((m) => m.id === 'c'), 'an answer');
    expect(s.messages[1].payload[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxTokens' });
    s.ws.close();
    await s.closed;
  });

  it('variables nested 100,000 levels deep, used or not: refused before they are parsed, as over HTTP (before the JSON shape bound: served; before that, closed with 4500)', async () => {
    // Written by hand: JSON.stringify cannot write them either.
    const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
    const http = await fetch(t.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.keys.NewRegistrar}` },
      body: `{"query":"{ viewer { id } }","variables":{"deep":${deep}}}`,
    });
    expect(http.status).toBe(400);
    expect(((await http.json()) as { errors: Array<{ extensions: unknown }> }).errors[0]!.extensions).toEqual({ code: 'BAD_REQUEST', limit: 'jsonDepth', max: 32 });
    const s = await acknowledged();
    const before = listeners();
    s.ws.send(`{"id":"deep","type":"subscribe","payload":{"query":${JSON.stringify(POLL)},"variables":{"deep":${deep}}}}`);
    expect(await s.closed).toMatchObject({ code: 4400 });
    expect(listeners()).toBe(before); // nothing subscribed
  });
});

describe('pings and clients that do not read', () => {
  it('a ping payload of up to 125 characters is echoed; a longer one closes the connection with 4400', async () => {
    const s = await acknowledged();
    const small = { t: 'x'.repeat(100) };
    s.ws.send(JSON.stringify({ type: 'ping', payload: small }));
    await waitFor(() => s.messages.some((m) => m.type === 'pong'), 'the pong');
    expect(s.messages.find((m) => m.type === 'pong')).toEqual({ type: 'pong', payload: small });
    s.ws.send(JSON.stringify({ type: 'ping', payload: { t: 'x'.repeat(1024 * 1024) } }));
    expect(await s.closed).toEqual({ code: 4400, reason: "a ping's payload may be at most 125 characters of JSON" });
    expect(s.messages.filter((m) => m.type === 'pong')).toHaveLength(1);
  });

  it('a client that never reads is closed with 1008 once more than limits.wsBufferedBytes wait for it; its queued answers are dropped with one debug line, no error', async () => {
    const s = await acknowledged();
    s.ws.pause(); // reads nothing from here on: the kernel's buffers fill, then the gateway's
    const query = getIntrospectionQuery(); // a 140 KB answer
    for (let i = 0; i < 200; i++) s.ws.send(JSON.stringify({ id: `i${i}`, type: 'subscribe', payload: { query } }));
    await waitFor(() => lines.some((l) => /does not read/.test(l.msg)), 'the gateway closing the connection');
    const closing = lines.find((l) => /does not read/.test(l.msg));
    expect(closing).toMatchObject({ level: 40, limit: BUFFERED });
    expect(closing.bufferedAmount).toBeGreaterThan(BUFFERED);
    // The client drops the TCP connection with answers still queued for it.
    s.ws.terminate();
    await s.closed;
    await waitFor(() => lines.some((l) => /not delivered|message handling failed/.test(l.msg)), 'the queued answers failing');
    await t.gql(t.keys.NewRegistrar!, '{ viewer { id } }'); // whatever was logged for them, is logged by now
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(lines.filter((l) => /not delivered/.test(l.msg))).toEqual([expect.objectContaining({ level: 20 })]);
  });

  it('a client that reads late gets its answers up to the limit, then the 1008 close naming it', async () => {
    const s = await acknowledged();
    const seen = lines.filter((l) => /does not read/.test(l.msg)).length;
    s.ws.pause();
    for (let i = 0; i < 200; i++) s.ws.send(JSON.stringify({ id: `i${i}`, type: 'subscribe', payload: { query: getIntrospectionQuery() } }));
    await waitFor(() => lines.filter((l) => /does not read/.test(l.msg)).length > seen, 'the gateway closing the connection');
    s.ws.resume();
    expect(await s.closed).toEqual({ code: 1008, reason: `the client does not read: more than ${BUFFERED} bytes wait to be sent (limits.wsBufferedBytes)` });
    const answered = s.messages.filter((m) => m.type === 'next').length;
    expect(answered).toBeGreaterThan(0);
    expect(answered).toBeLessThan(200);
  });
});

describe('the parsed-document caches', () => {
  const cacheBytes = async (transport: 'http' | 'ws') => {
    const metrics = await (await fetch(t.gateway.url.replace(/graphql$/, 'metrics'))).text();
    return Number(new RegExp(`^rgw_document_cache_bytes\\{transport="${transport}"\\} (\\d+)`, 'm').exec(metrics)?.[1]);
  };
  /** Query `i` of 150 KB: one long comment, one token. */
  const large = (i: number) => `{ viewer { id } }\n# ${i} ${'x'.repeat(150_000)}`;

  it('graphql-ws: at most 32 MiB of parsed documents however many large ones arrive (rgw_document_cache_bytes)', async () => {
    const s = await acknowledged();
    // 300 distinct documents of 150 KB, 45 MB in all, one after another.
    for (let i = 0; i < 300; i++) {
      s.ws.send(JSON.stringify({ id: `c${i}`, type: 'subscribe', payload: { query: large(i) } }));
      await waitFor(() => s.messages.some((m) => m.id === `c${i}` && m.type === 'complete'), `answer ${i}`);
    }
    expect(s.messages.filter((m) => m.type === 'next').map((m) => m.payload)).toEqual(Array(300).fill({ data: { viewer: { id: 'NewRegistrar' } } }));
    const bytes = await cacheBytes('ws');
    expect(bytes).toBeGreaterThan(32 * 1024 * 1024 - 2 * 150_000);
    expect(bytes).toBeLessThanOrEqual(32 * 1024 * 1024);
    s.ws.close();
    await s.closed;
  });

  it('HTTP (Apollo documentStore): the same bound, counting the text and every token (its default counted neither: 15 documents of comment lines held 880 MB)', async () => {
    for (let i = 0; i < 300; i++) expect((await t.gql(t.keys.NewRegistrar!, large(i))).data).toEqual({ viewer: { id: 'NewRegistrar' } });
    const full = await cacheBytes('http');
    expect(full).toBeGreaterThan(32 * 1024 * 1024 - 2 * 150_000);
    expect(full).toBeLessThanOrEqual(32 * 1024 * 1024);
    // 650,000 comment lines (1.3 MB, some 60 MB parsed): refused before they are parsed (comments count against maxTokens), nothing kept.
    for (let i = 0; i < 3; i++) {
      const r = await t.gql(t.keys.NewRegistrar!, `{ viewer { id } }\n# ${i}\n${'#\n'.repeat(650_000)}`);
      expect(r.status).toBe(400);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxTokens' });
    }
    expect(await cacheBytes('http')).toBeLessThanOrEqual(32 * 1024 * 1024);
  });
});
