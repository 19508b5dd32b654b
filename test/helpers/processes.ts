/**
 * Gateways that outlive one another and share a registry: an EPP sandbox run by the test process
 * (so it survives gateway restarts and can serve several gateways), gateways started in-process
 * on a database that stays open across their restarts, and real gateway processes.
 *
 * Gateway processes run the code in the working tree, compiled for the test run in well under a
 * second: every .ts file of src/, schema/ and resolvers/ goes through Oxc (Vite's transformWithOxc,
 * which reads tsconfig.json and so keeps emitDecoratorMetadata; tsx/esbuild drop it and type-graphql
 * then fails), into a folder under node_modules/.cache (so packages resolve as from the repository).
 * `npm run build` (tsc, ~16 s) would do the same, but a stale dist/ would test old code.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { createApiKey } from '../../src/auth/api-keys.js';
import { defaultConfig } from '../../src/config.js';
import type { EppBackendConfig, GatewayConfig } from '../../src/config.types.js';
import type { Clock } from '../../src/core/clock.js';
import { EppSandbox, SANDBOX_REGISTRARS, type Profile } from '../../src/sandbox/epp/index.js';
import { startGateway, type Gateway } from '../../src/server.js';
import type { GraphQLResponse } from './gateway.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

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
    ...opts.backend,
  };
  return { sandbox, backend, tlds: sandbox.tlds, stop: () => sandbox.stop() };
}

/** The zero-setup config with its backends replaced by shared sandboxes. */
export function configFor(sandboxes: SharedSandbox[], patch: Partial<GatewayConfig> = {}): GatewayConfig {
  const base = defaultConfig();
  return {
    ...base,
    port: 0,
    host: '127.0.0.1',
    backends: sandboxes.map((s) => structuredClone(s.backend)),
    routes: sandboxes.flatMap((s) => s.tlds.map((suffix) => ({ suffix, backend: s.backend.name }))),
    defaultBackend: sandboxes[0]?.backend.name,
    ...patch,
  };
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

/** startGateway on an open database that its close() leaves open (for a restart on the same data). */
export async function startInProcessGateway(
  config: GatewayConfig,
  prisma: Gateway['services']['prisma'],
  opts: { clock?: Clock } = {},
): Promise<InProcessGateway> {
  const gateway = await startGateway(structuredClone(config), {
    database: { prisma, close: async () => {} },
    clock: opts.clock,
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

let compiled: Promise<string> | undefined;

/** Compiles the gateway (once per test process); returns the folder holding src/main.js and helpers.mjs. */
export function compiledGateway(): Promise<string> {
  compiled ??= (async () => {
    const { transformWithOxc } = await import('vite');
    const cache = path.join(REPO_ROOT, 'node_modules/.cache/registry-gateway');
    await mkdir(cache, { recursive: true });
    const out = await mkdtemp(path.join(cache, 'gateway-'));
    const files = (await Promise.all(['src', 'schema', 'resolvers'].map((d) => sources(path.join(REPO_ROOT, d))))).flat();
    await Promise.all(
      files.map(async (file) => {
        const { code } = await transformWithOxc(await readFile(file, 'utf8'), file, { lang: 'ts', helpers: { mode: 'External' } });
        const dest = path.join(out, path.relative(REPO_ROOT, file)).replace(/\.ts$/, '.js');
        await mkdir(path.dirname(dest), { recursive: true });
        await writeFile(dest, code);
      }),
    );
    await writeFile(path.join(out, 'helpers.mjs'), HELPERS);
    return out;
  })();
  return compiled;
}

/** Removes this test process's compiled gateway. */
export async function removeCompiledGateway(): Promise<void> {
  if (!compiled) return;
  const dir = await compiled.catch(() => null);
  compiled = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** The fingerprint key of this test process's gateway processes: one deployment, so one key. */
const FINGERPRINT_KEY = randomBytes(32).toString('hex');

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
 * Starts a gateway process (src/main.ts) with the config written to `configPath`, on
 * `databaseUrl`; resolves once it listens (its log line says on which port).
 */
export async function spawnGateway(opts: { config: GatewayConfig; configPath: string; databaseUrl: string; env?: Record<string, string>; startTimeoutMs?: number }): Promise<GatewayProcess> {
  await writeFile(opts.configPath, JSON.stringify(opts.config, null, 2));
  const dir = await compiledGateway();
  const child = spawn(process.execPath, ['--import', pathToFileURL(path.join(dir, 'helpers.mjs')).href, path.join(dir, 'src/main.js')], {
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
