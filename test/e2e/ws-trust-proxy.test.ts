/**
 * limits.wsConnectionsPerAddress behind a reverse proxy (config trustProxy, env TRUST_PROXY):
 * without it every client behind the proxy shared the proxy's address, so a few clients filled
 * the proxy's slots for everyone. With the proxy trusted, the client's address from
 * X-Forwarded-For is counted; from a peer that is not trusted, the header is not believed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const PER_ADDRESS = 2;
const opened: WebSocket[] = [];
afterEach(() => {
  for (const ws of opened.splice(0)) ws.terminate();
});

/** 'open' once the upgrade is accepted, or the HTTP status it was answered with instead. */
function upgrade(url: string, forwardedFor?: string): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'graphql-transport-ws', { headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });
    opened.push(ws);
    ws.on('open', () => resolve('open'));
    ws.on('unexpected-response', (req, res) => {
      res.resume();
      resolve(res.statusCode!);
      req.destroy();
    });
    ws.on('error', reject);
  });
}

async function gatewayTrusting(trustProxy: string[]): Promise<TestGateway> {
  return startTestGateway({
    configure: (c) => {
      c.poll.enabled = false;
      c.limits.wsConnectionsPerAddress = PER_ADDRESS;
      c.trustProxy = trustProxy;
    },
  });
}

describe('behind a trusted proxy (trustProxy: ["loopback"])', () => {
  let t: TestGateway;
  beforeAll(async () => (t = await gatewayTrusting(['loopback'])));
  afterAll(() => t?.close());

  it('counts each client by its X-Forwarded-For address, not the proxy’s', async () => {
    const url = t.gateway.wsUrl;
    expect(await upgrade(url, '203.0.113.1')).toBe('open');
    expect(await upgrade(url, '203.0.113.1')).toBe('open');
    expect(await upgrade(url, '203.0.113.1')).toBe(429);
    // Another client behind the same proxy, and the proxy's own connection, have slots of their own.
    expect(await upgrade(url, '203.0.113.2')).toBe('open');
    expect(await upgrade(url, '198.51.100.7, 203.0.113.2')).toBe('open'); // the nearest address the proxy did not add: 203.0.113.2
    expect(await upgrade(url, '203.0.113.2')).toBe(429);
    expect(await upgrade(url)).toBe('open');
  });
});

describe('a peer that is not a trusted proxy (trustProxy: ["10.0.0.0/8"])', () => {
  let t: TestGateway;
  beforeAll(async () => (t = await gatewayTrusting(['10.0.0.0/8'])));
  afterAll(() => t?.close());

  it('is counted by its own address whatever X-Forwarded-For it sends', async () => {
    const url = t.gateway.wsUrl;
    expect(await upgrade(url, '203.0.113.1')).toBe('open');
    expect(await upgrade(url, '203.0.113.2')).toBe('open');
    expect(await upgrade(url, '203.0.113.3')).toBe(429);
  });
});
