#!/usr/bin/env node
/**
 * Bulk jobs at registry speed (issue 10, item 7, the bulk-job figures):
 *
 *   npm run bench:bulk-jobs [-- --items 10000 --latency 20 --concurrency 16] [--database-url postgresql://...]
 *
 * The registry is an EPP sandbox in this process holding 2 x --items domains of NewRegistrar (put
 * into its store directly: creating them over EPP would measure creation), behind a delaying
 * proxy (every answer reaches the gateway --latency ms late). The gateway is the built one (dist/),
 * a child process with --concurrency sessions and bulk items in flight, on an embedded database in
 * a temporary directory (or PostgreSQL). Each item is one renew command (the CLI's
 * `name,currentExpiry` lines give the current expiry, so no info is read first).
 *
 * Prints, in one run:
 *   1. bulkRenew of --items domains: wall time (submit to the job's finishedAt) against
 *      items x latency / concurrency (goal <= 1.1), the gateway's peak RSS (VmHWM, goal < 300 MB);
 *   2. the same job on the other --items domains, the gateway SIGKILLed when half the items are
 *      done and started again on the same data: renewals applied twice (the registry's count
 *      beyond one per domain, and domains whose expiry moved by other than one year; goal 0) and
 *      the time added against run 1 (goal < 10%), with and without the restart itself.
 * It prints figures; it asserts nothing.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

const { EppSandbox } = await import('../dist/src/sandbox/epp/index.js');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const ITEMS = Number(arg('items', 10_000));
const LATENCY = Number(arg('latency', 20));
const CONCURRENCY = Number(arg('concurrency', 16));
const DATABASE_URL = arg('database-url', undefined);
const EXPIRY = new Date('2027-06-01T00:00:00.000Z');

// ---- the registry: an EPP sandbox with 2 x ITEMS domains, behind a delaying proxy ----
const sandbox = new EppSandbox({ profile: 'nomulus', seed: true });
const upstream = await sandbox.start();
const store = sandbox.store; // internals, as bench/sandbox-state.mjs does
const seed = store.domains.get('example.tld');
const names = (set) => Array.from({ length: ITEMS }, (_, i) => `b${set}-${i}.tld`);
for (const set of [1, 2]) {
  for (const name of names(set)) {
    store.domains.set(name, { ...seed, name, roid: store.nextRoid('tld'), sponsor: 'NewRegistrar', exDate: new Date(EXPIRY), authInfo: 'Bench-Pw-1', statuses: new Set(), grace: [], contacts: [], nameservers: [], dsData: [], keyData: [] });
  }
}
store.touch();

/** TCP proxy: what the registry sends reaches the client `latencyMs` late (in order). */
const proxy = net.createServer((client) => {
  const up = net.connect(upstream.port, upstream.host);
  client.on('data', (d) => up.write(d));
  up.on('data', (d) => setTimeout(() => client.writable && client.write(d), LATENCY));
  const end = () => {
    client.destroy();
    up.destroy();
  };
  client.on('close', end).on('error', end);
  up.on('close', end).on('error', end);
});
await new Promise((r) => proxy.listen(0, '127.0.0.1', r));

// ---- the gateway, a child process ----
const dataDir = mkdtempSync(join(tmpdir(), 'rgw-bench-bulkjobs-'));
const accounts = { NewRegistrar: { clientId: 'NewRegistrar', password: 'foo-BAR2' } };
const config = {
  registrars: [{ id: 'NewRegistrar', name: 'New Registrar' }],
  backends: [{ name: 'bench', kind: 'epp', host: '127.0.0.1', port: proxy.address().port, tls: { ca: upstream.ca, servername: 'localhost' }, accounts, poolSize: CONCURRENCY }],
  routes: [{ suffix: 'tld', backend: 'bench' }],
  defaultBackend: 'bench',
  poll: { enabled: false, intervalMs: 2000, leaseMs: 10000, maxBackoffMs: 60000 },
  bulk: { concurrency: CONCURRENCY, instanceId: 'bench-gateway' },
  limits: { rateLimit: false },
};
const configPath = join(dataDir, 'gateway.config.json');
writeFileSync(configPath, JSON.stringify(config));
const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', GATEWAY_CONFIG: configPath, HOST: '127.0.0.1', ...(DATABASE_URL ? { DATABASE_URL, IDEMPOTENCY_KEY_SECRET: randomBytes(32).toString('hex') } : {}) };
const PORT = 4800 + Math.floor(Math.random() * 500);

function run(args, extra = {}) {
  return spawn(process.execPath, args, { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'inherit'] });
}
async function firstLine(child) {
  let out = '';
  for await (const d of child.stdout) {
    out += d;
    if (out.includes('\n')) return out.slice(0, out.indexOf('\n'));
  }
  throw new Error('no output');
}
const KEY = (await firstLine(run(['dist/src/auth/create-api-key.cli.js', '--registrar', 'NewRegistrar', '--label', 'bench']))).trim();
let gateway;
async function startGateway() {
  const t0 = performance.now();
  gateway = run([...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), 'dist/src/main.js'], { PORT: String(PORT) });
  if (process.env.BENCH_GATEWAY_LOG) gateway.stdout.pipe(createWriteStream(process.env.BENCH_GATEWAY_LOG, { flags: 'a' }));
  else gateway.stdout.resume();
  while (!(await fetch(`http://127.0.0.1:${PORT}/healthz`).then((r) => r.ok, () => false))) await new Promise((r) => setTimeout(r, 50));
  return performance.now() - t0;
}
const peakRssMiB = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${gateway.pid}/status`, 'utf8'))[1]) / 1024;
const gql = async (query, variables) => {
  const res = await fetch(`http://127.0.0.1:${PORT}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify({ query, variables }) });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors.slice(0, 2)));
  return body.data;
};
const RENEW = 'mutation($k: String!, $d: [BulkRenewItemInput!]!) { bulkRenew(idempotencyKey: $k, domains: $d, period: { value: 1, unit: YEARS }) { job { id total } } }';
const STATUS = 'query($id: ID!) { bulkJob(id: $id) { finishedAt counts { done failed pending running cancelled } } }';
const submit = async (set) => (await gql(RENEW, { k: randomUUID(), d: names(set).map((name) => ({ name, currentExpiry: EXPIRY.toISOString() })) })).bulkRenew.job.id;
/** Polls the job until `until(job)`; returns it. */
async function watch(id, until) {
  for (;;) {
    const job = await gql(STATUS, { id }).then((d) => d.bulkJob, () => null);
    if (job && until(job)) return job;
    await new Promise((r) => setTimeout(r, 25));
  }
}
const renewedOnce = (set) => names(set).filter((n) => store.domains.get(n).exDate.getUTCFullYear() === EXPIRY.getUTCFullYear() + 1).length;
const ideal = (ITEMS * LATENCY) / CONCURRENCY;

await startGateway();
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; node ${process.version}; database ${DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}`);

// ---- 1. bulkRenew of ITEMS domains ----
let applied0 = sandbox.applied('domain:renew');
let t0 = performance.now();
const job1 = await submit(1);
const submitMs = performance.now() - t0;
const done1 = await watch(job1, (j) => j.finishedAt);
const wall1 = performance.now() - t0;
console.log(`bulkRenew of ${ITEMS} domains at ${LATENCY} ms latency, concurrency ${CONCURRENCY}:`);
console.log(`  submit answered in ${submitMs.toFixed(0)} ms; done ${done1.counts.done}, failed ${done1.counts.failed}; renewals applied ${sandbox.applied('domain:renew') - applied0}`);
console.log(`  wall ${wall1.toFixed(0)} ms / (${ITEMS} x ${LATENCY} ms / ${CONCURRENCY} = ${ideal.toFixed(0)} ms): ratio ${(wall1 / ideal).toFixed(2)} (goal <= 1.1)`);
console.log(`  gateway peak RSS ${peakRssMiB().toFixed(0)} MiB (goal < 300 MB)`);

// ---- 2. the same job killed half way and resumed ----
applied0 = sandbox.applied('domain:renew');
t0 = performance.now();
const job2 = await submit(2);
await watch(job2, (j) => j.counts.done >= ITEMS / 2);
gateway.kill('SIGKILL');
await new Promise((r) => gateway.once('exit', r));
const killedAt = performance.now();
const restartMs = await startGateway();
const done2 = await watch(job2, (j) => j.finishedAt);
const wall2 = performance.now() - t0;
const applied = sandbox.applied('domain:renew') - applied0;
const once = renewedOnce(2);
console.log(`the same job, the gateway SIGKILLed at ${((killedAt - t0) / 1000).toFixed(1)} s (half done) and started again on the same data:`);
console.log(`  done ${done2.counts.done}, failed ${done2.counts.failed}; renewals applied ${applied} for ${ITEMS} domains: applied twice ${applied - ITEMS} (goal 0); domains renewed by exactly one year ${once} / ${ITEMS}`);
console.log(`  wall ${wall2.toFixed(0)} ms against ${wall1.toFixed(0)} ms uninterrupted: time added ${(((wall2 - wall1) / wall1) * 100).toFixed(1)}% (goal < 10%); without the restart itself (${restartMs.toFixed(0)} ms) ${(((wall2 - restartMs - wall1) / wall1) * 100).toFixed(1)}%`);

gateway.kill('SIGTERM');
await new Promise((r) => gateway.once('exit', r));
proxy.close();
await sandbox.stop();
rmSync(dataDir, { recursive: true, force: true });
