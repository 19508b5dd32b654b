/**
 * The web-API transport the REPP, HeadlessDomains and Joker clients share (src/backends/http-exchange.ts):
 * what a caller relies on to decide whether a change may have been applied, over real sockets.
 */
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { exchange, keepAliveAgent, NotAnswered, endpointUrl } from '../../../src/backends/http-exchange.js';

const closers: Array<() => void> = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

async function listen(server: net.Server): Promise<URL> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  closers.push(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return new URL(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}/api/`);
}

function send(base: URL, opts: { timeoutMs?: number; maxResponseBytes?: number } = {}) {
  const agent = keepAliveAgent(base, undefined, 1);
  closers.push(() => agent.destroy());
  return exchange(agent, {
    url: endpointUrl(base, '/domains/a.test', { details: true, skip: undefined }),
    method: 'GET',
    headers: { Accept: 'application/json' },
    timeoutMs: opts.timeoutMs ?? 5_000,
    maxResponseBytes: opts.maxResponseBytes ?? 1024,
    label: 'GET /domains/a.test',
  });
}

async function rejection(p: Promise<unknown>): Promise<NotAnswered> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(NotAnswered);
  return e as NotAnswered;
}

describe('http exchange', () => {
  it('answers any status with its body, on the path under the base and with the defined query values only', async () => {
    const seen: string[] = [];
    const base = await listen(
      http.createServer((req, res) => {
        seen.push(req.url ?? '');
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"code":2303}');
      }),
    );
    expect(await send(base)).toMatchObject({ status: 404, text: '{"code":2303}' });
    expect(seen).toEqual(['/api/domains/a.test?details=true']);
  });

  it('an answer that keeps trickling past the deadline is not waited for: sent, outcome unknown', async () => {
    const base = await listen(
      http.createServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const t = setInterval(() => res.write(' '), 20); // never ends; each byte would reset an idle timeout
        res.on('close', () => clearInterval(t));
      }),
    );
    const e = await rejection(send(base, { timeoutMs: 300 }));
    expect(e.sent).toBe(true);
    expect(e.message).toBe('GET /domains/a.test: no answer within 300 ms');
  });

  it('a connection refused was never sent', async () => {
    const probe = net.createServer();
    const base = await listen(probe);
    await new Promise((r) => probe.close(r)); // nothing listens on its port any more
    const e = await rejection(send(base));
    expect(e.sent).toBe(false);
  });

  it('an answer larger than the limit is cut off, not buffered whole', async () => {
    const base = await listen(http.createServer((_req, res) => res.end('x'.repeat(4096))));
    const e = await rejection(send(base, { maxResponseBytes: 1024 }));
    expect(e).toMatchObject({ sent: true, message: 'GET /domains/a.test: answer larger than 1024 bytes' });
  });
});
