#!/usr/bin/env node
/**
 * Bulk at registry speed (issue 10, item 7): every figure of the item in one run, against EPP
 * sandboxes with a simulated upstream latency.
 *
 *   npm run bench:bulk [-- --latency 20 --latency-mode round-trip --sessions 2 --names 1000 --domains 200
 *                          --contacts 10 --repeat 3 --items 10000 --concurrency 16 --trials 1 --pause 0] [--database-url postgresql://...]
 *
 * Starts the EPP sandboxes (`npm run sandbox`) and the built gateway (dist/) as two child
 * processes, with a delaying proxy between them (src/sandbox/latency-proxy.ts, in this process).
 * With --latency-mode round-trip (the default) every command's answer reaches the gateway
 * --latency ms after the command reached the proxy (at once if the registry took longer: the
 * figures count such late answers), so each command costs the gateway --latency, the registry's
 * own time included, as the ideals below assume. With --latency-mode added (the runs before
 * 4 December 2026) every answer reaches the gateway --latency ms after the registry gave it, so
 * a command costs --latency plus the registry's own time (the in-process registry shares the
 * machine's cores with the gateway and PostgreSQL), which the ideals do not count: on two cores
 * a bare client took 1.06-1.07 of the ideal that way, 1.03-1.05 with the round trip. The gateway
 * runs with poolSize --sessions and the poller off, on an embedded database in a temporary directory (or, with --database-url, on a PostgreSQL database
 * created for the run on that server and dropped after). Commands are counted from the gateway's
 * command log (the `commandLog` query), never from timing. Each timed read runs --repeat times
 * (fresh names, a fresh request's loaders) and the median is shown.
 *
 * The bulk jobs run against one more EPP sandbox, in this process (so that the registry's own
 * count of renewals and every domain's expiry can be read), holding 2 x --items domains of
 * NewRegistrar put into its store directly (creating them over EPP would measure creation),
 * behind its own delaying proxy; the gateway has --concurrency sessions to it and runs
 * --concurrency items at once, with one more per session ready behind them (README, Bulk,
 * "Concurrency"): the registry sees at most --concurrency commands at once. Each item is one renew command (the job gives each domain's
 * current expiry, as the CLI's `name,currentExpiry` lines do, so nothing is read first).
 *
 * Prints, in one run:
 *   1. checkDomains of --names names: check commands sent (goal: names / 50), wall time against
 *      ceil(names / 50 / sessions) x latency, and against the same number of round trips of one
 *      50-name check measured first in this run;
 *   2. domains(first: 500) over --domains domains sharing --contacts contacts, with registrant,
 *      contacts and name servers: contact info commands (goal: --contacts), domain infos, wall time;
 *   3. bulkRenew of --items domains (after an unmeasured job of --warmup renewals): wall time
 *      (submit to the job's finishedAt) against items x latency / concurrency (goal <= 1.1), and
 *      where it went (the submission, the first tenth of the items, the middle eight tenths
 *      against their ideal, the last tenth, finishedAt after the last renewal, from the registry's
 *      count sampled every 5 ms), the latency the proxy really gave each answer (its stats(): the round trip, the part after the registry answered, and answers the registry gave too late) and the client's turnaround (from the proxy's write of an answer to its read of the next command on that session: what each round trip of a session takes beyond the latency), the gateway's own stalls (its garbage collections and event loop delay: bench/lib/gateway-stalls.mjs, preloaded), the gateway's peak RSS (VmHWM, goal < 300 MB),
 *      and the CPU each process spent per item (gateway; this process: registry and proxies;
 *      PostgreSQL's backends of the run's database), against what two cores give, with the whole
 *      machine's busy time and its steal time (a virtual machine's cores given to others); then the
 *      baseline measured in the same run: a direct EPP client (bench/lib/direct-renew.mjs, a
 *      process of its own, --concurrency sessions) renewing --items other domains through the same
 *      proxy to the same registry, and the gateway's wall against it;
 *   4. the same job on the other --items domains, the gateway SIGKILLed when the registry has
 *      applied half the renewals and started again on the same data: renewals applied twice (the
 *      registry's count beyond one per domain, and domains whose expiry moved by other than one
 *      year; goal 0) and the time added against run 3 (goal < 10%), with and without the
 *      restart itself, and where the restart's time went: the new process's startup phases (its
 *      'gateway listening' log), and from the kill, the registry's first and last login, first
 *      domain:info (a reconciliation read) and first renewal, and when renewals were back at full speed.
 * --worker 1 (with --database-url): the API instance runs no bulk items, and a worker beside it
 * (API_ENABLED=false: no GraphQL API, README "Scaling out") runs the jobs; the job's CPU, memory
 * and stall figures are the worker's, and item 4 kills and restarts the worker.
 * --names 0 leaves 1 out, --domains 0 leaves 2 out, --items 0 leaves 3 and 4 out, --direct 0 leaves the
 * baseline of 3 out, --resume 0 leaves 4 out. --trials N runs 3 and 4 N times in turn (3, 4, 3, 4 ...,
 * each trial on 2 x --items domains of its own, 4 against the same trial's 3; the direct client in
 * the first only), then prints each figure's values and median (of an even number of trials, the
 * higher middle one): one run of either moves by a few points with the machine (bench/HISTORY.md).
 * --pause MS waits MS ms, asking the gateway nothing, before each job of 3 and 4 (default 0: back to
 * back): the embedded database vacuums only once idle (README "Scaling out"), so jobs back to back
 * run on the dead rows of those before them.
 * It prints figures; it asserts nothing. BENCH_PROFILE=<dir> writes the gateway's CPU profile there.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import { PerformanceObserver, constants as perfConstants, monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import { EppSandbox } from '../dist/src/sandbox/epp/index.js';
import { startLatencyProxy } from '../dist/src/sandbox/latency-proxy.js';
import { arg, argText, databaseUrlArg, freePort, machineCpuMs, onLogEntries, procCpuSeconds, startStack } from './lib/stack.mjs';

const LATENCY = arg('latency', 20);
// How the proxies apply LATENCY (src/sandbox/latency-proxy.ts): 'round-trip' (each command's answer reaches the gateway
// LATENCY ms after the command reached the proxy, the registry's own time inside it), or 'added' (LATENCY ms after the
// registry's answer, on top of its own time: the mode of the runs before 4 December 2026).
const LATENCY_MODE = argText('latency-mode', 'round-trip');
if (!['round-trip', 'added'].includes(LATENCY_MODE)) {
  console.error(`--latency-mode: 'round-trip' or 'added', not ${JSON.stringify(String(LATENCY_MODE).slice(0, 32))}`);
  process.exit(2);
}
const PROXY_MODE = LATENCY_MODE === 'round-trip' ? 'roundTrip' : 'added';
/** How the figures name a command's latency: "20 ms round trip" or "20 ms added". */
const LATENCY_TEXT = `${LATENCY} ms ${LATENCY_MODE === 'round-trip' ? 'round trip' : 'added'}`;
const SESSIONS = arg('sessions', 2);
const NAMES = arg('names', 1000);
const DOMAINS = arg('domains', 200);
const CONTACTS = arg('contacts', 10);
const REPEAT = arg('repeat', 3);
const ITEMS = arg('items', 10_000);
const CONCURRENCY = arg('concurrency', 16);
const DIRECT = arg('direct', 1); // 0: leave out the direct client's baseline of item 3
const RESUME = arg('resume', 1); // 0: leave out the killed-and-resumed job (e.g. to profile the first)
const WARMUP = arg('warmup', 1000); // renewals of a job run first, not measured (logs the sessions in, warms the JIT)
// Items 3 and 4 run this many times, one after the other (each trial on domains of its own): the
// figures of each, then their medians. One run of either moves by a few points with the machine.
const TRIALS = Math.max(1, arg('trials', 1));
// Before each job of items 3 and 4, this long (ms) in which the bench asks the gateway nothing: its
// embedded database's vacuum (src/db/pglite-vacuum.ts), which waits for 200 ms without a statement,
// runs then, as between a user's jobs; 0 (the default): the jobs follow one another at once.
const PAUSE_MS = Math.max(0, arg('pause', 0));
const CHECK_LIMIT = 50;
const SERVER_URL = databaseUrlArg();
// 1: the jobs run on a worker (API_ENABLED=false) beside the API instance, which runs none (PostgreSQL only).
const WORKER = arg('worker', 0) === 1;
if (WORKER && !SERVER_URL) {
  console.error('--worker 1 needs --database-url: a worker and the API instance share one PostgreSQL');
  process.exit(2);
}
/** Who runs the jobs, as the figures name it. */
const RUNNER = WORKER ? 'worker' : 'gateway';

// On PostgreSQL, a database of the run's own (dropped at the end), so that its server processes
// (whose CPU is counted) serve this gateway alone.
let DATABASE_URL;
const runDatabase = `rgw_bench_bulk_${randomUUID().slice(0, 8)}`;
let adminClient;
const admin = async (sql) => {
  if (!adminClient) {
    adminClient = new pg.Client({ connectionString: SERVER_URL });
    await adminClient.connect();
  }
  return adminClient.query(sql);
};
if (SERVER_URL) {
  await admin(`CREATE DATABASE ${runDatabase}`);
  const u = new URL(SERVER_URL);
  u.pathname = `/${runDatabase}`;
  DATABASE_URL = u.toString();
}

// The registry of the bulk jobs: 2 x ITEMS domains of NewRegistrar, expiring EXPIRY.
const EXPIRY = new Date('2027-06-01T00:00:00.000Z');
const BULK_TLD = 'bulk';
const bulkSandbox = new EppSandbox({ profile: 'nomulus', tlds: [BULK_TLD], seed: false });
const bulkUpstream = await bulkSandbox.start();
/**
 * Set 0: max(WARMUP, 2 x CONCURRENCY) domains for warming up; set 3: ITEMS domains (the direct
 * client's baseline); each trial's two jobs ITEMS domains each (jobSet and resumeSet: sets 1 and 2
 * for the first trial, 4 and 5 for the second, ...).
 */
const bulkNames = (set) => Array.from({ length: set === 0 ? Math.max(WARMUP, 2 * CONCURRENCY) : ITEMS }, (_, i) => `b${set}-${i}.${BULK_TLD}`);
const jobSet = (trial) => (trial === 0 ? 1 : 2 + 2 * trial);
const resumeSet = (trial) => (trial === 0 ? 2 : 3 + 2 * trial);
{
  const store = bulkSandbox.store; // internals, as bench/sandbox-state.mjs does
  const created = new Date('2025-06-01T00:00:00.000Z');
  for (const set of [0, 3, ...Array.from({ length: TRIALS }, (_, t) => [jobSet(t), resumeSet(t)]).flat()]) {
    for (const name of bulkNames(set)) {
      store.domains.set(name, { name, tld: BULK_TLD, roid: store.nextRoid(BULK_TLD), sponsor: 'NewRegistrar', crID: 'NewRegistrar', crDate: created, exDate: new Date(EXPIRY), authInfo: 'Bench-Pw-1', statuses: new Set(), contacts: [], nameservers: [], dsData: [], keyData: [], grace: [] });
    }
  }
  store.touch();
}
const bulkProxy = await startLatencyProxy({ host: bulkUpstream.host, port: bulkUpstream.port }, { latencyMs: 0, mode: PROXY_MODE });

// The registry behind one delaying proxy per sandbox; the gateway with poolSize SESSIONS and no poller.
const proxies = [];
const stack = await startStack({
  databaseUrl: DATABASE_URL,
  stalls: true, // the gateway's own collections and event loop delay during the job (bench/lib/gateway-stalls.mjs)
  worker: WORKER,
  port: arg('port', await freePort()),
  configure: async (upstream) => {
    for (const b of upstream.backends) {
      const proxy = await startLatencyProxy({ host: b.host, port: b.port }, { latencyMs: 0, mode: PROXY_MODE });
      proxies.push(proxy);
      Object.assign(b, { host: proxy.host, port: proxy.port, poolSize: SESSIONS, checkLimit: CHECK_LIMIT });
    }
    const accounts = { NewRegistrar: { clientId: 'NewRegistrar', password: 'foo-BAR2' } };
    upstream.backends.push({ name: 'sandbox-bulk', kind: 'epp', host: bulkProxy.host, port: bulkProxy.port, tls: { ca: bulkUpstream.ca, servername: 'localhost' }, accounts, poolSize: CONCURRENCY });
    upstream.routes.push({ suffix: BULK_TLD, backend: 'sandbox-bulk' });
    // A fixed identity: the restarted gateway takes its own unfinished items back at once.
    // No per-key rate limit: the repeated 200-domain reads would use up an API key's operation budget (RATE_LIMITED).
    return { poll: { enabled: false }, bulk: { concurrency: CONCURRENCY, instanceId: 'bench-gateway' }, limits: { rateLimit: false } };
  },
});
proxies.push(bulkProxy);
const setLatency = (ms) => proxies.forEach((p) => (p.latencyMs = ms));
// A failed step ends the run without leaving the gateway, the sandboxes or the run's database behind.
const fail = async (err) => {
  console.error(err);
  await stack.stop().catch(() => undefined);
  await bulkSandbox.stop().catch(() => undefined);
  if (SERVER_URL) await admin(`DROP DATABASE IF EXISTS ${runDatabase} WITH (FORCE)`).catch(() => undefined);
  process.exit(1);
};
process.on('unhandledRejection', fail);
process.on('uncaughtException', fail); // a failed top-level await
const KEY = stack.keys.NewRegistrar;
const gql = (query, variables, key = KEY) => stack.gql(key, query, variables);
const rssMiB = (field) => stack.rssMiB(field);
/** With --worker 1, the API instance's resident memory in MiB (VmHWM: its peak). */
const apiRssMiB = (field) => stack.rssMiB(field, stack.api);
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

if (NAMES > 0) {
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
  print(`checkDomains of ${NAMES} names (latency ${LATENCY_TEXT}, ${SESSIONS} sessions, limit ${CHECK_LIMIT}):`);
  print(`  answered ${answered} / ${NAMES}; check commands sent ${checks} (goal ${Math.ceil(NAMES / CHECK_LIMIT)})`);
  print(`  wall ${check.ms.toFixed(0)} ms (median of ${check.all}); ceil(${NAMES}/${CHECK_LIMIT}/${SESSIONS}) x ${LATENCY} ms = ${ideal} ms: ratio ${(check.ms / ideal).toFixed(2)}`);
  print(`  one ${CHECK_LIMIT}-name check measured first: ${one.ms.toFixed(0)} ms (median of ${one.all}); x ${rounds} round trips = ${(one.ms * rounds).toFixed(0)} ms: ratio ${(check.ms / (one.ms * rounds)).toFixed(2)}`);
}

if (DOMAINS > 0) {
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
  print(`domains(first: 500) over ${DOMAINS} domains sharing ${CONTACTS} contacts (latency ${LATENCY_TEXT}):`);
  print(`  domains answered ${page.value.domains.edges.length}; per query: contact info commands ${contactInfos} (goal ${CONTACTS}), domain info commands ${domainInfos}`);
  print(`  wall ${page.ms.toFixed(0)} ms (median of ${page.all}); ceil(${domainInfos + contactInfos}/${SESSIONS}) x ${LATENCY} ms = ${Math.ceil((domainInfos + contactInfos) / SESSIONS) * LATENCY} ms`);
}

// ---- 3. bulkRenew of ITEMS domains ----
const RENEW = 'mutation($k: String!, $d: [BulkRenewItemInput!]!) { bulkRenew(idempotencyKey: $k, domains: $d, period: { value: 1, unit: YEARS }) { job { id total } } }';
const JOB = 'query($id: ID!) { bulkJob(id: $id) { counts { done failed pending running cancelled } } }';
const FINISHED = 'query($id: ID!) { bulkJob(id: $id) { finishedAt } }';
/** The request submitting the job over a set of domains, serialised before the clock starts (the client's JSON is not the gateway's time). */
const renewRequest = (set) => JSON.stringify({ query: RENEW, variables: { k: randomUUID(), d: bulkNames(set).map((name) => ({ name, currentExpiry: EXPIRY.toISOString() })) } });
const submit = async (request) => (await stack.post(KEY, request)).bulkRenew.job.id;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Waits for the job's end (read every 100 ms, the gateway may be down meanwhile); returns the epoch ms of its finishedAt. */
async function finished(id) {
  for (;;) {
    const at = await gql(FINISHED, { id }).then((d) => d.bulkJob?.finishedAt, () => null);
    if (at) return Date.parse(at);
    await sleep(100);
  }
}
const renewals = () => bulkSandbox.applied('domain:renew');
/**
 * What a proxy's stats() say of the latency it applied: per answer on average, the round trip and
 * the delay added after the registry's answer (ms); and the client's turnaround, from the proxy's
 * write of an answer to its read of the next command on that connection (mean, median and p90, ms): with
 * one command outstanding per session, each round trip of the job takes the latency plus that.
 */
function deliveredText(s) {
  const late = LATENCY_MODE === 'round-trip' ? `, ${s.late} late (the registry took longer than ${LATENCY} ms: written at once)` : '';
  const turnaround = s.turnarounds > 0 ? `; the client's turnaround (the proxy's write of an answer to its read of the next command on that session) ${s.meanTurnaroundMs.toFixed(2)} ms on average, median ${s.p50TurnaroundMs.toFixed(2)} ms, p90 ${s.p90TurnaroundMs.toFixed(2)} ms (${s.turnarounds} answers followed by a command)` : '';
  return `${s.chunks} answers, each on average ${s.meanRoundTripMs.toFixed(2)} ms from the proxy's read of the command to its write of the answer (set: ${LATENCY_TEXT}), of which ${s.meanDelayMs.toFixed(2)} ms after the registry's answer${late}${turnaround}`;
}
/**
 * This process's own stalls (it runs the registry and the proxies: while it stands still, no
 * answer reaches anyone): its garbage collections and its event loop's delay, from now until the
 * returned function is called, which gives { gcs, gcMs, longestGcMs, majorGcs, loopP99Ms, loopMaxMs }.
 */
function ownStalls() {
  const gc = { gcs: 0, gcMs: 0, longestGcMs: 0, majorGcs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.gcs++;
      gc.gcMs += e.duration;
      gc.longestGcMs = Math.max(gc.longestGcMs, e.duration);
      if (e.detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) gc.majorGcs++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  return () => {
    observer.disconnect();
    loop.disable();
    return { ...gc, loopP99Ms: loop.percentile(99) / 1e6, loopMaxMs: loop.max / 1e6 };
  };
}
const stallsText = (s) => `${s.gcs} collections (${s.majorGcs} full), ${s.gcMs.toFixed(0)} ms in all, the longest ${s.longestGcMs.toFixed(1)} ms; event loop delay p99 ${s.loopP99Ms.toFixed(1)} ms, max ${s.loopMaxMs.toFixed(1)} ms`;
const renewedOnce = (set) => bulkNames(set).filter((n) => bulkSandbox.domain(n)?.expiresAt.getTime() === Date.UTC(EXPIRY.getUTCFullYear() + 1, EXPIRY.getUTCMonth(), EXPIRY.getUTCDate())).length;
/** CPU seconds so far of PostgreSQL's server processes for the run's database (0 on the embedded one: it runs in the gateway). */
async function postgresCpu() {
  if (!SERVER_URL) return { seconds: 0, pids: [] };
  const { rows } = await admin(`SELECT pid FROM pg_stat_activity WHERE datname = '${runDatabase}'`);
  return { seconds: rows.reduce((s, r) => s + procCpuSeconds(r.pid), 0), pids: rows.map((r) => r.pid) };
}
/** Runs `fn`, measuring the CPU seconds of the gateway, this process and PostgreSQL's backends meanwhile. */
async function withCpu(fn) {
  const pgPids = new Map();
  const pgSample = async () => {
    for (const pid of (await postgresCpu()).pids) pgPids.set(pid, Math.max(pgPids.get(pid) ?? 0, procCpuSeconds(pid)));
  };
  // Transactions committed in the run's database (each statement outside a transaction is one);
  // the server publishes its counts within a second.
  const commits = async () => (SERVER_URL ? Number((await admin(`SELECT xact_commit FROM pg_stat_database WHERE datname = '${runDatabase}'`)).rows[0].xact_commit) : 0);
  await pgSample();
  await sleep(SERVER_URL ? 1100 : 0);
  const commits0 = await commits();
  const start = { gateway: stack.cpuSeconds(), main: stack.mainThreadCpuSeconds(), api: stack.apiCpuSeconds(), self: process.cpuUsage(), pg: new Map(pgPids), machine: machineCpuMs() };
  const sampler = setInterval(() => void pgSample().catch(() => undefined), 200); // backends that come and go
  const value = await fn();
  clearInterval(sampler);
  await pgSample();
  const cpuEnd = { gateway: stack.cpuSeconds(), main: stack.mainThreadCpuSeconds(), api: stack.apiCpuSeconds(), self: process.cpuUsage(start.self), machine: machineCpuMs() };
  await sleep(SERVER_URL ? 1100 : 0);
  const transactions = (await commits()) - commits0;
  const pgSeconds = [...pgPids].reduce((s, [p, v]) => s + v - (start.pg.get(p) ?? 0), 0);
  const machine = { busyMs: cpuEnd.machine.busy - start.machine.busy, stealMs: cpuEnd.machine.steal - start.machine.steal };
  return { value, transactions, machine, cpu: { gateway: cpuEnd.gateway - start.gateway, main: cpuEnd.main - start.main, api: cpuEnd.api - start.api, self: (cpuEnd.self.user + cpuEnd.self.system) / 1e6, pg: pgSeconds } };
}
/** Runs bench/lib/direct-renew.mjs against the bulk registry's proxy: { wallMs, renewed, cpuMs }. */
async function directRenew(names) {
  const child = spawn(process.execPath, ['bench/lib/direct-renew.mjs'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin.end(JSON.stringify({ port: bulkProxy.port, ca: bulkUpstream.ca, servername: 'localhost', account: { clientId: 'NewRegistrar', password: 'foo-BAR2' }, names, curExpDate: EXPIRY.toISOString().slice(0, 10), concurrency: CONCURRENCY }));
  const code = await exited;
  if (code !== 0) throw new Error(`bench/lib/direct-renew.mjs exited with ${code}`);
  return JSON.parse(out);
}
const perItem = (s) => ((s * 1000) / ITEMS).toFixed(2);
/** The whole machine meanwhile (/proc/stat, every process): its busy CPU time, and the time the hypervisor gave its cores to others (steal), which no process here can account for. */
const machineText = (m) => `the machine meanwhile: busy ${(m.busyMs / 1000).toFixed(1)} CPU s, steal ${(m.stealMs / 1000).toFixed(2)} CPU s`;
const idealMs = (ITEMS * LATENCY) / CONCURRENCY;

/** Item 3 on the trial's jobSet (the direct client's baseline after the first trial's job): { wall, peakMiB }. */
async function uninterruptedJob(trial) {
  const peakBefore = rssMiB('VmHWM');
  const reset = stack.resetPeakRss(); // the job's own peak (else the process's since it started)
  let before = 0;
  let t1 = 0;
  let id1;
  let submitMs = 0;
  const request1 = renewRequest(jobSet(trial));
  const samples1 = []; // [ms since the submission, renewals applied], every 5 ms
  let sampler1;
  bulkProxy.stats(true);
  const stalls1 = ownStalls();
  let gw1;
  const run1 = await withCpu(async () => {
    // The gateway's stalls over the job alone (withCpu waits for PostgreSQL's counts around it).
    const gatewayStalls1 = await stack.gatewayStalls();
    before = renewals();
    t1 = Date.now();
    sampler1 = setInterval(() => samples1.push([Date.now() - t1, renewals() - before]), 5);
    id1 = await submit(request1);
    submitMs = Date.now() - t1;
    const finishedAt = await finished(id1);
    gw1 = await gatewayStalls1();
    return finishedAt;
  });
  clearInterval(sampler1);
  const wall1 = run1.value - t1;
  const job1Counts = renewals() - before;
  const proxied1 = bulkProxy.stats(true);
  const own1 = stalls1();
  const counts1 = (await gql(JOB, { id: id1 })).bulkJob.counts;
  const total = run1.cpu.gateway + run1.cpu.api + run1.cpu.self + run1.cpu.pg;
  print(`bulkRenew of ${ITEMS} domains (latency ${LATENCY_TEXT}, concurrency ${CONCURRENCY}, ${CONCURRENCY} sessions${WORKER ? '; submitted to the API instance, run by a worker (API_ENABLED=false) beside it' : ''}):`);
  print(`  items done ${counts1.done}, failed ${counts1.failed}; renewals applied ${job1Counts}; domains renewed by exactly one year ${renewedOnce(jobSet(trial))} / ${ITEMS}`);
  print(`  wall ${wall1} ms (the job answered, written, after ${submitMs} ms); ${ITEMS} x ${LATENCY} ms / ${CONCURRENCY} = ${idealMs.toFixed(0)} ms: ratio ${(wall1 / idealMs).toFixed(2)} (goal <= 1.1)`);
  const reached = (k) => samples1.find(([, n]) => n >= k)?.[0];
  const [tenth, nine] = [reached(ITEMS / 10), reached((9 * ITEMS) / 10)];
  if (tenth !== undefined && nine !== undefined) {
    const ideal = (n) => (n * LATENCY) / CONCURRENCY;
    const first = samples1.find(([, n]) => n > 0)?.[0] ?? 0;
    print(`  where the wall went: submission answered ${submitMs} ms, first renewal ${first} ms; first tenth of the renewals ${tenth - first} ms (ideal ${ideal(ITEMS / 10).toFixed(0)}); middle eight tenths ${nine - tenth} ms: ratio ${((nine - tenth) / ideal((8 * ITEMS) / 10)).toFixed(3)}; last tenth ${(reached(ITEMS) ?? wall1) - nine} ms; finishedAt ${wall1 - (reached(ITEMS) ?? wall1)} ms after the last renewal`);
  }
  print(`  the simulated latency as delivered: ${deliveredText(proxied1)}; this process (registry and proxies) meanwhile: ${stallsText(own1)}`);
  print(`  the ${RUNNER}'s own stalls meanwhile: ${gw1.scavenges} young-generation collections (${((gw1.scavenges * 1000) / gw1.ms).toFixed(1)} a second), ${gw1.scavengeMs.toFixed(0)} ms in all, on average ${(gw1.scavengeMs / Math.max(1, gw1.scavenges)).toFixed(1)} ms, the longest ${gw1.longestScavengeMs.toFixed(1)} ms; ${gw1.fullGcs} full (${gw1.fullGcMs.toFixed(0)} ms); event loop delay (a 10 ms timer's lateness) median ${gw1.loopP50Ms.toFixed(1)} ms, p99 ${gw1.loopP99Ms.toFixed(1)} ms, max ${gw1.loopMaxMs.toFixed(1)} ms`);
  const peakMiB = rssMiB('VmHWM');
  print(`  ${RUNNER} peak RSS during the job ${peakMiB.toFixed(0)} MiB (goal < 300 MB)${reset ? `; before it, since the start: ${peakBefore.toFixed(0)} MiB` : ' (since the process started: its peak could not be reset)'}`);
  print(`  CPU per item: ${RUNNER} ${perItem(run1.cpu.gateway)} ms (its main thread ${perItem(run1.cpu.main)} ms)${WORKER ? `, the API instance ${perItem(run1.cpu.api)} ms` : ''}, registry + proxies (this process) ${perItem(run1.cpu.self)} ms${SERVER_URL ? `, PostgreSQL ${perItem(run1.cpu.pg)} ms` : ''}; total ${perItem(total)} ms; ${machineText(run1.machine)}`);
  if (SERVER_URL) print(`  PostgreSQL transactions ${run1.transactions}: ${(run1.transactions / ITEMS).toFixed(2)} per item`);
  print(`  CPU-bound floor on ${cpus().length} cores: ${((total * 1000) / cpus().length).toFixed(0)} ms = ratio ${((total * 1000) / cpus().length / idealMs).toFixed(2)}; the ${RUNNER} alone on one core: ratio ${((run1.cpu.gateway * 1000) / idealMs).toFixed(2)}`);

  // The measured baseline: a direct EPP client (no gateway) renewing ITEMS other domains at the
  // same concurrency through the same proxy to the same registry, in a process of its own.
  const stalls3 = ownStalls();
  const direct = DIRECT && trial === 0 ? await directRenew(bulkNames(3)) : null;
  const proxied3 = bulkProxy.stats(true);
  const own3 = stalls3();
  if (direct) print(`  baseline in this run: a direct EPP client (bench/lib/direct-renew.mjs, its own process, ${CONCURRENCY} sessions, no gateway) renewing ${direct.renewed} other domains through the same proxy (${deliveredText(proxied3)}): wall ${direct.wallMs.toFixed(0)} ms = ratio ${(direct.wallMs / idealMs).toFixed(2)}; the gateway's job against it: ${(wall1 / direct.wallMs).toFixed(2)}; this process meanwhile: ${stallsText(own3)}`);
  return { wall: wall1, peakMiB };
}

/** Item 4 on the trial's resumeSet, against `wall1` (the same trial's uninterrupted job): { added (%), twice (renewals applied twice), notOnce (domains not renewed by exactly one year) }. */
async function resumedJob(trial, wall1) {
  // ---- 4. the same job killed half way and resumed ----
  let before = 0;
  let t2 = 0;
  let restartMs = 0;
  let killedAt = 0;
  let id2;
  // Where the restart's time goes: the registry's counts of logins, domain infos (reconciliation
  // reads) and renewals sampled every 5 ms from the kill, and the new gateway's own log (at info:
  // its startup phases, and what the bulk runner says it took back).
  const restartPhases = {};
  const samples = [];
  const gatewayLog = [];
  let killT = 0;
  let sampler;
  const count = (k) => bulkSandbox.applied(k);
  const followNewGateway = (child) =>
    onLogEntries(child.stdout, (entry) => {
      // With the new process's CPU time so far (user + system, from /proc): a start's cost when the machine is shared.
      if (entry.msg === 'gateway listening' || /^bulk/.test(entry.msg ?? '')) gatewayLog.push({ at: performance.now() - killT, cpuMs: procCpuSeconds(child.pid) * 1000, entry });
    });
  const startSampling = () => {
    killT = performance.now();
    const base = { renew: count('domain:renew'), info: count('domain:info'), login: count('login') };
    sampler = setInterval(() => {
      const t = performance.now() - killT;
      if (t > 10_000) return;
      samples.push({ t, renew: count('domain:renew') - base.renew, info: count('domain:info') - base.info, login: count('login') - base.login });
    }, 5);
  };
  const request2 = renewRequest(resumeSet(trial));
  const run2 = await withCpu(async () => {
    before = renewals();
    t2 = Date.now();
    id2 = await submit(request2);
    while (renewals() - before < ITEMS / 2) await sleep(5);
    killedAt = Date.now() - t2;
    startSampling();
    restartMs = await stack.restart('SIGKILL', { LOG_LEVEL: 'info' }, followNewGateway, restartPhases);
    return finished(id2);
  });
  clearInterval(sampler);
  const wall2 = run2.value - t2;
  const applied = renewals() - before;
  const counts2 = (await gql(JOB, { id: id2 })).bulkJob.counts;
  print(`the same job on ${ITEMS} other domains, the ${RUNNER} SIGKILLed at ${(killedAt / 1000).toFixed(1)} s (half the renewals applied) and started again on the same data:`);
  print(`  items done ${counts2.done}, failed ${counts2.failed}; renewals applied ${applied} for ${ITEMS} domains: applied twice ${applied - ITEMS} (goal 0); domains renewed by exactly one year ${renewedOnce(resumeSet(trial))} / ${ITEMS}`);
  print(`  CPU per item: ${RUNNER} ${perItem(run2.cpu.gateway)} ms (both processes)${WORKER ? `, the API instance ${perItem(run2.cpu.api)} ms` : ''}, registry + proxies ${perItem(run2.cpu.self)} ms${SERVER_URL ? `, PostgreSQL ${perItem(run2.cpu.pg)} ms` : ''}; ${machineText(run2.machine)}`);
  // The timeline of the restart, from the kill (ms).
  const first = (pred) => samples.find(pred)?.t;
  const fmt = (t) => (t === undefined ? '-' : t.toFixed(0));
  const rate = ITEMS / wall1; // renewals per ms uninterrupted
  const WINDOW = 250;
  const fullSpeed = samples.find((s) => {
    const end = samples.find((e) => e.t >= s.t + WINDOW);
    return end && s.renew > 0 && end.renew - s.renew >= 0.9 * rate * WINDOW;
  })?.t;
  const listening = gatewayLog.find((l) => l.entry.msg === 'gateway listening');
  const renewedBy = (t) => samples.filter((s) => s.t <= t).at(-1)?.renew ?? 0;
  print(`  restart timeline from the kill (ms): process gone ${fmt(restartPhases.exitedMs)}; new process logs 'gateway listening' ${fmt(listening?.at)} (its CPU by then ${fmt(listening?.cpuMs)} ms)${listening ? ` (startupMs ${JSON.stringify(listening.entry.startupMs)})` : ''}; /healthz ${restartMs.toFixed(0)}`);
  // Renewals the killed process had sent before it died are applied after the kill: the new process's start with its first login.
  const firstLogin = first((s) => s.login > 0);
  const stragglers = samples.find((s) => s.t >= (firstLogin ?? Infinity))?.renew ?? 0;
  print(`    registry: first login ${fmt(firstLogin)}, ${CONCURRENCY}th login ${fmt(first((s) => s.login >= CONCURRENCY))}; first domain:info ${fmt(first((s) => s.info > 0))}, domain:infos in the first 10 s ${samples.at(-1)?.info ?? 0}; first renewal after the first login ${fmt(first((s) => s.t > firstLogin && s.renew > stragglers))}; full speed (>= 90% of the uninterrupted rate over ${WINDOW} ms) from ${fmt(fullSpeed)}`);
  // Time lost by t: t less the time the renewals applied by then take uninterrupted.
  print(`    time lost by ${[1, 2, 3, 4, 6, 8].map((s) => `${s} s: ${(s * 1000 - renewedBy(s * 1000) / rate).toFixed(0)}`).join(', ')} ms`);
  for (const l of gatewayLog.filter((l) => l.entry.msg !== 'gateway listening')) print(`    gateway at ${l.at.toFixed(0)} ms (its CPU by then ${l.cpuMs.toFixed(0)} ms): ${l.entry.msg} ${JSON.stringify(Object.fromEntries(Object.entries(l.entry).filter(([k]) => !['level', 'time', 'pid', 'hostname', 'msg'].includes(k))))}`);
  const added = ((wall2 - wall1) / wall1) * 100;
  print(`  wall ${wall2} ms against ${wall1} ms uninterrupted: time added ${added.toFixed(1)}% (goal < 10%); without the restart itself (${restartMs.toFixed(0)} ms, kill to /healthz) ${(((wall2 - restartMs - wall1) / wall1) * 100).toFixed(1)}%`);
  return { added, twice: applied - ITEMS, notOnce: ITEMS - renewedOnce(resumeSet(trial)) };
}

if (ITEMS > 0) {
  setLatency(LATENCY);
  // A job of --warmup renewals (at least 2 x CONCURRENCY) logs every session in and warms the
  // paths, as a gateway in service is warm (V8 optimises a function after some thousands of
  // calls: a 32-item warm-up left the measured job's first 1,000 items 9% slower than the rest);
  // it is not measured.
  await finished(await submit(renewRequest(0)));
  const trials = [];
  for (let t = 0; t < TRIALS; t++) {
    if (TRIALS > 1) print(`trial ${t + 1} of ${TRIALS}:`);
    await sleep(PAUSE_MS);
    const job = await uninterruptedJob(t);
    if (RESUME) await sleep(PAUSE_MS);
    const resumed = RESUME ? await resumedJob(t, job.wall) : null;
    trials.push({ ...job, ...resumed });
  }
  if (TRIALS > 1) {
    const list = (xs, digits, unit = '') => `${xs.map((x) => x.toFixed(digits) + unit).join(', ')} (median ${median(xs).toFixed(digits)}${unit})`;
    print(`${TRIALS} trials: bulkRenew ratio ${list(trials.map((r) => r.wall / idealMs), 3)} (goal <= 1.1); peak RSS ${list(trials.map((r) => r.peakMiB), 0, ' MiB')}`);
    if (RESUME) print(`  killed half way and resumed: time added ${list(trials.map((r) => r.added), 1, '%')} (goal < 10%); renewals applied twice, all trials: ${trials.reduce((n, r) => n + r.twice, 0)} (goal 0); domains not renewed by exactly one year ${trials.reduce((n, r) => n + r.notOnce, 0)}`);
  }
}

print(`machine: ${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${RUNNER} RSS ${rssMiB().toFixed(0)} MiB, peak ${rssMiB('VmHWM').toFixed(0)} MiB (this ${RUNNER} process)${WORKER ? `; the API instance ${apiRssMiB().toFixed(0)} MiB, peak ${apiRssMiB('VmHWM').toFixed(0)} MiB` : ''}; ${DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}${WORKER ? ', the jobs run by a worker (API_ENABLED=false) beside the API instance' : ''}`);

await stack.stop();
for (const p of proxies) await p.close();
await bulkSandbox.stop();
if (SERVER_URL) {
  await admin(`DROP DATABASE IF EXISTS ${runDatabase} WITH (FORCE)`);
  await adminClient.end();
}
process.exit(0);
