#!/usr/bin/env node
/**
 * Submitting a bulk job, alone (issue 10 item 7: the job's wall counts from its submission):
 *
 *   node bench/bulk-submit.mjs [--items 10000] [--rounds 5] [--database-url postgresql://...]
 *
 * Starts the built gateway (dist/) with the bulk runner off (bulk.enabled false, so nothing but
 * the submission runs) and one EPP sandbox for the items' registry, then submits bulkRenew of
 * --items domains, each with its current expiry, --rounds times (after one of 200 items that
 * warms the paths). Per round: the time until the job was answered (written), the gateway's CPU
 * and, on PostgreSQL, the CPU of the run's database backends; then the medians and the gateway's
 * peak RSS. CPU, unlike the wall time, stays comparable on a loaded machine. BENCH_PROFILE=<dir>
 * writes the gateway's CPU profile. It prints figures; it asserts nothing.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import pg from 'pg';
import { EppSandbox } from '../dist/src/sandbox/epp/index.js';
import { arg, databaseUrlArg, freePort, procCpuSeconds, startStack } from './lib/stack.mjs';
const ITEMS = arg('items', 10000), ROUNDS = arg('rounds', 5);
const SERVER_URL = databaseUrlArg();
let DATABASE_URL, admin;
const runDatabase = `rgw_bench_submit_${randomUUID().slice(0, 8)}`;
if (SERVER_URL) { admin = new pg.Client({ connectionString: SERVER_URL }); await admin.connect(); await admin.query(`CREATE DATABASE ${runDatabase}`); const u = new URL(SERVER_URL); u.pathname = `/${runDatabase}`; DATABASE_URL = u.toString(); }
const sb = new EppSandbox({ profile: 'nomulus', tlds: ['bulk'], seed: false });
const up = await sb.start();
const stack = await startStack({ databaseUrl: DATABASE_URL, port: await freePort(), configure: async (upstream) => {
  upstream.backends.push({ name: 'sandbox-bulk', kind: 'epp', host: up.host, port: up.port, tls: { ca: up.ca, servername: 'localhost' }, accounts: { NewRegistrar: { clientId: 'NewRegistrar', password: 'foo-BAR2' } }, poolSize: 2 });
  upstream.routes.push({ suffix: 'bulk', backend: 'sandbox-bulk' });
  return { poll: { enabled: false }, bulk: { enabled: false }, limits: { rateLimit: false } };
} });
// A failed step ends the run without leaving the gateway, the sandbox or the run's database behind.
const fail = async (err) => {
  console.error(err);
  await stack.stop().catch(() => undefined);
  await sb.stop().catch(() => undefined);
  if (admin) await admin.query(`DROP DATABASE IF EXISTS ${runDatabase} WITH (FORCE)`).catch(() => undefined);
  process.exit(1);
};
process.on('unhandledRejection', fail);
process.on('uncaughtException', fail);
const RENEW = 'mutation($k: String!, $d: [BulkRenewItemInput!]!) { bulkRenew(idempotencyKey: $k, domains: $d, period: { value: 1, unit: YEARS }) { job { id total } } }';
const pgCpu = async () => { if (!admin) return 0; const { rows } = await admin.query(`SELECT pid FROM pg_stat_activity WHERE datname = '${runDatabase}'`); return rows.reduce((s, r) => s + procCpuSeconds(r.pid), 0); };
const res = [];
for (let r = -1; r < ROUNDS; r++) {
  const n = r < 0 ? 200 : ITEMS;
  const body = JSON.stringify({ query: RENEW, variables: { k: randomUUID(), d: Array.from({ length: n }, (_, i) => ({ name: `b${r + 1}-${i}.bulk`, currentExpiry: '2027-06-01T00:00:00.000Z' })) } });
  await new Promise((r) => setTimeout(r, 300));
  const g0 = stack.cpuSeconds(), p0 = await pgCpu(); const t0 = performance.now();
  const resp = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.keys.NewRegistrar}` }, body });
  const json = await resp.json(); const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 150));
  const g = stack.cpuSeconds() - g0, p = (await pgCpu()) - p0;
  if (json.errors) { console.log(JSON.stringify(json.errors).slice(0, 500)); break; }
  if (r >= 0) { res.push({ ms, g, p }); console.log(`round ${r}: answered ${ms.toFixed(0)} ms; gateway CPU ${(g * 1000).toFixed(0)} ms${SERVER_URL ? `; PostgreSQL CPU ${(p * 1000).toFixed(0)} ms` : ''}; load ${loadavg()[0].toFixed(1)}`); }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`median: answered ${med(res.map((x) => x.ms)).toFixed(0)} ms, gateway CPU ${(med(res.map((x) => x.g)) * 1000).toFixed(0)} ms${SERVER_URL ? `, PostgreSQL CPU ${(med(res.map((x) => x.p)) * 1000).toFixed(0)} ms` : ''}; peak RSS ${stack.rssMiB('VmHWM').toFixed(0)} MiB; ${SERVER_URL ? 'PostgreSQL' : 'embedded PGlite'}`);
await stack.stop(); await sb.stop();
if (admin) { await admin.query(`DROP DATABASE IF EXISTS ${runDatabase} WITH (FORCE)`); await admin.end(); }
