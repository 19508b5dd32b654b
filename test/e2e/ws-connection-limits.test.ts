/**
 * How many graphql-ws connections one API key (limits.wsConnectionsPerKey) and one remote address
 * (limits.wsConnectionsPerAddress) may hold open at once. Before these limits one client could
 * open sockets until the process ran out of memory or descriptors: nothing counted them. Now the
 * key's connection_init beyond its limit is closed with 1013 (Try Again Later) naming the limit,
 * the address's upgrade beyond its limit is answered HTTP 429 before it is a WebSocket (no key is
 * read), and every way a connection ends gives its slot back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApiKey } from '../../src/auth/api-keys.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

type Closed = { code: number; reason: string };
type Socket = { ws: WebSocket; closed: Promise<Closed> };
type Refused = { status: number; body: string };

const opened: WebSocket[] = [];
afterEach(() => {
  for (const ws of opened.splice(0)) ws.terminate();
});

/** A graphql-transport-ws socket at `url` once open, or the HTTP status and body its upgrade was answered with instead. */
function upgrade(url: string, headers: Record<string, string> = {}): Promise<Socket | Refused> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'graphql-transport-ws', { headers });
    opened.push(ws);
    const closed = new Promise<Closed>((r) => ws.on('close', (code, reason) => r({ code, reason: String(reason) })));
    ws.on('open', () => resolve({ ws, closed }));
    ws.on('unexpected-response', (req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode!, body });
        req.destroy();
      });
    });
    ws.on('error', reject);
  });
}

async function open(url: string): Promise<Socket> {
  const s = await upgrade(url);
  if (!('ws' in s)) throw new Error(`upgrade refused: ${s.status} ${s.body}`);
  return s;
}

/** Sends connection_init with `key`: 'ack', or how the connection was closed instead. */
function init(s: Socket, key: string): Promise<'ack' | Closed> {
  const ack = new Promise<'ack'>((resolve) => s.ws.on('message', (d) => JSON.parse(String(d)).type === 'connection_ack' && resolve('ack')));
  s.ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${key}` } }));
  return Promise.race([ack, s.closed]);
}

async function acknowledged(url: string, key: string): Promise<Socket> {
  const s = await open(url);
  expect(await init(s, key)).toBe('ack');
  return s;
}

/**
 * Opens connections (acknowledged with `key`, or only upgraded without one) until one is admitted,
 * each refused one answered with `refusal`; the slot a connection gives back is freed when the
 * gateway's side of its TCP connection closes, which may come a turn of the event loop after the
 * client's. The bound only ends a hang (a slot never given back), it decides nothing.
 */
async function admittedAgain(url: string, key: string | undefined, refusal: Closed | Refused): Promise<Socket> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const s = await upgrade(url);
    if (!('ws' in s)) {
      expect(s).toEqual(refusal);
      continue;
    }
    if (key === undefined) return s;
    const answer = await init(s, key);
    if (answer === 'ack') return s;
    expect(answer).toEqual(refusal);
  }
  throw new Error('no slot was given back');
}

describe('per API key', () => {
  const PER_KEY = 2;
  const BUDGET = 10;
  let t: TestGateway;
  let url: string;
  const keyRefusal = { code: 1013, reason: `too many WebSocket connections for this API key: at most ${PER_KEY} open at once (limits.wsConnectionsPerKey)` };
  beforeAll(async () => {
    t = await startTestGateway({
      configure: (c) => {
        c.poll.enabled = false;
        c.limits.wsConnectionsPerKey = PER_KEY;
        c.limits.maxSubscriptions = 1;
        c.limits.wsMessages = { messages: BUDGET, durationSec: 3600 };
      },
    });
    url = t.gateway.wsUrl;
  });
  afterAll(() => t?.close());
  const newKey = async () => (await createApiKey(t.gateway.services.prisma, 'NewRegistrar', 'ws-connection-limits')).key;

  it('refuses the connection_init beyond the limit with 1013 naming it, while another key connects; closing one frees its slot', async () => {
    const key = await newKey();
    const held = [await acknowledged(url, key), await acknowledged(url, key)];
    expect(await init(await open(url), key)).toEqual(keyRefusal);
    // The same registrar's other key, on the same address, is not held back.
    const other = await acknowledged(url, await newKey());
    expect(other.ws.readyState).toBe(WebSocket.OPEN);
    // Those held are served all along.
    expect(held.map((s) => s.ws.readyState)).toEqual([WebSocket.OPEN, WebSocket.OPEN]);

    held[0]!.ws.close(1000);
    await held[0]!.closed;
    const again = await admittedAgain(url, key, keyRefusal);
    expect(again.ws.readyState).toBe(WebSocket.OPEN);
    expect(await init(await open(url), key)).toEqual(keyRefusal);
  });

  it('a connection that ends without a close frame, or that the gateway closes for its message budget (1008), gives its slot back', async () => {
    const key = await newKey();
    const first = await acknowledged(url, key);
    await acknowledged(url, key);
    first.ws.terminate();
    const second = await admittedAgain(url, key, keyRefusal);
    for (let i = 0; i < BUDGET; i++) second.ws.send(JSON.stringify({ type: 'ping' }));
    expect((await second.closed).code).toBe(1008);
    await admittedAgain(url, key, keyRefusal);
    // Full again: the refusals in between held nothing.
    expect(await init(await open(url), key)).toEqual(keyRefusal);
  });
});

describe('per remote address', () => {
  const PER_ADDRESS = 3;
  let t: TestGateway;
  let url: string;
  const addressRefusal = { status: 429, body: `too many WebSocket connections from this address: at most ${PER_ADDRESS} open at once (limits.wsConnectionsPerAddress)` };
  beforeAll(async () => {
    t = await startTestGateway({
      configure: (c) => {
        c.poll.enabled = false;
        c.limits.wsConnectionsPerAddress = PER_ADDRESS;
      },
    });
    url = t.gateway.wsUrl;
  });
  afterAll(() => t?.close());

  it('answers the upgrade beyond the limit with 429 before any key is read; graphql-ws closes a connection that never initialises (4408), which frees its slot', async () => {
    const idle = [await open(url), await open(url), await open(url)];
    // Refused at the upgrade, a valid key in its Authorization header or not: no WebSocket, no connection_init.
    expect(await upgrade(url)).toEqual(addressRefusal);
    expect(await upgrade(url, { authorization: `Bearer ${t.keys.NewRegistrar}` })).toEqual(addressRefusal);
    // None of them sends connection_init: graphql-ws's connectionInitWaitTimeout (3 s) ends them.
    for (const s of idle) expect(await s.closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
    const back = await admittedAgain(url, undefined, addressRefusal);
    expect(await init(back, t.keys.NewRegistrar!)).toBe('ack');
  });

  it('counts authenticated connections of every key alike; closing one frees its slot', async () => {
    // The last test's connections may still be closing on the gateway's side.
    const held = [await admittedAgain(url, t.keys.NewRegistrar!, addressRefusal), await admittedAgain(url, t.keys.TheRegistrar!, addressRefusal), await admittedAgain(url, t.keys.NewRegistrar!, addressRefusal)];
    expect(await upgrade(url)).toEqual(addressRefusal);
    held[2]!.ws.close(1000);
    const again = await admittedAgain(url, t.keys.TheRegistrar!, addressRefusal);
    expect([held[0], held[1], again].map((s) => s!.ws.readyState)).toEqual([WebSocket.OPEN, WebSocket.OPEN, WebSocket.OPEN]);
    expect(await upgrade(url)).toEqual(addressRefusal);
  });
});
