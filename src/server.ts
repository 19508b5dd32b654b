import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import type { KeyedContext } from './limits/gate.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { GraphQLSchema } from 'graphql';
import { createBackend } from './backends/factory.js';
import { bulkSettings } from './bulk/config.js';
import { BulkService } from './bulk/service.js';
import { sessionHintPath } from './bulk/session-hint.js';
import type { EarlyBackends } from './backends/early.js';
import { CommandLog, type CommandEvent } from './commandlog/command-log.js';
import type { GatewayConfig } from './config.types.js';
import { checkAccountRegistrars } from './config-accounts.js';
import { createContext, type GatewayContext, type Services } from './context.js';
import { systemClock, type Clock } from './core/clock.js';
import { DatabaseUnavailableError, quoted } from './core/errors.js';
import { openDatabase, type Database } from './db/client.js';
import { databaseTimeouts } from './db/timeouts.js';
import { resolveLimits } from './limits/limits.js';
import { jsonShapeRefusal, type JsonShapeRefusal } from './limits/json-shape.js';
import type { MigrateResult } from './db/migrate.js';
import { KeyRevocationWatch } from './auth/revocation.js';
import { ApiKeyCache } from './auth/key-cache.js';
import { followKeyChanges } from './auth/key-changes.js';
import type { Listen } from './db/listen.js';
// Small, and a worker's /metrics reads its token with it too (src/http/worker-http.ts).
import { authenticate, requestAuthorization, type Caller } from './http/authenticate.js';
import { idempotencyOptions, startPurgeTimer } from './idempotency/config.js';
import { commandLogRetentionMs } from './commandlog/retention.js';
import { deploymentFingerprints } from './idempotency/fingerprint-key.js';
import { rawExecute, rawQuery } from './db/raw.js';
import { checkIdempotencyKey, type KeyCheck } from './idempotency/key-check.js';
import { IdempotencyService } from './idempotency/service.js';
import { checkListenHost, listen, listeningReach, urlHost } from './http/listen.js';
import { metricsExposureWarning } from './http/metrics-exposure.js';
import { bearerMatches, createWorkerServer, httpServerOptions } from './http/worker-http.js';
import { readiness } from './http/health.js';
import { capConnectionsPerAddress } from './http/connection-cap.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { backlogSource } from './observe/bulk-backlog.js';
import { Operations } from './observe/operations.js';
import { startTracing, type Tracing } from './observe/tracing.js';
import { PollIngester } from './poll/ingester.js';
import { PollService, storedEvents } from './poll/poll.service.js';
import { backendRedis, createPollEvents, redisPrefix } from './pubsub/prefix.js';
import { Router } from './routing/router.js';
import { startSandboxes, type RunningSandboxes } from './sandbox/start.js';

/** A running gateway: its GraphQL URLs (HTTP and WebSocket, the host 127.0.0.1 when it listens on 0.0.0.0); close() stops everything it started, the database last. */
export interface Gateway {
  /** The GraphQL URL; on a worker (config api.enabled false) the base URL of its /healthz, /readyz and /metrics. */
  url: string;
  /** Present while tracing is on (config `tracing`). */
  tracing: Tracing | null;
  /** graphql-ws's URL; empty on a worker. */
  wsUrl: string;
  /** Where the HTTP server listens, as the server reports it (net.Server.address()): the bound address (0.0.0.0 / :: for every interface), its family and port. */
  address: AddressInfo;
  services: Services;
  sandboxes: RunningSandboxes;
  commandLog: CommandLog;
  /** From now on GET /readyz answers 503 ("shutting down") while everything else is still served. */
  beginShutdown(): void;
  close(): Promise<void>;
}

/** What startGateway takes besides the config; every field optional, for tests and src/main.ts. */
export interface GatewayOptions {
  clock?: Clock;
  logger?: Logger;
  /**
   * The backends, made before the database was open to log in the sessions a restarted bulk
   * runner needs (src/main.ts, src/backends/early.ts), one per config.backends entry in its
   * order; never with in-process sandboxes. Without it the gateway makes them.
   */
  early?: EarlyBackends;
  /**
   * An already-open database (tests); otherwise opened from config.databaseUrl / dataDir. Without
   * `listen`, API keys are trusted for their TTL (auth.keyCacheTtlMs) and WebSocket connections
   * re-checked every auth.revocationCheckMs, as when the listening connection is down.
   */
  database?: { prisma: Services['prisma']; close(): Promise<void>; listen?: Listen; memory?: Database['memory'] };
  /**
   * The database the gateway opens itself (from config.databaseUrl / dataDir), its opening already
   * under way: src/main.ts starts it before it loads the rest of the gateway. The gateway owns it
   * as if it had opened it (it closes it, and the sandboxes keep their state next to it). Ignored
   * with `database`.
   */
  opening?: Promise<Database>;
  /**
   * The idempotency key's check against the database (checkIdempotencyKey), already done by the
   * caller on the database `opening` gives, before it wrote anything (src/main.ts: before it revokes
   * an earlier start's sandbox keys); startGateway then only logs what it found. Without it,
   * startGateway checks once the database is open, before anything else.
   */
  keyCheck?: Promise<KeyCheck>;
  /**
   * Where in-process sandboxes keep their state. Default: `<dataDir>/sandbox` when the gateway
   * opens its database itself (the sandboxes then outlive a restart as the database does), none
   * (seed at every start) when the caller passes `database`.
   */
  sandboxStateDir?: string;
  /** Where spans go instead of the OTLP exporter, when tracing is on (tests: an in-memory exporter). */
  traceExporter?: SpanExporter;
  /**
   * The wall clock (ms since the epoch) of idempotency leases (IdempotencyOptions.now; default
   * Date.now): tests move it to make an owner's lease look lapsed to another instance, and its
   * last renewal old to the owner, without waiting for real time.
   */
  leaseClock?: () => number;
}

/**
 * The GraphQL and HTTP side (Apollo, express, ws, the type-graphql schema and the limits): about
 * half of the gateway's module loading, which the bulk runner does not need. startGateway loads it
 * once the runner has started, so that a restarted instance's unfinished items are claimed and
 * reconciled while it loads (except what loadHttpAhead loaded while the database opened).
 */
async function loadHttpModules() {
  const [apollo, disabled, drain, integration, expressModule, graphql, ws, schema, apq, graphiql, errors, unavailable, websocket, documentStore, gate, mutationInputs, resolvers, limits, rateLimit, comments, wsPayload] = await Promise.all([
    import('@apollo/server'),
    import('@apollo/server/plugin/disabled'),
    import('@apollo/server/plugin/drainHttpServer'),
    import('@as-integrations/express5'),
    import('express'),
    import('graphql'),
    import('ws'),
    import('../schema/build.js'),
    import('./http/persisted-query.js'),
    import('./http/graphiql.js'),
    import('./http/errors.js'),
    import('./http/unavailable.js'),
    import('./http/websocket.js'),
    import('./http/document-store.js'),
    import('./limits/gate.js'),
    import('./limits/mutation-inputs.js'),
    import('../resolvers/index.js'),
    import('./limits/limits.js'),
    import('./limits/rate-limit.js'),
    import('./limits/comments.js'),
    import('./http/ws-payload.js'),
  ]);
  return {
    ...apollo,
    ...disabled,
    ...drain,
    ...integration,
    express: expressModule.default,
    GraphQLError: graphql.GraphQLError,
    WebSocketServer: ws.WebSocketServer,
    ...schema,
    ...apq,
    ...graphiql,
    ...errors,
    ...unavailable,
    ...websocket,
    ...documentStore,
    ...gate,
    MutationInputs: mutationInputs.MutationInputs,
    mutationInputs: resolvers.mutationInputs,
    mutationChecks: resolvers.mutationChecks,
    ...limits,
    ...rateLimit,
    ...comments,
    ...wsPayload,
  };
}

/**
 * The HTTP side's modules in slices, each a graph evaluated in one go on this thread (30-90 ms
 * each on an idle 2-core machine), in dependency order so that each slice adds what the ones
 * before did not load.
 */
const HTTP_SLICES: Array<() => Promise<unknown>> = [
  () => import('graphql'),
  () => import('express'),
  () => import('ws'),
  () => import('@apollo/server'),
  () => import('@apollo/server/plugin/drainHttpServer'),
  () => import('@as-integrations/express5'),
  () => import('type-graphql'),
  () => import('../resolvers/index.js'),
  () => import('../schema/build.js'),
];

/** What Metrics.load loads (prom-client and the OpenTelemetry API, about 80 CommonJS modules): a slice of its own, when metrics are on. */
const METRICS_SLICE = () => import('prom-client');

/** Resolves after the I/O that is ready now has run (setImmediate runs after the event loop's poll phase). */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Loads the HTTP side ahead while this thread would otherwise wait: slice by slice (prom-client
 * too `withMetrics`), then the schema build, each begun only while `ahead()` is true, with the
 * I/O that is ready run between two. Resolves with the schema when it got that far, else
 * undefined (what it did not load, startGateway loads afterwards); rejects when a module fails to load.
 *
 * startGateway runs it while the embedded database opens, in a thread of its own (about a second
 * after a SIGKILL on a 2-core machine), during which this thread had nothing to do. It stops once
 * the database is open: then the bulk runner starts first, and the rest loads after it in one go,
 * as before. Loading the whole HTTP side in slices alongside a restarted runner (tried on
 * PostgreSQL, bench:bulk item 4, load 6-9, old and new builds interleaved, 3-4 runs each) made
 * its first renewal later (median 2.9 against 2.2 s from the kill) and full speed later (4.2
 * against 3.0 s): the loading costs this thread the same time either way, and in slices it took longer.
 */
async function loadHttpAhead(ahead: () => boolean, withMetrics: boolean): Promise<GraphQLSchema | undefined> {
  for (const slice of withMetrics ? [...HTTP_SLICES, METRICS_SLICE] : HTTP_SLICES) {
    await yieldToIo();
    if (!ahead()) return undefined;
    await slice();
  }
  await yieldToIo();
  if (!ahead()) return undefined;
  const { buildGatewaySchema } = await import('../schema/build.js');
  return buildGatewaySchema();
}

/** Says in the log what checkIdempotencyKey found, when it is news: a key recorded or rotated, a rotation setting left behind. */
function logKeyCheck(k: KeyCheck, logger: Logger): void {
  if (k.outcome === 'recorded') logger.info({ keyId: k.keyId }, 'idempotency key recorded in the database: every instance sharing it must use this key');
  if (k.outcome === 'rotated') {
    logger.warn({ keyId: k.keyId, previousKeyId: k.previousKeyId }, 'idempotency key rotated: retries of keys recorded under the previous key answer IDEMPOTENCY_KEY_REUSED until those records expire; start the other instances with the new key');
  }
  if (k.staleRotateFrom) logger.warn({ keyId: k.keyId }, 'IDEMPOTENCY_KEY_ROTATE_FROM (idempotency.keyRotateFrom) is set but the database already records this key: remove the setting');
}

/** Starts the whole gateway: database, sandboxes, backends, HTTP (GraphQL + GraphiQL) and WebSocket. */
export async function startGateway(config: GatewayConfig, opts: GatewayOptions = {}): Promise<Gateway> {
  const clock = opts.clock ?? systemClock;
  // How long each step of the start took (ms), for the 'gateway listening' log line, each from the
  // end of the one before; and `httpAhead`: from the start of the loading ahead (while the database
  // opened) until it was done or had stopped.
  const startup: Record<string, number> = {};
  let stepAt = performance.now();
  const step = (name: string) => {
    const now = performance.now();
    startup[name] = Math.round(now - stepAt);
    stepAt = now;
  };
  const logger = opts.logger ?? createLogger(config.logLevel);
  // A HOST this machine cannot listen on is refused before the database is opened or anything started
  // (src/main.ts, which opens the database itself and passes `opening`, has checked it before).
  if (!opts.opening) await checkListenHost(config.host, config.port);
  // While the embedded database opens, in a thread of its own (after a SIGKILL it also replays the
  // write-ahead log, which pglite-checkpoint.ts bounds), the HTTP side loads ahead (loadHttpAhead).
  // Not on PostgreSQL: its opening is network round trips of some 40 ms in all, which slices
  // of 30-90 ms would only delay (measured: the runner started 0.2 s later).
  const opening = opts.database ?? opts.opening ?? openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/pglite`, timeouts: databaseTimeouts(config) });
  const embedded = !opts.database && !config.databaseUrl;
  let opened = false;
  const aheadStartedAt = performance.now();
  let aheadMs: number | undefined;
  const loadingAhead = embedded ? loadHttpAhead(() => !opened, config.metrics?.enabled !== false).finally(() => (aheadMs = Math.round(performance.now() - aheadStartedAt))) : Promise.resolve(undefined);
  // Awaited below; a start that fails before that fails with its own error, not this one.
  loadingAhead.catch(() => undefined);
  const db: GatewayOptions['database'] & { migration?: MigrateResult } = await opening;
  opened = true;
  if (db.migration) {
    const { applied, engine, durationMs } = db.migration;
    logger.info({ applied, schemaEngine: engine, durationMs, database: databaseShown(config, opts.database !== undefined) }, applied.length > 0 ? 'database migrated' : 'database schema up to date');
  }
  // Before anything is started or served: an instance whose idempotency key is not the one the
  // database records stops here (ConfigError), closing the database it opened.
  const fingerprints = deploymentFingerprints(config);
  const keyCheck = await (opts.keyCheck ?? checkIdempotencyKey(db.prisma, config)).catch(async (e: unknown) => {
    if (!opts.database) await db.close().catch(() => undefined);
    throw e;
  });
  logKeyCheck(keyCheck, logger);
  step('database');
  // The accounts as configured, before the sandboxes add their own registrars' (checked once the registrars are stored).
  const configuredAccounts = config.backends.map((b) => ({ backend: b.name, registrars: Object.keys(b.accounts ?? {}) }));
  const sandboxes = await startSandboxes(config, clock, opts.sandboxStateDir ?? (opts.database ? undefined : `${config.dataDir}/sandbox`));
  step('sandboxes');
  const commandLog = new CommandLog(db.prisma, logger, clock, commandLogRetentionMs(config));
  const events = createPollEvents(config, storedEvents(db.prisma), logger);
  let ingester: PollIngester | undefined;
  let documentCacheBytes = () => ({ http: 0, ws: 0 }); // set once GraphQL is served
  let routerNow: Router | undefined; // set once the backends are made
  const metrics = new Metrics(
    {
      // A worker serves no API: its /metrics has no GraphQL, subscription or document-cache series.
      api: config.api?.enabled === false ? undefined : { subscriptions: () => events.listeners(), documentCacheBytes: () => documentCacheBytes() },
      pollLeasesHeld: () => ingester?.leasesHeld() ?? 0,
      bulkBacklog: () => bulkBacklog(),
      upstreamWaiting: () => (routerNow?.backends() ?? []).map((b) => ({ backend: b.name, ...b.waiting() })),
      ...(db.memory ? { embeddedMemory: db.memory } : {}),
    },
    config.metrics?.enabled !== false,
  );
  const tracing = await startTracing(config.tracing, logger, opts.traceExporter);
  const operations = new Operations(metrics, tracing);
  const onCommand = (e: CommandEvent) => {
    commandLog.record(e);
    metrics.command(e);
    operations.command(e);
  };
  // With Redis, a backend may count per-account budgets across instances (HeadlessDomains' rate-limit shares).
  const redis = backendRedis(config);
  // Backends src/main.ts made while the database opened (their sessions logging in ahead: src/backends/early.ts) are taken as they are.
  opts.early?.bind({ onCommand, onCommandStart: commandLog.start });
  const backends = opts.early?.backends ?? config.backends.map((b) => createBackend(b, { clock, logger, onCommand, onCommandStart: commandLog.start, redis }));
  const router = new Router(backends, config.routes, config.defaultBackend);
  routerNow = router;
  const polls = new PollService(db.prisma, events, clock, logger, metrics);
  ingester = new PollIngester(db.prisma, router, polls, config.registrars.map((r) => r.id), logger, config.poll);
  const apiKeys = new ApiKeyCache(db.prisma, config.auth?.keyCacheTtlMs);
  const idempotency = new IdempotencyService(db.prisma, clock, { ...idempotencyOptions(config), fingerprints, ...(opts.leaseClock ? { now: opts.leaseClock } : {}) }, { router, commandLog, registrars: config.registrars, logger });
  // On PostgreSQL the runner LISTENs for jobs submitted on other instances (one more connection, src/bulk/runner.ts).
  // The sessions hint (src/bulk/session-hint.ts) is for src/main.ts's next start: kept by a gateway that opened its own database.
  const settings = bulkSettings(config);
  const hintFile = opts.database ? null : sessionHintPath(config, settings.instanceId);
  const bulk = new BulkService({ router, prisma: db.prisma, idempotency, clock, config, listen: embedded ? undefined : db.listen }, fingerprints, settings, logger, hintFile);
  // The shared database's unfinished bulk items, for /metrics (every instance, whether it runs items or not: an API instance
  // beside workers shows a backlog no worker takes), within a time limit of its own so a scrape never waits on the database.
  const bulkBacklog = backlogSource(() => bulk.store.backlog(), logger);
  const services: Services = { config, prisma: db.prisma, router, clock, logger, idempotency, bulk, events, ingester, apiKeys };
  step('services');

  // The bulk runner starts as soon as the database is open, before the HTTP side loads (whatever of
  // it did not load ahead): a restarted instance takes back the items it left unfinished (a crash,
  // a deploy: same bulk.instanceId) and reconciles them while the rest loads. A start that fails
  // further on stops the runner again. (On PostgreSQL the runner's statements, and the
  // registrars' below, go straight through the pool, src/db/raw.ts: Prisma's query compiler, a
  // WebAssembly module, loads at the first Prisma query instead, off the restarted runner's path.)
  await bulk.start();
  step('bulkStart');
  // The configured registrars are stored before any API request (bulk items only exist for
  // registrars already stored): awaited once the HTTP side is loaded, and written while the HTTP
  // side loads (their statements' round trips no longer wait in line
  // before it). An account keyed by a registrar id with the wrong case is refused; one for no
  // registrar at all is a warning.
  const registrarsStored = (async () => {
    for (const r of config.registrars) {
      await rawExecute(db.prisma, 'INSERT INTO registrars (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name', [r.id, r.name]);
    }
    checkAccountRegistrars(configuredAccounts, (await rawQuery<{ id: string }>(db.prisma, 'SELECT id FROM registrars', [])).map((r) => r.id), logger);
  })();
  registrarsStored.catch(() => undefined); // awaited below; a failure to load the HTTP side first is the error to report
  let purge: ReturnType<typeof startPurgeTimer> | undefined;
  /** Set by beginShutdown: GET /readyz answers 503 from then on. */
  let shuttingDown = false;
  /** The running gateway startGateway resolves with. */
  const running = (url: string, wsUrl: string, address: AddressInfo, close: () => Promise<void>): Gateway => ({
    url,
    wsUrl,
    address,
    tracing,
    services,
    sandboxes,
    commandLog,
    beginShutdown() {
      shuttingDown = true;
    },
    close,
  });
  /** Stops what every instance runs, after its HTTP side: the purge, the ingester, the runner, the events, the sessions, the sandboxes, the command log, tracing, the database last. */
  const closeCore = async () => {
    // The upstream work still under way (a cut request's command, a bulk item, a poll round) gets
    // UPSTREAM_STOP_GRACE_MS to be answered; then its connections are closed, its outcome left to
    // reconciliation as after a crash, so a registry that holds a command does not hold the stop
    // for its commandTimeoutMs (an operator's trial: 30 s after SIGTERM, past Kubernetes' grace).
    const abandon = setTimeout(() => {
      const commands = backends.reduce((n, b) => n + (b.abandon?.() ?? 0), 0);
      if (commands > 0) logger.warn({ commands, graceMs: UPSTREAM_STOP_GRACE_MS }, 'closing: upstream commands still under way; their connections are closed (outcome unknown: reconciled as after a crash)');
    }, UPSTREAM_STOP_GRACE_MS);
    try {
      await purge?.stop();
      await ingester.stop();
      await bulk.stop();
      await events.close();
      await Promise.all(backends.map((b) => b.close()));
    } finally {
      clearTimeout(abandon);
    }
    await sandboxes.stop();
    await commandLog.flush();
    await tracing?.shutdown();
    await db.close();
  };
  /** Listens (a failed listen stops everything started so far, `close`, and throws the ListenError), then starts the ingester and the purge, and logs 'gateway listening'. */
  const listenAndRun = async (httpServer: Server, close: () => Promise<void>, api: boolean) => {
    // A port in use or a HOST that is not this machine's: everything started so far is stopped
    // (the bulk runner, the sessions, the database and its lock), and the ListenError, one line
    // naming PORT or HOST, is what src/main.ts prints before it exits 1.
    await listen(httpServer, config.port, config.host).catch(async (err: unknown) => {
      await close().catch((closeErr: unknown) => logger.warn({ err: closeErr }, 'stopping after the failed listen failed'));
      throw err;
    });
    if (config.poll.enabled) ingester.start();
    purge = startPurgeTimer(services.idempotency, config, logger, commandLog, bulk);
    const address = httpServer.address() as AddressInfo;
    step('listen');
    // processMs: since the process started, module loading included.
    logger.info({ port: address.port, address: address.address, reach: listeningReach(address.address), api, startupMs: { ...startup, processMs: Math.round(process.uptime() * 1000) } }, 'gateway listening');
    const metricsOpen = metricsExposureWarning(config);
    if (metricsOpen) logger.warn({ host: config.host || null, port: address.port }, metricsOpen);
    return { address: { ...address }, base: `${urlHost(config.host)}:${address.port}` };
  };
  try {
    if (config.api?.enabled === false) {
      // A bulk and poll worker (README "Scaling out"): no GraphQL API, so none of the HTTP side
      // loads; /healthz, /readyz and /metrics on node:http alone (src/http/worker-http.ts).
      await registrarsStored;
      step('registrars');
      const metricsOn = config.metrics?.enabled !== false;
      if (metricsOn) await metrics.load();
      const { requestTimeoutMs, headersTimeoutMs } = resolveLimits(config);
      const httpServer = createWorkerServer({ ready: () => readiness(services, shuttingDown), metrics: metricsOn ? metrics : undefined, metricsToken: config.metrics?.token, requestTimeoutMs, headersTimeoutMs, logger });
      const close = async () => {
        await closeServer(httpServer);
        await closeCore();
      };
      const { address, base } = await listenAndRun(httpServer, close, false);
      return running(`http://${base}`, '', address, close);
    }
    // Prisma's query compiler (a WebAssembly module) loads before the API answers its first
    // request, beside the HTTP side (its file is read and compiled off this thread meanwhile): the
    // start's own statements no longer load it (they go through the pool, src/db/raw.ts), and the
    // first request after a start would otherwise pay it.
    const prismaLoaded = db.prisma.$connect();
    prismaLoaded.catch(() => undefined); // awaited below; a failure to load the HTTP side first is the error to report
    // What did not load ahead loads now (what did is in the module cache), in one go.
    const schemaAhead = await loadingAhead;
    if (aheadMs !== undefined) startup.httpAhead = aheadMs;
    const {
      ApolloServer,
      ApolloServerPluginCacheControlDisabled,
      ApolloServerPluginDrainHttpServer,
      ApolloServerPluginInlineTraceDisabled,
      ApolloServerPluginLandingPageDisabled,
      BoundedDocumentStore,
      GraphQLError,
      HeaderMap,
      MutationInputs,
      OperationLimits,
      WebSocketServer,
      SizedWebSocket,
      WS_MAX_PAYLOAD_BYTES,
      boundErrorsPlugin,
      persistedQueryPlugin,
      buildGatewaySchema,
      createRateLimiter,
      express,
      expressMiddleware,
      makeFormatError,
      mutationChecks,
      mutationInputs,
      prefersHtml,
      serveGraphiQL,
      serviceUnavailablePlugin,
      tooManyComments,
      unavailableBeforeExecution,
      useWebSocket,
    } = await loadHttpModules();
    await metrics.load();
    step('httpModules');
    const schema = schemaAhead ?? (await buildGatewaySchema());
    step('schema');
    // Before anything that needs stopping is made: a start refused here stops the runner alone, as before.
    await registrarsStored;
    step('registrars');
    await prismaLoaded;
    step('prisma');
    const unauthenticated = (message: string) => new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new HeaderMap([['www-authenticate', WWW_AUTHENTICATE]]) } } });
    // One module per concern, each serving HTTP (Apollo) and graphql-ws alike: the limits, the error
    // format, the API key (authenticate + revocation), the counting and tracing of operations.
    const limitsInForce = resolveLimits(config);
    const limits = new OperationLimits(schema, limitsInForce, createRateLimiter(limitsInForce, config.redisUrl, logger, config.redisUrl ? redisPrefix(config) : undefined));
    const formatError = makeFormatError(logger, limits.limits, schema);
    // Every root field of a mutation document parsed before any of them runs (src/limits/mutation-inputs.ts).
    const inputs = new MutationInputs<GatewayContext>(schema, mutationInputs, mutationChecks);
    const revocations = new KeyRevocationWatch(db.prisma, logger, config.auth?.revocationCheckMs, (keyId) => apiKeys.forget(keyId));
    const unlistenKeys = db.listen ? await followKeyChanges(db.listen, apiKeys, revocations, logger) : async () => undefined;
    const app = express();
    app.disable('x-powered-by');
    // No ETag computed over every answer (a hash of the body on each GraphQL response, which no
    // client revalidates: POST answers are not cached, and no GraphQL answer carries cache hints).
    // GraphiQL sets its own, and still answers 304 (src/http/graphiql.ts).
    app.set('etag', false);
    const inFlight = new InFlightRequests();
    app.use(inFlight.middleware);
    const httpServer = createServer(httpServerOptions(limitsInForce), app);
    capConnectionsPerAddress(httpServer, limitsInForce.httpConnectionsPerAddress, config.trustProxy, logger);
    // The same 2 MB bound as an HTTP request body (ws would otherwise buffer up to 100 MiB per message);
    // a message over it closes with 1009 and a reason naming the bound (src/http/ws-payload.ts).
    const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: WS_MAX_PAYLOAD_BYTES, WebSocket: SizedWebSocket, autoPong: false });
    const wsCleanup = useWebSocket({ schema, wsServer, services, limits, mutationInputs: inputs, formatError, revocations, operations, trustProxy: config.trustProxy });
    // Parsed documents by query hash, bounded by the bytes they hold (Apollo's default counts neither text nor tokens).
    const httpDocuments = new BoundedDocumentStore();
    documentCacheBytes = () => ({ http: httpDocuments.bytes, ws: wsCleanup.documentCacheBytes() });
    const apollo = new ApolloServer<GatewayContext & KeyedContext>({
      schema,
      formatError,
      documentStore: httpDocuments,
      // Apollo's default depends on NODE_ENV; stack traces are for the log, never for clients.
      includeStacktraceInErrorResponses: false,
      // src/main.ts owns SIGTERM/SIGINT: /readyz says "shutting down" for shutdownDelayMs while requests
      // are still served, then close() stops everything in order (bulk runner, sessions, database).
      // Apollo's own handler (its default outside NODE_ENV=test) would stop the server at once and
      // then re-raise the signal, killing the process before close() had run.
      stopOnTerminationSignals: false,
      introspection: true,
      parseOptions: limits.parseOptions,
      validationRules: [...limits.validationRules],
      plugins: [
        // First: a bad persistedQuery extension is the client's error (BAD_REQUEST), before the
        // formatter's masking, and before the operations' plugin counts the answer's code (their
        // willSendResponse hooks run in this order: it counted INTERNAL_SERVER_ERROR).
        persistedQueryPlugin(),
        operations.apolloPlugin(),
        limits.apolloPlugin(),
        inputs.apolloPlugin(formatError),
        boundErrorsPlugin(limits.limits.maxErrors),
        // After the formatter (which codes the database's failures SERVICE_UNAVAILABLE): HTTP 503 with Retry-After.
        serviceUnavailablePlugin(),
        // close() has already given the requests in flight their shutdownDrainMs: what is left is
        // cut at once (the plugin's own default grace, 10 s more, made a stop take 25 s).
        ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 0 }),
        // A federation subgraph would otherwise answer routers' ftv1 requests with field traces (and say so on the console).
        ApolloServerPluginInlineTraceDisabled(),
        // Apollo's landing page loads from Apollo's CDN (with telemetry); browsers get the offline GraphiQL instead.
        ApolloServerPluginLandingPageDisabled(),
        // No @cacheControl hints in the schema, so no cacheable answer; the plugin would still wrap
        // every field's resolver to compute a policy per request.
        ApolloServerPluginCacheControlDisabled(),
        { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
      ],
    });
    await apollo.start();
    step('apollo');

    app.get('/healthz', (_req, res) => void res.json({ ok: true }));
    if (config.metrics?.enabled !== false) {
      const token = config.metrics?.token;
      app.get('/metrics', (req, res, next) => {
        if (token && !bearerMatches(requestAuthorization(req), token)) return void res.status(401).type('text').send('send the metrics token: Authorization: Bearer <token>\n');
        metrics.text().then((text) => void res.type(metrics.contentType).send(text), next);
      });
    }
    app.get('/readyz', (_req, res, next) => {
      readiness(services, shuttingDown).then((r) => void res.status(r.ready ? 200 : 503).json(r), next);
    });
    // GraphiQL at / and, for a browser opening the URL the gateway prints, at /graphql.
    app.get('/', serveGraphiQL);
    app.get('/graphql', (req, res, next) => (prefersHtml(req) ? serveGraphiQL(req, res, next) : next()));
    const traced = operations.httpMiddleware();
    const unauthenticatedBody = JSON.stringify({ errors: [{ message: UNAUTHENTICATED_MESSAGE, extensions: { code: 'UNAUTHENTICATED' } }] });
    app.use(
      '/graphql',
      // The API key before the body: a request without a valid one is answered 401 (the answer
      // Apollo gave it, counted as Apollo's was) before its body is read, and its connection
      // closed, so an unauthenticated client cannot hold a connection and up to 2 MB of buffer
      // while it sends slowly. A key that could not be looked up (the database away) goes on to
      // Apollo's context, which answers it as before (503 SERVICE_UNAVAILABLE).
      (req, res, next) => {
        authenticate(apiKeys, requestAuthorization(req)).then(
          (caller) => {
            if (caller) return void (callers.set(req, caller), next());
            operations.refusedHttp('UNAUTHENTICATED', req.headers);
            res.status(401).set({ 'Content-Type': `${graphqlResponseType(req)}; charset=utf-8`, 'WWW-Authenticate': WWW_AUTHENTICATE, Connection: 'close' }).end(unauthenticatedBody);
          },
          () => next(),
        );
      },
      // Its shape before JSON.parse: depth and values bounded, linearly (src/limits/json-shape.ts).
      // That scan reads UTF-8 bytes, so UTF-8 is the only charset taken (RFC 8259 section 8.1):
      // body-parser would decode UTF-16 and UTF-32 too, after the scan, which read them wrong.
      express.json({
        limit: '2mb',
        verify: (_req, _res, body, encoding) => {
          if (encoding.toLowerCase() !== 'utf-8') throw Object.assign(new Error('unsupported charset'), { status: 415, type: 'charset.unsupported', charset: encoding });
          const refused = jsonShapeRefusal(body, limitsInForce.maxJsonValues, 'the request body');
          if (refused) throw Object.assign(new Error(refused.message), { status: 400, type: 'json.shape', shape: refused });
        },
      }),
      // Comments count against maxTokens, before Apollo's parser builds a token for each (src/limits/comments.ts).
      (req, res, next) => {
        const queries = (Array.isArray(req.body) ? req.body : [req.body]).map((b: unknown) => (b as { query?: unknown } | null)?.query);
        const refused = queries.map((q) => (typeof q === 'string' ? tooManyComments(q, limitsInForce.maxTokens) : null)).find((e) => e);
        if (!refused) return next();
        operations.refusedHttp('QUERY_TOO_COMPLEX', req.headers);
        res.status(400).set('Content-Type', `${graphqlResponseType(req)}; charset=utf-8`).end(JSON.stringify({ errors: [{ message: refused.message, extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'maxTokens', max: limitsInForce.maxTokens } }] }));
      },
      ...(traced ? [traced] : []),
      expressMiddleware(apollo, {
        context: async ({ req }) => {
          // A key not in the instance's cache is looked up in the database: while that does not
          // answer, the request is refused as unavailable (503), not as unauthenticated or a bug.
          const caller =
            callers.get(req) ??
            (await authenticate(apiKeys, requestAuthorization(req)).catch((err: unknown) => {
              throw err instanceof DatabaseUnavailableError ? unavailableBeforeExecution(err) : err;
            }));
          if (!caller) throw unauthenticated(UNAUTHENTICATED_MESSAGE);
          await limits.arrive(caller.keyId);
          return { ...createContext(services, caller.registrar), keyId: caller.keyId };
        },
      }),
    );

    // Any other path: a GraphQL-shaped 404 (code NOT_FOUND), as the worker's (src/http/worker-http.ts), not Express's HTML page.
    app.use((req: express.Request, res: express.Response) => {
      const body = { errors: [{ message: `no such path: ${req.method} ${quoted(req.path)}; the GraphQL API is at /graphql (GraphiQL in a browser at /), health at /healthz and /readyz`, extensions: { code: 'NOT_FOUND' } }] };
      res.status(404);
      if (req.method === 'HEAD') return void res.end();
      res.json(body);
    });

    // Express's own error page is HTML with a stack trace outside production; answer as GraphQL does.
    app.use((err: { type?: string; status?: number; shape?: JsonShapeRefusal; charset?: string }, req: express.Request, res: express.Response, _next: express.NextFunction) => {
      if (err.shape) {
        operations.refusedHttp('BAD_REQUEST', req.headers);
        const limit = err.shape.limit === 'depth' ? 'jsonDepth' : 'maxJsonValues';
        return void res.status(400).json({ errors: [{ message: err.shape.message, extensions: { code: 'BAD_REQUEST', limit, max: err.shape.max } }] });
      }
      const [status, code, message] =
        err.type === 'entity.parse.failed'
          ? [400, 'BAD_REQUEST', 'the request body is not valid JSON']
          : err.type === 'entity.too.large'
            ? [413, 'PAYLOAD_TOO_LARGE', 'the request body is larger than 2 MB']
            : err.type === 'charset.unsupported'
              ? [415, 'BAD_REQUEST', `the request body's charset ${quoted(err.charset ?? '')} is not supported: send UTF-8 (RFC 8259 section 8.1)`]
              : typeof err.status === 'number' && err.status >= 400 && err.status < 500
              ? [err.status, 'BAD_REQUEST', 'the request could not be read']
              : [500, 'INTERNAL_SERVER_ERROR', 'Internal server error'];
      if (status === 500) logger.error({ err }, 'unexpected HTTP error');
      res.status(status).json({ errors: [{ message, extensions: { code } }] });
    });

    const close = async () => {
      revocations.stop();
      await unlistenKeys();
      // No new connection; the requests in flight finish (at most DRAIN_MS) before Apollo stops
      // and the connections left are cut: closing all at once cut requests whose mutation the
      // registry had applied (an operator's trial: 17 of 60 reset, one of them applied).
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      const drainMs = config.shutdownDrainMs ?? DRAIN_MS;
      if (inFlight.size > 0) logger.info({ requests: inFlight.size, maxMs: drainMs }, 'closing: waiting for the HTTP requests in flight to finish');
      await inFlight.drained(drainMs);
      if (inFlight.size > 0) {
        logger.warn({ requests: inFlight.size, maxMs: drainMs }, 'closing: HTTP requests still in flight after shutdownDrainMs; their connections are cut');
        // Cut as the log says, before anything else runs: a request whose body completes after
        // this line is not served (graphql-ws's upgraded sockets are not the server's connections
        // any more; Apollo's stop below closes them with their close frame).
        httpServer.closeAllConnections();
      }
      await apollo.stop();
      httpServer.closeAllConnections();
      await closed;
      await limits.close();
      await closeCore();
    };
    const { address, base } = await listenAndRun(httpServer, close, true);
    revocations.start();
    return running(`http://${base}/graphql`, `ws://${base}/graphql`, address, close);
  } catch (err) {
    await bulk.stop().catch(() => undefined);
    throw err;
  }
}

/** What a request without a valid API key is told (HTTP 401, UNAUTHENTICATED). */
const UNAUTHENTICATED_MESSAGE = 'send a valid API key: Authorization: Bearer <key>';

/**
 * The challenge every 401 carries (RFC 9110 section 11.6.1: a 401 answer sends at least one; RFC
 * 6750 section 3, the Bearer scheme). No `error` attribute: a missing key and an unknown or revoked
 * one are told apart by nobody, as the body's message does not.
 */
const WWW_AUTHENTICATE = 'Bearer realm="registry-gateway"';

/** The caller the middleware before the body found for each request, for Apollo's context (no second lookup). */
const callers = new WeakMap<object, Caller>();

/** The media type Apollo would answer `req` with: application/graphql-response+json when the client prefers it, else application/json. */
function graphqlResponseType(req: express.Request): string {
  return req.accepts(['application/json', 'application/graphql-response+json']) === 'application/graphql-response+json' ? 'application/graphql-response+json' : 'application/json';
}

/**
 * Which database the instance opened, for its start's log line: `embedded <dir>` or `postgresql
 * <host>:<port>/<database>` (never the user or password), so an empty DATABASE_URL (unset: the
 * embedded database) shows at the start. `given`: a database handed in (tests), shown as such.
 */
function databaseShown(config: GatewayConfig, given: boolean): string {
  if (given) return 'given';
  if (!config.databaseUrl) return `embedded ${config.dataDir}/pglite`;
  try {
    const u = new URL(config.databaseUrl);
    return `postgresql ${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'postgresql';
  }
}

/**
 * How long (ms) a stop waits, after the HTTP requests' drain, for the upstream commands still under
 * way before it closes their connections (RegistryPort.abandon): answers normally take
 * milliseconds; a registry that holds one would otherwise hold the stop for its commandTimeoutMs.
 */
export const UPSTREAM_STOP_GRACE_MS = 2_000;

/** How long close() waits, by default (config shutdownDrainMs), for the HTTP requests in flight to finish before it cuts their connections (ms). */
const DRAIN_MS = 15_000;

/** The HTTP requests being served (from arrival to their response's end or their connection's close), for close() to wait for. */
class InFlightRequests {
  private count = 0;
  private idle: Array<() => void> = [];

  /** How many are in flight now. */
  get size(): number {
    return this.count;
  }

  readonly middleware = (_req: express.Request, res: express.Response, next: express.NextFunction): void => {
    this.count++;
    res.once('close', () => {
      if (--this.count === 0) this.idle.splice(0).forEach((wake) => wake());
    });
    next();
  };

  /** Resolves once no request is in flight, or after `maxMs`, whichever comes first. */
  drained(maxMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      this.idle.push(() => (clearTimeout(timer), resolve()));
    });
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
