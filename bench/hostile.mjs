#!/usr/bin/env node
/**
 * Hostile requests against a zero-setup gateway: how fast they are refused, and what the other
 * clients see meanwhile (issue 8, items 1-3).
 *
 *   npm run bench:hostile [-- --seconds 5 --attackers 4]
 *   node bench/hostile.mjs --gateway /path/to/other/checkout/dist/bundle/main.js   # e.g. an older build
 *
 * Starts `dist/bundle/main.js`, what `npm start` runs (the zero-setup start: embedded database in
 * a temporary directory, in-process sandboxes) and reads an API key from what it prints. Then measures:
 *   1. the fragment bomb (`query { ...F0 }`, 26 fragments each spreading the next twice, 1 KB):
 *      time until it is answered, over HTTP and over graphql-ws;
 *   2. GET /healthz latency while `attackers` clients send the bomb back to back for `seconds`
 *      seconds (each bomb answered before the next is sent), against /healthz alone and while
 *      the same clients send `{ viewer { id } }` (what any request costs on this machine);
 *   2b. the same for 2 MB bodies whose JSON is costly to parse: a variable nested 1,000,000 arrays
 *      deep, and one of 1,000,000 numbers: time until one is answered, and /healthz meanwhile;
 *   3. the 2 MB request of 1,000 `domain(name: $n)` aliases with a 1.9 MB `$n`: time until it is
 *      answered, and the gateway's resident memory (VmRSS) before and after, and its peak (VmHWM);
 *   4. GET /healthz latency while `attackers` graphql-ws connections (the key's) send `ping`
 *      messages as fast as their sockets take them for `seconds` seconds, with how many pongs
 *      each got and how it was closed (limits.wsMessages closes one with 1008 at its budget;
 *      `--gateway` an older build to compare);
 *   5. one address opening `sockets` (default 1,000) graphql-ws connections at once, each sending
 *      connection_init with the key as soon as it is open: how many were acknowledged, refused at
 *      the upgrade (429, limits.wsConnectionsPerAddress) or closed at connection_init (1013,
 *      limits.wsConnectionsPerKey), and the gateway's resident memory before and with them open.
 * A request still unanswered after --timeout seconds (default 120) is reported as such.
 * It prints figures; it asserts nothing.
 */
import { readFileSync, rmSync } from 'node:fs';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { arg, argText, freePort, GATEWAY_MAIN, startZeroSetup } from './lib/stack.mjs';

const SECONDS = arg('seconds', 5);
const ATTACKERS = arg('attackers', 4);
const SOCKETS = arg('sockets', 1000);
const TIMEOUT_MS = arg('timeout', 120) * 1000;
const GATEWAY = argText('gateway', GATEWAY_MAIN);
const PORT = arg('port', await freePort());

const { child, key, dataDir } = await startZeroSetup(GATEWAY, PORT, 'rgw-hostile-');
const base = `http://127.0.0.1:${PORT}`;
const url = `${base}/graphql`;
const memory = () => {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
};
const ms = (t0) => performance.now() - t0;
const fmt = (x) => (typeof x === 'number' ? `${x.toFixed(1)} ms` : x);

/** POST one operation; resolves with [milliseconds, status, first error code] or 'unanswered after N s'. */
function timed(query, variables) {
  return timedBody(JSON.stringify({ query, variables }));
}

/** POST one request body as it is (a JSON text too deep for JSON.stringify to write); as timed(). */
async function timedBody(body) {
  const t0 = performance.now();
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), TIMEOUT_MS);
  try {
    const res = await fetch(url, { method: 'POST', signal: ac.signal, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body });
    const answer = await res.json().catch(() => ({}));
    return [ms(t0), res.status, answer.errors?.[0]?.extensions?.code ?? 'no error'];
  } catch {
    return [`unanswered after ${TIMEOUT_MS / 1000} s`, '-', '-'];
  } finally {
    clearTimeout(timer);
  }
}

function timedWs(query) {
  const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${key}` }, retryAttempts: 0 });
  return new Promise((resolve) => {
    let t0;
    const done = (code) => {
      clearTimeout(timer);
      resolve([typeof t0 === 'number' ? ms(t0) : 'no connection', code]);
      void client.dispose();
    };
    const timer = setTimeout(() => done(`unanswered after ${TIMEOUT_MS / 1000} s`), TIMEOUT_MS);
    client.on('connected', () => (t0 ??= performance.now()));
    client.subscribe({ query }, { next: (r) => done(r.errors?.[0]?.extensions?.code ?? 'no error'), error: (e) => done(Array.isArray(e) ? e[0]?.extensions?.code : String(e?.code ?? e)), complete: () => undefined });
  });
}

async function healthz() {
  const t0 = performance.now();
  await fetch(`${base}/healthz`).then((r) => r.text(), () => undefined);
  return ms(t0);
}

const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

function bomb(levels = 26) {
  const lines = ['query { ...F0 }'];
  for (let i = 0; i < levels - 1; i++) lines.push(`fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  lines.push(`fragment F${levels - 1} on Query { viewer { id } }`);
  return lines.join('\n');
}

try {
  for (let up = false; !up; ) up = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
  await timed('{ viewer { id } }'); // warm up (first request, JIT)

  const quiet = [];
  for (let i = 0; i < 50; i++) quiet.push(await healthz());

  const [bombMs, bombStatus, bombCode] = await timed(bomb());
  const [bombWsMs, bombWsCode] = await timedWs(bomb());
  console.log(`fragment bomb (${bomb().length} bytes): HTTP answered in ${fmt(bombMs)} (${bombStatus} ${bombCode}); graphql-ws in ${fmt(bombWsMs)} (${bombWsCode})`);

  // /healthz while `ATTACKERS` clients keep a request in flight for SECONDS seconds: first an
  // ordinary one ({ viewer { id } }, the baseline on this machine), then the bomb.
  async function underLoad(query, send = () => timed(query)) {
    const until = performance.now() + SECONDS * 1000;
    let answered = 0;
    const attackers = Array.from({ length: ATTACKERS }, async () => {
      while (performance.now() < until) {
        const [t] = await send();
        if (typeof t !== 'number') break;
        answered++;
      }
    });
    const probes = [];
    while (performance.now() < until) probes.push(await healthz());
    await Promise.all(attackers);
    return `${answered} answered; /healthz p50 ${fmt(percentile(probes, 50))}, p99 ${fmt(percentile(probes, 99))}, max ${fmt(Math.max(...probes))} over ${probes.length} probes`;
  }
  console.log(`/healthz alone: p50 ${fmt(percentile(quiet, 50))}, max ${fmt(Math.max(...quiet))}`);
  console.log(`${ATTACKERS} clients sending { viewer { id } } for ${SECONDS} s: ${await underLoad('{ viewer { id } }')}`);
  console.log(`${ATTACKERS} clients sending the bomb for ${SECONDS} s: ${await underLoad(bomb())}`);

  // 2 MB bodies whose JSON costs its parse more than its size says: one variable nested 1,000,000
  // arrays deep, and one array of 1,000,000 numbers (src/limits/json-shape.ts refuses both unparsed).
  const deep = `{"query":"{ __typename }","variables":{"x":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}}`;
  const wide = `{"query":"{ __typename }","variables":{"x":[${Array(1_000_000).fill('0').join(',')}]}}`;
  for (const [what, body] of [['nested 1,000,000 deep', deep], ['of 1,000,000 numbers', wide]]) {
    const [oneMs, oneStatus, oneCode] = await timedBody(body);
    console.log(`2 MB body with a variable ${what}: answered in ${fmt(oneMs)} (${oneStatus} ${oneCode}); ${ATTACKERS} clients sending it for ${SECONDS} s: ${await underLoad(null, () => timedBody(body))}`);
  }

  const aliases = `query($n: String!) { ${Array.from({ length: 1000 }, (_, i) => `d${i}: domain(name: $n) { name }`).join(' ')} }`;
  const before = memory();
  const [bigMs, bigStatus, bigCode] = await timed(aliases, { n: `${'a'.repeat(1_900_000)}.example` });
  const after = memory();
  console.log(
    `2 MB request of 1,000 aliases: answered in ${fmt(bigMs)} (${bigStatus} ${bigCode}); gateway RSS ${before.rss.toFixed(0)} -> ${after.rss.toFixed(0)} MiB (delta ${(after.rss - before.rss).toFixed(0)} MiB), peak ${before.peak.toFixed(0)} -> ${after.peak.toFixed(0)} MiB`,
  );

  // graphql-ws pings from ATTACKERS connections, each sent as soon as its socket's buffer drains.
  const flooders = await Promise.all(
    Array.from({ length: ATTACKERS }, async () => {
      const ws = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${key}` } }));
      await new Promise((resolve) => ws.once('message', resolve));
      const state = { ws, pongs: 0, sent: 0, closed: 'open' };
      ws.on('message', () => state.pongs++);
      ws.on('close', (code) => (state.closed = code));
      ws.on('error', () => undefined);
      return state;
    }),
  );
  const floodUntil = performance.now() + SECONDS * 1000;
  const ping = JSON.stringify({ type: 'ping' });
  const flooding = flooders.map(async (f) => {
    while (performance.now() < floodUntil && f.ws.readyState === WebSocket.OPEN) {
      for (let i = 0; i < 200; i++, f.sent++) f.ws.send(ping);
      await new Promise((r) => (f.ws.bufferedAmount > 1 << 20 ? setTimeout(r, 1) : setImmediate(r)));
    }
  });
  const floodProbes = [];
  while (performance.now() < floodUntil) floodProbes.push(await healthz());
  await Promise.all(flooding);
  for (const f of flooders) f.ws.terminate();
  console.log(
    `${ATTACKERS} graphql-ws connections sending pings for ${SECONDS} s: /healthz p50 ${fmt(percentile(floodProbes, 50))}, p99 ${fmt(percentile(floodProbes, 99))}, max ${fmt(Math.max(...floodProbes))} over ${floodProbes.length} probes; pongs ${flooders.map((f) => f.pongs).join(', ')} of ${flooders.map((f) => f.sent).join(', ')} sent; closed ${flooders.map((f) => f.closed).join(', ')}`,
  );

  // One address, one key, SOCKETS connections at once; each resolves with what became of it first.
  const rssBefore = memory().rss;
  const init = JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${key}` } });
  const sockets = await Promise.all(
    Array.from({ length: SOCKETS }, () =>
      new Promise((resolve) => {
        const ws = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
        const done = (outcome) => resolve({ ws, outcome });
        ws.on('unexpected-response', (req, res) => {
          done(`HTTP ${res.statusCode}`);
          req.destroy();
        });
        ws.on('error', (err) => done(`error ${err.message}`));
        ws.on('open', () => ws.send(init));
        ws.on('message', (d) => JSON.parse(String(d)).type === 'connection_ack' && done('acknowledged'));
        ws.on('close', (code) => done(`closed ${code}`));
      }),
    ),
  );
  const rssHeld = memory().rss;
  const tally = {};
  for (const { outcome } of sockets) tally[outcome] = (tally[outcome] ?? 0) + 1;
  for (const { ws } of sockets) ws.terminate();
  console.log(
    `${SOCKETS} graphql-ws connections at once from one address with one key: ${Object.entries(tally).map(([k, n]) => `${n} ${k}`).join(', ')}; gateway RSS ${rssBefore.toFixed(0)} MiB before, ${rssHeld.toFixed(0)} MiB with them (delta ${(rssHeld - rssBefore).toFixed(0)} MiB)`,
  );
} finally {
  // A gateway whose event loop is blocked cannot run its SIGTERM handler: kill it after 10 s.
  child.kill('SIGTERM');
  const hard = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await new Promise((r) => (child.exitCode === null ? child.on('exit', r) : r()));
  clearTimeout(hard);
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);
