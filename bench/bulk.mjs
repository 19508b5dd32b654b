#!/usr/bin/env node
/**
 * Bulk at registry speed (issue 10, item 7): fan-out figures against the EPP sandboxes with a
 * simulated upstream latency.
 *
 *   npm run bench:bulk [-- --latency 20 --sessions 2 --names 1000 --domains 200 --contacts 10 --repeat 3]
 *                      [--database-url postgresql://...]
 *
 * Starts the EPP sandboxes (`npm run sandbox`) and the built gateway (dist/) as two child
 * processes, with a delaying proxy between them (src/sandbox/latency-proxy.ts, in this process):
 * every answer of the registry reaches the gateway --latency ms late, so each command's round
 * trip costs that much. The gateway runs with poolSize --sessions and the poller off, on an
 * embedded database in a temporary directory (or PostgreSQL with --database-url). Commands are
 * counted from the gateway's command log (the `commandLog` query), never from timing. Each timed
 * operation runs --repeat times (fresh names, a fresh request's loaders) and the median is shown.
 *
 * Prints, in one run:
 *   - checkDomains of --names names: check commands sent (goal: names / 50), wall time against
 *     ceil(names / 50 / sessions) x latency, and against the same number of round trips of one
 *     50-name check measured first in this run;
 *   - domains(first: 500) over --domains domains sharing --contacts contacts, with registrant,
 *     contacts and name servers: contact info commands (goal: --contacts), domain infos, wall time.
 * It prints figures; it asserts nothing. BENCH_PROFILE=<dir> writes the gateway's CPU profile there.
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { startLatencyProxy } from '../dist/src/sandbox/latency-proxy.js';
import { arg, databaseUrlArg, startStack } from './lib/stack.mjs';

const LATENCY = arg('latency', 20);
const SESSIONS = arg('sessions', 2);
const NAMES = arg('names', 1000);
const DOMAINS = arg('domains', 200);
const CONTACTS = arg('contacts', 10);
const REPEAT = arg('repeat', 3);
const CHECK_LIMIT = 50;
const DATABASE_URL = databaseUrlArg();

// The registry behind one delaying proxy per sandbox; the gateway with poolSize SESSIONS and no poller.
const proxies = [];
const stack = await startStack({
  databaseUrl: DATABASE_URL,
  port: arg('port', 4300 + Math.floor(Math.random() * 500)),
  configure: async (upstream) => {
    for (const b of upstream.backends) {
      const proxy = await startLatencyProxy({ host: b.host, port: b.port }, { latencyMs: 0 });
      proxies.push(proxy);
      Object.assign(b, { host: proxy.host, port: proxy.port, poolSize: SESSIONS, checkLimit: CHECK_LIMIT });
    }
    return { poll: { enabled: false } };
  },
});
const setLatency = (ms) => proxies.forEach((p) => (p.latencyMs = ms));
const KEY = stack.keys.NewRegistrar;
const gql = (query, variables, key = KEY) => stack.gql(key, query, variables);
const rssMiB = (field) => stack.rssMiB(field);
const timed = async (fn) => {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Runs `fn(i)` REPEAT times, one after another: the first run's value and the median time. */
const repeated = async (fn) => {
  const runs = [];
  for (let i = 0; i < REPEAT; i++) runs.push(await timed(() => fn(i)));
  return { value: runs[0].value, ms: median(runs.map((r) => r.ms)), all: runs.map((r) => r.ms.toFixed(0)).join(', ') };
};

/** Commands of this kind in the command log since `from`; read until two reads agree (reads are logged just after they finish). */
async function commands(command, from) {
  const countOnce = async () => {
    let n = 0;
    let after = null;
    for (;;) {
      const d = await gql('query($f: CommandLogFilter, $a: String) { commandLog(filter: $f, first: 500, after: $a) { edges { node { id } } pageInfo { hasNextPage endCursor } } }', { f: { command, from }, a: after });
      n += d.commandLog.edges.length;
      if (!d.commandLog.pageInfo.hasNextPage) return n;
      after = d.commandLog.pageInfo.endCursor;
    }
  };
  for (let last = -1; ; ) {
    const n = await countOnce();
    if (n === last) return n;
    last = n;
    await new Promise((r) => setTimeout(r, 300));
  }
}

const lines = [];
const print = (s) => {
  lines.push(s);
  console.log(s);
};
const tag = randomUUID().slice(0, 6);
const CHECK = 'query($n: [String!]!) { checkDomains(names: $n) { name available } }';

// ---- 1. checkDomains of NAMES names ----
setLatency(LATENCY);
await gql(CHECK, { n: Array.from({ length: 2 * SESSIONS * CHECK_LIMIT }, (_, i) => `warm-${tag}-${i}.example`) }); // log every session in
const one = await repeated((r) => gql(CHECK, { n: Array.from({ length: CHECK_LIMIT }, (_, i) => `one-${tag}-${r}-${i}.example`) }));
const from1 = new Date().toISOString();
const check = await repeated((r) => gql(CHECK, { n: Array.from({ length: NAMES }, (_, i) => `bulk-${tag}-${r}-${i}.example`) }));
const answered = check.value.checkDomains.filter((c) => c && typeof c.available === 'boolean').length;
const checks = (await commands('domain:check', from1)) / REPEAT;
const rounds = Math.ceil(NAMES / CHECK_LIMIT / SESSIONS);
const ideal = rounds * LATENCY;
print(`checkDomains of ${NAMES} names (latency ${LATENCY} ms, ${SESSIONS} sessions, limit ${CHECK_LIMIT}):`);
print(`  answered ${answered} / ${NAMES}; check commands sent ${checks} (goal ${Math.ceil(NAMES / CHECK_LIMIT)})`);
print(`  wall ${check.ms.toFixed(0)} ms (median of ${check.all}); ceil(${NAMES}/${CHECK_LIMIT}/${SESSIONS}) x ${LATENCY} ms = ${ideal} ms: ratio ${(check.ms / ideal).toFixed(2)}`);
print(`  one ${CHECK_LIMIT}-name check measured first: ${one.ms.toFixed(0)} ms (median of ${one.all}); x ${rounds} round trips = ${(one.ms * rounds).toFixed(0)} ms: ratio ${(check.ms / (one.ms * rounds)).toFixed(2)}`);

// ---- 2. DOMAINS domains sharing CONTACTS contacts, read in one query ----
setLatency(0); // the setup is not measured
const contactIds = Array.from({ length: CONTACTS }, (_, i) => `b${tag}c${i}`);
await gql(`mutation { ${contactIds.map((id, i) => `c${i}: createContact(idempotencyKey: "${id}", input: { id: "${id}", email: "${id}@example.net", authInfo: "C0ntact-Pw", postalInfo: [{ type: "int", name: "Bench", street: ["1 Main St"], city: "Dulles", cc: "US" }] }) { id }`).join(' ')} }`);
const domainName = (i) => `shared-${tag}-${i}.example`;
const createMany = (ids) => {
  const c = (i, k) => contactIds[(i + k) % CONTACTS];
  const variables = Object.fromEntries(ids.map((i) => [`i${i}`, { name: domainName(i), authInfo: 'Sh4red-Pw', registrant: c(i, 0), contacts: [{ role: 'ADMIN', id: c(i, 1) }, { role: 'TECH', id: c(i, 2) }] }]));
  return gql(`mutation(${ids.map((i) => `$i${i}: CreateDomainInput!`).join(', ')}) { ${ids.map((i) => `d${i}: createDomain(idempotencyKey: "${tag}-${i}", input: $i${i}) { name }`).join(' ')} }`, variables);
};
const ids = Array.from({ length: DOMAINS }, (_, i) => i);
const batches = [];
for (let i = 0; i < ids.length; i += 50) batches.push(ids.slice(i, i + 50));
for (let i = 0; i < batches.length; i += 4) await Promise.all(batches.slice(i, i + 4).map(createMany));
setLatency(LATENCY);
const from2 = new Date().toISOString();
const page = await repeated(() => gql('{ domains(first: 500) { edges { node { name registrant { id email } contacts { role contact { id email } } nameservers { name ipv4 } } } } }'));
const contactInfos = (await commands('contact:info', from2)) / REPEAT;
const domainInfos = (await commands('domain:info', from2)) / REPEAT;
print(`domains(first: 500) over ${DOMAINS} domains sharing ${CONTACTS} contacts (latency ${LATENCY} ms):`);
print(`  domains answered ${page.value.domains.edges.length}; per query: contact info commands ${contactInfos} (goal ${CONTACTS}), domain info commands ${domainInfos}`);
print(`  wall ${page.ms.toFixed(0)} ms (median of ${page.all}); ceil(${domainInfos + contactInfos}/${SESSIONS}) x ${LATENCY} ms = ${Math.ceil((domainInfos + contactInfos) / SESSIONS) * LATENCY} ms`);

// ---- 3. bulk jobs ----
// Place for issue 10's bulk figures (bulkRenew of 10,000 domains at 20 ms latency and
// concurrency 16: wall time / (10,000 x 20 ms / 16), the gateway's peak RSS (rssMiB('VmHWM'));
// the same job killed at half way and resumed: items applied twice, time added). They use the
// stack (gateway process, keys, rssMiB), gql(), setLatency(), commands() and print() above, and go
// here, before the summary.

print(`gateway RSS ${rssMiB().toFixed(0)} MiB, peak ${rssMiB('VmHWM').toFixed(0)} MiB; ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)}; ${DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}`);

await stack.stop();
for (const p of proxies) await p.close();
process.exit(0);
