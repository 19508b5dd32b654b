import type { Server } from 'node:http';

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
