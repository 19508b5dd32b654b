/**
 * Gateways that outlive one another and share a registry: an EPP sandbox run by the test process
 * (so it survives gateway restarts and can serve several gateways), gateways started in-process
 * on a database that stays open across their restarts, and real gateway processes.
 *
 * Gateway processes run the code in the working tree as production does, bundled: every .ts file
 * of src/, schema/ and resolvers/ goes through Oxc (Vite's transformWithOxc, which reads
 * tsconfig.json and so keeps emitDecoratorMetadata; tsx/esbuild drop it and type-graphql then
 * fails) in well under a second, then through `npm run build`'s bundling step (scripts/bundle.mjs),
 * into a folder under node_modules/.cache (so packages resolve as from the repository) shared by
 * the test processes while the sources are unchanged (compiledGateway). `npm run build` (tsc,
 * ~16 s) would do the same, but a stale dist/ would test old code.
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { createApiKey } from '../../src/auth/api-keys.js';
import { defaultConfig } from '../../src/config.js';
import type { EppBackendConfig, GatewayConfig } from '../../src/config.types.js';
import type { Clock } from '../../src/core/clock.js';
import { EppSandbox, SANDBOX_REGISTRARS, type Profile } from '../../src/sandbox/epp/index.js';
import { startGateway, type Gateway } from '../../src/server.js';
import { TEST_KEY_SECRET, withTestKey, type GraphQLResponse } from './gateway.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The node flags `npm start` runs the gateway with (package.json `config.nodeFlags`): gateway processes run with them too. */
const NODE_FLAGS: string[] = (JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { config: { nodeFlags: string } }).config.nodeFlags.split(' ').filter(Boolean);

export interface SharedSandbox {
  sandbox: EppSandbox;
  /** Backend config pointing at the sandbox, with an account per sandbox registrar. */
  backend: EppBackendConfig;
  tlds: string[];
  stop(): Promise<void>;
}

/** An EPP sandbox on loopback that gateways connect to as to any registry (no `sandbox` setting). */
export async function startSharedSandbox(opts: { name: string; profile: Profile; clock?: Clock; backend?: Partial<EppBackendConfig> }): Promise<SharedSandbox> {
  const sandbox = new EppSandbox({ profile: opts.profile, clock: opts.clock, host: '127.0.0.1', port: 0 });
  const { host, port, ca } = await sandbox.start();
  const accounts = Object.fromEntries(SANDBOX_REGISTRARS.map((r) => [r.clientId, { clientId: r.clientId, password: r.password }]));
  const backend: EppBackendConfig = {
    name: opts.name,
    kind: 'epp',
    host,
    port,
    tls: { ca, servername: 'localhost', rejectUnauthorized: true },
    accounts,
    periodUnits: ['y'], // the sandbox takes years only, as Nomulus does
    transferPeriods: 'one-year', // and transfers of one year
    ...opts.backend,
  };
  return { sandbox, backend, tlds: sandbox.tlds, stop: () => sandbox.stop() };
}

/** The zero-setup config with its backends replaced by shared sandboxes. */
export function configFor(sandboxes: SharedSandbox[], patch: Partial<GatewayConfig> = {}): GatewayConfig {
  const base = defaultConfig();
  return withTestKey({
    ...base,
    port: 0,
    host: '127.0.0.1',
    backends: sandboxes.map((s) => structuredClone(s.backend)),
    routes: sandboxes.flatMap((s) => s.tlds.map((suffix) => ({ suffix, backend: s.backend.name }))),
    defaultBackend: sandboxes[0]?.backend.name,
    ...patch,
  });
}

export interface GqlClient {
  url: string;
  gql<T = any>(key: string | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
}

export function client(url: string): GqlClient {
  return {
    url,
    async gql(key, query, variables) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, ...((await res.json()) as object) };
    },
  };
}

export interface InProcessGateway extends GqlClient {
  gateway: Gateway;
  close(): Promise<void>;
}

/**
 * startGateway on an open database that its close() leaves open (for a restart on the same data).
 * `opts.leaseClock`: the wall clock of its idempotency leases (GatewayOptions.leaseClock).
 */
export async function startInProcessGateway(
  config: GatewayConfig,
  prisma: Gateway['services']['prisma'],
  opts: { clock?: Clock; leaseClock?: () => number } = {},
): Promise<InProcessGateway> {
  const gateway = await startGateway(structuredClone(config), {
    database: { prisma, close: async () => {} },
    clock: opts.clock,
    leaseClock: opts.leaseClock,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  return { ...client(gateway.url), gateway, close: () => gateway.close() };
}

/** One API key per configured registrar (the registrars must exist: start a gateway first). */
export async function apiKeys(prisma: Gateway['services']['prisma'], config: GatewayConfig): Promise<Record<string, string>> {
  const keys: Record<string, string> = {};
  for (const r of config.registrars) {
    await prisma.registrar.upsert({ where: { id: r.id }, update: {}, create: r });
    keys[r.id] = (await createApiKey(prisma, r.id, 'test')).key;
  }
  return keys;
}

/** Oxc emits decorators as calls to these (helpers mode "External"); the same semantics as tslib's. */
const HELPERS = `
globalThis.babelHelpers = {
  decorate(decorators, target, key, desc) {
    const c = arguments.length;
    let r = c < 3 ? target : desc === null ? (desc = Object.getOwnPropertyDescriptor(target, key)) : desc;
    if (typeof Reflect === 'object' && typeof Reflect.decorate === 'function') r = Reflect.decorate(decorators, target, key, desc);
    else for (let i = decorators.length - 1; i >= 0; i--) { const d = decorators[i]; if (d) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r; }
    if (c > 3 && r) Object.defineProperty(target, key, r);
    return r;
  },
  decorateMetadata(k, v) {
    if (typeof Reflect === 'object' && typeof Reflect.metadata === 'function') return Reflect.metadata(k, v);
  },
  decorateParam(index, decorator) {
    return (target, key) => decorator(target, key, index);
  },
};
`;

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The bundling step of `npm run build` (scripts/bundle.mjs), applied here to the Oxc output. */
const BUNDLE_SCRIPT = path.join(REPO_ROOT, 'scripts/bundle.mjs');

/** A build not used for this long (its folder's mtime, touched at each use) is removed by the next new build. */
const UNUSED_BUILD_MS = 3_600_000;

let compiled: Promise<string> | undefined;

/**
 * The gateway compiled and bundled: a folder holding the Oxc-compiled tree (src/, schema/,
 * resolvers/: src/main.js and the CLIs), helpers.mjs (to load with `--import` before any of it)
 * and bundle/ (scripts/bundle.mjs's bundleGateway applied to that tree, as `npm run build` applies
 * it to tsc's: bundle/main.js is what `npm start` runs).
 *
 * Shared by every test process, and by later runs, while nothing it is built from changes: the
 * folder, node_modules/.cache/registry-gateway/gateway-<hash>, is named after the sources, this
 * file, the bundling script, tsconfig.json and package-lock.json. The first process that needs it builds it
 * (about 1 s for Oxc, 2 s for the bundle) in a folder of its own and renames it into place; when
 * another process won that race, its copy is used. Builds unused for an hour are removed then.
 */
export function compiledGateway(): Promise<string> {
  compiled ??= (async () => {
    const cache = path.join(REPO_ROOT, 'node_modules/.cache/registry-gateway');
    const files = (await Promise.all(['src', 'schema', 'resolvers'].map((d) => sources(path.join(REPO_ROOT, d))))).flat().sort();
    const texts = await Promise.all(files.map((f) => readFile(f, 'utf8')));
    const hash = createHash('sha256');
    // What the build depends on besides the sources: this file (Oxc's options, the helpers), the
    // bundling script, tsconfig.json (which Oxc reads) and the dependencies.
    for (const f of [fileURLToPath(import.meta.url), BUNDLE_SCRIPT, path.join(REPO_ROOT, 'tsconfig.json'), path.join(REPO_ROOT, 'package-lock.json')]) hash.update(await readFile(f));
    files.forEach((f, i) => hash.update(`\0${path.relative(REPO_ROOT, f)}\0`).update(texts[i]!));
    const dir = path.join(cache, `gateway-${hash.digest('hex').slice(0, 16)}`);
    if (existsSync(dir)) {
      const now = new Date();
      await utimes(dir, now, now);
      return dir;
    }
    await mkdir(cache, { recursive: true });
    const building = await mkdtemp(path.join(cache, 'building-gateway-'));
    try {
      const { transformWithOxc } = await import('vite');
      await Promise.all(
        files.map(async (file, i) => {
          const { code } = await transformWithOxc(texts[i]!, file, { lang: 'ts', helpers: { mode: 'External' } });
          const dest = path.join(building, path.relative(REPO_ROOT, file)).replace(/\.ts$/, '.js');
          await mkdir(path.dirname(dest), { recursive: true });
          await writeFile(dest, code);
        }),
      );
      await writeFile(path.join(building, 'helpers.mjs'), HELPERS);
      const { bundleGateway } = await import('../../scripts/bundle.mjs');
      await bundleGateway({ compiled: building, outDir: path.join(building, 'bundle') });
      // Atomic publish; when a concurrent process won the race, use its copy.
      await rename(building, dir).catch((e: unknown) => {
        if (!existsSync(dir)) throw e;
      });
    } finally {
      await rm(building, { recursive: true, force: true });
    }
    await removeUnusedBuilds(cache, dir);
    return dir;
  })();
  return compiled;
}

/** Removes the builds (and interrupted build folders) in `cache` other than `keep` that have not been used for UNUSED_BUILD_MS. */
async function removeUnusedBuilds(cache: string, keep: string): Promise<void> {
  for (const name of await readdir(cache)) {
    const p = path.join(cache, name);
    if (p === keep || !/^(building-)?gateway-/.test(name)) continue;
    const s = await stat(p).catch(() => null);
    if (s?.isDirectory() && Date.now() - s.mtimeMs > UNUSED_BUILD_MS) await rm(p, { recursive: true, force: true });
  }
}

/** The fingerprint key of the gateway processes: one deployment, so one key, the in-process gateways' too (configFor). */
const FINGERPRINT_KEY = TEST_KEY_SECRET;

/** What a process run to its end left: its exit code (null when a signal ended it) and its output. */
export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a module of the compiled tree (`script`, relative to `compiled`: compiledGateway()) as a
 * process of its own, as an operator's shell runs it (the tree's `helpers.mjs` imported first), in
 * `cwd` with exactly `env`; resolves once it has closed, with its code and output. The child is
 * pushed to `started`, for an afterAll to kill whatever is left when a test fails early.
 */
export function runCompiled(compiled: string, script: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; started: ChildProcess[] }): Promise<ProcessResult> {
  const child = spawn(process.execPath, ['--import', pathToFileURL(path.join(compiled, 'helpers.mjs')).href, path.join(compiled, script), ...args], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  opts.started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

export interface GatewayProcess extends GqlClient {
  pid: number;
  /** Everything the process wrote (JSON log lines). */
  output(): string;
  /** Resolves with the first match of `re` in what the process wrote (now or later); rejects if it exits first. */
  waitForOutput(re: RegExp): Promise<RegExpExecArray>;
  /** SIGTERM (graceful close) and wait for the exit; SIGKILL after a few seconds. Resolves with how the process ended. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: the process dies mid-request, as in a crash. */
  kill(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/**
 * Starts a gateway process (src/main.ts, bundled: what `npm start` runs) with the config written to `configPath`, on
 * `databaseUrl`; resolves once it listens (its log line says on which port).
 */
export async function spawnGateway(opts: { config: GatewayConfig; configPath: string; databaseUrl: string; env?: Record<string, string>; startTimeoutMs?: number }): Promise<GatewayProcess> {
  await writeFile(opts.configPath, JSON.stringify(opts.config, null, 2));
  const dir = await compiledGateway();
  const child = spawn(process.execPath, [...NODE_FLAGS, '--import', pathToFileURL(path.join(dir, 'helpers.mjs')).href, path.join(dir, 'bundle/main.js')], {
    cwd: REPO_ROOT,
    env: { ...process.env, GATEWAY_CONFIG: opts.configPath, DATABASE_URL: opts.databaseUrl, IDEMPOTENCY_KEY_SECRET: FINGERPRINT_KEY, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`gateway process did not start in time:\n${out.slice(-4000)}`)), opts.startTimeoutMs ?? 30_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    const onData = () => {
      for (const line of out.split('\n')) {
        if (!line.includes('gateway listening')) continue;
        try {
          const { port } = JSON.parse(line) as { port: number };
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          resolve(port);
          return;
        } catch {
          // not a JSON log line
        }
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code, signal) => fail(new Error(`gateway process exited (${code ?? signal}) before listening:\n${out.slice(-4000)}`)));
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited(child);
      clearTimeout(killer);
    }
    return { code: child.exitCode, signal: child.signalCode };
  };
  const waitForOutput = (re: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = re.exec(out);
        if (!m) return false;
        child.stdout!.off('data', check);
        child.stderr!.off('data', check);
        child.off('exit', gone);
        resolve(m);
        return true;
      };
      const gone = () => reject(new Error(`gateway process exited before writing ${re}:\n${out.slice(-4000)}`));
      if (check()) return;
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.once('exit', gone);
    });
  return {
    ...client(`http://127.0.0.1:${port}/graphql`),
    pid: child.pid!,
    output: () => out,
    waitForOutput,
    stop,
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}
