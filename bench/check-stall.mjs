#!/usr/bin/env node
/**
 * How long one large checkDomains request holds the gateway's event loop for others, over HTTP
 * and over graphql-ws (src/limits/cost.ts CHECK_FIELD).
 *
 *   npm run build && node bench/check-stall.mjs
 *   ALIASES=10 SEL='{ name }' node bench/check-stall.mjs     # the most maxCost admits asking one field
 *   DBURL=postgresql://... RUNS=3 REG=1 NAMES=1000 node bench/check-stall.mjs
 *
 * Starts the sandboxes and the built gateway (bench/lib/stack.mjs; the embedded database unless
 * DBURL), then sends `ALIASES` (50) aliases of `checkDomains(names: $n) SEL` over one list of
 * `NAMES` (5,000) names, not registrable (two labels below .example: answered without a command)
 * unless REG=1, once over HTTP (NewRegistrar's key) and once over graphql-ws (TheRegistrar's),
 * while a client of the other key sends `{ __typename }` back to back (over HTTP during the HTTP
 * request, over graphql-ws during the other). Prints for each: the request's wall time, the
 * gateway main thread's CPU (/proc), its status or refusal, and the probe's p50 and max latency.
 * BENCH_PROFILE=<dir> writes the gateway's CPU profile. It prints figures; it asserts nothing.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { freePort, startStack } from './lib/stack.mjs';
const ALIASES = Number(process.env.ALIASES ?? 50);
const NAMES = Number(process.env.NAMES ?? 5000);
const SEL = process.env.SEL ?? '{ name available reason }';
const REG = process.env.REG === '1'; // registrable names (sent to the sandbox)
const stack = await startStack({ databaseUrl: process.env.DBURL, port: await freePort() });
const A = stack.keys.NewRegistrar, B = stack.keys.TheRegistrar;
const wsUrl = stack.url.replace(/^http/, 'ws');
const tag = Math.random().toString(36).slice(2, 7);
const names = Array.from({ length: NAMES }, (_, i) => REG ? `c${tag}${i}.example` : `n${i}.s${tag}.example`);
const query = `query($n: [String!]!) { ${Array.from({ length: ALIASES }, (_, i) => `a${i}: checkDomains(names: $n) ${SEL}`).join(' ')} }`;
const post = async (key, body) => { const r = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body }); const t = await r.text(); return { status: r.status, len: t.length, body: t }; };
const wsClient = (key) => createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${key}` }, retryAttempts: 0, lazy: false });
const wsRun = (client, q, v) => new Promise((res, rej) => { let out; client.subscribe({ query: q, variables: v }, { next: (r) => (out = r), error: (e) => res({ errors: Array.isArray(e) ? e : [String(e)] }), complete: () => res(out) }); });
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p / 100 * xs.length))];
const tiny = '{ __typename }';
const bodyTiny = JSON.stringify({ query: tiny });
const probeWs = wsClient(B);
await wsRun(probeWs, tiny);
for (let i = 0; i < 3; i++) await post(B, bodyTiny);
const probeWsA = wsClient(A);
await wsRun(probeWsA, tiny);
async function measure(label, attack) {
  let done = false; const lat = [];
  // The HTTP attack spends NewRegistrar's budget, the WS one TheRegistrar's; each is probed with the other key.
  const probe = (async () => { while (!done) { const t0 = performance.now(); if (label.includes('ws-probe')) await wsRun(probeWsA, tiny); else await post(B, bodyTiny); lat.push(performance.now() - t0); } })();
  await new Promise((r) => setTimeout(r, 200));
  const cpu0 = stack.mainThreadCpuSeconds(); const t0 = performance.now();
  const info = await attack();
  const wall = performance.now() - t0; const cpu = (stack.mainThreadCpuSeconds() - cpu0) * 1000;
  await new Promise((r) => setTimeout(r, 200)); done = true; await probe;
  console.log(`${label}: attack wall ${wall.toFixed(0)} ms, gateway main-thread CPU ${cpu.toFixed(0)} ms, ${info}; probe ${tiny}: n=${lat.length} p50 ${pct(lat, 50).toFixed(1)} ms, max ${Math.max(...lat).toFixed(0)} ms`);
}
const bodyAttack = JSON.stringify({ query, variables: { n: names } });
const runs = Number(process.env.RUNS ?? 2);
try {
  for (let r = 0; r < runs; r++) {
    await measure(`HTTP attack, http-probe`, async () => { const x = await post(A, bodyAttack); return `status ${x.status}, ${(x.len / 1e6).toFixed(1)} MB ${x.body.slice(0, 160).replace(/\n/g,' ')}`; });
    const c = wsClient(B); await wsRun(c, tiny);
    await measure(`WS attack, ws-probe`, async () => { const x = await wsRun(c, query, { n: names }); return x.errors ? `errors ${JSON.stringify(x.errors[0]).slice(0, 200)}` : `answered ${Object.keys(x.data).length} aliases`; });
    await c.dispose();
  }
} finally { await probeWs.dispose(); await probeWsA.dispose(); await stack.stop(); }
