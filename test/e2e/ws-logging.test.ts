/**
 * What goes wrong on a graphql-ws connection reaches the operator through the gateway's JSON log
 * (pino), not console.error/console.warn, and the client is told no more than a close code: a
 * message beyond the 2 MB bound (the socket errors and closes 1009), and a client of the legacy
 * subscriptions-transport-ws protocol, turned away.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const lines: any[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ logger: pino({ level: 'info' }, sink), configure: (c) => (c.poll.enabled = false) });
});
afterAll(() => t?.close());
const consoleError = vi.spyOn(console, 'error');
const consoleWarn = vi.spyOn(console, 'warn');
afterEach(() => {
  expect(consoleError).not.toHaveBeenCalled();
  expect(consoleWarn).not.toHaveBeenCalled();
});

/** Opens a socket and resolves with its close code once it closes. */
function closeCode(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    socket.on('error', () => undefined);
    socket.on('close', (code) => resolve(code));
  });
}

const logged = (msg: RegExp) => lines.filter((l) => msg.test(l.msg));

it('a message beyond 2 MB: the socket closes (1009) and the error is one JSON log line with the peer', async () => {
  const socket = new WebSocket(t.gateway.wsUrl, 'graphql-transport-ws');
  await new Promise((resolve) => socket.once('open', resolve));
  const closed = closeCode(socket);
  socket.send('x'.repeat(2 * 1024 * 1024 + 1));
  expect(await closed).toBe(1009);
  await t.gql(t.keys.NewRegistrar!, '{ viewer { id } }'); // the gateway serves on
  const [line] = logged(/WebSocket connection error/);
  expect(line).toMatchObject({ level: 40, remoteAddress: '127.0.0.1', err: { message: expect.stringMatching(/payload/i) } });
});

it('a legacy subscriptions-transport-ws client is turned away, and the log says why', async () => {
  const socket = new WebSocket(t.gateway.wsUrl, 'graphql-ws');
  // The client gives up, as the server offers no subprotocol it asked for; the server logged the
  // connection before it answered the upgrade.
  await closeCode(socket);
  expect(logged(/subscriptions-transport-ws/)[0]).toMatchObject({ level: 30, remoteAddress: '127.0.0.1' });
});
