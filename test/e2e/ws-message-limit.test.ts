/**
 * A WebSocket connection's message budget (limits.wsMessages). Before it, a graphql-ws ping cost a
 * client nothing (the key's rate limit counts operations) and the gateway answered each one: one
 * connection sending pings as fast as it could held /healthz for 2.4 s at the median, and one
 * sending refused subscribes for 1.5 s. Now the first message beyond the budget, of any kind and
 * WebSocket ping frames included, closes that connection with 1008 before it is read; the key's
 * other connections and HTTP requests are served.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { wsOnce } from '../helpers/ws.js';

const BUDGET = 30;
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.enabled = false;
      // A window of an hour: nothing is given back while the test runs.
      c.limits.wsMessages = { messages: BUDGET, durationSec: 3600 };
      c.limits.maxSubscriptions = 5;
    },
  });
});
afterAll(() => t?.close());

/** A graphql-transport-ws socket after its connection_ack (its init spent one message): what it got, and how it closed. */
async function acknowledged(): Promise<{ ws: WebSocket; messages: Array<{ type: string }>; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(t.gateway.wsUrl, 'graphql-transport-ws');
  const messages: Array<{ type: string }> = [];
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: String(reason) })));
  ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
  await new Promise((resolve, reject) => ws.on('open', resolve).on('error', reject));
  ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${t.keys.NewRegistrar}` } }));
  for (let i = 0; i < 3000 && !messages.some((m) => m.type === 'connection_ack'); i++) await new Promise((r) => setTimeout(r, 10));
  expect(messages.map((m) => m.type)).toEqual(['connection_ack']);
  return { ws, messages, closed };
}

it('answers every message within the budget; the first beyond it closes the connection with 1008, naming the limit; other connections and HTTP are served', async () => {
  const a = await acknowledged();
  for (let i = 1; i < BUDGET; i++) a.ws.send(JSON.stringify({ type: 'ping' }));
  for (let i = 0; i < 3000 && a.messages.length < BUDGET; i++) await new Promise((r) => setTimeout(r, 10));
  expect(a.messages.filter((m) => m.type === 'pong')).toHaveLength(BUDGET - 1);
  expect(a.ws.readyState).toBe(WebSocket.OPEN);
  a.ws.send(JSON.stringify({ type: 'ping' }));
  expect(await a.closed).toEqual({ code: 1008, reason: `too many messages: at most ${BUDGET} per 3600 s` });
  expect(a.messages.filter((m) => m.type === 'pong')).toHaveLength(BUDGET - 1);

  // The budget is the connection's: the same key on a new connection, and over HTTP, is served.
  expect((await wsOnce(t.gateway.wsUrl, t.keys.NewRegistrar!, '{ viewer { id } }')).data).toEqual({ viewer: { id: 'NewRegistrar' } });
  expect((await t.gql(t.keys.NewRegistrar!, '{ viewer { id } }')).data).toEqual({ viewer: { id: 'NewRegistrar' } });
});

it('a flood of graphql-ws pings ends at the budget: fewer answers than the budget, then 1008', async () => {
  const a = await acknowledged();
  for (let i = 0; i < 5000 && a.ws.readyState === WebSocket.OPEN; i++) a.ws.send(JSON.stringify({ type: 'ping' }));
  expect((await a.closed).code).toBe(1008);
  expect(a.messages.filter((m) => m.type === 'pong').length).toBeLessThan(BUDGET);
  expect((await t.gql(t.keys.NewRegistrar!, '{ viewer { id } }')).data).toEqual({ viewer: { id: 'NewRegistrar' } });
});

it('WebSocket ping frames spend the budget too', async () => {
  const a = await acknowledged();
  let pongs = 0;
  for (let i = 1; i < BUDGET; i++) {
    const pong = new Promise((r) => a.ws.once('pong', r));
    a.ws.ping();
    await pong;
    pongs++;
  }
  expect(a.ws.readyState).toBe(WebSocket.OPEN);
  a.ws.ping();
  expect((await a.closed).code).toBe(1008);
  expect(pongs).toBe(BUDGET - 1);
});

it('a burst of WebSocket ping frames: a pong for each within the budget, then 1008 naming the limit (ws ended a burst of more than 60 without a close frame, 1006)', async () => {
  const a = await acknowledged();
  let pongs = 0;
  a.ws.on('pong', () => pongs++);
  for (let i = 0; i < 200; i++) a.ws.ping();
  expect(await a.closed).toEqual({ code: 1008, reason: `too many messages: at most ${BUDGET} per 3600 s` });
  expect(pongs).toBe(BUDGET - 1);
});
