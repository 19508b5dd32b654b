/**
 * A TCP proxy that can turn into a network black hole, for tests of a database that stops
 * answering without refusing or closing anything (a partition, a frozen host), which a stopped
 * proxy (refused connections, reset sockets) does not show.
 *
 * While black-holed, nothing crosses in either direction: bytes, ends and resets of open
 * connections wait, and a new connection is accepted (as a kernel's backlog accepts it) but
 * hears nothing. resume() delivers what waited, in order, as TCP's retransmissions do once a
 * partition heals: a side that closed meanwhile is then closed on the other side too.
 *
 * down() is the other failure, a database that stopped: every open connection is reset and a new
 * one is closed as soon as it is accepted, until resume().
 */
import net from 'node:net';

export interface BlackHoleProxy {
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Connections closed on accept while down() so far: the client's attempts to reach a stopped server. */
  readonly refused: number;
  /** Stops forwarding anything, on open connections and new ones. */
  blackHole(): void;
  /** Resets every open connection and closes each new one at once (a stopped server), until resume(). */
  down(): void;
  /** Forwards again, first what waited (after blackHole()); accepts connections again (after down()). */
  resume(): void;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 (an ephemeral port) to `target`, forwarding. */
export async function startBlackHoleProxy(target: { host: string; port: number }): Promise<BlackHoleProxy> {
  const sockets = new Set<net.Socket>();
  let blocked = false;
  let stopped = false;
  let connections = 0;
  let refused = 0;
  /** What waits for resume(), in the order it happened. */
  const waiting: Array<() => void> = [];
  const whenOpen = (action: () => void) => (blocked ? waiting.push(action) : action());

  const server = net.createServer((client) => {
    if (stopped) {
      refused++;
      client.resetAndDestroy();
      return;
    }
    connections++;
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    const pair: Array<[net.Socket, net.Socket]> = [
      [client, upstream],
      [upstream, client],
    ];
    for (const [from, to] of pair) {
      from.on('data', (chunk: Buffer) => whenOpen(() => !to.destroyed && to.write(chunk)));
      // Written first, then closed (destroySoon), so that what waited reaches the other side.
      from.on('close', () => whenOpen(() => to.destroySoon()));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return connections;
    },
    get refused() {
      return refused;
    },
    blackHole() {
      blocked = true;
    },
    down() {
      stopped = true;
      for (const s of sockets) s.resetAndDestroy();
    },
    resume() {
      blocked = false;
      stopped = false;
      for (const action of waiting.splice(0)) action();
    },
    async close() {
      waiting.length = 0;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
