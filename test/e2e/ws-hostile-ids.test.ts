/**
 * Hostile subscription ids over graphql-ws, from an independent client (the `ws` package speaking
 * the graphql-transport-ws protocol by hand) on a real socket to a whole gateway:
 * - an id longer than 128 characters closes the connection with 4400 Bad Request, and nothing the
 *   gateway sends (no answer, no close reason) echoes it; before, it was answered with an error
 *   message carrying the id, and the same id twice closed with 4500 (the duplicate's close reason,
 *   quoting the id, was over the WebSocket limit and `ws` threw);
 * - a duplicate id closes with 4409 "Subscriber for <at most 32 characters of it> already exists"
 *   (graphql-ws's code), not 4500, however long or wide the id;
 * - every close reason is at most 123 bytes of UTF-8 (RFC 6455 section 5.5: a control frame
 *   carries at most 125 bytes, 2 of them the code), cut on a character's boundary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
});
afterAll(() => t?.close());

type Closed = { code: number; reason: string; reasonBytes: number };

/** A raw graphql-transport-ws socket, acknowledged: every text it got, and how it closed (the reason's bytes as they came). */
async function acknowledged(): Promise<{ ws: WebSocket; texts: string[]; closed: Promise<Closed> }> {
  const ws = new WebSocket(t.gateway.wsUrl, 'graphql-transport-ws');
  const texts: string[] = [];
  const closed = new Promise<Closed>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString('utf8'), reasonBytes: reason.length })));
  ws.on('message', (d) => texts.push(d.toString()));
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${t.keys.NewRegistrar}` } }));
  // The 30 s bound only ends a hang; it decides nothing.
  for (let i = 0; i < 3_000 && !texts.some((m) => JSON.parse(m).type === 'connection_ack'); i++) await new Promise((r) => setTimeout(r, 10));
  expect(texts.map((m) => JSON.parse(m).type)).toEqual(['connection_ack']);
  return { ws, texts, closed };
}

/** Resolves 'answered' once the socket got a message after connection_ack (checked every 10 ms; the 30 s bound only ends a hang). */
async function answered(socket: { texts: string[] }): Promise<'answered' | 'nothing'> {
  for (let i = 0; i < 3_000; i++) {
    if (socket.texts.length > 1) return 'answered';
    await new Promise((r) => setTimeout(r, 10));
  }
  return 'nothing';
}

/** A subscription that stays open (polling is off: no poll message ever comes). */
const subscribe = (id: string) => JSON.stringify({ id, type: 'subscribe', payload: { query: 'subscription { pollMessages { id } }' } });

/** Whether `text` holds more than 32 characters (code points) of `id` in a row: more than any quote of what was sent. */
const echoes = (text: string, id: string) => {
  const chars = Array.from(id);
  for (let i = 0; i + 33 <= chars.length; i++) if (text.includes(chars.slice(i, i + 33).join(''))) return true;
  return false;
};

describe('a subscription id longer than 128 characters', () => {
  it.each([
    ['129 ASCII characters', 'x'.repeat(129)],
    ['10,000 characters', `id-${'z'.repeat(9_997)}`],
    ['200 three-byte characters', '€'.repeat(200)],
    ['100 emoji (200 UTF-16 units)', '😀'.repeat(100)],
  ])('%s: closes with 4400, a reason of at most 123 bytes, and no answer or reason echoes the id', async (_what, id) => {
    const socket = await acknowledged();
    socket.ws.send(subscribe(id));
    // Whichever comes first: the close, or an answer (which must not come).
    const first = await Promise.race([socket.closed, answered(socket)]);
    expect(first).not.toBe('answered');
    const closed = await socket.closed;
    expect(socket.texts.slice(1)).toEqual([]); // after connection_ack: nothing
    expect(closed.code).toBe(4400);
    expect(closed.reasonBytes).toBeLessThanOrEqual(123);
    expect(closed.reason).toBe('Bad request: a subscription id may be at most 128 characters');
    expect(echoes(closed.reason, id)).toBe(false);
  });

  it('the same long id twice in one write: 4400, not a 4409 quoting it nor 4500; a subscribe after it on the connection is not run', async () => {
    const socket = await acknowledged();
    const id = 'q'.repeat(300);
    socket.ws.send(subscribe(id));
    socket.ws.send(subscribe(id));
    socket.ws.send(JSON.stringify({ id: 'after', type: 'subscribe', payload: { query: '{ viewer { id } }' } }));
    const closed = await socket.closed;
    expect(closed.code).toBe(4400);
    expect(closed.reasonBytes).toBeLessThanOrEqual(123);
    expect(echoes(closed.reason, id)).toBe(false);
    expect(socket.texts.slice(1)).toEqual([]);
  });

  it('an id of 128 characters is served', async () => {
    const socket = await acknowledged();
    const id = 'k'.repeat(128);
    socket.ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query: '{ viewer { id } }' } }));
    for (let i = 0; i < 3_000 && socket.texts.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(socket.texts.slice(1).map((m) => JSON.parse(m))).toEqual([
      { id, type: 'next', payload: { data: { viewer: { id: 'NewRegistrar' } } } },
      { id, type: 'complete' },
    ]);
    socket.ws.close();
  });
});

describe('a duplicate subscription id', () => {
  it('a short id: 4409 "Subscriber for <id> already exists", as graphql-ws closes', async () => {
    const socket = await acknowledged();
    socket.ws.send(subscribe('same'));
    socket.ws.send(subscribe('same'));
    expect(await socket.closed).toEqual({ code: 4409, reason: 'Subscriber for same already exists', reasonBytes: 34 });
  });

  it.each([
    ['128 ASCII characters', 'd'.repeat(128)],
    ['100 characters (a reason of 130 bytes)', `${'e'.repeat(99)}!`],
    ['120 three-byte characters', '€'.repeat(120)],
    ['64 emoji (128 UTF-16 units)', '😀'.repeat(64)],
  ])('%s: 4409 (not 4500), a reason of at most 123 bytes naming at most its first 32 characters', async (_what, id) => {
    const socket = await acknowledged();
    socket.ws.send(subscribe(id));
    socket.ws.send(subscribe(id));
    const closed = await socket.closed;
    expect(closed.code).toBe(4409);
    expect(closed.reasonBytes).toBeLessThanOrEqual(123);
    // Cut on a character's boundary: the bytes decode as they were sent (no U+FFFD from a split character).
    expect(closed.reason).not.toContain('\ufffd');
    expect(closed.reason).toMatch(/^Subscriber for .+… already exists$/su);
    const quoted = Array.from(closed.reason.slice('Subscriber for '.length, -'… already exists'.length));
    expect(quoted.length).toBeLessThanOrEqual(32);
    expect(Array.from(id).slice(0, quoted.length).join('')).toBe(quoted.join(''));
    expect(echoes(closed.reason, id)).toBe(false);
  });
});
