import { createServer, isIP, type AddressInfo, type Server } from 'node:net';

/**
 * The HTTP server could not listen where the configuration says (PORT / HOST, config `port` /
 * `host`): the port is taken, the host is not an address of this machine or does not resolve, the
 * port needs privileges. Its message is one line naming the setting, the address and the cause
 * (the system's error code); src/main.ts prints it alone and exits 1. Kept free of other imports:
 * main.ts loads it before the gateway's modules.
 */
export class ListenError extends Error {
  override name = 'ListenError';

  /**
   * @param message  one line: `listen: ...` naming PORT or HOST and the cause
   * @param code     the system error code (EADDRINUSE, EADDRNOTAVAIL, ENOTFOUND, EACCES, ...), when there was one
   */
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Starts `server` listening on `host`:`port` (port 0: any free port). Resolves once it listens;
 * rejects with a ListenError when it cannot, leaving no listener of its own behind (the server's
 * other 'error' listeners, ws's among them, still hear the error: ws-server.ts ignores it while
 * the server is not listening).
 */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => {
      server.off('listening', listening);
      reject(new ListenError(listenFailure(err, port, host), err.code, { cause: err }));
    };
    const listening = () => {
      server.off('error', failed);
      resolve();
    };
    server.once('error', failed);
    server.once('listening', listening);
    server.listen(port, host);
  });
}

/**
 * Whether this machine can listen on `host` at all, found out before the gateway opens its
 * database or starts anything (a HOST that does not resolve, `999.1.1.1`, or an address of
 * another machine was refused only at the end of the start, after the database was created and
 * migrated and the sandboxes had run): listens on `host` with an ephemeral port and closes it at
 * once. Rejects with the ListenError listen() would give on `port`, the configured one
 * (ENOTFOUND, EADDRNOTAVAIL, ...). The port itself is not tried here: one still held by an
 * instance that is stopping may be free by the time the gateway listens (listen() reports it then).
 */
export async function checkListenHost(host: string, port: number): Promise<void> {
  const probe = createServer();
  await listen(probe, 0, host).catch((err: unknown) => {
    // Said as for the configured port: the probe's ephemeral one is nobody's setting.
    if (err instanceof ListenError && err.cause) throw new ListenError(listenFailure(err.cause as NodeJS.ErrnoException, port, host), err.code, { cause: err.cause });
    throw err;
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/** One line for a failed listen: which setting, which address, and what the system said. */
export function listenFailure(err: NodeJS.ErrnoException, port: number, host: string): string {
  const where = `${host.includes(':') ? `[${host}]` : host || '(all addresses)'}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return `listen: cannot listen on ${where}: PORT ${port} is already in use on HOST ${host || '(all addresses)'} (EADDRINUSE); stop what holds it or set PORT (config "port") to a free port`;
    case 'EADDRNOTAVAIL':
      return `listen: cannot listen on ${where}: HOST ${host} is not an address of this machine (EADDRNOTAVAIL); set HOST (config "host") to one of its addresses, or 0.0.0.0 for all`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return `listen: cannot listen on ${where}: HOST ${host} does not resolve to an address (${err.code}); set HOST (config "host") to an address of this machine`;
    case 'EACCES':
      return `listen: cannot listen on ${where}: PORT ${port} needs privileges this process lacks (EACCES); set PORT (config "port") to 1024 or more`;
    default:
      return `listen: cannot listen on ${where} (PORT ${port}, HOST ${host}): ${err.code ? `${err.code}: ` : ''}${err.message}`;
  }
}

/**
 * Who can reach a server listening on `address` (an IP address as net.Server.address() reports
 * it): `loopback only` for 127.0.0.0/8, ::1 and ::ffff:127.x.x.x (only this machine); `every
 * interface` for the unspecified addresses 0.0.0.0 and :: (anyone who reaches the machine's
 * port); `this address only` for any other (one interface of the machine).
 */
export function listeningReach(address: string): 'loopback only' | 'every interface' | 'this address only' {
  const a = address.toLowerCase();
  if (a === '0.0.0.0' || a === '::' || a === '0:0:0:0:0:0:0:0') return 'every interface';
  const v4 = a.startsWith('::ffff:') ? a.slice('::ffff:'.length) : a;
  if (a === '::1' || a === '0:0:0:0:0:0:0:1' || (isIP(v4) === 4 && v4.startsWith('127.'))) return 'loopback only';
  return 'this address only';
}

/**
 * The host part of the URLs the gateway gives for itself (Gateway.url and wsUrl, the start
 * banner's `Registry gateway on http://<host>:<port>/graphql`), from the configured HOST: an
 * unspecified address is reached on this machine's loopback (`0.0.0.0` and an empty host as
 * `127.0.0.1`, `::` as `[::1]`, which a server on `::` answers even where IPv6 sockets take no
 * IPv4); any other IPv6 address in brackets (RFC 3986 section 3.2.2: `http://[fd00::2]:4000/`, not
 * `http://fd00::2:4000/`); an IPv4 address or a host name as it is.
 */
export function urlHost(host: string | undefined): string {
  if (!host || host === '0.0.0.0') return '127.0.0.1';
  if (isIP(host) === 6) return `[${listeningReach(host) === 'every interface' ? '::1' : host}]`;
  return host;
}

/**
 * The startup banner's line for where the gateway listens (src/main.ts): `Listening on
 * 127.0.0.1:4000 (loopback only)`, `Listening on 0.0.0.0:4000 (every interface)`, an IPv6 address in
 * brackets (`[::]:4000`); from the server's own address (net.Server.address()), not the setting.
 */
export function listeningLine(address: AddressInfo): string {
  const host = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  return `Listening on ${host}:${address.port} (${listeningReach(address.address)})`;
}
