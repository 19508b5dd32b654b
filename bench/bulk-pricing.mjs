#!/usr/bin/env node
/**
 * A bulk job's list on its way in (README Limits, "Cost"; src/limits/cost.ts BULK_ITEM):
 *
 *   npm run build && node bench/bulk-pricing.mjs [--items 20000] [--attackers 16] [--seconds 0]
 *
 * Starts the built gateway (dist/ of the working directory, so another checkout's build is measured
 * by running this from there; embedded database; bulk runner, poller and rate limit off, so that
 * every request is worked through rather than refused for the key's budget) and measures:
 *   0. in this process, with that build's modules: the CPU of one entry of a bulk job's list,
 *      normalising its name (checkItemNames) for ASCII names and IDNs of several lengths, and
 *      graphql-js coercing it (getVariableValues), per entry, medians of 5 lists of `items`;
 *   1. one document of 49 aliases of bulkRenew(domains: $d), $d `items` Arabic IDNs (about 1 MB),
 *      and a 50th field with a bad name last: its answer (code, field) and the time until it;
 *   2. `attackers` such documents at once over graphql-ws (one connection each), while /healthz
 *      is asked every 20 ms and another key's `{ viewer { id } }` every 50 ms over HTTP;
 *   3. 8 single bulkRenew of `items` ASCII items each with its currentExpiry (about 1.2 MB), the
 *      last name bad, at once over HTTP, with the same probes;
 *   4. one legitimate bulkRenew of `items` ASCII names, twice: answer and time.
 * Each step also prints the gateway's CPU time (user + system). It prints figures; it asserts nothing.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { getOperationAST, getVariableValues, parse } from 'graphql';
import { arg, freePort, startStack } from './lib/stack.mjs';

const ITEMS = arg('items', 20000), ATTACKERS = arg('attackers', 16);

{
  const built = (path) => import(`${process.cwd()}/dist/${path}`);
  const { buildGatewaySchema } = await built('schema/build.js');
  const { checkItemNames } = await built('src/bulk/submit.js');
  const schema = await buildGatewaySchema();
  const median = async (f) => {
    const xs = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      await f();
      xs.push(performance.now() - t0);
    }
    return (([...xs].sort((a, b) => a - b)[2] * 1000) / ITEMS).toFixed(1);
  };
  const shapes = {
    ASCII: (i) => `a${i}bbbbbbbb.example`,
    'Arabic, 14 letters': (i) => `ا${i}${'ب'.repeat(12)}.example`,
    'Arabic, 2 x 20': (i) => `ا${i}${'ب'.repeat(18)}.${'ت'.repeat(20)}.example`,
    'Latin with accents, 50': (i) => `é${i}${'ü'.repeat(48)}.example`,
    'Arabic, 3 x 30': (i) => `ا${i}${'ب'.repeat(28)}.${'ت'.repeat(30)}.${'ث'.repeat(30)}.example`,
  };
  for (const [shape, f] of Object.entries(shapes)) {
    const names = Array.from({ length: ITEMS }, (_, i) => f(i));
    console.log(`0. normalising a name, ${shape}: ${await median(() => checkItemNames('domains', names, ITEMS))} µs an entry`);
  }
  const op = getOperationAST(parse('mutation($d: [BulkRenewItemInput!]!) { bulkRenew(idempotencyKey: "k", domains: $d) { job { id } } }'));
  for (const expiry of [false, true]) {
    const d = Array.from({ length: ITEMS }, (_, i) => ({ name: `a${i}.example`, ...(expiry ? { currentExpiry: '2030-01-01T00:00:00.000Z' } : {}) }));
    console.log(`   coercing an item${expiry ? ' with its currentExpiry' : ''}: ${await median(() => getVariableValues(schema, op.variableDefinitions, { d }))} µs an entry`);
  }
}

const stack = await startStack({ port: await freePort(), configure: () => ({ poll: { enabled: false }, bulk: { enabled: false }, limits: { rateLimit: false } }) });
const [A, B] = [stack.keys.NewRegistrar, stack.keys.TheRegistrar];
const base = stack.url.replace(/\/graphql$/, '');
const ms = (t0) => performance.now() - t0;
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (xs) => `p50 ${pct(xs, 50).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms (${xs.length})`;
let cpu0 = stack.cpuSeconds();
/** The gateway's CPU since the last call, in ms. */
const cpu = () => { const c = stack.cpuSeconds(); const d = c - cpu0; cpu0 = c; return `gateway CPU ${(d * 1000).toFixed(0)} ms`; };
const answerOf = (b) => (b.errors ? `${b.errors[0].extensions?.code} ${b.errors[0].extensions?.field ?? ''} (${b.errors.length} errors)` : 'no error');

async function http(key, query, variables) {
  const t0 = performance.now();
  const body = await fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) }).then((r) => r.json());
  return [ms(t0), body];
}
async function ws(key, query, variables) {
  const client = createClient({ url: stack.url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${key}` }, retryAttempts: 0 });
  const t0 = performance.now();
  try {
    const body = await new Promise((resolve, reject) =>
      client.subscribe({ query, variables }, { next: resolve, error: (e) => (Array.isArray(e) ? resolve({ errors: e }) : reject(e)), complete: () => undefined }),
    );
    return [ms(t0), body];
  } finally {
    await client.dispose();
  }
}
/** Runs `work` while probing /healthz (every 20 ms) and B's viewer (every 50 ms); their latencies. */
async function probed(work) {
  const health = [], viewer = [];
  let done = false;
  const every = async (period, f, into) => { const pending = []; while (!done) { pending.push(f().then((t) => into.push(t))); await new Promise((r) => setTimeout(r, period)); } await Promise.all(pending); };
  const h = every(20, async () => { const t0 = performance.now(); await fetch(`${base}/healthz`).then((r) => r.text()); return ms(t0); }, health);
  const v = every(50, async () => (await http(B, '{ viewer { id } }'))[0], viewer);
  const results = await work();
  done = true;
  await Promise.all([h, v]);
  return { results, health, viewer };
}

try {
  await http(A, '{ viewer { id } }');
  const idns = Array.from({ length: ITEMS }, (_, i) => ({ name: `ا${i}${'ب'.repeat(12)}.example` }));
  const aliases = Array.from({ length: 49 }, (_, i) => `a${i}: bulkRenew(idempotencyKey: "bp-${i}", domains: $d) { job { id } }`).join(' ');
  const ATTACK = `mutation($d: [BulkRenewItemInput!]!) { ${aliases} z: deleteDomain(name: "bad_name.example", idempotencyKey: "bp-z") { replayed } }`;
  console.log(`1. 49 aliases, ${ITEMS} IDNs (${(JSON.stringify({ query: ATTACK, variables: { d: idns } }).length / 1e6).toFixed(2)} MB)`);
  cpu();
  const [t1, b1] = await http(A, ATTACK, { d: idns });
  console.log(`   answered in ${t1.toFixed(0)} ms: ${answerOf(b1)}; ${cpu()}`);
  if (ATTACKERS > 0) {
    const r2 = await probed(() => Promise.all(Array.from({ length: ATTACKERS }, (_, i) => ws(i % 2 ? A : stack.keys.NewRegistrar, ATTACK, { d: idns }))));
    console.log(`2. ${ATTACKERS} at once over graphql-ws: answered in ${fmt(r2.results.map((r) => r[0]))}; ${answerOf(r2.results[0][1])}`);
    console.log(`   /healthz ${fmt(r2.health)}; B's viewer ${fmt(r2.viewer)}; ${cpu()}`);
  }
  const ascii = (p) => Array.from({ length: ITEMS }, (_, i) => ({ name: `${p}-${i}.example`, currentExpiry: '2030-01-01T00:00:00.000Z' }));
  const bad = ascii('bad');
  bad[ITEMS - 1] = { name: 'bad_name.example', currentExpiry: '2030-01-01T00:00:00.000Z' };
  const ONE = 'mutation($k: String!, $d: [BulkRenewItemInput!]!) { bulkRenew(idempotencyKey: $k, domains: $d) { job { id total } } }';
  cpu();
  const [t3a, b3a] = await http(A, ONE, { k: randomUUID(), d: bad });
  console.log(`3. one bulkRenew of ${ITEMS} items with expiry (${(JSON.stringify({ query: ONE, variables: { d: bad } }).length / 1e6).toFixed(2)} MB), last name bad: ${t3a.toFixed(0)} ms, ${answerOf(b3a)}; ${cpu()}`);
  const r3 = await probed(() => Promise.all(Array.from({ length: 8 }, () => http(A, ONE, { k: randomUUID(), d: bad }))));
  console.log(`   8 at once over HTTP: answered in ${fmt(r3.results.map((r) => r[0]))}; /healthz ${fmt(r3.health)}; B's viewer ${fmt(r3.viewer)}; ${cpu()}`);
  for (let r = 0; r < 2; r++) {
    const d = ascii(`ok${r}`);
    cpu();
    const [t4, b4] = await http(A, ONE, { k: randomUUID(), d });
    console.log(`4. legitimate bulkRenew of ${ITEMS}: ${t4.toFixed(0)} ms, ${answerOf(b4)}${b4.data?.bulkRenew ? `, job total ${b4.data.bulkRenew.job.total}` : ''}; ${cpu()}`);
  }
} finally {
  await stack.stop();
}
