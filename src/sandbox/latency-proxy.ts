/**
 * A delaying TCP proxy between the gateway and a registry (sandbox), for benchmarks and tests:
 * every byte the registry sends back reaches the gateway `latencyMs` later, in order, so each
 * command's round trip (and each login) takes that much longer, as over a long network path.
 * The bytes pass through untouched (TLS stays end to end between gateway and registry). `hold()`
 * keeps the registry's answers back until `release()`, so a test can fix which commands are in
 * flight at a moment without relying on timing. `stats()` says what delay was really added: a
 * timer fires on the event loop's millisecond clock, and after whatever else this thread runs
 * (in bench/bulk.mjs, the registry itself), so a chunk is written a fraction of a millisecond
 * late (measured on an idle machine at 20 ms: 20.1-20.3 ms on average).
 */
import net from 'node:net';

/** A running proxy from startLatencyProxy(): where to connect, the added latency (ms), hold/release of answers, delay statistics, close(). */
export interface LatencyProxy {
  /** Where the gateway connects instead of the registry. */
  readonly host: string;
  readonly port: number;
  /** Simulated latency added to everything the registry sends, in ms; may be changed at any time. */
  latencyMs: number;
  /** Connections opened through the proxy so far. */
  readonly connections: number;
  /** Keeps the registry's answers back (they are delivered, in order, on release()). */
  hold(): void;
  release(): void;
  /**
   * The delay really added since the start or the last `stats(true)`, over the chunks delayed
   * (latencyMs > 0) and delivered while not held: their number, and the mean time from the
   * chunk's read from the registry to its write to the gateway (ms).
   */
  stats(reset?: boolean): { chunks: number; meanDelayMs: number };
  /** Chunks read from the registry and not yet written to the gateway (delayed or held), now. */
  readonly inFlight: number;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 (an ephemeral port unless `port`) to `target`. */
export async function startLatencyProxy(target: { host: string; port: number }, opts: { latencyMs?: number; port?: number } = {}): Promise<LatencyProxy> {
  const sockets = new Set<net.Socket>();
  let held = false;
  const waiting: Array<() => void> = [];
  let connections = 0;
  let chunks = 0;
  let delaySum = 0;
  let inFlight = 0;
  const proxy = {
    host: '127.0.0.1',
    port: 0,
    latencyMs: opts.latencyMs ?? 0,
    get connections() {
      return connections;
    },
    get inFlight() {
      return inFlight;
    },
    hold() {
      held = true;
    },
    release() {
      held = false;
      for (const go of waiting.splice(0)) go();
    },
    stats(reset = false) {
      const s = { chunks, meanDelayMs: chunks > 0 ? delaySum / chunks : 0 };
      if (reset) chunks = delaySum = 0;
      return s;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(target.port, target.host);
    client.setNoDelay(true); // no Nagle delay on top of the simulated one
    upstream.setNoDelay(true);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    // Answers keep their order: each chunk waits for the one before it, then for its own delay.
    let last = Promise.resolve();
    upstream.on('data', (chunk: Buffer) => {
      const read = performance.now();
      const latency = proxy.latencyMs;
      const due = Date.now() + latency;
      inFlight++;
      last = last.then(async () => {
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (held) await new Promise<void>((r) => waiting.push(r));
        else if (latency > 0) {
          chunks++;
          delaySum += performance.now() - read;
        }
        inFlight--;
        if (!client.destroyed) client.write(chunk);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  proxy.port = (server.address() as net.AddressInfo).port;
  return proxy;
}
