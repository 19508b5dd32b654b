#!/usr/bin/env node
/**
 * How long a gateway takes to come back after a SIGKILL, with no bulk job running (bench/bulk.mjs
 * item 4 measures it under a job):
 *
 *   npm run bench:restart [-- --restarts 5] [--database-url postgresql://...]
 *
 * Starts the EPP sandboxes (`npm run sandbox`) and the built gateway (dist/bundle/main.js) as
 * bench/bulk.mjs does (bench/lib/stack.mjs: its own data directory, the poller off; with
 * --database-url a PostgreSQL database created for the run and dropped after, else the embedded
 * one), then kills the gateway --restarts times and starts it again on the same data. Prints, per
 * restart, the time from the kill to the first `/healthz` answer and the phases of the new
 * process's start (its 'gateway listening' log line: `startupMs`, each step from the end of the one
 * before, `processMs` since the process started), then the median. Prints figures; asserts nothing.
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { arg, databaseUrlArg, freePort, onLogEntries, startStack } from './lib/stack.mjs';

const RESTARTS = arg('restarts', 5);
const SERVER_URL = databaseUrlArg();
const runDatabase = `rgw_bench_restart_${randomUUID().slice(0, 8)}`;
let admin;
if (SERVER_URL) {
  admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${runDatabase}`);
}
const databaseUrl = SERVER_URL ? Object.assign(new URL(SERVER_URL), { pathname: `/${runDatabase}` }).toString() : undefined;
const stack = await startStack({ databaseUrl, port: await freePort(), configure: () => ({ poll: { enabled: false } }) });
const took = [];
try {
  for (let i = 1; i <= RESTARTS; i++) {
    let startup;
    const follow = (child) => onLogEntries(child.stdout, (entry) => void (entry.msg === 'gateway listening' && (startup = entry.startupMs)));
    const ms = await stack.restart('SIGKILL', { LOG_LEVEL: 'info' }, follow);
    took.push(ms);
    console.log(`restart ${i}: kill to /healthz ${ms.toFixed(0)} ms; startupMs ${JSON.stringify(startup ?? null)}`);
  }
} finally {
  await stack.stop();
  if (admin) {
    await admin.query(`DROP DATABASE IF EXISTS ${runDatabase} WITH (FORCE)`);
    await admin.end();
  }
}
const sorted = [...took].sort((a, b) => a - b);
console.log(`median kill to /healthz ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms of ${took.length} (${took.map((t) => t.toFixed(0)).join(', ')}); ${cpus().length} x ${cpus()[0]?.model}; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${SERVER_URL ? 'PostgreSQL' : 'embedded PGlite'}`);
