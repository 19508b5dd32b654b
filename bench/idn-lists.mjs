#!/usr/bin/env node
/**
 * Long lists of IDNs against a zero-setup gateway: how long one is checked, and what /healthz
 * sees meanwhile (the IDNA checks of checkDomains and bulkRenew names, src/validation/names.ts).
 *
 *   npm run build && node bench/idn-lists.mjs [--seconds 5 --attackers 1 --names 5000]
 *   node bench/idn-lists.mjs --gateway /path/to/other/checkout/dist/bundle/main.js   # e.g. an older build
 *
 * Starts `dist/bundle/main.js` (`npm start`: embedded database in a temporary directory,
 * in-process sandboxes) and reads an API key from what it prints. Then measures:
 *   1. checkDomains(names: $n) with `names` Arabic IDNs of three 30-letter labels (about 1 MB),
 *      the last one invalid (Latin letters in an Arabic label) so nothing is sent upstream:
 *      time until answered (BAD_USER_INPUT), median of 5;
 *   2. the same with ASCII names of the same shape;
 *   3. GET /healthz latency (one every 20 ms) alone, then while `attackers` clients send list 1 back to back;
 *   4. bulkRenew with 4 x `names` items of one 10-letter Arabic label (the last invalid): time until refused, median of 5.
 * It prints figures; it asserts nothing.
 */
import { rmSync } from 'node:fs';
import { arg, argText, freePort, GATEWAY_MAIN, startZeroSetup } from './lib/stack.mjs';

const SECONDS = arg('seconds', 5);
const ATTACKERS = arg('attackers', 1);
const NAMES = arg('names', 5000);
const GATEWAY = argText('gateway', GATEWAY_MAIN);
const PORT = arg('port', await freePort());

const { child, key, dataDir } = await startZeroSetup(GATEWAY, PORT, 'rgw-idn-');
const base = `http://127.0.0.1:${PORT}`;
const ms = (t0) => performance.now() - t0;
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function timed(query, variables) {
  const t0 = performance.now();
  const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
  const body = await res.json().catch(() => ({}));
  return [ms(t0), body.errors?.[0]?.extensions?.code ?? 'no error'];
}
async function healthz() {
  const t0 = performance.now();
  await fetch(`${base}/healthz`).then((r) => r.text(), () => undefined);
  return ms(t0);
}

const arabic = (i) => `ا${i}${'ب'.repeat(28)}.${'ت'.repeat(30)}.${'ث'.repeat(30)}.example`;
const ascii = (i) => `a${i}${'b'.repeat(28)}.${'c'.repeat(30)}.${'d'.repeat(30)}.example`;
const list = (f, n) => {
  const out = Array.from({ length: n }, (_, i) => f(i));
  out[n - 1] = `ا${'ب'.repeat(10)}abc.example`; // RFC 5893 rule 2 (no L in an RTL label): refused, so nothing goes upstream
  return out;
};
const CHECK = 'query($n:[String!]!){ checkDomains(names:$n){ name } }';
const RENEW = 'mutation($d:[BulkRenewItemInput!]!){ bulkRenew(idempotencyKey:"idn-bench", domains:$d){ job { id } } }';

try {
  for (let up = false; !up; ) up = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
  await timed('{ viewer { id } }');
  const idns = list(arabic, NAMES);
  const asciis = list(ascii, NAMES);
  console.log(`list of ${NAMES} IDNs: ${(Buffer.byteLength(JSON.stringify({ query: CHECK, variables: { n: idns } })) / 1e6).toFixed(2)} MB`);
  for (const [what, names] of [['IDN', idns], ['ASCII', asciis]]) {
    const times = [];
    let code;
    for (let i = 0; i < 5; i++) [times[i], code] = await timed(CHECK, { n: names });
    console.log(`checkDomains, ${NAMES} ${what} names: median ${percentile(times, 50).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}), ${code}`);
  }
  const quiet = [];
  for (let i = 0; i < 50; i++) {
    quiet.push(await healthz());
    await new Promise((r) => setTimeout(r, 20));
  }
  const until = performance.now() + SECONDS * 1000;
  let sent = 0;
  const attackers = Array.from({ length: ATTACKERS }, async () => {
    while (performance.now() < until) {
      await timed(CHECK, { n: idns });
      sent++;
    }
  });
  // One /healthz every 20 ms, each on its own (not after the previous answer), as a monitor does.
  const pending = [];
  while (performance.now() < until) {
    pending.push(healthz());
    await new Promise((r) => setTimeout(r, 20));
  }
  const loaded = await Promise.all(pending);
  await Promise.all(attackers);
  const fmt = (xs) => `p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (${xs.length})`;
  console.log(`/healthz alone: ${fmt(quiet)}`);
  console.log(`/healthz while ${ATTACKERS} client(s) send ${NAMES}-IDN lists (${sent} sent): ${fmt(loaded)}`);
  const short = (i) => `ا${i}${'ب'.repeat(8)}.example`;
  const items = list(short, NAMES * 4).map((name) => ({ name, currentExpiry: '2030-01-01' }));
  const renews = [];
  let renewCode;
  for (let i = 0; i < 5; i++) [renews[i], renewCode] = await timed(RENEW, { d: items });
  console.log(`bulkRenew, ${items.length} IDN items: median ${percentile(renews, 50).toFixed(0)} ms (min ${Math.min(...renews).toFixed(0)}, max ${Math.max(...renews).toFixed(0)}), ${renewCode}`);
} finally {
  child.kill();
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
