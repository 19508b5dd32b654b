/**
 * A TCP relay on 127.0.0.1 to a gateway: the URL a client (the bulk CLI) is given instead of the
 * gateway's, so a test can see and act on its connections. Each connection is relayed both ways
 * untouched; `onUpstream(chunk, client, upstream)` sees each chunk the gateway sends before it is
 * passed on (graphql-ws frames from the server are not masked, so `"connection_ack"` can be read).
 */
import net from 'node:net';

/** A running relay: the URL to give the client, the sockets open now, and close() (the listener and every connection). */
export interface GraphqlRelay {
  url: string;
  sockets: Set<net.Socket>;
  /** Destroys every connection; with `listener` the listening socket is closed too, as when the gateway's process is killed. */
  cut(listener: boolean): void;
}

/** Starts a relay to the gateway at `gatewayUrl` (its /graphql URL); see this file's header. */
export async function startGraphqlRelay(gatewayUrl: string, onUpstream: (chunk: Buffer, client: net.Socket, upstream: net.Socket) => void = () => {}): Promise<GraphqlRelay> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(new URL(gatewayUrl).port), '127.0.0.1');
    for (const x of [client, upstream]) {
      sockets.add(x);
      x.on('error', () => undefined);
      x.on('close', () => sockets.delete(x));
    }
    // Before the pipe's own listener: onUpstream acts before the chunk reaches the client.
    upstream.on('data', (b: Buffer) => onUpstream(b, client, upstream));
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/graphql`,
    sockets,
    cut(listener) {
      if (listener && server.listening) server.close();
      for (const s of sockets) s.destroy();
    },
  };
}
