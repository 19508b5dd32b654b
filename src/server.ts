import 'reflect-metadata';
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { buildGatewaySchema } from '../schema/build.js';
import { authenticate } from './http/authenticate.js';
import { createBackend } from './backends/factory.js';
import { CommandLog, type CommandEvent } from './commandlog/command-log.js';
import type { GatewayConfig } from './config.types.js';
import { createContext, type GatewayContext, type Services } from './context.js';
import { systemClock, type Clock } from './core/clock.js';
import { openDatabase } from './db/client.js';
import type { MigrateResult } from './db/migrate.js';
import { depthLimit } from './http/depth-limit.js';
import { DocumentCache } from './http/documents.js';
import { sharedSubscribe } from './http/shared-subscribe.js';
import { graphiqlPage } from './http/graphiql.js';
import { readiness } from './http/health.js';
import { makeFormatError, type FormatError } from './http/errors.js';
import { idempotencyOptions, startPurgeTimer } from './idempotency/config.js';
import { IdempotencyService } from './idempotency/service.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { PollIngester } from './poll/ingester.js';
import { PollService } from './poll/poll.service.js';
import { createPollEvents } from './pubsub/poll-events.js';
import { Router } from './routing/router.js';
import { startSandboxes, type RunningSandboxes } from './sandbox/start.js';

export interface Gateway {
  url: string;
  wsUrl: string;
  services: Services;
  sandboxes: RunningSandboxes;
  commandLog: CommandLog;
  /** From now on GET /readyz answers 503 ("shutting down") while everything else is still served. */
  beginShutdown(): void;
  close(): Promise<void>;
}

export interface GatewayOptions {
  clock?: Clock;
  logger?: Logger;
  /** An already-open database (tests); otherwise opened from config.databaseUrl / dataDir. */
  database?: { prisma: Services['prisma']; close(): Promise<void> };
}

function unauthenticated(message: string) {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** Starts the whole gateway: database, sandboxes, backends, HTTP (GraphQL + GraphiQL) and WebSocket. */
export async function startGateway(config: GatewayConfig, opts: GatewayOptions = {}): Promise<Gateway> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger(config.logLevel);
  const db: GatewayOptions['database'] & { migration?: MigrateResult } = opts.database ?? (await openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/pglite` }));
  if (db.migration) {
    const { applied, engine, durationMs } = db.migration;
    logger.info({ applied, schemaEngine: engine, durationMs }, applied.length > 0 ? 'database migrated' : 'database schema up to date');
  }
  const sandboxes = await startSandboxes(config, clock);
  const commandLog = new CommandLog(db.prisma, logger, clock);
  const events = createPollEvents(config.redisUrl, logger);
  let ingester: PollIngester | undefined;
  const metrics = new Metrics({ subscriptions: () => events.listeners(), pollLeasesHeld: () => ingester?.leasesHeld() ?? 0 });
  const onCommand = (e: CommandEvent) => {
    commandLog.record(e);
    metrics.command(e);
  };
  const backends = config.backends.map((b) => createBackend(b, { clock, logger, onCommand, onCommandStart: commandLog.start }));
  const router = new Router(backends, config.routes, config.defaultBackend);
  const polls = new PollService(db.prisma, events, clock, logger, metrics);
  ingester = new PollIngester(db.prisma, router, polls, config.registrars.map((r) => r.id), logger, config.poll);
  const services: Services = {
    config,
    prisma: db.prisma,
    router,
    clock,
    logger,
    idempotency: new IdempotencyService(db.prisma, clock, idempotencyOptions(config), { router, commandLog, registrars: config.registrars, logger }),
    events,
    ingester,
  };
  for (const r of config.registrars) {
    await db.prisma.registrar.upsert({ where: { id: r.id }, update: { name: r.name }, create: r });
  }

  const schema = await buildGatewaySchema();
  const app = express();
  const httpServer = createServer(app);
  // The same 2 MB bound as an HTTP request body (ws would otherwise buffer up to 100 MiB per message).
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 2 * 1024 * 1024 });
  const formatError = makeFormatError(logger);
  const wsCleanup = useWebSocket(schema, wsServer, services, formatError);
  const apollo = new ApolloServer<GatewayContext>({
    schema,
    formatError,
    // Apollo's default depends on NODE_ENV; stack traces are for the log, never for clients.
    includeStacktraceInErrorResponses: false,
    introspection: true,
    validationRules: [depthLimit(config.limits.maxDepth)],
    plugins: [
      metrics.apolloPlugin(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // A federation subgraph would otherwise answer routers' ftv1 requests with field traces (and say so on the console).
      ApolloServerPluginInlineTraceDisabled(),
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
    ],
  });
  await apollo.start();

  let shuttingDown = false;
  app.get('/healthz', (_req, res) => void res.json({ ok: true }));
  if (config.metrics?.enabled !== false) {
    const token = config.metrics?.token;
    app.get('/metrics', (req, res, next) => {
      if (token && !bearerMatches(req.headers.authorization, token)) return void res.status(401).type('text').send('send the metrics token: Authorization: Bearer <token>\n');
      metrics.text().then((text) => void res.type(metrics.contentType).send(text), next);
    });
  }
  app.get('/readyz', (_req, res, next) => {
    readiness(services, shuttingDown).then((r) => void res.status(r.ready ? 200 : 503).json(r), next);
  });
  app.get('/', (_req, res, next) => {
    graphiqlPage().then((html) => res.type('html').send(html), next);
  });
  app.use(
    '/graphql',
    express.json({ limit: '2mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const registrar = await authenticate(services.prisma, req.headers.authorization);
        if (!registrar) throw unauthenticated('send a valid API key: Authorization: Bearer <key>');
        return createContext(services, registrar);
      },
    }),
  );

  // Express's own error page is HTML with a stack trace outside production; answer as GraphQL does.
  app.use((err: { type?: string; status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const [status, code, message] =
      err.type === 'entity.parse.failed'
        ? [400, 'BAD_REQUEST', 'the request body is not valid JSON']
        : err.type === 'entity.too.large'
          ? [413, 'PAYLOAD_TOO_LARGE', 'the request body is larger than 2 MB']
          : typeof err.status === 'number' && err.status >= 400 && err.status < 500
            ? [err.status, 'BAD_REQUEST', 'the request could not be read']
            : [500, 'INTERNAL_SERVER_ERROR', 'Internal server error'];
    if (status === 500) logger.error({ err }, 'unexpected HTTP error');
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  });

  await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
  if (config.poll.enabled) ingester.start();
  const purge = startPurgeTimer(services.idempotency, config, logger);
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  logger.info({ port }, 'gateway listening');

  return {
    url: `http://${host}:${port}/graphql`,
    wsUrl: `ws://${host}:${port}/graphql`,
    services,
    sandboxes,
    commandLog,
    beginShutdown() {
      shuttingDown = true;
    },
    async close() {
      await apollo.stop();
      await closeServer(httpServer);
      await purge.stop();
      await ingester.stop();
      await events.close();
      await Promise.all(backends.map((b) => b.close()));
      await sandboxes.stop();
      await commandLog.flush();
      await db.close();
    },
  };
}

/** graphql-ws on the same port and path; the API key comes in connection_init. */
function useWebSocket(schema: GraphQLSchema, wsServer: WebSocketServer, services: Services, formatError: FormatError) {
  const documents = new DocumentCache(schema, [depthLimit(services.config.limits.maxDepth)]);
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e));
  return useServer<Record<string, unknown>, { registrar?: { id: string; name: string } }>(
    {
      schema,
      subscribe: sharedSubscribe((context) => (context as GatewayContext).registrar.id),
      onSubscribe: (ctx, _id, payload) => {
        // Each subscription holds a listener and its queue: a connection gets a bounded number.
        const max = services.config.limits.maxSubscriptions ?? 100;
        if (Object.keys(ctx.subscriptions).length > max) {
          return [new GraphQLError(`at most ${max} subscriptions per connection: complete one first, or open another connection`, { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } })];
        }
        const document = documents.get(payload.query);
        if (Array.isArray(document)) return document as readonly GraphQLError[];
        return { schema, document: document as DocumentNode, operationName: payload.operationName, variableValues: payload.variables };
      },
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const header = (params.Authorization ?? params.authorization ?? ctx.extra.request.headers.authorization) as string | undefined;
        const registrar = await authenticate(services.prisma, header);
        if (!registrar) return false; // graphql-ws closes with 4403 Forbidden
        ctx.extra.registrar = registrar;
        return true;
      },
      context: (ctx) => createContext(services, ctx.extra.registrar!),
      // The same error shapes (stable extensions.code) as over HTTP.
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: format(result.errors) } : undefined),
      onError: (_ctx, _id, _payload, errors) => format(errors),
    },
    wsServer,
  );
}

/** Constant-time comparison of a bearer token. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
