/**
 * Closing the gateway gives the HTTP requests in flight `shutdownDrainMs` (SHUTDOWN_DRAIN_MS,
 * default 15 s) to finish, then cuts their connections at once and says so in the log. An
 * operator's trial found a stop with a request still in flight (a client sending its body slowly)
 * took 25 s, not the 15 the README promises: after close()'s own wait, Apollo's drain plugin
 * waited its default grace of 10 s more, so an orchestrator's 30 s grace ran out with a shutdown
 * delay of 5 s. Here the drain is 300 ms and the request's body is completed only once the gateway
 * has said it cuts the connection: cut, the request is never answered; left to a grace timer (as
 * Apollo's drain plugin did), it would be answered as soon as its body is complete. Decided by the
 * order of events, not by a clock.
 */
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const lines: string[] = [];
const waiters: Array<() => void> = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    lines.push(String(chunk));
    waiters.splice(0).forEach((w) => w());
    done();
  },
});

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    logger: pino({ level: 'info' }, sink),
    configure: (c) => {
      c.poll.enabled = false;
      c.shutdownDrainMs = 300;
    },
  });
}, 120_000);
afterAll(() => t?.close());

it('a request still in flight after shutdownDrainMs is cut at once, and the log says so', async () => {
  const url = new URL(t.gateway.url);
  const body = JSON.stringify({ query: '{ viewer { id } }' });
  const socket = connect(Number(url.port), url.hostname);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined); // a reset is a close too
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  // Headers and half the body: the request is in flight until the rest comes, after the cut line.
  socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${t.keys.NewRegistrar}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 9)}`);
  const stillInFlight = () => lines.some((l) => l.includes('waiting for the HTTP requests in flight'));
  const isCut = (l: string) => l.includes('still in flight after shutdownDrainMs');
  let answered = '';
  socket.on('data', (chunk: Buffer) => (answered += chunk.toString('latin1')));
  const closing = t.gateway.close();
  while (!stillInFlight()) await new Promise<void>((resolve) => waiters.push(resolve));
  while (!lines.some(isCut)) await new Promise<void>((resolve) => waiters.push(resolve));
  // The rest of the body, after the cut line: a connection still open would now carry an answer.
  socket.write(body.slice(9));
  await closing;
  await closed;
  expect(answered).toBe('');
  const cut = lines.map((l) => JSON.parse(l) as { msg: string; requests?: number; maxMs?: number }).find((l) => isCut(l.msg));
  expect(cut).toMatchObject({ requests: 1, maxMs: 300 });
}, 120_000);
