/**
 * The web-API transport the REPP, HeadlessDomains and Joker clients share (src/backends/http-exchange.ts):
 * what a caller relies on to decide whether a change may have been applied, over real sockets.
 */
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { exchange, keepAliveAgent, NotAnswered, endpointUrl, RegistryConnections } from '../../../src/backends/http-exchange.js';

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

describe('an account\'s connections (RegistryConnections)', () => {
  /** A registry that answers each request only when the test says so, noting the order requests arrive in. */
  async function heldRegistry() {
    const arrived: string[] = [];
    const held: Array<() => void> = [];
    const base = await listen(
      http.createServer((req, res) => {
        arrived.push(req.url!.split('/').at(-1)!);
        held.push(() => res.writeHead(200).end('{}'));
      }),
    );
    return { base, arrived, held };
  }
  const request = (base: URL, name: string, background: boolean, timeoutMs = 10_000) => ({
    url: endpointUrl(base, `/domains/${name}`),
    method: 'GET' as const,
    headers: {},
    timeoutMs,
    maxResponseBytes: 1024,
    label: `GET /domains/${name}`,
    background,
  });
  async function until(cond: () => boolean): Promise<void> {
    while (!cond()) await new Promise((r) => setTimeout(r, 5));
  }

  it('hands the next free connection to an interactive request before the background ones waiting longer', async () => {
    const { base, arrived, held } = await heldRegistry();
    const connections = new RegistryConnections(base, undefined, 2);
    closers.push(() => connections.destroy());
    const answers = ['b1', 'b2', 'b3', 'b4', 'b5'].map((n) => connections.exchange(request(base, n, true)));
    await until(() => arrived.length === 2);
    expect(connections.waiting).toEqual({ interactive: 0, background: 3 });
    answers.push(connections.exchange(request(base, 'query', false)));
    expect(connections.waiting).toEqual({ interactive: 1, background: 3 });
    // One answer frees one connection: the query takes it, not b3.
    held.shift()!();
    await until(() => arrived.length === 3);
    expect(arrived[2]).toBe('query');
    // The rest in their order.
    while (arrived.length < 6) {
      held.shift()?.();
      await new Promise((r) => setTimeout(r, 5));
    }
    held.splice(0).forEach((answer) => answer());
    await Promise.all(answers);
    expect(arrived).toEqual(['b1', 'b2', 'query', 'b3', 'b4', 'b5']);
  });

  it('a background request that has waited the aging time goes before the interactive ones', async () => {
    const { base, arrived, held } = await heldRegistry();
    let now = 0; // the connections' clock, in ms: moved by the test
    const connections = new RegistryConnections(base, undefined, 1, { agingMs: 10_000, now: () => now });
    closers.push(() => connections.destroy());
    const answers = [connections.exchange(request(base, 'b1', true)), connections.exchange(request(base, 'b2', true))];
    await until(() => arrived.length === 1);
    now += 10_000; // b2 has waited the aging time
    answers.push(connections.exchange(request(base, 'query', false)));
    expect(connections.waiting).toEqual({ interactive: 1, background: 1 });
    while (arrived.length < 3) {
      held.shift()?.();
      await new Promise((r) => setTimeout(r, 5));
    }
    held.splice(0).forEach((answer) => answer());
    await Promise.all(answers);
    expect(arrived).toEqual(['b1', 'b2', 'query']);
  });

  it('at most maxSockets requests at the registry at once, whatever waits', async () => {
    const { base, arrived, held } = await heldRegistry();
    const connections = new RegistryConnections(base, undefined, 2);
    closers.push(() => connections.destroy());
    const answers = Array.from({ length: 6 }, (_, i) => connections.exchange(request(base, `r${i}`, i % 2 === 0)));
    await until(() => arrived.length === 2);
    expect(connections.waiting).toEqual({ interactive: 2, background: 2 });
    let most = 0;
    while (held.length > 0 || arrived.length < 6) {
      most = Math.max(most, held.length);
      held.shift()?.();
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(answers);
    expect(most).toBeLessThanOrEqual(2);
  });

  it('abandon(): the requests the registry holds fail now as sent (outcome unknown), counted; the next one gets a new connection', async () => {
    const { base, arrived, held } = await heldRegistry();
    const connections = new RegistryConnections(base, undefined, 2);
    closers.push(() => connections.destroy());
    expect(connections.abandon()).toBe(0); // nothing under way: nothing closed
    const under = [connections.exchange(request(base, 'h1', true, 600_000)), connections.exchange(request(base, 'h2', false, 600_000))];
    await until(() => arrived.length === 2);
    expect(connections.abandon()).toBe(2);
    for (const e of await Promise.all(under.map(rejection))) expect(e.sent).toBe(true);
    const after = connections.exchange(request(base, 'after', false));
    await until(() => arrived.length === 3);
    held[2]!();
    expect(await after).toMatchObject({ status: 200 });
  });

  it('a request that finds no connection free within its timeoutMs fails as not sent, naming the wait; the registry never sees it', async () => {
    const { base, arrived, held } = await heldRegistry();
    const connections = new RegistryConnections(base, undefined, 1);
    closers.push(() => connections.destroy());
    const first = connections.exchange(request(base, 'first', true));
    await until(() => arrived.length === 1);
    const e = await rejection(connections.exchange(request(base, 'late', false, 50)));
    expect(e.sent).toBe(false);
    expect(e.message).toBe('GET /domains/late: no connection free within 50 ms');
    expect(connections.waiting).toEqual({ interactive: 0, background: 0 });
    held.shift()!();
    await first;
    expect(arrived).toEqual(['first']);
  });
});
