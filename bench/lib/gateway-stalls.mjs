/**
 * A preload for the gateway a benchmark starts (`node --import ./bench/lib/gateway-stalls.mjs`,
 * added by bench/lib/stack.mjs when the benchmark asks for it): the gateway's own stalls, as
 * bench/bulk.mjs measures its own process's. Counts the gateway's garbage collections (young
 * generation scavenges and full collections: number, total and longest pause, ms) and its event
 * loop's delay (monitorEventLoopDelay at a 10 ms resolution, its timer's lateness: p50, p99, max
 * in ms; a finer timer would wake the measured thread a thousand times a second). Main thread only
 * (a worker thread, such as the embedded database's, inherits the preload: it does nothing there).
 *
 * Each SIGUSR2 writes what was counted since the previous one (or the start) to the file named by
 * RGW_BENCH_STALLS_FILE, as one JSON object (`seq`: 1, 2, ... in this process; `ms`: the span),
 * then starts counting afresh: the benchmark signals once when a job starts and once when it
 * ends, and reads the second write.
 * What it adds to the gateway: a callback per collection and a timer every 10 ms.
 */
import { writeFileSync, renameSync } from 'node:fs';
import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const RESOLUTION_MS = 10;
const file = process.env.RGW_BENCH_STALLS_FILE;
if (file && isMainThread) {
  const fresh = () => ({ scavenges: 0, scavengeMs: 0, longestScavengeMs: 0, fullGcs: 0, fullGcMs: 0, longestFullGcMs: 0 });
  let gc = fresh();
  let seq = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = e.detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        gc.scavenges++;
        gc.scavengeMs += e.duration;
        gc.longestScavengeMs = Math.max(gc.longestScavengeMs, e.duration);
      } else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        gc.fullGcs++;
        gc.fullGcMs += e.duration;
        gc.longestFullGcMs = Math.max(gc.longestFullGcMs, e.duration);
      }
    }
  }).observe({ entryTypes: ['gc'] });
  const loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  loop.enable();
  let since = performance.now();
  process.on('SIGUSR2', () => {
    const now = performance.now();
    // The histogram holds each tick's interval, the resolution included: its lateness is what is over it.
    const late = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
    const out = { seq: ++seq, ms: now - since, ...gc, loopP50Ms: late(loop.percentile(50)), loopP99Ms: late(loop.percentile(99)), loopMaxMs: late(loop.max) };
    writeFileSync(`${file}.tmp`, JSON.stringify(out));
    renameSync(`${file}.tmp`, file);
    gc = fresh();
    loop.reset();
    since = now;
  });
}
