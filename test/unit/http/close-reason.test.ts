/**
 * Every close reason the gateway sends fits a close frame (RFC 6455 section 5.5: 125 bytes with
 * the 2-byte code): cut to 123 bytes of UTF-8 on a character's boundary; graphql-ws's 4409 reason
 * keeps its words around at most 32 characters of the client's id.
 */
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { closeReason, cutUtf8, MAX_CLOSE_REASON_BYTES, SizedWebSocket } from '../../../src/http/ws-payload.js';

const bytes = (s: string) => Buffer.byteLength(s);

describe('closeReason', () => {
  it('leaves a reason of 123 bytes or fewer as it is', () => {
    expect(closeReason(4400, 'Bad request')).toBe('Bad request');
    expect(closeReason(1008, 'r'.repeat(123))).toBe('r'.repeat(123));
    expect(closeReason(4409, 'Subscriber for same already exists')).toBe('Subscriber for same already exists');
  });

  it('cuts a longer one to 123 bytes, never inside a character', () => {
    expect(closeReason(4500, 'x'.repeat(500))).toBe('x'.repeat(123));
    const wide = closeReason(4400, 'é'.repeat(100)); // 2 bytes each: 61 fit
    expect(wide).toBe('é'.repeat(61));
    const emoji = closeReason(4400, `a${'😀'.repeat(40)}`); // 1 + 4n <= 123: 30 fit
    expect(emoji).toBe(`a${'😀'.repeat(30)}`);
    for (const r of [wide, emoji]) expect(bytes(r)).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
  });

  it("4409: the id quoted by its first 32 characters at most (fewer when they are wide), with …, the words kept", () => {
    expect(closeReason(4409, `Subscriber for ${'d'.repeat(128)} already exists`)).toBe(`Subscriber for ${'d'.repeat(32)}… already exists`);
    const wide = closeReason(4409, `Subscriber for ${'😀'.repeat(64)} already exists`);
    expect(bytes(wide)).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
    expect(wide).toBe(`Subscriber for ${'😀'.repeat(22)}… already exists`); // 30 + 3 + 4n <= 123
    // Another code's reason that happens to read so is only cut.
    expect(closeReason(4400, `Subscriber for ${'d'.repeat(128)} already exists`)).toBe(`Subscriber for ${'d'.repeat(128)} already exists`.slice(0, 123));
  });

  it('cutUtf8 counts a lone surrogate as U+FFFD (3 bytes), as Buffer writes it', () => {
    expect(cutUtf8('\ud800\ud800', 5)).toEqual({ text: '\ud800', cut: true });
  });
});

describe('SizedWebSocket', () => {
  it('a close with a reason of more than 123 bytes, string or Buffer, reaches the client cut, instead of throwing', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', WebSocket: SizedWebSocket });
    await new Promise((r) => wss.once('listening', r));
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    try {
      for (const reason of ['s'.repeat(300), Buffer.from('b'.repeat(300))]) {
        wss.once('connection', (socket) => socket.close(4400, reason));
        const client = new WebSocket(url);
        const [code, got] = await new Promise<[number, Buffer]>((resolve) => client.once('close', (c, r) => resolve([c, r])));
        expect(code).toBe(4400);
        expect(got.toString()).toBe(String(reason).slice(0, MAX_CLOSE_REASON_BYTES));
      }
    } finally {
      await new Promise((r) => wss.close(r));
    }
  });
});
