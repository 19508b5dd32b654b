/**
 * TCP connections one remote address may hold open at once on the API's HTTP server
 * (limits.httpConnectionsPerAddress), counted from the connection to its close, whatever it
 * carries: HTTP requests, kept alive or idle, and WebSocket upgrades (which limits
 * wsConnectionsPerAddress counts too, by the client's address). Before it, one client with no key
 * held 19,700 idle connections of the process's 20,000 file descriptors, each until the headers
 * timeout closed it. A connection beyond is answered `429 Too Many Requests` (RFC 6585 section 4)
 * and closed before anything it sends is read. The address is the TCP peer's: X-Forwarded-For is
 * not known before a request arrives, so a peer listed in config trustProxy (a reverse proxy,
 * whose clients share its address) is not counted at all; it bounds its own clients.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import proxyAddr from 'proxy-addr';
import type { Logger } from '../logger.js';
import { ConnectionSlots } from './ws-connections.js';

/** Refusals of one address logged at most once per this many ms (a flood is one line a minute, not one per connection). */
const LOG_EVERY_MS = 60_000;

/**
 * Counts `server`'s connections per TCP peer address, at most `max` each (a whole number, 1 or
 * more; resolveLimits checks it), `trustProxy` (config trustProxy: addresses, subnets, proxy-addr's
 * names) exempt; a connection beyond is answered 429 and closed, and logged (warn) once a minute
 * per address. The count lives in this process, as wsConnectionsPerAddress's.
 */
export function capConnectionsPerAddress(server: Server, max: number, trustProxy: readonly string[] | undefined, logger: Logger): void {
  const slots = new ConnectionSlots(max);
  const trusted = trustProxy?.length ? proxyAddr.compile([...trustProxy]) : () => false;
  const body = `too many connections from this address: at most ${max} open at once (limits.httpConnectionsPerAddress)\n`;
  const answer = `HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
  const logged = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (!address || trusted(address, 0) || slots.holdUntilClose(address, socket)) return;
    const now = Date.now();
    if ((logged.get(address) ?? -Infinity) <= now - LOG_EVERY_MS) {
      if (logged.size >= 10_000) logged.clear(); // bounded: addresses that flood in turn are logged again sooner
      logged.set(address, now);
      logger.warn({ remoteAddress: address, limit: max }, 'HTTP connection refused (429): more open connections from this address than limits.httpConnectionsPerAddress allows');
    }
    // Nothing the client sends is read (the HTTP server's parser gets no data); the answer is
    // written, then the socket destroyed, or after 5 s when the client does not read it.
    socket.pause();
    socket.end(answer);
    socket.once('finish', () => socket.destroy());
    setTimeout(() => socket.destroy(), 5_000).unref();
  });
}
