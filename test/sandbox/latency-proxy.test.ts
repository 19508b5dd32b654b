/**
 * The delaying proxy the benchmarks put between gateway and registry (src/sandbox/latency-proxy.ts):
 * what it delivers, in what order, and what its stats() report. Timing is only checked as a lower
 * bound (an answer never arrives before the latency set), never as a window.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startLatencyProxy, type LatencyMode, type LatencyProxy } from '../../src/sandbox/latency-proxy.js';

let echo: net.Server;
let proxy: LatencyProxy;
const clients: net.Socket[] = [];

/** An echo server behind a proxy; the echo answers `answerAfterMs` after it read each chunk (at once when 0). */
async function start(latencyMs: number, mode?: LatencyMode, answerAfterMs = 0) {
  echo = net.createServer((s) => s.on('data', (d) => (answerAfterMs > 0 ? setTimeout(() => s.write(d), answerAfterMs) : s.write(d))));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  proxy = await startLatencyProxy({ host: '127.0.0.1', port: (echo.address() as net.AddressInfo).port }, { latencyMs, mode });
  const c = net.connect(proxy.port, proxy.host);
  clients.push(c);
  await new Promise((r) => c.once('connect', r));
  let got = '';
  c.on('data', (d) => (got += d));
  /** Sends `text` and resolves with the ms until everything received so far ends with it. */
  const roundTrip = async (text: string) => {
    const t = performance.now();
    c.write(text);
    while (!got.endsWith(text)) await new Promise((r) => setImmediate(r));
    return performance.now() - t;
  };
  return { roundTrip, received: () => got, client: c };
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await proxy?.close();
  await new Promise((r) => echo?.close(r));
});

describe('latency proxy', () => {
  it('delays every answer by at least the latency set, and its stats say how long it really took', async () => {
    const { roundTrip } = await start(25);
    for (const text of ['one', 'two', 'three']) expect(await roundTrip(text)).toBeGreaterThanOrEqual(23); // to the timer's precision: see the 'roundTrip' test
    const s = proxy.stats(true);
    expect(s.chunks).toBe(3);
    expect(s.meanDelayMs).toBeGreaterThanOrEqual(23);
    expect(s.meanRoundTripMs).toBeGreaterThanOrEqual(s.meanDelayMs);
    expect(proxy.stats()).toEqual({ chunks: 0, meanDelayMs: 0, meanRoundTripMs: 0, late: 0, turnarounds: 0, meanTurnaroundMs: 0, p50TurnaroundMs: 0, p90TurnaroundMs: 0 }); // reset
  });

  it("measures the client's turnaround: from an answer's write to the client's next command on that connection", async () => {
    const { roundTrip } = await start(5);
    await roundTrip('one');
    await new Promise((r) => setTimeout(r, 30)); // this client takes its time before its next command
    await roundTrip('two');
    await roundTrip('three');
    const s = proxy.stats(true);
    // Three answers, two of them followed by a command: the first after at least the client's 30 ms.
    expect(s.turnarounds).toBe(2);
    expect(s.p90TurnaroundMs).toBeGreaterThanOrEqual(28); // the client's own timer, to its precision
    expect(s.meanTurnaroundMs).toBeGreaterThanOrEqual(14);
    expect(proxy.stats().turnarounds).toBe(0); // reset
    // An answer written before a reset starts no turnaround after it (a session idle between two phases).
    await new Promise((r) => setTimeout(r, 30));
    await roundTrip('four');
    expect(proxy.stats()).toMatchObject({ chunks: 1, turnarounds: 0 });
  });

  it("in 'added' mode, delays an answer by the latency after a slow registry's own time", async () => {
    const { roundTrip } = await start(25, 'added', 50);
    expect(await roundTrip('slow')).toBeGreaterThanOrEqual(70); // the echo's 50 ms, then the proxy's 25 (each to a millisecond)
    const s = proxy.stats();
    expect(s.meanDelayMs).toBeGreaterThanOrEqual(23);
    expect(s.late).toBe(0); // 'added' has no due time to miss
  });

  it("in 'roundTrip' mode, answers the latency after the command, a slow registry's time inside it, and counts the registry that took longer", async () => {
    const { roundTrip } = await start(25, 'roundTrip');
    // Not before the latency, to the timer's precision (the due time is on Date.now()'s whole
    // milliseconds and the timer counts on the event loop's own: an answer may leave up to 1.5 ms early).
    for (const text of ['one', 'two']) expect(await roundTrip(text)).toBeGreaterThanOrEqual(23);
    const fast = proxy.stats(true);
    expect(fast.chunks).toBe(2);
    expect(fast.meanRoundTripMs).toBeGreaterThanOrEqual(23);
    await proxy.close();
    await new Promise((r) => echo.close(r));

    // The echo takes twice the latency: its answer is late, written as it comes, with no latency on top.
    const slow = await start(25, 'roundTrip', 50);
    expect(await slow.roundTrip('slow')).toBeGreaterThanOrEqual(45); // the echo's own 50 ms, to its timer's precision
    const s = proxy.stats();
    expect(s.chunks).toBe(1);
    expect(s.late).toBe(1);
    expect(s.meanRoundTripMs).toBeGreaterThanOrEqual(45);
  });

  it('keeps the order of answers when the latency is lowered between them', async () => {
    const { client, received } = await start(2_000);
    client.write('first;');
    await expect.poll(() => proxy.inFlight, { interval: 1 }).toBe(1); // read by the proxy, waiting out its 2 s
    proxy.latencyMs = 0;
    client.write('second;');
    while (received() !== 'first;second;') {
      expect('first;second;'.startsWith(received())).toBe(true);
      await new Promise((r) => setImmediate(r));
    }
  });

  it('holds answers back until release and does not count them as delayed', async () => {
    const { client, received } = await start(0);
    proxy.hold();
    client.write('held');
    await expect.poll(() => proxy.inFlight, { interval: 1 }).toBe(1); // read by the proxy, and kept
    expect(received()).toBe('');
    proxy.release();
    while (received() !== 'held') await new Promise((r) => setImmediate(r));
    expect(proxy.stats().chunks).toBe(0);
  });
});
