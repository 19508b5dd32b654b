#!/usr/bin/env node
/**
 * The framework's own speed on the request path, each figure against a baseline started by this
 * script and measured in the same run:
 *
 *   npm run bench:http [-- --seconds 10 --rounds 3 --connections 50 --samples 300 --warmup 100 --latency 20]
 *                      [--database-url postgresql://postgres@127.0.0.1:5432/postgres | --no-postgres] [--no-pglite]
 *
 * 1. Throughput: authenticated `{ viewer { id } }` through the gateway (autocannon, 50
 *    connections) divided by `{ __typename }` on a bare Apollo Server 5 with the same express
 *    integration (@as-integrations/express5, express.json), in a process of its own. Each round
 *    measures the bare server, then the gateway, back to back, so both see the same machine.
 *    Beside req/s, the CPU time each server process spent per request (from /proc) is printed:
 *    on a machine shared with other work it varies far less than req/s does.
 * 2. Added latency: one client reading `domain(name)` through the gateway, against one direct
 *    EPP client (RFC 5734 framing over TLS, its own login) sending the same domain:info to the
 *    same sandbox process; requests alternate, and the figure is p50(gateway) - p50(direct).
 *    Both reach the sandbox through a proxy (bench/lib/delay-proxy.mjs, a process of its own)
 *    that delays every upstream answer by --latency ms (20), as a registry across a network would.
 *    The gateway's client is as lean as the direct one (bench/lib/http-client.mjs: one keep-alive
 *    connection, Content-Length framing, JSON.parse), so that its own work is not counted as the
 *    gateway's; the first --warmup (100) pairs are not counted. For scale, the same client also
 *    sends `{ __typename }` to the bare Apollo Server after each pair: what an HTTP round trip
 *    through Apollo Server costs by itself on the machine, which no gateway built on it goes under;
 *    and, after --latency ms idle, one byte to a TCP echo server in that process and back: what
 *    one more process on the path costs on the machine before any code runs (an idle core's
 *    wake-up), which the gateway's path has and the direct client's has not.
 * 3. On PostgreSQL, the transactions the bench database committed while the gateway was measured
 *    (pg_stat_database, which lags up to a second): per `{ viewer { id } }` (none is needed) and
 *    per `domain(name)` (its command log row), with the background's own (poll rounds, bulk
 *    claims, sweeps) in them.
 *
 * Both run on the embedded database (PGlite, a temporary directory) and on PostgreSQL (a
 * database created for the run from --database-url, and dropped after; --no-postgres skips it).
 * The gateway and the sandbox are the built code (dist/: `npm run bench:http` builds first).
 * It prints figures; it asserts nothing. BENCH_PROFILE=<dir> writes the gateway's CPU profiles.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { firstLine } from './lib/child.mjs';
import { directEppClient } from './lib/epp-client.mjs';
import { httpClient } from './lib/http-client.mjs';
import { freePort, GATEWAY_MAIN, GATEWAY_NODE_FLAGS } from './lib/stack.mjs';

const option = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};

if (process.argv.includes('--bare-server')) {
  await (await import('./lib/bare-apollo.mjs')).serveBare();
} else {
  await main();
}

async function main() {
  const SECONDS = Number(option('seconds', 10));
  const ROUNDS = Number(option('rounds', 3));
  const CONNECTIONS = Number(option('connections', 50));
  const SAMPLES = Number(option('samples', 300));
  const WARMUP = Number(option('warmup', 100));
  const LATENCY = Number(option('latency', 20));
  const ADMIN_URL = process.argv.includes('--no-postgres') ? undefined : option('database-url', 'postgresql://postgres@127.0.0.1:5432/postgres');
  const DOMAIN = 'fakesite.example'; // seeded, sponsored by NewRegistrar

  const children = new Set();
  const tmp = mkdtempSync(join(os.tmpdir(), 'rgw-bench-http-'));
  const cleanup = () => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => (cleanup(), process.exit(130)));

  const run = (args, env = {}) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  };
  const stopped = (child) => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM'))));

  try {
    // The registry, in a process of its own, behind a proxy that delays its answers.
    const upstream = JSON.parse(await firstLine(run(['dist/src/sandbox/main.js'])));
    const proxies = upstream.backends.map((b) => run(['bench/lib/delay-proxy.mjs', b.host, String(b.port), String(LATENCY)]));
    const ports = await Promise.all(proxies.map(async (x) => Number(await firstLine(x))));
    const backends = upstream.backends.map((b, i) => ({ ...b, host: '127.0.0.1', port: ports[i] }));
    const epp = backends.find((b) => b.name === 'sandbox-epp');

    const bare = run(['bench/http.mjs', '--bare-server']);
    const [bareUrl, echoPort] = (await firstLine(bare)).trim().split(' ');

    const databases = process.argv.includes('--no-pglite') ? [] : [{ name: 'PGlite (embedded)', env: () => ({ DATA_DIR: join(tmp, 'data') }) }];
    let pgDatabase;
    if (ADMIN_URL) {
      pgDatabase = `rgw_bench_${process.pid}`;
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${pgDatabase}`);
      await admin.end();
      const url = new URL(ADMIN_URL);
      url.pathname = `/${pgDatabase}`;
      databases.push({ name: 'PostgreSQL', url: url.href, env: () => ({ DATABASE_URL: url.href, IDEMPOTENCY_KEY_SECRET: randomBytes(32).toString('hex') }) });
    }

    const results = [];
    for (const db of databases) {
      const env = db.env();
      const registrars = [{ id: 'NewRegistrar', name: 'New Registrar' }];
      const configPath = join(tmp, 'gateway.config.json');
      writeFileSync(configPath, JSON.stringify({ registrars, backends, routes: upstream.routes, defaultBackend: 'sandbox-epp' }));
      const key = (await firstLine(run(['dist/src/auth/create-api-key.cli.js', '--registrar', 'NewRegistrar', '--label', 'bench'], env))).trim();
      const port = await freePort(); // the system's pick: a random one could land on another service (epmd's 4369)
      const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
      const gateway = run([...profile, ...GATEWAY_NODE_FLAGS, GATEWAY_MAIN], { ...env, PORT: String(port), HOST: '127.0.0.1', GATEWAY_CONFIG: configPath });
      const url = `http://127.0.0.1:${port}/graphql`;
      for (let up = false; !up; ) {
        up = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
        if (!up) await sleep(100);
      }
      const auth = { authorization: `Bearer ${key}` };
      await expectAnswer(url, auth, '{ viewer { id } }', (d) => d.viewer.id === 'NewRegistrar');
      await expectAnswer(bareUrl, {}, '{ __typename }', (d) => d.__typename === 'Query');

      // Transactions committed in the bench database so far (PostgreSQL only).
      const stats = db.url ? new pg.Client({ connectionString: db.url }) : undefined;
      await stats?.connect();
      const transactions = async () =>
        stats ? Number((await stats.query('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()')).rows[0].n) : NaN;
      let viewerTx = 0;
      let viewerRequests = 0;
      const rounds = [];
      await load(bareUrl, {}, '{ __typename }', 2, CONNECTIONS, bare.pid); // warm-up, both sides
      await load(url, auth, '{ viewer { id } }', 2, CONNECTIONS, gateway.pid);
      for (let r = 0; r < ROUNDS; r++) {
        const base = await load(bareUrl, {}, '{ __typename }', SECONDS, CONNECTIONS, bare.pid);
        const tx0 = await transactions();
        const gw = await load(url, auth, '{ viewer { id } }', SECONDS, CONNECTIONS, gateway.pid);
        viewerTx += (await transactions()) - tx0 - 1; // less the one reading the count
        viewerRequests += gw.requests;
        rounds.push({ base, gw, ratio: gw.rps / base.rps, cpuRatio: base.cpuMs / gw.cpuMs });
      }

      const direct = await directEppClient(epp, upstream.backends[0].accounts.NewRegistrar);
      const query = `{ domain(name: "${DOMAIN}") { name sponsor expiresAt } }`;
      await expectAnswer(url, auth, query, (d) => d.domain.name === DOMAIN);
      const client = await httpClient(url, auth);
      const bareClient = await httpClient(bareUrl);
      const echo = await echoClient(Number(echoPort));
      const viaGateway = [];
      const viaDirect = [];
      const viaBare = [];
      const viaEcho = [];
      let cpu0;
      let tx0;
      for (let i = 0; i < SAMPLES + WARMUP; i++) {
        if (i === WARMUP) (cpu0 = cpuSeconds(gateway.pid)), (tx0 = await transactions());
        const t0 = performance.now();
        const answer = await client.post({ query });
        const t1 = performance.now();
        await direct.infoDomain(DOMAIN);
        const t2 = performance.now();
        await bareClient.post({ query: '{ __typename }' });
        const t3 = performance.now();
        await sleep(LATENCY); // the echo after as long idle as the others wait upstream
        const t4 = performance.now();
        await echo.ping();
        const t5 = performance.now();
        if (answer.status !== 200 || answer.body.errors || answer.body.data?.domain?.name !== DOMAIN) throw new Error(`unexpected answer: ${JSON.stringify(answer)}`);
        if (i >= WARMUP) viaGateway.push(t1 - t0), viaDirect.push(t2 - t1), viaBare.push(t3 - t2), viaEcho.push(t5 - t4);
      }
      const cpuMs = ((cpuSeconds(gateway.pid) - cpu0) * 1000) / SAMPLES;
      const domainTx = ((await transactions()) - tx0 - 1) / SAMPLES;
      client.close();
      bareClient.close();
      echo.close();
      direct.close();
      await stats?.end();
      results.push({ db: db.name, rounds, gateway: p(viaGateway, 50), direct: p(viaDirect, 50), gateway90: p(viaGateway, 90), direct90: p(viaDirect, 90), bare: p(viaBare, 50), echo: p(viaEcho, 50), cpuMs, viewerTx: viewerTx / viewerRequests, domainTx });
      await stopped(gateway);
    }
    await stopped(bare);
    await Promise.all(proxies.map(stopped));

    print(results, { SECONDS, CONNECTIONS, LATENCY, SAMPLES, WARMUP, DOMAIN });
    if (pgDatabase) {
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`);
      await admin.end();
    }
  } finally {
    cleanup();
  }
}

/** One byte to the bare server's TCP echo (Nagle off) and back: ping() resolves when it returns. */
async function echoClient(port) {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return {
    ping: () => new Promise((resolve) => (socket.once('data', resolve), socket.write('x'))),
    close: () => socket.destroy(),
  };
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function p(values, pct) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((pct / 100) * s.length))];
}

async function expectAnswer(url, headers, query, ok) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  const body = await res.json();
  if (res.status !== 200 || body.errors || !ok(body.data)) throw new Error(`unexpected answer from ${url}: ${res.status} ${JSON.stringify(body)}`);
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux; NaN elsewhere). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

async function load(url, headers, query, seconds, connections, pid) {
  const cpu0 = cpuSeconds(pid);
  const r = await autocannon({ url, method: 'POST', connections, duration: seconds, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  if (r.non2xx > 0 || r.errors > 0) console.error(`warning: ${url}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
  const cpuMs = ((cpuSeconds(pid) - cpu0) * 1000) / r.requests.total;
  return { rps: r.requests.average, requests: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, cpuMs };
}

function print(results, o) {
  const cpus = os.cpus();
  const fmt = (x, d = 0) => x.toFixed(d);
  const spread = (xs, d) => (Math.min(...xs) === Math.max(...xs) ? fmt(xs[0], d) : `${fmt(Math.min(...xs), d)}-${fmt(Math.max(...xs), d)}`);
  console.log(`\nmachine: ${cpus.length} x ${cpus[0]?.model ?? 'cpu'}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}, load average ${os.loadavg().map((l) => fmt(l, 1)).join(' ')}`);
  console.log(`throughput: ${o.CONNECTIONS} connections, ${o.SECONDS} s per measurement; latency: ${o.SAMPLES} alternating requests after ${o.WARMUP} not counted, ${o.LATENCY} ms added to every upstream answer\n`);
  for (const r of results) {
    console.log(`${r.db}`);
    r.rounds.forEach((x, i) =>
      console.log(
        `  round ${i + 1}: bare Apollo { __typename } ${fmt(x.base.rps)} req/s (p50 ${x.base.p50} ms, ${fmt(x.base.cpuMs, 3)} CPU ms/req) | ` +
          `gateway { viewer { id } } ${fmt(x.gw.rps)} req/s (p50 ${x.gw.p50} ms, ${fmt(x.gw.cpuMs, 3)} CPU ms/req) | ratio ${fmt(x.ratio, 2)}, by CPU per request ${fmt(x.cpuRatio, 2)}`,
      ),
    );
    console.log(`  throughput ratio (goal >= 0.6): ${spread(r.rounds.map((x) => x.ratio), 2)}; CPU per request, bare / gateway: ${spread(r.rounds.map((x) => x.cpuRatio), 2)}`);
    console.log(`  domain(name) p50 via gateway ${fmt(r.gateway, 2)} ms (p90 ${fmt(r.gateway90, 2)}), direct EPP domain:info p50 ${fmt(r.direct, 2)} ms (p90 ${fmt(r.direct90, 2)})`);
    console.log(`  added by the gateway at p50 (goal <= 1 ms): ${fmt(r.gateway - r.direct, 2)} ms; the gateway's CPU time per domain(name): ${fmt(r.cpuMs, 2)} ms`);
    console.log(`  for scale: one { __typename } round trip to the bare Apollo Server, by the same client between them: p50 ${fmt(r.bare, 2)} ms`);
    console.log(`  and one byte to a TCP echo in that process and back, after ${o.LATENCY} ms idle (the machine's floor for one more process on the path): p50 ${fmt(r.echo, 2)} ms`);
    if (!Number.isNaN(r.domainTx)) console.log(`  PostgreSQL transactions per { viewer { id } }: ${fmt(r.viewerTx, 4)}; per domain(name): ${fmt(r.domainTx, 2)} (background included)`);
    console.log('');
  }
}
