/**
 * A delaying TCP proxy between the gateway and a registry (sandbox), for benchmarks and tests.
 * Two ways to delay what the registry sends back (LatencyMode), in order in both:
 * - 'added' (the default): every byte reaches the gateway `latencyMs` after the proxy read it
 *   from the registry, so each command's round trip (and each login) takes that much longer than
 *   the registry's own time, as over a long network path in front of it;
 * - 'roundTrip': an answer reaches the gateway `latencyMs` after the proxy read the last bytes the
 *   gateway sent on that connection (its command; the connection's opening for a greeting), or at
 *   once when the registry took longer than that: a registry whose every command takes
 *   `latencyMs` from the gateway's point of view, its own time included. Meant for a client with
 *   one command outstanding per connection (EPP as the gateway's sessions and
 *   bench/lib/direct-renew.mjs send it; HTTP/1.1 without pipelining): with several outstanding, an
 *   answer counts from the latest command. bench/bulk.mjs uses it so that its ideal
 *   (commands x latency / concurrency) is what a client with no cost of its own would reach, on
 *   a machine where the in-process registry's time grows with the gateway's CPU load.
 * The bytes pass through untouched (TLS stays end to end between gateway and registry). `hold()`
 * keeps the registry's answers back until `release()`, so a test can fix which commands are in
 * flight at a moment without relying on timing. `stats()` says what delay was really added: a
 * timer fires on the event loop's millisecond clock, and after whatever else this thread runs
 * (in bench/bulk.mjs, the registry itself), so a chunk is written a fraction of a millisecond
 * late on average (measured on an idle machine at 20 ms: 20.1-20.3 ms), though one answer may
 * leave up to 1.5 ms early: its due time is on Date.now()'s whole milliseconds and the timer
 * counts on the event loop's own millisecond clock. (Due times on the monotonic clock, with a
 * timer set again when one fired early, made every answer late instead: 20.9 ms on average under
 * bench:bulk's job, a bench whose ideal counts 20.) And `stats()` says what the client adds
 * between an answer and its next command (its turnaround).
 */
import net from 'node:net';

/** How a proxy delays answers: 'added' after the registry's answer, or 'roundTrip' from the command (this file's header). */
export type LatencyMode = 'added' | 'roundTrip';

/** A running proxy from startLatencyProxy(): where to connect, the added latency (ms), hold/release of answers, delay statistics, close(). */
export interface LatencyProxy {
  /** Where the gateway connects instead of the registry. */
  readonly host: string;
  readonly port: number;
  /** Simulated latency, in ms, applied as `mode` says; may be changed at any time (an answer already read keeps its delay). */
  latencyMs: number;
  /** How latencyMs applies (LatencyMode); may be changed at any time. */
  mode: LatencyMode;
  /** Connections opened through the proxy so far. */
  readonly connections: number;
  /** Keeps the registry's answers back (they are delivered, in order, on release()). */
  hold(): void;
  release(): void;
  /**
   * The delay really applied since the start or the last `stats(true)`, over the chunks delayed
   * (latencyMs > 0) and delivered while not held: their number; the mean time from the chunk's
   * read from the registry to its write to the gateway (meanDelayMs, ms); the mean time from the
   * read of the gateway's last bytes before it on the connection to that write (meanRoundTripMs,
   * ms: the round trip the gateway saw, but for the two hops on loopback); and in 'roundTrip'
   * mode, how many came from the registry after their latency had passed (late: written at once);
   * and the client's turnaround (`turnarounds`, `meanTurnaroundMs`, `p50TurnaroundMs`,
   * `p90TurnaroundMs`, ms): from the write of a delayed answer to the read of the next bytes the
   * client sent on that connection, over the answers written since the last reset and followed by
   * a command. That is the client's own time between an
   * answer and its next command, plus two loopback hops and this thread's delay in reading: what
   * a client with one command outstanding per connection adds to each round trip.
   */
  stats(reset?: boolean): ProxyStats;
  /** Chunks read from the registry and not yet written to the gateway (delayed or held), now. */
  readonly inFlight: number;
  close(): Promise<void>;
}

/** What a proxy's stats() report (LatencyProxy.stats): counts, and means and percentiles in ms. */
export interface ProxyStats {
  chunks: number;
  meanDelayMs: number;
  meanRoundTripMs: number;
  late: number;
  turnarounds: number;
  meanTurnaroundMs: number;
  p50TurnaroundMs: number;
  p90TurnaroundMs: number;
}

/** Turnarounds kept between two resets (a bench:bulk job has some 10,000); those beyond are not counted. */
const MAX_TURNAROUNDS = 200_000;

/** Starts a proxy on 127.0.0.1 (an ephemeral port unless `port`) to `target`, delaying as `mode` says ('added' unless given). */
export async function startLatencyProxy(
  target: { host: string; port: number },
  opts: { latencyMs?: number; port?: number; mode?: LatencyMode } = {},
): Promise<LatencyProxy> {
  const sockets = new Set<net.Socket>();
  let held = false;
  const waiting: Array<() => void> = [];
  let connections = 0;
  let chunks = 0;
  let delaySum = 0;
  let roundTripSum = 0;
  let late = 0;
  let inFlight = 0;
  let turnarounds: number[] = [];
  let turnaroundSum = 0;
  /** stats(true) calls so far: an answer written before the last one starts no turnaround after it. */
  let resets = 0;
  const proxy = {
    host: '127.0.0.1',
    port: 0,
    latencyMs: opts.latencyMs ?? 0,
    mode: opts.mode ?? ('added' as LatencyMode),
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
    stats(reset = false): ProxyStats {
      const n = turnarounds.length;
      const sorted = n > 0 ? Float64Array.from(turnarounds).sort() : null;
      const at = (q: number) => (sorted ? sorted[Math.min(n - 1, Math.floor(n * q))]! : 0);
      const s = {
        chunks,
        meanDelayMs: chunks > 0 ? delaySum / chunks : 0,
        meanRoundTripMs: chunks > 0 ? roundTripSum / chunks : 0,
        late,
        turnarounds: n,
        meanTurnaroundMs: n > 0 ? turnaroundSum / n : 0,
        p50TurnaroundMs: at(0.5),
        p90TurnaroundMs: at(0.9),
      };
      if (reset) {
        chunks = delaySum = roundTripSum = late = turnaroundSum = 0;
        turnarounds = [];
        resets++;
      }
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
    // When the gateway last sent something on this connection (its command), on both clocks: the
    // due time of a round trip is on Date.now()'s (whole milliseconds, as the timer counts), its
    // measure on performance.now()'s.
    let sent = { at: Date.now(), perf: performance.now() };
    // When this proxy last wrote a delayed answer on this connection, until the client's next bytes.
    let answered: number | null = null;
    let answeredIn = 0; // the value of `resets` then
    client.on('data', () => {
      sent = { at: Date.now(), perf: performance.now() };
      if (answered !== null && answeredIn === resets && turnarounds.length < MAX_TURNAROUNDS) {
        turnarounds.push(sent.perf - answered);
        turnaroundSum += sent.perf - answered;
      }
      answered = null;
    });
    client.pipe(upstream);
    // Answers keep their order: each chunk waits for the one before it, then for its own delay.
    let last = Promise.resolve();
    upstream.on('data', (chunk: Buffer) => {
      const read = performance.now();
      const latency = proxy.latencyMs;
      const command = sent;
      const due = (proxy.mode === 'roundTrip' ? command.at : Date.now()) + latency;
      if (proxy.mode === 'roundTrip' && latency > 0 && due <= Date.now()) late++;
      inFlight++;
      last = last.then(async () => {
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        // Counted: delayed and delivered while not held.
        const counted = !held && latency > 0;
        if (held) await new Promise<void>((r) => waiting.push(r));
        else if (counted) {
          const now = performance.now();
          chunks++;
          delaySum += now - read;
          roundTripSum += now - command.perf;
        }
        inFlight--;
        if (client.destroyed) return;
        client.write(chunk);
        // An answer held, or not delayed, starts no turnaround (nor does one written before it).
        answered = counted ? performance.now() : null;
        answeredIn = resets;
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  proxy.port = (server.address() as net.AddressInfo).port;
  return proxy;
}
