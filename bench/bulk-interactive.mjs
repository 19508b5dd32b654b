#!/usr/bin/env node
/**
 * What a registrar's frontend meets while a bulk job runs on the zero-setup start: reads of the
 * same registry before and during a bulkRenew, on one gateway or on two builds in turn.
 *
 *   npm run build && node bench/bulk-interactive.mjs [--domains 1000 --reads 20 --pages 3 --port 0]
 *   node bench/bulk-interactive.mjs --baseline /path/to/other/checkout/dist/bundle/main.js   # the same run on an older build first
 *
 * Starts `dist/bundle/main.js` (`npm start`: embedded database in a temporary directory,
 * in-process sandboxes, the Nomulus sandbox's two sessions per account, bulk.concurrency 16) and
 * reads NewRegistrar's API key from what it prints. Creates --domains .tld domains (50 per
 * request), then measures, idle and then while a bulkRenew of all of them runs (each item a
 * domain:info and a domain:renew: the job keeps 16 items under way or waiting for the two
 * sessions):
 *   1. `domain(name)` of one of them, --reads times one after the other: median, p90, max (ms);
 *   2. `domains(first: 200)` with registrant and name servers (200 domain:info commands, 2 at a
 *      time: the request's fan-out budget is the account's sessions), --pages times: each (ms);
 * and the job's wall time and items a second. With --baseline, the same run first on that build
 * (a gateway of its own, fresh data), and the ratios of this build's figures to it.
 * It prints figures; it asserts nothing.
 */
import { rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { arg, argText, freePort, GATEWAY_MAIN, startZeroSetup } from './lib/stack.mjs';

const DOMAINS = arg('domains', 1000);
const READS = arg('reads', 20);
const PAGES = arg('pages', 3);
const GATEWAY = argText('gateway', GATEWAY_MAIN);
const BASELINE = argText('baseline', undefined);
// The gateway's port (each build's in turn); default one the system picks.
const PORT = arg('port', 0);

const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const round = (x) => Math.round(x);
const summary = (xs) => `median ${round(percentile(xs, 50))}, p90 ${round(percentile(xs, 90))}, max ${round(Math.max(...xs))} ms (${xs.length})`;

/** One gateway build's run: its figures. */
async function measure(gateway, label) {
  const port = PORT || (await freePort());
  const { child, key, dataDir } = await startZeroSetup(gateway, port, 'rgw-bi-');
  const url = `http://127.0.0.1:${port}/graphql`;
  const gql = async (query, variables) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
    const body = await res.json();
    if (body.errors) throw new Error(`${label}: ${JSON.stringify(body.errors[0]).slice(0, 300)}`);
    return body.data;
  };
  const timed = async (query, variables) => {
    const t0 = performance.now();
    await gql(query, variables);
    return performance.now() - t0;
  };
  try {
    const run = randomUUID().slice(0, 6);
    const names = Array.from({ length: DOMAINS }, (_, i) => `bi-${run}-${i}.tld`);
    for (let from = 0; from < names.length; from += 200) {
      await Promise.all(
        [0, 50, 100, 150].map((off) => {
          const part = names.slice(from + off, from + off + 50);
          if (part.length === 0) return undefined;
          return gql(`mutation { ${part.map((n, i) => `d${i}: createDomain(idempotencyKey: "${n}", input: { name: "${n}", authInfo: "Bench-Pw-2026" }) { name }`).join(' ')} }`);
        }),
      );
    }
    const ONE = `query($n: String!) { domain(name: $n) { name expiresAt } }`;
    const PAGE = `{ domains(first: 200) { edges { node { name registrant { id } nameservers { name } } } } }`;
    const reads = async (until) => {
      const one = [];
      const pages = [];
      for (let i = 0; !until() && (one.length < READS || pages.length < PAGES); i++) {
        if (one.length < READS) one.push(await timed(ONE, { n: names[(i * 37) % names.length] }));
        if (pages.length < PAGES && !until()) pages.push(await timed(PAGE));
      }
      return { one, pages };
    };
    await reads(() => false); // warm-up: sessions logged in, documents parsed
    const idle = await reads(() => false);
    const t0 = performance.now();
    const job = (await gql(`mutation($k: String!, $d: [BulkRenewItemInput!]!) { bulkRenew(idempotencyKey: $k, domains: $d, period: { value: 1, unit: YEARS }) { job { id } } }`, { k: randomUUID(), d: names.map((name) => ({ name })) })).bulkRenew.job.id;
    let finished = false;
    const watch = (async () => {
      while (!finished) {
        const j = (await gql(`query($id: ID!) { bulkJob(id: $id) { finishedAt counts { done failed } } }`, { id: job })).bulkJob;
        if (j.finishedAt) {
          finished = true;
          return { wallMs: performance.now() - t0, ...j.counts };
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const busy = await reads(() => finished);
    const done = await watch;
    return { idle, busy, job: done };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function print(label, r) {
  console.log(`${label}:`);
  console.log(`  domain(name), idle: ${summary(r.idle.one)}; during the job: ${summary(r.busy.one)}`);
  console.log(`  domains(first: 200) nested, idle: ${r.idle.pages.map(round).join(', ')} ms; during the job: ${r.busy.pages.map(round).join(', ')} ms`);
  console.log(`  bulkRenew of ${DOMAINS}: ${round(r.job.wallMs)} ms, ${((r.job.done + r.job.failed) / (r.job.wallMs / 1000)).toFixed(0)} items a second (done ${r.job.done}, failed ${r.job.failed})`);
  if (r.busy.one.length < READS || r.busy.pages.length < PAGES) console.log(`  (the job finished before every read during it was made: raise --domains)`);
}

const base = BASELINE ? await measure(BASELINE, 'baseline') : undefined;
if (base) print(`baseline (${BASELINE})`, base);
const now = await measure(GATEWAY, 'this build');
print(`this build (${GATEWAY})`, now);
if (base) {
  const ratio = (a, b) => (a / b).toFixed(2);
  console.log(
    `this build / baseline, during the job: domain(name) median ${ratio(percentile(now.busy.one, 50), percentile(base.busy.one, 50))}, max ${ratio(Math.max(...now.busy.one), Math.max(...base.busy.one))}; ` +
      `domains(first: 200) median ${ratio(percentile(now.busy.pages, 50), percentile(base.busy.pages, 50))}; the job's wall ${ratio(now.job.wallMs, base.job.wallMs)}`,
  );
}
console.log(`machine: node ${process.version}; load average at the end ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
