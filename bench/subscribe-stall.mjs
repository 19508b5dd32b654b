#!/usr/bin/env node
/**
 * How long a request of another key waits while many graphql-ws subscribers of one registrar
 * start the same subscription at once: `pollMessages(after: <cursor>)` (each replays the stored
 * messages after the cursor) and `bulkJob(id)` of one running job (each follows its progress).
 *
 *   npm run build && node bench/subscribe-stall.mjs
 *   SUBS=500 MESSAGES=20 ITEMS=200 DBURL=postgresql://postgres@127.0.0.1:5432/test node bench/subscribe-stall.mjs
 *
 * Starts the sandboxes and the built gateway (bench/lib/stack.mjs; the embedded database unless
 * DBURL). Poll: MESSAGES (20) transfer requests put as many messages in NewRegistrar's queue,
 * stored by the gateway; then SUBS (500) subscriptions of NewRegistrar's key (50 a connection)
 * ask for the messages after the first one, all at once. Bulk: a bulkRenew of ITEMS (200) names
 * the sandbox does not hold (each item fails at the registry), then SUBS subscriptions to its
 * progress, until each has seen the job finish. Meanwhile TheRegistrar's key sends `{ __typename }`
 * over HTTP back to back, and a `bulkJob` query (one database read) likewise. Prints, for each: the time until every subscriber had what it waited
 * for, the gateway main thread's CPU, and each probe's p50 and max latency. It asserts nothing.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { freePort, startStack } from './lib/stack.mjs';

const SUBS = Number(process.env.SUBS ?? 500);
const MESSAGES = Number(process.env.MESSAGES ?? 20);
const ITEMS = Number(process.env.ITEMS ?? 200);
const PER_CONNECTION = 50;
const stack = await startStack({
  databaseUrl: process.env.DBURL,
  port: await freePort(),
  configure: () => ({
    poll: { intervalMs: 100, leaseMs: 10_000 },
    limits: { rateLimit: false, wsConnectionsPerKey: SUBS, wsConnectionsPerAddress: SUBS + 10, httpConnectionsPerAddress: SUBS + 100 },
  }),
});
const { keys } = stack;
const A = keys.NewRegistrar, B = keys.TheRegistrar;
const wsUrl = stack.url.replace(/^http/, 'ws');
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Two probes of TheRegistrar's: one the gateway answers without the database, one that reads it (a job id it does not have: null).
const PROBES = { '{ __typename }': '{ __typename }', 'bulkJob query (a database read)': '{ bulkJob(id: "00000000-0000-4000-8000-000000000000") { id } }' };
const probeOnce = async (query) => { const r = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${B}` }, body: JSON.stringify({ query }) }); await r.text(); };
for (let i = 0; i < 3; i++) for (const q of Object.values(PROBES)) await probeOnce(q);

/** Opens SUBS subscriptions of `query` over connections of A's key; resolves when `done(data)` was true for each (or on error). */
async function subscribeAll(query) {
  const clients = Array.from({ length: Math.ceil(SUBS / PER_CONNECTION) }, () => createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${A}` }, retryAttempts: 0, lazy: false }));
  // Connected first, so that what follows measures the subscriptions, not the handshakes.
  await Promise.all(clients.map((c) => new Promise((res) => { const off = c.on('connected', () => { off(); res(); }); })));
  return { clients, run: (until) => Promise.all(Array.from({ length: SUBS }, (_, i) => new Promise((res) => {
    let errors = 0;
    clients[i % clients.length].subscribe({ query }, { next: (r) => { if (r.errors) errors++; if (until(r.data)) res(errors); }, error: (e) => res(`error ${JSON.stringify(e).slice(0, 200)}`), complete: () => res(errors) });
  }))) };
}

async function measure(label, query, until) {
  const { clients, run } = await subscribeAll(query);
  let done = false; const lat = Object.fromEntries(Object.keys(PROBES).map((k) => [k, []]));
  const probe = Promise.all(Object.entries(PROBES).map(async ([k, q]) => { while (!done) { const t0 = performance.now(); await probeOnce(q); lat[k].push(performance.now() - t0); } }));
  await sleep(200);
  const cpu0 = stack.mainThreadCpuSeconds(); const t0 = performance.now();
  const outcomes = await run(until);
  const wall = performance.now() - t0; const cpu = (stack.mainThreadCpuSeconds() - cpu0) * 1000;
  await sleep(200); done = true; await probe;
  const failed = outcomes.filter((o) => o !== 0);
  console.log(`${label}: ${SUBS} subscribers served in ${wall.toFixed(0)} ms (${failed.length} with errors${failed.length ? `: ${failed[0]}` : ''}), gateway main-thread CPU ${cpu.toFixed(0)} ms`);
  for (const [k, xs] of Object.entries(lat)) console.log(`  probe of another key, ${k}: n=${xs.length} p50 ${pct(xs, 50).toFixed(1)} ms, max ${Math.max(...xs).toFixed(0)} ms`);
  await Promise.all(clients.map((c) => c.dispose()));
}

try {
  // Poll: MESSAGES stored messages of NewRegistrar's.
  const names = [];
  for (let i = 0; i < MESSAGES; i++) {
    const name = `stall-${randomUUID().slice(0, 8)}.tld`;
    await stack.gql(A, `mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "B3nch-Pw-1" }) { name } }`, { k: randomUUID(), n: name });
    await stack.gql(B, `mutation($k: String!, $n: String!) { requestTransfer(idempotencyKey: $k, domainName: $n, authInfo: "B3nch-Pw-1") { transfer { status } } }`, { k: randomUUID(), n: name });
    names.push(name);
  }
  let ids = [];
  for (let t = 0; ids.length < MESSAGES && t < 200; t++) {
    const d = await stack.gql(A, '{ pollMessages(first: 100, types: [TRANSFER_REQUESTED]) { edges { node { id objectName } } } }');
    ids = d.pollMessages.edges.map((e) => e.node).filter((n) => names.includes(n.objectName)).map((n) => n.id);
    if (ids.length < MESSAGES) await sleep(100);
  }
  const last = ids.at(-1);
  await measure(`pollMessages(after) replaying ${ids.length - 1} messages`, `subscription { pollMessages(after: "${ids[0]}") { id objectName type } }`, (d) => d?.pollMessages?.id === last);

  // Bulk: one job, followed by every subscriber until it finishes.
  const items = Array.from({ length: ITEMS }, (_, i) => ({ name: `gone${i}-${randomUUID().slice(0, 6)}.tld`, currentExpiry: '2027-06-01T00:00:00.000Z' }));
  const job = (await stack.gql(A, 'mutation($k: String!, $d: [BulkRenewItemInput!]!) { bulkRenew(idempotencyKey: $k, domains: $d, period: { value: 1, unit: YEARS }) { job { id } } }', { k: randomUUID(), d: items })).bulkRenew.job.id;
  await measure(`bulkJob(id) of ${ITEMS} items`, `subscription { bulkJob(id: "${job}") { job { state counts { done failed pending running } } outcomes { position state } } }`, (d) => d?.bulkJob?.job?.state !== 'RUNNING');
} finally {
  await stack.stop();
}
process.exit(0);
