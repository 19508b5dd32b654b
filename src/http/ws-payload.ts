/**
 * The size bound of one graphql-ws message, and the close that tells a client it was crossed;
 * and the bound of every close reason the gateway sends.
 *
 * `ws` closes a connection whose message is larger than its `maxPayload` with 1009 ("Message Too
 * Big", RFC 6455 section 7.4.1) and an empty reason, before the message is read whole; a client
 * then cannot tell what the bound is. {@link SizedWebSocket} gives that close the reason
 * `message too big: limit 2097152 bytes` (README "Limits").
 */
import { WebSocket } from 'ws';

/** Largest graphql-ws message accepted, in bytes: 2 MB, the HTTP request body's bound. */
export const WS_MAX_PAYLOAD_BYTES = 2 * 1024 * 1024;

/** The close reason of a message over `limitBytes` (RFC 6455 caps a close reason at 123 bytes; this is ASCII and well under). */
export function tooBigReason(limitBytes: number): string {
  return `message too big: limit ${limitBytes} bytes`;
}

/**
 * The longest close reason, in bytes of UTF-8: a close frame is a control frame, whose payload is
 * at most 125 bytes (RFC 6455 section 5.5), 2 of them the code. `ws` throws a RangeError on a longer
 * reason instead of closing, which the gateway then answered with 4500 Internal server error.
 */
export const MAX_CLOSE_REASON_BYTES = 123;

/** graphql-ws's close code for a subscribe message whose id is in use on the connection (its CloseCode.SubscriberAlreadyExists). */
const SUBSCRIBER_ALREADY_EXISTS = 4409;

/** The characters of a client's id a close reason quotes at most (as an error message quotes at most 32 of what was sent). */
const MAX_ID_QUOTE = 32;

/**
 * `text` cut to at most `maxBytes` bytes of UTF-8, on a character's boundary (a code point is never
 * split; a lone surrogate counts as U+FFFD, 3 bytes, as Buffer writes it), and whether it was cut.
 */
export function cutUtf8(text: string, maxBytes: number): { text: string; cut: boolean } {
  if (Buffer.byteLength(text) <= maxBytes) return { text, cut: false };
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > maxBytes) break;
    bytes += n;
    out += ch;
  }
  return { text: out, cut: true };
}

/**
 * The reason a close with `code` goes out with: at most MAX_CLOSE_REASON_BYTES of UTF-8, cut on a
 * character's boundary. graphql-ws's 4409 reason, `Subscriber for <id> already exists`, quotes the
 * client's id (up to 128 characters, src/http/websocket.ts): it keeps its words around the first 32
 * characters of the id at most (fewer when they are wide), with "…" when cut.
 */
export function closeReason(code: number | undefined, reason: string): string {
  const dup = code === SUBSCRIBER_ALREADY_EXISTS ? /^Subscriber for ([\s\S]*) already exists$/.exec(reason) : null;
  if (dup) {
    const [before, after] = ['Subscriber for ', ' already exists'];
    const chars = Array.from(dup[1]!);
    const head = cutUtf8(chars.slice(0, MAX_ID_QUOTE).join(''), MAX_CLOSE_REASON_BYTES - before.length - after.length - Buffer.byteLength('…'));
    return `${before}${head.text}${head.cut || chars.length > MAX_ID_QUOTE ? '…' : ''}${after}`;
  }
  return cutUtf8(reason, MAX_CLOSE_REASON_BYTES).text;
}

/**
 * The `WebSocket` class for a WebSocketServer (its `WebSocket` option): the same socket, whose close
 * with 1009 and no reason (ws's own, on a message over `maxPayload`: receiver error
 * WS_ERR_UNSUPPORTED_MESSAGE_LENGTH) says the limit, {@link WS_MAX_PAYLOAD_BYTES}; and whose every
 * close reason, the gateway's and graphql-ws's (a string or a Buffer), is bounded by closeReason() (at most 123 bytes, a
 * 4409's id quoted by its first 32 characters at most), so no close can fail for its reason's length.
 */
export class SizedWebSocket extends WebSocket {
  override close(code?: number, reason?: string | Buffer): void {
    if (code === 1009 && (reason === undefined || reason.length === 0)) super.close(code, tooBigReason(WS_MAX_PAYLOAD_BYTES));
    else if (typeof reason === 'string') super.close(code, closeReason(code, reason));
    // A Buffer reason (none of the gateway's or graphql-ws's) is read as UTF-8 and bounded the same way.
    else if (reason !== undefined && reason.length > MAX_CLOSE_REASON_BYTES) super.close(code, closeReason(code, reason.toString('utf8')));
    else super.close(code, reason);
  }
}
