/**
 * The size bound of one graphql-ws message, and the close that tells a client it was crossed.
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
 * The `WebSocket` class for a WebSocketServer (its `WebSocket` option): the same socket, whose close
 * with 1009 and no reason (ws's own, on a message over `maxPayload`: receiver error
 * WS_ERR_UNSUPPORTED_MESSAGE_LENGTH) says the limit, {@link WS_MAX_PAYLOAD_BYTES}. A close with a
 * reason of its own, or with any other code, is left as it is.
 */
export class SizedWebSocket extends WebSocket {
  override close(code?: number, reason?: string | Buffer): void {
    if (code === 1009 && (reason === undefined || reason.length === 0)) super.close(code, tooBigReason(WS_MAX_PAYLOAD_BYTES));
    else super.close(code, reason);
  }
}
