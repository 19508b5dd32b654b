/**
 * Prometheus metrics (GET /metrics): what an operator watches. Labels are bounded sets (backend,
 * command, operation, outcome code); never a registrar, a domain name or anything secret.
 * One registry per gateway, so several gateways in one process (tests) do not collide.
 *
 * prom-client (with the OpenTelemetry API its process metrics require, about 80 CommonJS modules)
 * is loaded by load(), which src/server.ts calls with the HTTP side, not at start: a restarted
 * instance's bulk runner starts without it. What is observed before (the runner's upstream
 * commands) is kept and counted once it is loaded, so /metrics shows the same counts. The default
 * process metrics start at load: garbage collections before it are not in rgw_nodejs_gc_duration_seconds.
 */
import type { Counter, Histogram, Registry } from 'prom-client';
import type { BulkBacklog } from './bulk/store.js';
import type { CommandEvent } from './commandlog/command-log.js';
import type { EmbeddedMemory } from './db/pglite-thread.js';

/**
 * What an instance serving the GraphQL API has and a worker (config api.enabled false) has not:
 * its open subscriptions and its parsed-document caches, read at each scrape. With it, Metrics
 * also counts GraphQL operations (rgw_graphql_*); without it none of these series is exposed.
 */
export interface ApiMetricsSources {
  /** Open subscriptions on this instance. */
  subscriptions(): number;
  /** Bytes (estimated) the parsed-document caches hold, HTTP's (Apollo's documentStore) and graphql-ws's. */
  documentCacheBytes(): { http: number; ws: number };
}

/** Gauges Metrics reads from the running gateway at each scrape. */
export interface MetricsSources {
  /** The API's own sources; absent on a worker, whose /metrics then has no API series (see ApiMetricsSources). */
  api?: ApiMetricsSources;
  /** Upstream accounts whose poll queue this instance holds the lease of. */
  pollLeasesHeld(): number;
  /**
   * The unfinished bulk items in the shared database (BulkStore.backlog), read once per scrape;
   * null when the read failed (the source logs it): the bulk series are then left out of that
   * scrape rather than shown stale or as zero.
   */
  bulkBacklog?(): Promise<BulkBacklog[] | null>;
  /** Calls waiting for a connection of each backend now, by class (RegistryPort.waiting): one row per backend. */
  upstreamWaiting?(): { backend: string; interactive: number; background: number }[];
  /** The embedded database thread's memory (Database.memory); absent on PostgreSQL, where no series is shown. */
  embeddedMemory?(): Promise<EmbeddedMemory>;
}

/** How long a scrape waits for the embedded database thread's memory reading (it answers after the statements sent before it). */
const EMBEDDED_MEMORY_WAIT_MS = 2_000;

/** Loaded by Metrics.load(). */
let prom: typeof import('prom-client');

class Instruments {
  readonly registry: Registry = new prom.Registry();
  private readonly commands = new prom.Counter({
    name: 'rgw_upstream_commands_total',
    help: 'Upstream registry commands, by backend, command and outcome (the gateway error code, or "ok").',
    labelNames: ['backend', 'command', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly commandSeconds = new prom.Histogram({
    name: 'rgw_upstream_command_duration_seconds',
    help: 'Time from sending an upstream command to its answer (or failure).',
    labelNames: ['backend', 'command'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  /** GraphQL operations, counted on an instance serving the API only (MetricsSources.api). */
  private operations: Counter<'transport' | 'type' | 'outcome'> | null = null;
  private operationSeconds: Histogram<'transport' | 'type'> | null = null;
  private readonly pollStored = new prom.Counter({
    name: 'rgw_poll_messages_stored_total',
    help: 'Upstream poll messages stored (each once, however often it was read).',
    labelNames: ['backend', 'type'] as const,
    registers: [this.registry],
  });
  private readonly pollLag = new prom.Histogram({
    name: 'rgw_poll_ingest_delay_seconds',
    help: 'Time from a message entering the upstream queue to the gateway storing it.',
    labelNames: ['backend'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  constructor(sources: MetricsSources) {
    prom.collectDefaultMetrics({ register: this.registry, prefix: 'rgw_' });
    const api = sources.api;
    if (api) this.apiInstruments(api);
    // The three bulk gauges come from one read per scrape: prom-client collects a registry's metrics
    // at once, so the later gauges find the first one's read under way and wait for it. A read is
    // never reused once it has answered: the next scrape reads again.
    let backlog: Promise<BulkBacklog[] | null> | null = null;
    const readBacklog = (): Promise<BulkBacklog[] | null> =>
      (backlog ??= (sources.bulkBacklog?.() ?? Promise.resolve(null)).finally(() => {
        backlog = null;
      }));
    new prom.Gauge({
      name: 'rgw_bulk_items',
      help: 'Unfinished bulk items of every job in the shared database (the same on every instance: aggregate with max, not sum), by backend and state (PENDING, RUNNING, AWAITING_REGISTRY). RUNNING counts what runners claimed, most of it not sent yet (each claims ahead up to 8 x its concurrency per backend).',
      labelNames: ['backend', 'state'] as const,
      registers: [this.registry],
      async collect() {
        const rows = await readBacklog();
        this.reset();
        for (const r of rows ?? []) this.set({ backend: r.backend, state: r.state }, r.items);
      },
    });
    // A gauge by backend from the backlog's rows: `of` a row's value (null: the row says nothing), `fold` two values of one backend.
    const byBackend = (name: string, help: string, of: (r: BulkBacklog) => number | null, fold: (a: number, b: number) => number) =>
      new prom.Gauge({
        name,
        help,
        labelNames: ['backend'] as const,
        registers: [this.registry],
        async collect() {
          const rows = await readBacklog();
          this.reset();
          const values = new Map<string, number>();
          for (const r of rows ?? []) {
            const v = of(r);
            const had = values.get(r.backend);
            if (v !== null) values.set(r.backend, had === undefined ? v : fold(had, v));
          }
          for (const [backend, v] of values) this.set({ backend }, v);
        },
      });
    byBackend(
      'rgw_bulk_items_claimed',
      'By backend, unfinished bulk items under a live claim in the shared database: being run by some instance now. 0 while items wait and nothing takes them (every runner off or down); no series for a backend without unfinished items.',
      (r) => r.claimed,
      (a, b) => a + b,
    );
    byBackend(
      'rgw_bulk_oldest_runnable_seconds',
      'By backend, how long the bulk item waiting longest to be run has waited since it could have been claimed (PENDING and due, or RUNNING with a lapsed lease), by the database clock; no series when none waits. It grows while a job is worked through (its last items wait since its submission) and while no instance runs that backend\'s items (then rgw_bulk_items_claimed is 0).',
      (r) => r.waitedSeconds,
      Math.max,
    );
    new prom.Gauge({
      name: 'rgw_upstream_waiting',
      help: 'Upstream calls waiting for a connection of the backend now (an EPP account\'s sessions, an HTTP API\'s kept-alive connections), by backend and class: "interactive" (GraphQL requests, the poller) are handed the next free connection before "background" (bulk job items). Interactive calls waiting for long mean the backend needs more sessions (poolSize) for its traffic.',
      labelNames: ['backend', 'class'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const w of sources.upstreamWaiting?.() ?? []) {
          this.set({ backend: w.backend, class: 'interactive' }, w.interactive);
          this.set({ backend: w.backend, class: 'background' }, w.background);
        }
      },
    });
    const embeddedMemory = sources.embeddedMemory;
    if (embeddedMemory) {
      new prom.Gauge({
        name: 'rgw_embedded_database_memory_bytes',
        help: 'The embedded database\'s thread (PGlite), in bytes, by part: "heap", its JavaScript heap in use; "webassembly", PostgreSQL\'s WebAssembly memory (it only grows). Left out of a scrape when the thread does not answer within 2 s. Only with the embedded database.',
        labelNames: ['part'] as const,
        registers: [this.registry],
        async collect() {
          this.reset();
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), EMBEDDED_MEMORY_WAIT_MS)));
          const m = await Promise.race([embeddedMemory().catch(() => null), late]).finally(() => clearTimeout(timer));
          if (!m) return;
          this.set({ part: 'heap' }, m.heapUsed);
          if (m.wasmMemory !== null) this.set({ part: 'webassembly' }, m.wasmMemory);
        },
      });
    }
    new prom.Gauge({
      name: 'rgw_poll_leases_held',
      help: 'Upstream accounts this instance polls (holds the lease of).',
      registers: [this.registry],
      collect() {
        this.set(sources.pollLeasesHeld());
      },
    });
  }

  /** The API's series (MetricsSources.api): its GraphQL operations, open subscriptions and document caches. */
  private apiInstruments(api: ApiMetricsSources): void {
    this.operations = new prom.Counter({
      name: 'rgw_graphql_operations_total',
      help: 'GraphQL operations over HTTP and graphql-ws (transport "http", "ws"), by type and outcome (the first error code, or "ok"); a subscription counts once, when it is set up or refused.',
      labelNames: ['transport', 'type', 'outcome'] as const,
      registers: [this.registry],
    });
    this.operationSeconds = new prom.Histogram({
      name: 'rgw_graphql_operation_duration_seconds',
      help: 'Time to answer a GraphQL operation (a subscription: to set it up), by transport and type.',
      labelNames: ['transport', 'type'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    new prom.Gauge({
      name: 'rgw_subscriptions',
      help: 'Open pollMessages subscriptions on this instance.',
      registers: [this.registry],
      collect() {
        this.set(api.subscriptions());
      },
    });
    new prom.Gauge({
      name: 'rgw_document_cache_bytes',
      help: 'Bytes (estimated: text plus about 320 per token) the parsed documents kept for reuse hold, by transport ("http": Apollo\'s documentStore, "ws": graphql-ws); at most 32 MiB each.',
      labelNames: ['transport'] as const,
      registers: [this.registry],
      collect() {
        const bytes = api.documentCacheBytes();
        this.set({ transport: 'http' }, bytes.http);
        this.set({ transport: 'ws' }, bytes.ws);
      },
    });
  }

  /** An upstream command finished (the adapters' onCommand). */
  command = (e: CommandEvent): void => {
    this.commands.inc({ backend: e.backend, command: e.command, outcome: e.errorCode ?? 'ok' });
    this.commandSeconds.observe({ backend: e.backend, command: e.command }, e.durationMs / 1000);
  };

  /** A poll message was stored for the first time. */
  stored(backend: string, type: string, queuedAt: Date, receivedAt: Date): void {
    this.pollStored.inc({ backend, type });
    this.pollLag.observe({ backend }, Math.max(0, receivedAt.getTime() - queuedAt.getTime()) / 1000);
  }

  /** A GraphQL operation settled (src/observe/operations.ts, for both transports). */
  operation(transport: string, type: string, outcome: string, seconds: number): void {
    this.operations?.inc({ transport, type, outcome });
    this.operationSeconds?.observe({ transport, type }, seconds);
  }
}

/** A held observation, made before prom-client was loaded. */
type Held = (i: Instruments) => void;
/** Observations held at most (a start waiting for its HTTP side holds a few thousand commands). */
const HOLD_MAX = 100_000;

/**
 * The gateway's Prometheus metrics (prom-client, one registry per instance, names `rgw_*`):
 * observations made before load() are held (at most 100,000) and counted once it has loaded.
 */
export class Metrics {
  private instruments: Instruments | null = null;
  private loading: Promise<void> | null = null;
  private held: Held[] = [];

  /** `enabled` false (config metrics.enabled): nothing is observed, prom-client is never loaded. */
  constructor(
    private readonly sources: MetricsSources,
    private readonly enabled = true,
  ) {}

  /** Loads prom-client and counts what was observed so far; the next calls resolve at once. */
  load(): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    this.loading ??= import('prom-client').then((module) => {
      prom = module;
      const instruments = new Instruments(this.sources);
      for (const h of this.held.splice(0)) h(instruments);
      this.instruments = instruments;
    });
    return this.loading;
  }

  private hold(h: Held): void {
    if (this.enabled && this.held.length < HOLD_MAX) this.held.push(h);
  }

  /** An upstream command finished (the adapters' onCommand). */
  command = (e: CommandEvent): void => {
    if (this.instruments) this.instruments.command(e);
    else this.hold((i) => i.command(e));
  };

  /** A poll message was stored for the first time. */
  stored(backend: string, type: string, queuedAt: Date, receivedAt: Date): void {
    if (this.instruments) this.instruments.stored(backend, type, queuedAt, receivedAt);
    else this.hold((i) => i.stored(backend, type, queuedAt, receivedAt));
  }

  /** A GraphQL operation settled (src/observe/operations.ts, for both transports). */
  operation(transport: string, type: string, outcome: string, seconds: number): void {
    if (this.instruments) this.instruments.operation(transport, type, outcome, seconds);
    else this.hold((i) => i.operation(transport, type, outcome, seconds));
  }

  /** The exposition text (loads prom-client first if need be). */
  async text(): Promise<string> {
    await this.load();
    return this.instruments!.registry.metrics();
  }

  /** The exposition's content type (after load()). */
  get contentType(): string {
    return this.instruments?.registry.contentType ?? 'text/plain; version=0.0.4; charset=utf-8';
  }
}
