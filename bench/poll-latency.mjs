#!/usr/bin/env node
/**
 * Poll-event latency and memory with many subscribers on one gateway instance.
 *
 *   npm run bench:poll [-- --subscribers 1000 --events 20 --interval 100]
 *
 * Starts the EPP sandboxes (`npm run sandbox`) and the built gateway (dist/) as two child
 * processes, the gateway on PostgreSQL (--database-url) or an embedded database in a temporary
 * directory, with the poll interval given; connects N graphql-ws subscribers (half per sandbox
 * registrar), then causes E transfer requests.
 * Each puts one message in the losing registrar's upstream queue; the delay measured is from the
 * message's queue time (its EPP qDate, set by the sandbox when it queued it) to its arrival at
 * each subscriber of that registrar. Prints p50/p90/p99/max, and the gateway's resident memory.
 * It prints figures; it asserts nothing. BENCH_PROFILE=<dir> writes the gateway's CPU profile there.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { arg, databaseUrlArg, freePort, startStack } from './lib/stack.mjs';

const SUBSCRIBERS = arg('subscribers', 1000);
const EVENTS = arg('events', 20);
const INTERVAL = arg('interval', 100);
const PORT = arg('port', await freePort());
const DATABASE_URL = databaseUrlArg();

const stack = await startStack({
  databaseUrl: DATABASE_URL,
  port: PORT,
  // Every subscriber connects from this one address with one of two keys: room for all of them
  // (the defaults, 32 per key and 256 per address, are for integrators, not for this crowd).
  configure: () => ({
    poll: { intervalMs: INTERVAL, leaseMs: Math.max(10_000, INTERVAL * 3) },
    limits: { wsConnectionsPerKey: SUBSCRIBERS, wsConnectionsPerAddress: SUBSCRIBERS, httpConnectionsPerAddress: SUBSCRIBERS + 100 },
  }),
  env: { POLL_INTERVAL_MS: String(INTERVAL) },
});
const { keys } = stack;
const rssMiB = (field) => stack.rssMiB(field);
const gql = (key, query, variables) => stack.gql(key, query, variables);

const rssIdle = rssMiB();
// Domains to transfer: created by NewRegistrar, requested by TheRegistrar (NewRegistrar's queue gets the messages).
const names = [];
for (let i = 0; i < EVENTS; i++) {
  const name = `bench-${randomUUID().slice(0, 8)}.tld`;
  await gql(keys.NewRegistrar, `mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "B3nch-Pw-1" }) { name } }`, { k: randomUUID(), n: name });
  names.push(name);
}

const delays = [];
const stored = []; // queue -> stored by the gateway (poll interval, poll, store)
const fanout = []; // stored -> at the subscriber (publish, execute, send, the client's own event loop)
let received = 0;
const clients = [];
let connected = 0;
for (let i = 0; i < SUBSCRIBERS; i++) {
  const key = i % 2 === 0 ? keys.NewRegistrar : keys.TheRegistrar;
  const client = createClient({ url: `ws://127.0.0.1:${PORT}/graphql`, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${key}` }, lazy: false, retryAttempts: 0 });
  client.on('connected', () => connected++);
  client.subscribe({ query: 'subscription { pollMessages(types: [TRANSFER_REQUESTED]) { id queuedAt receivedAt objectName } }' }, {
    next: ({ data }) => {
      if (!data || !names.includes(data.pollMessages.objectName)) return;
      const now = Date.now();
      delays.push(now - Date.parse(data.pollMessages.queuedAt));
      stored.push(Date.parse(data.pollMessages.receivedAt) - Date.parse(data.pollMessages.queuedAt));
      fanout.push(now - Date.parse(data.pollMessages.receivedAt));
      received++;
    },
    error: (e) => console.error('subscription error', e),
    complete: () => undefined,
  });
  clients.push(client);
}
while (connected < SUBSCRIBERS) await new Promise((r) => setTimeout(r, 20));
await new Promise((r) => setTimeout(r, 500)); // let every subscribe reach its listener
const rssConnected = rssMiB();

const expected = EVENTS * Math.ceil(SUBSCRIBERS / 2);
const started = Date.now();
for (const name of names) {
  await gql(keys.TheRegistrar, `mutation($k: String!, $n: String!) { requestTransfer(idempotencyKey: $k, domainName: $n, authInfo: "B3nch-Pw-1") { transfer { status } } }`, { k: randomUUID(), n: name });
  await new Promise((r) => setTimeout(r, 150)); // spread the events over the poll interval
}
while (received < expected && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 20));
const rssPeak = rssMiB('VmHWM');

for (const a of [delays, stored, fanout]) a.sort((x, y) => x - y);
const pctOf = (a, p) => a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))];
const pct = (p) => pctOf(delays, p);
console.log(`poll-latency: ${SUBSCRIBERS} subscribers on one instance, ${EVENTS} upstream messages, poll interval ${INTERVAL} ms, database ${DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}`);
console.log(`  deliveries            ${received} of ${expected} expected`);
console.log(`  delay queue->client   p50 ${pct(50)} ms   p90 ${pct(90)} ms   p99 ${pct(99)} ms   max ${delays.at(-1)} ms`);
console.log(`    of which            queue->stored p50 ${pctOf(stored, 50)} p99 ${pctOf(stored, 99)} ms   stored->client p50 ${pctOf(fanout, 50)} p99 ${pctOf(fanout, 99)} ms`);
console.log(`  gateway memory (RSS)  idle ${rssIdle.toFixed(0)} MiB   with subscribers ${rssConnected.toFixed(0)} MiB   peak ${rssPeak.toFixed(0)} MiB`);
console.log(`  targets               p99 < 250 ms: ${pct(99) < 250 ? 'met' : 'NOT met'} (ratio ${(pct(99) / 250).toFixed(2)})   memory < 300 MiB: ${rssPeak < 300 ? 'met' : 'NOT met'} (ratio ${(rssPeak / 300).toFixed(2)})`);

await Promise.all(clients.map((c) => c.dispose()));
await stack.stop();
process.exit(0);
