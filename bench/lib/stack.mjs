/**
 * What the benchmarks share: the EPP sandboxes (`dist/src/sandbox/main.js`) and the built gateway
 * (GATEWAY_MAIN: what `npm start` runs) as two child processes, on an embedded database in a
 * temporary directory or on PostgreSQL (--database-url), with one API key per sandbox registrar.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstLine } from './child.mjs';

/** The gateway as `npm start` runs it: the bundle that `npm run build` writes (scripts/bundle.mjs). */
export const GATEWAY_MAIN = 'dist/bundle/main.js';
/**
 * The node flags `npm start` runs the gateway with (package.json `config.nodeFlags`, which the
 * start script passes as `$npm_package_config_nodeFlags`; see the README, "Production start"), or
 * those of GATEWAY_NODE_FLAGS when set (to compare flags; empty: none).
 */
export const GATEWAY_NODE_FLAGS = (process.env.GATEWAY_NODE_FLAGS ?? JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).config.nodeFlags).split(' ').filter(Boolean);

/**
 * The machine's CPU time so far (ms, all cores) in two parts from /proc/stat's `cpu` line: `steal`
 * (time the hypervisor ran something else while this virtual machine had work: figures of a
 * window with much of it are the neighbours', not the code's) and `busy` (user, nice, system, irq,
 * softirq). Zeros where /proc/stat cannot be read.
 */
export function machineCpuMs() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const tick = 10; // ms per clock tick (USER_HZ 100 on Linux)
    return { busy: (f[0] + f[1] + f[2] + f[5] + f[6]) * tick, steal: (f[7] ?? 0) * tick };
  } catch {
    return { busy: 0, steal: 0 };
  }
}

/** Calls `fn` with each line of `stream` (a gateway's stdout) that parses as a JSON log entry (pino's lines); other lines are skipped. */
export function onLogEntries(stream, fn) {
  let buf = '';
  stream.on('data', (d) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        continue; // not a log line
      }
      fn(entry);
    }
  });
}

/** User + system CPU seconds a process has used so far (Linux /proc/<pid>/stat; 0 when it is gone or unreadable). */
export function procCpuSeconds(pid, tid) {
  try {
    const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 per second on Linux)
  } catch {
    return 0;
  }
}

/** A numeric command-line option `--name N`, or `dflt`; exits 2 naming the option when N is no number (`--domains abc` ran with NaN). */
export const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i <= 0) return dflt;
  const raw = process.argv[i + 1];
  const value = /^-?\d+(\.\d+)?$/.test(raw ?? '') ? Number(raw) : NaN;
  if (Number.isNaN(value)) {
    console.error(`--${name} takes a number (got ${JSON.stringify(String(raw).slice(0, 32))})`);
    process.exit(2);
  }
  return value;
};

/** The text after `--name` on the command line (a path, a URL), else `dflt`. */
export const argText = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};

/**
 * A TCP port free on 127.0.0.1 now (the system picks it), for the gateway to listen on: a random
 * pick from a fixed range can land on a port another service holds (4369 is epmd's), and the
 * start then waits on /healthz of that service for ever.
 */
export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** `--database-url URL`, or undefined for the embedded database. */
export const databaseUrlArg = () => {
  const i = process.argv.indexOf('--database-url');
  return i > 0 ? process.argv[i + 1] : undefined;
};

/**
 * Starts sandboxes and gateway. `configure(upstream)` gets the sandboxes' `{ backends, routes }`
 * (it may change them, e.g. point them at a proxy) and returns the rest of the gateway config;
 * `env` is added to the gateway's environment. BENCH_PROFILE=<dir> writes the gateway's CPU profile.
 * `stalls`: the gateway runs with bench/lib/gateway-stalls.mjs preloaded, and the stack's
 * `gatewayStalls()` measures its collections and event loop delay.
 * `worker` (PostgreSQL only): the API instance runs no bulk items (BULK_ENABLED=false) and a
 * second process on the same config, a worker (API_ENABLED=false, README "Scaling out"), runs them; `gateway`,
 * restart(), the CPU, memory and stall figures are then the worker's (the process that runs the
 * jobs), and `api` is the API instance (never restarted).
 */
export async function startStack({ databaseUrl, port, configure = () => ({}), env = {}, stalls = false, worker = false }) {
  if (worker && !databaseUrl) throw new Error('startStack: a worker beside the API instance needs PostgreSQL (databaseUrl)');
  const dataDir = mkdtempSync(join(tmpdir(), 'rgw-bench-'));
  const children = [];
  const base = { ...(databaseUrl ? { DATABASE_URL: databaseUrl, IDEMPOTENCY_KEY_SECRET: randomBytes(32).toString('hex') } : {}), DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  const run = (args, extra = {}) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...base, ...extra }, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    return child;
  };
  // A step of the start that fails (a key command refused, a gateway that exits) ends the run
  // without leaving the registry or a gateway behind: every child started so far is killed.
  try {
    return await startWith(run, children, dataDir, { databaseUrl, port, configure, env, stalls, worker });
  } catch (err) {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    throw err;
  }
}

/** The rest of startStack, once its data directory and child runner exist. */
async function startWith(run, children, dataDir, { port, configure, env, stalls, worker }) {
  // The registry runs in a process of its own, as real registries are elsewhere: the gateway's
  // memory is the gateway's alone.
  const upstream = JSON.parse(await firstLine(run(['dist/src/sandbox/main.js'])));
  const registrars = [{ id: 'NewRegistrar', name: 'New Registrar' }, { id: 'TheRegistrar', name: 'The Registrar' }];
  const rest = await configure(upstream);
  const configPath = join(dataDir, 'gateway.config.json');
  writeFileSync(configPath, JSON.stringify({ registrars, ...upstream, defaultBackend: 'sandbox-epp', ...rest }));
  const workerPort = worker ? await freePort() : undefined;

  // API keys first: an embedded database admits one process at a time.
  const keys = {};
  for (const r of registrars) keys[r.id] = (await firstLine(run(['dist/src/auth/create-api-key.cli.js', '--registrar', r.id, '--label', 'bench']))).trim();
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROFILE] : [];
  const stallsFile = join(dataDir, 'gateway-stalls.json');
  const probe = stalls ? ['--import', fileURLToPath(new URL('./gateway-stalls.mjs', import.meta.url))] : [];
  if (stalls) env = { ...env, RGW_BENCH_STALLS_FILE: stallsFile };
  /** The process that runs the bulk items: the gateway, or with `worker` the worker. */
  let gateway;
  let api;
  let retiredCpu = 0;
  /**
   * Starts a gateway process on `processPort` with `configFile` and the data (`extra` added to its
   * environment; `flags` before the bundle): the child at once, and `started`, which resolves once
   * /healthz answers, with how long that took (ms), and rejects when the process exits first (a bundle that cannot start: its
   * stderr is the bench's), instead of waiting for ever.
   */
  const startProcess = (processPort, configFile, flags, extra) => {
    const t0 = performance.now();
    const child = run([...flags, GATEWAY_MAIN], { PORT: String(processPort), HOST: '127.0.0.1', GATEWAY_CONFIG: configFile, ...env, ...extra });
    let exited;
    child.once('exit', (code, signal) => (exited = signal ?? code));
    const started = (async () => {
      for (let up = false; !up; ) {
        if (exited !== undefined) throw new Error(`the gateway exited (${exited}) before /healthz answered`);
        up = await fetch(`http://127.0.0.1:${processPort}/healthz`).then((r) => r.ok, () => false);
        if (!up) await new Promise((r) => setTimeout(r, 20));
      }
      return performance.now() - t0;
    })();
    return { child, started };
  };
  /** Starts the process that runs the items (the gateway, or the worker) on the same config and data; resolves with how long /healthz took (ms). */
  const startGateway = (extra = {}) => {
    const { child, started } = startProcess(worker ? workerPort : port, configPath, [...profile, ...GATEWAY_NODE_FLAGS, ...probe], worker ? { API_ENABLED: 'false', ...extra } : extra);
    gateway = child;
    return started;
  };
  if (worker) {
    // The API instance runs no items (README "Scaling out", Workers).
    const { child, started } = startProcess(port, configPath, GATEWAY_NODE_FLAGS, { BULK_ENABLED: 'false' });
    child.stdout.resume(); // its log (warnings) is not read: drained, so that it never blocks on a full pipe
    api = child;
    await started;
  }
  await startGateway();
  const url = `http://127.0.0.1:${port}/graphql`;
  /** What the gateway's preload last wrote (bench/lib/gateway-stalls.mjs), or undefined. */
  const readStalls = () => {
    try {
      return JSON.parse(readFileSync(stallsFile, 'utf8'));
    } catch {
      return undefined;
    }
  };
  return {
    keys,
    url,
    /** The gateway's child process (a new one after restart()); with `worker`, the worker's. */
    get gateway() {
      return gateway;
    },
    /** With `worker`: the API instance's child process (else undefined). */
    get api() {
      return api;
    },
    /**
     * Kills the gateway with `signal` (SIGKILL: no clean shutdown) and starts it again on the same
     * config and data (`extra` added to the new process's environment, e.g. LOG_LEVEL; its stdout
     * is `gateway.stdout`, to be read when it logs more than warnings); resolves with the time from
     * the kill until /healthz answered again (ms). `onSpawn(gateway)`: called once the new process
     * is spawned, before /healthz answers. `phases`: when the old process had exited, relative to the kill (ms).
     */
    async restart(signal = 'SIGKILL', extra = {}, onSpawn = () => undefined, phases = {}) {
      const t0 = performance.now();
      const old = gateway;
      retiredCpu += procCpuSeconds(old.pid); // read just before the kill: the process's /proc entry goes with it
      const exited = new Promise((r) => old.once('exit', r));
      old.kill(signal);
      await exited;
      phases.exitedMs = performance.now() - t0;
      const up = startGateway(extra);
      onSpawn(gateway);
      await up;
      return performance.now() - t0;
    },
    /** User + system CPU seconds the gateway has used so far (from /proc), the processes restart() replaced included. */
    cpuSeconds() {
      return retiredCpu + procCpuSeconds(gateway.pid);
    },
    /** With `worker`: user + system CPU seconds the API instance has used so far (else 0). */
    apiCpuSeconds() {
      return api ? procCpuSeconds(api.pid) : 0;
    },
    /** User + system CPU seconds of the gateway's main thread (the one running JavaScript's event loop) so far; the current process only. */
    mainThreadCpuSeconds() {
      return procCpuSeconds(gateway.pid, gateway.pid);
    },
    /**
     * The gateway's own stalls from now (started with `stalls`): resolves, once the gateway has
     * started counting afresh, with a function to call when the span ends, which resolves with {
     * scavenges, scavengeMs, longestScavengeMs, fullGcs, fullGcMs, longestFullGcMs, loopP50Ms,
     * loopP99Ms, loopMaxMs, ms } (bench/lib/gateway-stalls.mjs).
     */
    async gatewayStalls() {
      if (!stalls) throw new Error('startStack: gatewayStalls() needs { stalls: true }');
      const child = gateway;
      // The file is removed before each signal: what appears next is that signal's write.
      const signal = async () => {
        rmSync(stallsFile, { force: true });
        child.kill('SIGUSR2');
        for (let i = 0; i < 200; i++) {
          const read = readStalls();
          if (read) return read;
          await new Promise((r) => setTimeout(r, 10));
        }
        throw new Error('the gateway did not write its stalls within 2 s of SIGUSR2');
      };
      await signal();
      return signal;
    },
    /** The gateway's resident memory in MiB (VmHWM: its peak); another child's with `child` (e.g. `api`). */
    rssMiB(field = 'VmRSS', child = gateway) {
      const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : NaN;
    },
    /** Resets the gateway's peak RSS (VmHWM) to its RSS now (Linux clear_refs 5), so that rssMiB('VmHWM') covers what follows; false when not allowed. */
    resetPeakRss() {
      try {
        writeFileSync(`/proc/${gateway.pid}/clear_refs`, '5');
        return true;
      } catch {
        return false;
      }
    },
    /** One GraphQL request over HTTP; throws on errors. */
    async gql(key, query, variables) {
      return this.post(key, JSON.stringify({ query, variables }));
    },
    /** Posts a request body already serialised (`{ query, variables }` as JSON), so that a timed request does not count the client's own JSON.stringify; answers its data as gql does. */
    async post(key, json) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: json });
      const body = await res.json();
      if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors.slice(0, 3))}`);
      return body.data;
    },
    /** Stops gateway and sandboxes and removes the temporary directory. */
    async stop() {
      for (const c of children.filter((c) => c.exitCode === null && c.signalCode === null)) {
        c.kill('SIGTERM');
        await new Promise((r) => c.on('exit', r));
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts the built gateway `gateway` (a dist/bundle/main.js), with GATEWAY_NODE_FLAGS, on its zero-setup defaults: 127.0.0.1
 * `port`, an embedded database in a fresh temporary DATA_DIR (`prefix`...), in-process sandboxes,
 * LOG_LEVEL warn. Resolves once it has printed NewRegistrar's sandbox API key: { child, key,
 * dataDir } (the caller stops the child and removes dataDir); rejects if it exits first.
 */
export async function startZeroSetup(gateway, port, prefix) {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  // With the node flags `npm start` gives it (package.json config.nodeFlags), as the other benchmarks start it.
  const child = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, gateway], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const key = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /NewRegistrar\s+(rgw_\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
  });
  return { child, key, dataDir };
}
