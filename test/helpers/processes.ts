/**
 * Gateways that outlive one another and share a registry: an EPP sandbox run by the test process
 * (so it survives gateway restarts and can serve several gateways), gateways started in-process
 * on a database that stays open across their restarts, and real gateway processes: the built
 * dist/src/main.js when it is newer than every source file, else src/main.ts through Vite's module
 * runner (Oxc keeps decorator metadata, which type-graphql needs; tsx drops it). Either way the
 * process runs the code in the working tree, never a stale build.
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

// Runs src/main.ts in a fresh Node process through Vite's module runner (Oxc keeps
// emitDecoratorMetadata, which type-graphql needs); node_modules stay native Node modules.
const RUNNER = `
import { createServer, createServerModuleRunner } from 'vite';
const root = process.env.RGW_ROOT;
const server = await createServer({ root, configFile: false, logLevel: 'error', appType: 'custom',
  server: { middlewareMode: true, hmr: false, watch: null, ws: false } });
const runner = createServerModuleRunner(server.environments.ssr, { hmr: false });
await runner.import(root + '/src/main.ts');
`;

/** Newest modification time (ms) of the files under `dir` (recursively). */
function newest(dir: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

/** dist/src/main.js, when it was built after the last change to anything it is built from. */
export function freshDistEntry(): string | null {
  const entry = path.join(REPO_ROOT, 'dist/src/main.js');
  if (!existsSync(entry)) return null;
  const sources = Math.max(...['src', 'schema', 'resolvers'].map((d) => newest(path.join(REPO_ROOT, d))), statSync(path.join(REPO_ROOT, 'prisma/schema.prisma')).mtimeMs);
  return statSync(entry).mtimeMs > sources ? entry : null;
}

export interface GatewayProcess extends GqlClient {
  /** How it was started: the built dist/ or the sources through Vite's module runner. */
  from: 'dist' | 'vite';
  pid: number;
  /** Everything the process wrote (JSON log lines). */
  output(): string;
  /** SIGTERM (graceful close) and wait for the exit; SIGKILL after a few seconds. */
  stop(): Promise<void>;
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
  const dist = freshDistEntry();
  const child = spawn(process.execPath, dist ? [dist] : ['--input-type=module', '-e', RUNNER], {
    cwd: REPO_ROOT,
    env: { ...process.env, RGW_ROOT: REPO_ROOT, GATEWAY_CONFIG: opts.configPath, DATABASE_URL: opts.databaseUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...opts.env },
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
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited(child);
    clearTimeout(killer);
  };
  return {
    ...client(`http://127.0.0.1:${port}/graphql`),
    from: dist ? 'dist' : 'vite',
    pid: child.pid!,
    output: () => out,
    stop,
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}
