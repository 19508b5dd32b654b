import 'reflect-metadata';
import { pino } from 'pino';
import { createApiKey } from '../../src/auth/api-keys.js';
import { defaultConfig } from '../../src/config.js';
import type { GatewayConfig } from '../../src/config.types.js';
import type { Clock } from '../../src/core/clock.js';
import type { Logger } from '../../src/logger.js';
import { startGateway, type Gateway, type GatewayOptions } from '../../src/server.js';
import { freshDatabase, type TestDatabase } from './db.js';

/**
 * Narrows a test gateway's config to the backends of `kinds` (epp, repp, headless, joker) and the
 * routes that lead to them, so that other sandboxes' seeded domains stay out of what a test counts;
 * `defaultBackend` (a backend name) when the config's default is among those left out.
 */
export function keepBackends(c: GatewayConfig, kinds: string[], defaultBackend?: string): void {
  c.backends = c.backends.filter((b) => kinds.includes(b.kind));
  const kept = new Set(c.backends.map((b) => b.name));
  c.routes = c.routes.filter((r) => kept.has(r.backend));
  if (defaultBackend) c.defaultBackend = defaultBackend;
}

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }>;
}

export interface TestGateway {
  gateway: Gateway;
  /** API key per sandbox registrar id ("NewRegistrar", "TheRegistrar"). */
  keys: Record<string, string>;
  gql<T = any>(key: string | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** Upstream commands sent so far (every one is in the command log); start with polling off to count only yours. */
  upstreamCommands(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The idempotency fingerprint key of the test gateways (startTestGateway, and configFor in
 * test/helpers/processes.ts). Without one a gateway on the embedded database keeps its own
 * key in `<dataDir>/idempotency.key`, and defaultConfig's dataDir is ./data: every test process
 * would create and share a file in the repository. A test that is about the key sets its own.
 */
export const TEST_KEY_SECRET = 'registry-gateway-test-fingerprint-key-0123456789abcdef';

/** `config` with TEST_KEY_SECRET as its fingerprint key, unless it names a key (secret or file) of its own. */
export function withTestKey(config: GatewayConfig): GatewayConfig {
  const idem = config.idempotency ?? {};
  if (idem.keySecret === undefined && idem.keyFile === undefined) config.idempotency = { ...idem, keySecret: TEST_KEY_SECRET };
  return config;
}

/** A startTestGateway `configure` with no poller and no bulk runner: every command in the log, and every bulk job's state, comes from the requests under test. */
export function noBackgroundWork(c: GatewayConfig): void {
  c.poll.enabled = false;
  c.bulk = { ...c.bulk, enabled: false };
}

/**
 * A whole gateway as a user runs it (zero-setup config: in-process EPP sandboxes over TLS),
 * on an ephemeral port and a fresh database, with an API key for each sandbox registrar.
 */
export async function startTestGateway(
  opts: {
    clock?: Clock;
    configure?: (c: GatewayConfig) => void;
    database?: { prisma: Gateway['services']['prisma']; close(): Promise<void>; listen?: TestDatabase['listen'] };
    /** Where the gateway logs (default: silent, or TEST_LOG_LEVEL). */
    logger?: Logger;
    /** Where spans go when config.tracing is on (instead of the OTLP exporter). */
    traceExporter?: GatewayOptions['traceExporter'];
    /** Where sandboxes that can keep their state do (GatewayOptions.sandboxStateDir); default: none, every sandbox from its seed. */
    sandboxStateDir?: string;
  } = {},
): Promise<TestGateway> {
  const db = opts.database ?? (await freshDatabase());
  const config = defaultConfig();
  config.port = 0;
  config.host = '127.0.0.1';
  opts.configure?.(config);
  withTestKey(config);
  const gateway = await startGateway(config, { database: db, clock: opts.clock, logger: opts.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), traceExporter: opts.traceExporter, sandboxStateDir: opts.sandboxStateDir });
  const keys: Record<string, string> = {};
  for (const r of config.registrars) keys[r.id] = (await createApiKey(gateway.services.prisma, r.id, 'test')).key;
  return {
    gateway,
    keys,
    async gql(key, query, variables) {
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, ...((await res.json()) as object) };
    },
    async upstreamCommands() {
      await gateway.commandLog.flush();
      return gateway.services.prisma.commandLog.count();
    },
    close: () => gateway.close(),
  };
}
