/**
 * Messages only a server sends (graphql-transport-ws: `next`, `connection_ack`), sent by a
 * client, from an independent client (the `ws` package speaking the protocol by hand). A
 * subscriptions trial: each closed the connection with 4500 "Internal server error" and wrote an
 * error-level log line with a stack, before any key was given too (a bare loop wrote 1,100 lines
 * in 3 s). Now they close with 4400 "Invalid message received", as graphql-ws answers any other
 * message it cannot take, and nothing is logged above debug.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { capturedLog } from '../helpers/log-sink.js';

const log = capturedLog();

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ logger: log.logger, configure: (c) => void (c.poll.enabled = false) });
}, 120_000);
afterAll(() => t?.close());

/** Opens a graphql-transport-ws socket, acknowledged when `key` is given; sends `message`; resolves with the close and the messages got after the ack. */
async function sendAndClose(message: object, key?: string): Promise<{ code: number; reason: string; after: string[] }> {
  const ws = new WebSocket(t.gateway.wsUrl, 'graphql-transport-ws');
  const texts: string[] = [];
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  if (key) {
    const acked = new Promise<void>((resolve) => ws.on('message', (d) => (texts.push(String(d)), JSON.parse(String(d)).type === 'connection_ack' && resolve())));
    ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${key}` } }));
    await acked;
  }
  ws.send(JSON.stringify(message));
  const { code, reason } = await closed;
  return { code, reason, after: texts.slice(1) };
}

it.each([
  ['next, after connection_ack', { type: 'next', id: 'x', payload: {} }, true],
  ['connection_ack, after connection_ack', { type: 'connection_ack' }, true],
  ['next, with no connection_init', { type: 'next', id: 'x', payload: {} }, false],
  ['connection_ack, with no connection_init', { type: 'connection_ack' }, false],
])('%s: closed with 4400 "Invalid message received", nothing answered, nothing logged as an error', async (_what, message, init) => {
  const before = log.lines.length;
  const closed = await sendAndClose(message, init ? t.keys.NewRegistrar : undefined);
  expect(closed).toEqual({ code: 4400, reason: 'Invalid message received', after: [] });
  expect(log.lines.slice(before).filter((l) => l.level >= 40)).toEqual([]);
});
