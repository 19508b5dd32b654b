/**
 * How the HTTP(S) sandboxes (REPP, HeadlessDomains, Joker) listen and stop: the server's sockets
 * are tracked so that close() ends kept-alive client connections at once instead of waiting for
 * them, and TLS handshake failures from clients are ignored (a client's problem, not the sandbox's).
 */
import type http from 'node:http';
import type { Socket } from 'node:net';

/** Wraps an http(s).Server: listen() on host:port (0: any free port), close() that ends kept-alive connections at once. */
export class SandboxListener {
  private readonly sockets = new Set<Socket>();
  private listening = false;

  constructor(private readonly server: http.Server) {
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    server.on('tlsClientError', () => undefined);
  }

  /** Listens on host:port (port 0: any free port); resolves with the port taken. */
  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    const server = this.server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        this.listening = true;
        const a = server.address();
        resolve({ host, port: typeof a === 'object' && a ? a.port : port });
      });
    });
  }

  /** Destroys every open connection and stops listening; a second call does nothing. */
  async close(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
