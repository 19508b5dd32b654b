/**
 * What a hostile client gets over graphql-ws (and the same over HTTP): refused subscribe messages
 * spend the key's rate-limit points as refused HTTP requests do, so a flood of them on one socket
 * ends in RATE_LIMITED; and credentials that are not one string (an array in connection_init, a
 * repeated Authorization header) are refused as a wrong key is, not read as their first value.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApiKey } from '../../src/auth/api-keys.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { wsOnce } from '../helpers/ws.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.enabled = false;
      // A window of an hour: nothing is given back while the test runs; maxCost within it, as the config check asks.
      c.limits.maxCost = 19;
      c.limits.rateLimit = { points: 20, durationSec: 3600 };
      c.limits.maxSubscriptions = 1;
    },
  });
});
afterAll(() => t?.close());

const newKey = async (registrar = 'NewRegistrar') => (await createApiKey(t.gateway.services.prisma, registrar, 'ws-hostile')).key;

/** A raw graphql-transport-ws socket: every message it gets, and how it closed. */
function raw(opts: { finishRequest?: (req: import('node:http').ClientRequest) => void } = {}): Promise<{ ws: WebSocket; messages: any[]; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(t.gateway.wsUrl, 'graphql-transport-ws', opts.finishRequest ? { finishRequest: opts.finishRequest } : {});
    const messages: any[] = [];
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
    ws.on('open', () => resolve({ ws, messages, closed }));
    ws.on('error', reject);
  });
}

/** Waits until `cond` holds (checked every 10 ms); the 30 s bound only ends a hang, it decides nothing. */
const waitFor = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 3_000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`never happened: ${what}`);
};

async function acknowledged(key: string) {
  const socket = await raw();
  socket.ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${key}` } }));
  await waitFor(() => socket.messages.some((m) => m.type === 'connection_ack'), 'connection_ack');
  return socket;
}

/** Sends one subscribe message per id and resolves with the error code each was answered with, in the order sent. */
async function refusals(socket: { ws: WebSocket; messages: any[] }, ids: string[], query: string): Promise<string[]> {
  for (const id of ids) socket.ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
  await waitFor(() => ids.every((id) => socket.messages.some((m) => m.id === id)), 'an answer to every subscribe');
  return ids.map((id) => {
    const answer = socket.messages.find((m) => m.id === id);
    return answer.type === 'error' ? answer.payload[0].extensions.code : answer.type;
  });
}

describe('refused subscribe messages over graphql-ws', () => {
  it('spend a rate-limit point each, as refused HTTP requests do: a flood of unparseable documents ends in RATE_LIMITED; other keys are served', async () => {
    const key = await newKey();
    const socket = await acknowledged(key);
    // Budget 20: each refused subscribe spends the point an operation spends on arrival. (An id
    // over 128 characters is no refusal to flood with: it closes the connection, test/e2e/ws-hostile-ids.test.ts.)
    // One at a time (limits.maxSubscriptions is 1 here: a second one in flight would be TOO_MANY_SUBSCRIPTIONS).
    const ids = Array.from({ length: 25 }, (_, i) => `bad-${String(i).padStart(4, '0')}`);
    const codes: string[] = [];
    for (const id of ids) codes.push(...(await refusals(socket, [id], '{ viewer { id ')));
    expect(codes).toEqual([...Array(20).fill('GRAPHQL_PARSE_FAILED'), ...Array(5).fill('RATE_LIMITED')]);
    // The budget is the key's, whatever the transport: HTTP refuses it too now.
    const http = await t.gql(key, '{ viewer { id } }');
    expect(http.status).toBe(429);
    expect(http.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    // Another key, of the same registrar, is not affected.
    expect(await wsOnce(t.gateway.wsUrl, await newKey(), '{ viewer { id } }')).toEqual({ data: { viewer: { id: 'NewRegistrar' } } });
    socket.ws.close();
  });

  it('past the per-connection subscription limit: TOO_MANY_SUBSCRIPTIONS until the budget is spent, then RATE_LIMITED', async () => {
    const key = await newKey('TheRegistrar');
    const socket = await acknowledged(key);
    // limits.maxSubscriptions is 1 here: one subscription (cost 5: 1 on arrival, 4 once its cost is known) fills the connection.
    socket.ws.send(JSON.stringify({ id: 'open', type: 'subscribe', payload: { query: 'subscription { pollMessages { id } }' } }));
    await waitFor(() => t.gateway.services.events.listeners('TheRegistrar') >= 1, 'the first subscription listening');
    const ids = Array.from({ length: 20 }, (_, i) => `more-${i}`);
    const codes = await refusals(socket, ids, 'subscription { pollMessages { id } }');
    // 20 - 5 = 15 refusals paid for, then the budget is gone.
    expect(codes).toEqual([...Array(15).fill('TOO_MANY_SUBSCRIPTIONS'), ...Array(5).fill('RATE_LIMITED')]);
    expect(socket.messages.some((m) => m.id === 'open' && m.type === 'error')).toBe(false);
    expect(await wsOnce(t.gateway.wsUrl, await newKey('TheRegistrar'), '{ viewer { id } }')).toEqual({ data: { viewer: { id: 'TheRegistrar' } } });
    socket.ws.close();
  });
});

describe('credentials that are not one string', () => {
  /** The close code the socket got, or 'acknowledged' (then closes it). */
  const outcome = async ({ ws, messages, closed }: { ws: WebSocket; messages: any[]; closed: Promise<number> }) => {
    const code = await Promise.race([closed, waitFor(() => messages.some((m) => m.type === 'connection_ack'), 'ack or close').then(() => 'acknowledged' as const)]);
    ws.close();
    return code;
  };
  const init = async (payload: unknown) => {
    const socket = await raw();
    socket.ws.send(JSON.stringify({ type: 'connection_init', payload }));
    return outcome(socket);
  };

  it('connection_init with Authorization as an array, or not a string, closes with 4403 as a wrong key does', async () => {
    const [k1, k2] = [await newKey(), await newKey('TheRegistrar')];
    expect(await init({ Authorization: `Bearer ${k1}` })).toBe('acknowledged');
    expect(await init({ Authorization: 'Bearer rgw_wrong' })).toBe(4403);
    expect(await init({ Authorization: [`Bearer ${k1}`] })).toBe(4403);
    expect(await init({ Authorization: [`Bearer ${k1}`, `Bearer ${k2}`] })).toBe(4403);
    expect(await init({ authorization: [`Bearer ${k2}`] })).toBe(4403);
    expect(await init({ Authorization: { toString: `Bearer ${k1}` } })).toBe(4403);
    expect(await init({ Authorization: 12345 })).toBe(4403);
    // Both spellings, one of them not a string: refused, not served as the string one.
    expect(await init({ Authorization: `Bearer ${k1}`, authorization: [`Bearer ${k2}`] })).toBe(4403);
  });

  it('an upgrade request with two Authorization headers closes with 4403, not served as the first', async () => {
    const key = await newKey();
    const twice = await raw({
      finishRequest: (req) => {
        req.setHeader('Authorization', [`Bearer ${key}`, 'Bearer rgw_other']);
        req.end();
      },
    });
    twice.ws.send(JSON.stringify({ type: 'connection_init' }));
    expect(await outcome(twice)).toBe(4403);
    // The same header once is served.
    const once = await raw({
      finishRequest: (req) => {
        req.setHeader('Authorization', `Bearer ${key}`);
        req.end();
      },
    });
    once.ws.send(JSON.stringify({ type: 'connection_init' }));
    expect(await outcome(once)).toBe('acknowledged');
  });

  it('an HTTP request with two Authorization headers gets 401 UNAUTHENTICATED, not served as the first', async () => {
    const key = await newKey();
    const post = (authorization: string | string[]) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = request(t.gateway.url, { method: 'POST' }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        });
        req.on('error', reject);
        req.setHeader('content-type', 'application/json');
        req.setHeader('Authorization', authorization);
        req.end(JSON.stringify({ query: '{ viewer { id } }' }));
      });
    const twice = await post([`Bearer ${key}`, 'Bearer rgw_other']);
    expect(twice.status).toBe(401);
    expect(twice.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(twice.body)).not.toContain(key);
    expect((await post(`Bearer ${key}`)).body).toEqual({ data: { viewer: { id: 'NewRegistrar' } } });
  });
});
