/**
 * graphql-ws's server (`makeServer`: the graphql-transport-ws protocol) on a `ws` WebSocketServer,
 * as graphql-ws's own `useServer` (graphql-ws/use/ws) does it, except that what goes wrong goes to
 * the gateway's JSON logger instead of console.error/console.warn, and a client is never told more
 * than "Internal server error" (close 4500) whatever NODE_ENV says: an error on the server, on a
 * socket or while handling a message is logged with its connection's remote address, and a client
 * that asked for the legacy subscriptions-transport-ws protocol (subprotocol "graphql-ws") is
 * logged as such when it is turned away (close 4406).
 */
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import { CloseCode, DEPRECATED_GRAPHQL_WS_PROTOCOL, GRAPHQL_TRANSPORT_WS_PROTOCOL, handleProtocols, makeServer, MessageType, stringifyMessage, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../logger.js';
import { rateLimiterFlexible } from '../core/lazy-modules.js';
import type { Limits } from '../limits/limits.js';
import { smallJson } from '../limits/small-json.js';
import { jsonShapeRefusal } from '../limits/json-shape.js';
import { ConnectionSlots } from './ws-connections.js';

/** What graphql-ws hands the hooks as `ctx.extra`: the socket and its upgrade request. */
export interface SocketExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

const INTERNAL = 'Internal server error';
/** graphql-ws's own close reason for a message it cannot take (4400). */
const INVALID_MESSAGE = 'Invalid message received';
/** graphql-ws's error for a message of a type only a server sends (its makeServer's onMessage, `default:`). */
const SERVER_ONLY_MESSAGE = /^Unexpected message of type \w+ received$/;

/** The socket-level limits (config `limits.wsMessages`, `limits.wsConnectionsPerAddress` and `limits.wsBufferedBytes`, README "Limits"). */
export type WsSocketLimits = Pick<Limits, 'wsMessages' | 'wsConnectionsPerAddress' | 'wsBufferedBytes' | 'maxJsonValues'>;

/**
 * The client's address for `request`: the TCP peer's, or, when `trustProxy` (config trustProxy:
 * addresses, subnets, proxy-addr's names) is given, the nearest address in X-Forwarded-For that
 * is not a trusted proxy (proxy-addr; the TCP peer's when it is not trusted itself).
 */
export function clientAddress(trustProxy: readonly string[] | undefined): (request: IncomingMessage) => string {
  if (!trustProxy?.length) return (request) => request.socket.remoteAddress ?? 'unknown';
  const trusted = proxyAddr.compile([...trustProxy]);
  return (request) => proxyAddr(request, trusted);
}

/**
 * The longest payload of a graphql-ws `ping` message, in characters of JSON, that its `pong`
 * echoes: as much as a WebSocket ping frame may carry (125 bytes, RFC 6455 section 5.5; `ws`
 * refuses a longer frame with 1002). A longer one closes the connection with 4400 Bad Request, as
 * graphql-ws does for a ping whose payload is not an object: before, each 2 MB ping was answered
 * with a 2 MB pong, which a client that never reads left in the gateway's memory.
 */
export const MAX_PING_PAYLOAD = 125;

/** WebSocket close code 1008, Policy Violation (RFC 6455 section 7.4.1): what a connection over its message budget is closed with. */
export const POLICY_VIOLATION = 1008;

/**
 * Serves graphql-ws on `wsServer`. Every `keepAliveMs` the server pings each socket and ends one
 * that has not answered by the next ping. Each connection may send `messageLimit.messages`
 * messages (graphql-ws messages of any type and WebSocket ping frames alike) per window of
 * `durationSec` (rate-limiter-flexible, in memory: the budget is the connection's, which lives on
 * one instance); the first one beyond closes it with 1008 before it is read, so a flood of pings
 * or refused subscribes, each cheap but answered, cannot hold the event loop from other clients.
 * One remote address (`addressOf`: the TCP peer's, or behind a trusted proxy the client's from
 * X-Forwarded-For, clientAddress()) may hold
 * `wsConnectionsPerAddress` connections open at once, authenticated or not, from the upgrade to
 * the close; the upgrade beyond is answered HTTP 429 Too Many Requests (RFC 6585 section 4) and
 * never becomes a WebSocket. A connection that never sends connection_init is closed by
 * graphql-ws after its connectionInitWaitTimeout (3 s, 4408), which frees its slot. A graphql-ws
 * `ping` is answered with a pong echoing at most MAX_PING_PAYLOAD (a longer payload closes with
 * 4400); an answer due while more than `wsBufferedBytes` wait for the client closes the
 * connection with 1008 instead; answers that can no longer be delivered (the connection closed)
 * are dropped, with one debug line per connection.
 * Answers `dispose()`, which closes every socket (1001) and the server.
 */
export function serveGraphqlWs<E extends object>(
  options: ServerOptions<Record<string, unknown>, SocketExtra & E>,
  wsServer: WebSocketServer,
  logger: Logger,
  limits: WsSocketLimits,
  addressOf: (request: IncomingMessage) => string = clientAddress(undefined),
  keepAliveMs = 12_000,
): { dispose(): Promise<void> } {
  const server = makeServer(options);
  const messageLimit = limits.wsMessages;
  const { RateLimiterMemory } = rateLimiterFlexible();
  const budget = new RateLimiterMemory({ points: messageLimit.messages, duration: messageLimit.durationSec });
  const tooMany = `too many messages: at most ${messageLimit.messages} per ${messageLimit.durationSec} s`;
  let connections = 0;
  const perAddress = new ConnectionSlots(limits.wsConnectionsPerAddress);
  const notReading = `the client does not read: more than ${limits.wsBufferedBytes} bytes wait to be sent (limits.wsBufferedBytes)`;
  const pingTooLong = `a ping's payload may be at most ${MAX_PING_PAYLOAD} characters of JSON`;
  const tooManyFromAddress = `too many WebSocket connections from this address: at most ${perAddress.max} open at once (limits.wsConnectionsPerAddress)`;
  wsServer.options.handleProtocols = handleProtocols;
  // Decided before the upgrade completes: ws runs completeUpgrade, and so emits 'connection' (which
  // takes the slot), synchronously after this callback, so no other upgrade comes in between.
  wsServer.options.verifyClient = ({ req }: { req: IncomingMessage }, done: (ok: boolean, code?: number, message?: string, headers?: Record<string, string>) => void) => {
    const address = addressOf(req);
    if (perAddress.admits(address)) return done(true);
    logger.warn({ remoteAddress: address, limit: perAddress.max }, 'WebSocket upgrade refused (429): more open connections from this address than limits.wsConnectionsPerAddress allows');
    done(false, 429, tooManyFromAddress, { 'Content-Type': 'text/plain; charset=utf-8' });
  };
  wsServer.on('error', (err) => {
    // ws passes on the HTTP server's own errors; before it listens, that is its failed listen
    // (a port in use, a bad HOST), which startGateway reports (ListenError), not a WebSocket error.
    if (wsServer.options.server && !wsServer.options.server.listening) return;
    logger.error({ err }, 'WebSocket server error: closing its connections');
    for (const client of wsServer.clients) client.close(CloseCode.InternalServerError, INTERNAL);
  });
  wsServer.on('connection', (socket, request) => {
    const requested = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const client = addressOf(request);
    // Cannot fail after verifyClient admitted it (nothing ran in between); held until 'close'.
    perAddress.hold(client, socket);
    const peer = { remoteAddress: client, ...(client !== request.socket.remoteAddress ? { proxyAddress: request.socket.remoteAddress } : {}), protocol: socket.protocol };
    if (socket.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL && requested.includes(DEPRECATED_GRAPHQL_WS_PROTOCOL)) {
      logger.info(peer, 'a subscriptions-transport-ws client (subprotocol "graphql-ws") is turned away (4406): the gateway speaks graphql-transport-ws');
    }
    socket.once('error', (err) => {
      logger.warn({ err, ...peer }, 'WebSocket connection error');
      socket.close(CloseCode.InternalServerError, INTERNAL);
    });
    // Spends one message of the connection's budget; false (and the connection closed, once) beyond
    // it. `spent` runs as soon as the message is within it, in the order the messages came: the
    // close for the first one beyond comes after what `spent` does for those before it.
    const connection = String(connections++);
    let overBudget = false;
    const spend = async (spent?: () => void): Promise<boolean> => {
      if (overBudget) return false;
      try {
        await budget.consume(connection);
        spent?.();
        return true;
      } catch (err) {
        if (err instanceof Error) throw err;
        if (!overBudget) {
          overBudget = true;
          logger.warn({ ...peer, limit: messageLimit }, 'WebSocket connection closed (1008): more messages than limits.wsMessages allows');
          socket.close(POLICY_VIOLATION, tooMany);
        }
        return false;
      }
    };
    let alive = true;
    socket.on('pong', () => (alive = true));
    const ping = setInterval(() => {
      if (!alive) {
        // No pong since the last ping: a client gone without a close (debug: a network blip ends many
        // at once), or one that stopped reading with answers waiting for it (warn: its pong waits behind
        // what it has not read). It gets no close frame (1006 on its side): say why here.
        const waiting = socket.bufferedAmount;
        logger[waiting > 0 ? 'warn' : 'debug']({ ...peer, keepAliveMs, bufferedBytes: waiting }, 'WebSocket connection ended: no answer to a ping within keepAliveMs (a client gone, or one that does not read)');
        return void socket.terminate();
      }
      alive = false;
      socket.ping();
    }, keepAliveMs);
    // An answer that cannot be delivered (the connection closed with answers still queued: each
    // one's write fails with ERR_STREAM_DESTROYED) is dropped, and logged once per connection at debug.
    let undelivered = false;
    let tooSlow = false;
    // A client that does not read: what it has not taken stays in the gateway's memory, so past
    // limits.wsBufferedBytes it is closed instead of sent more (one answer of any size still goes
    // to a client that reads). False, and the connection closed with 1008 once, past it.
    const reads = (): boolean => {
      if (socket.bufferedAmount <= limits.wsBufferedBytes) return true;
      if (!tooSlow) {
        tooSlow = true;
        logger.warn({ ...peer, bufferedAmount: socket.bufferedAmount, limit: limits.wsBufferedBytes }, 'WebSocket connection closed (1008): the client does not read its answers (more waiting than limits.wsBufferedBytes allows)');
        socket.close(POLICY_VIOLATION, notReading);
      }
      return false;
    };
    // WebSocket ping frames are answered here, not by ws (autoPong: false, src/server.ts): within
    // the message budget only, in order, and held to wsBufferedBytes as any answer. ws answered
    // each before the budget was looked at, and its guard against unsent pongs piling up
    // (maxPendingAutoPongs, 60) ended a burst of pings without a close frame (1006) long before
    // the budget's 1008.
    const pong = (data: Buffer) => () => {
      if (socket.readyState === socket.OPEN && reads()) socket.pong(data);
    };
    socket.on('ping', (data) => void spend(pong(data)).catch((err: unknown) => logger.error({ err, ...peer }, 'WebSocket message budget failed')));
    const send = (data: string) =>
      new Promise<void>((resolve) => {
        if (socket.readyState !== socket.OPEN || !reads()) return resolve();
        socket.send(data, (err) => {
          if (err && !undelivered) {
            undelivered = true;
            logger.debug({ ...peer, reason: (err as NodeJS.ErrnoException).code ?? err.message }, 'graphql-ws answers not delivered: the connection closed first');
          }
          resolve();
        });
      });
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send,
        close: (code, reason) => socket.close(code, reason),
        // graphql-ws's `ping` message: answered with a pong echoing a payload of at most MAX_PING_PAYLOAD.
        onPing: async (payload) => {
          const json = payload == null ? '' : smallJson(payload, MAX_PING_PAYLOAD);
          if (json === null || json.length > MAX_PING_PAYLOAD) return socket.close(CloseCode.BadRequest, pingTooLong);
          await send(stringifyMessage(payload ? { type: MessageType.Pong, payload } : { type: MessageType.Pong }));
        },
        onMessage: (cb) =>
          socket.on('message', async (data) => {
            try {
              // Budgets resolve in the order messages arrive (in memory, at once), so the order graphql-ws sees is the wire's.
              if (!(await spend())) return;
              // A message that arrived after the gateway closed the connection (in the same read as
              // the one it closed for: a 4400, a 4409) is not read: nothing it asks for could be answered.
              if (socket.readyState !== socket.OPEN) return;
              // Its shape before graphql-ws's JSON.parse, as an HTTP body's (src/limits/json-shape.ts): 4400 names the bound.
              const refused = jsonShapeRefusal(data instanceof Uint8Array ? data : String(data), limits.maxJsonValues, 'the message');
              if (refused) return socket.close(CloseCode.BadRequest, refused.message);
              await cb(String(data));
            } catch (err) {
              // A message only a server sends (next, connection_ack, pong is not one): graphql-ws
              // throws for it instead of closing as for any other message it cannot take. The
              // client's mistake, answered 4400 as those are, and not logged as the gateway's own
              // failure (a bare loop of them, unauthenticated, wrote an error line each).
              if (err instanceof Error && SERVER_ONLY_MESSAGE.test(err.message)) {
                logger.debug({ ...peer, detail: err.message }, 'graphql-ws connection closed (4400): the client sent a message only a server sends');
                return socket.close(CloseCode.BadRequest, INVALID_MESSAGE);
              }
              logger.error({ err, ...peer }, 'graphql-ws message handling failed: closing the connection');
              socket.close(CloseCode.InternalServerError, INTERNAL);
            }
          }),
      },
      { socket, request } as SocketExtra & E,
    );
    socket.once('close', (code, reason) => {
      clearInterval(ping);
      void Promise.resolve(closed(code, String(reason))).catch((err: unknown) => logger.error({ err, ...peer }, 'graphql-ws close handling failed'));
    });
  });
  return {
    async dispose() {
      for (const client of wsServer.clients) client.close(1001, 'Going away');
      wsServer.removeAllListeners();
      await new Promise<void>((resolve, reject) => wsServer.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
