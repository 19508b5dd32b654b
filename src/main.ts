/**
 * Entry point: `npm start`. With no config file and no DATABASE_URL this is the zero-setup
 * gateway: embedded database under ./data, in-process registry sandboxes, and a fresh API key
 * printed for each sandbox registrar. `--help` / `-h` prints USAGE and exits 0, starting nothing;
 * any other option or argument is refused (options(): one line, USAGE, exit 2) before anything is read.
 * A configuration error (ConfigError) is printed as its message and file, without a stack trace,
 * and exits 1 (an idempotency key other than the one the database records among them:
 * src/idempotency/key-check.ts), as is a failure to listen (ListenError: the port taken, a HOST not of this
 * machine) and a start the operator must fix outside the config (StartupError: the database at
 * DATABASE_URL unreachable or refusing the login, the data directory held by another process),
 * each as its message alone; anything unexpected is printed with its stack.
 */
import 'reflect-metadata';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { suggestionList } from 'graphql/jsutils/suggestionList.js';
import { parseOptions, UsageError } from './cli/options.js';
import { describeConfigError, loadConfig } from './config.js';
import { ConfigError, StartupError } from './config-error.js';
import type { GatewayConfig } from './config.types.js';
import { openDatabase } from './db/client.js';
import { databaseTimeouts } from './db/timeouts.js';
import { checkListenHost, ListenError, listeningLine } from './http/listen.js';
import { databaseConnectError } from './db/connect-error.js';
import { checkIdempotencyKey } from './idempotency/key-check.js';
import { makePrivate, privateDir } from './db/private-files.js';
import { dataDirInUse } from './db/pglite-lock.js';
import { startIoThread } from './backends/epp/session/io-thread.js';
import { lanesAhead, type SessionLane } from './bulk/session-hint.js';
import type { EarlyBackends } from './backends/early.js';
import type { Logger } from './logger.js';
import type { Gateway as RunningGateway } from './server.js';
import { systemClock } from './core/clock.js';

const USAGE = `usage: npm start                  (or, after npm run build: node dist/bundle/main.js)
The registry gateway: one GraphQL API (HTTP and graphql-ws on /graphql, GraphiQL on /, /healthz,
/readyz, /metrics) in front of the registries of its config file. With no config file and no
DATABASE_URL, the zero-setup start: embedded database under ./data, in-process registry sandboxes,
a fresh API key printed for each sandbox registrar, listening on 127.0.0.1:4000.
Ctrl-C or SIGTERM stops it cleanly (exit 0). A configuration error is printed and exits 1.
options: -h, --help   this text (nothing is started); no other option or argument is taken: the
  settings below come from the environment and the config file (--port is refused: set PORT)
config file: gateway.config.json in the working directory, or the file GATEWAY_CONFIG names
environment (overrides the file): PORT, HOST, DATABASE_URL (PostgreSQL; default: embedded under
  DATA_DIR, ./data), IDEMPOTENCY_KEY_SECRET or IDEMPOTENCY_KEY_FILE (required with DATABASE_URL;
  IDEMPOTENCY_KEY_ROTATE_FROM to replace the key the database records),
  REDIS_URL, REDIS_PREFIX, LOG_LEVEL, METRICS_TOKEN, SHUTDOWN_DELAY_MS, SHUTDOWN_DRAIN_MS, POLL_INTERVAL_MS,
  BULK_CONCURRENCY, BULK_INSTANCE_ID, BULK_MAX_OPEN_JOBS, BULK_MAX_PENDING_ITEMS, TRUST_PROXY,
  API_ENABLED, BULK_ENABLED, POLL_ENABLED (true or false; API_ENABLED=false: a bulk and poll worker
  beside instances that serve the API, README "Scaling out"),
  HTTP_REQUEST_TIMEOUT_MS, HTTP_HEADERS_TIMEOUT_MS, DATABASE_CONNECT_TIMEOUT_MS,
  DATABASE_STATEMENT_TIMEOUT_MS, DATABASE_QUERY_TIMEOUT_MS, DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  GATEWAY_<BACKEND>_<REGISTRAR>_PASSWORD (upstream passwords),
  GATEWAY_<BACKEND>_<REGISTRAR>_TOKEN (HeadlessDomains), OTEL_* (traces)
README: "Start", "Configuration"`;

const SANDBOX_KEY_LABEL = 'sandbox (printed at start)';

async function main() {
  const config = loadConfig();
  // The EPP I/O thread boots now, on its own core, while the database opens and the gateway's
  // modules load: started when the EPP backends are made (src/backends/epp/epp-driver.ts), its
  // boot (50-130 ms) delayed a restarted instance's first sessions (bench:bulk item 4).
  if (config.backends.some((b) => b.kind === 'epp' && b.ioThread !== false)) startIoThread();
  // The database opens before the gateway's modules load, and while they do: the embedded one
  // starts its PostgreSQL in a thread of its own (after a SIGKILL, with the replay of its
  // write-ahead log), which this thread would otherwise wait for once it had loaded them.
  const sandboxed = config.backends.some((b) => b.sandbox);
  // A HOST this machine cannot listen on is refused before the data directory or the database is touched.
  await checkListenHost(config.host, config.port);
  // The keys an earlier start printed are revoked as soon as the database is open, before the
  // gateway listens: revoked after, they were still taken (a subscription included) by the new
  // process until then, as a client reconnecting after a restart found.
  // The idempotency key is compared with the one the database records first of all: a start with
  // another key is refused (ConfigError) before it writes anything (src/idempotency/key-check.ts).
  // The Redis database REDIS_URL names is asked for while the database opens: a server without it is a config error (ConfigError).
  const redisChecked = config.redisUrl ? import('./pubsub/redis-database.js').then(({ checkRedisDatabase }) => checkRedisDatabase(config.redisUrl!)) : undefined;
  redisChecked?.catch(() => undefined); // awaited below, once the database is open
  const checked = openGatewayDatabase(config).then(async (db) => {
    await redisChecked?.catch(async (e: unknown) => {
      await db.close().catch(() => undefined);
      throw e;
    });
    const keyCheck = await checkIdempotencyKey(db.prisma, config).catch(async (e: unknown) => {
      await db.close().catch(() => undefined);
      // Its first write: a read-only database (a replica) or a role without rights is refused here, in one line.
      throw (config.databaseUrl && databaseConnectError(e, config.databaseUrl, databaseSetting())) || e;
    });
    return { db, keyCheck };
  });
  const keyCheck = checked.then((c) => c.keyCheck);
  keyCheck.catch(() => undefined); // startGateway reports the failure, through `opening`
  const opening = checked.then(async ({ db }) => {
    // (A worker, api.enabled false, never runs sandboxes: loadConfig refuses it.)
    if (sandboxed) {
      const { revokeApiKeysByLabel } = await import('./auth/api-keys.js');
      for (const r of config.registrars) await revokeApiKeysByLabel(db.prisma, r.id, SANDBOX_KEY_LABEL);
    }
    return db;
  });
  // Awaited by startGateway; a failure to load the modules first is the error to report.
  opening.catch(() => undefined);
  // A bulk runner restarted with its identity logs in the sessions it was running items on
  // (src/bulk/session-hint.ts) while the database opens, instead of once its runner has read
  // which items it holds: the backends are made now (src/backends/early.ts) and handed over.
  // Not while another process holds the embedded database: this start is about to stop.
  const inUse = !config.databaseUrl && dataDirInUse(path.resolve(config.dataDir, 'pglite'));
  const lanes = inUse ? [] : lanesAhead(config, config.bulk?.instanceId ?? 'embedded');
  const ahead = lanes.length > 0 ? sessionsAhead(config, lanes) : undefined;
  // The first SIGINT or SIGTERM stops the gateway; any signal after it, while it closes, is
  // ignored (SIGKILL stops it at once). Ctrl-C under `npm start` delivers SIGINT twice: the
  // terminal sends it to the whole process group, and npm passes its own on. With a one-time
  // handler the second one killed the gateway half way through close(): no 'gateway closed',
  // exit 130, and the embedded database's lock left behind.
  // Handled from before the start: a signal that came after 'gateway listening' was logged and
  // before the handlers were added took the default action (killed at once, no close(), the
  // embedded database's lock left), the way `npm run sandbox` lost its lock to a SIGTERM sent as
  // its line was read. A signal while the gateway starts stops it once it has started (its start
  // is not cut half way); a second one meanwhile exits at once (exit 1; the locks are released).
  let gateway: RunningGateway | undefined;
  /** The signal that stops the gateway: the first one. */
  let stopSignal: NodeJS.Signals | undefined;
  const stop = async (running: RunningGateway, signal: string) => {
    const delayMs = config.shutdownDelayMs ?? 0;
    running.services.logger.info({ signal, delayMs }, 'shutting down');
    running.beginShutdown();
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    await running.close();
    running.services.logger.info({ signal }, 'gateway closed');
    process.exit(0);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopSignal && gateway) return void gateway.services.logger.info({ signal }, 'already shutting down');
    if (stopSignal) {
      process.stderr.write(`${signal} again while starting: exiting now\n`);
      process.exit(1);
    }
    stopSignal = signal;
    if (gateway) void stop(gateway, signal);
    else process.stderr.write(`${signal} while starting: the gateway stops once started (${signal} again exits now)\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const [{ startGateway }, { createApiKey }, early] = await Promise.all([import('./server.js'), import('./auth/api-keys.js'), ahead]);
  gateway = await startGateway(config, { opening, keyCheck, ...early });
  // A signal while it started: stopped now, no keys printed.
  if (stopSignal) return void stop(gateway, stopSignal);
  const { prisma } = gateway.services;
  // A worker (api.enabled false) serves no API: no keys to print.
  if (config.api?.enabled !== false && gateway.sandboxes.sandboxes.size > 0) {
    const lines: string[] = [];
    for (const r of config.registrars) {
      const { key } = await createApiKey(prisma, r.id, SANDBOX_KEY_LABEL);
      lines.push(`  ${r.id.padEnd(14)} ${key}`);
    }
    const registries = config.backends.map((b) => {
      const tlds = `.${config.routes.filter((x) => x.backend === b.name).map((x) => x.suffix).join(', .')}`;
      const about = gateway.sandboxes.about.get(b.name);
      return `  ${b.name.padEnd(16)} ${tlds.padEnd(20)} ${about ? `(${about})` : ''}`;
    });
    process.stdout.write(
      [
        '',
        `Registry gateway on ${gateway.url} (GraphiQL: ${gateway.url.replace(/graphql$/, '')})`,
        // The sandbox keys below let in whoever reaches this address: say who can.
        listeningLine(gateway.address),
        'Sandbox registries:',
        ...registries,
        'Sandbox API keys (new at every start; send as "Authorization: Bearer <key>"):',
        ...lines,
        '',
      ].join('\n') + '\n',
    );
  }
}

/**
 * Makes the gateway's backends and logs in the sessions of `lanes` (openSessionsAhead), with the
 * logger the gateway will use; its modules load only on this path (the drivers come with the
 * server chunk otherwise).
 */
async function sessionsAhead(config: GatewayConfig, lanes: SessionLane[]): Promise<{ early: EarlyBackends; logger: Logger }> {
  const [{ openSessionsAhead }, { createLogger }, { backendRedis }] = await Promise.all([import('./backends/early.js'), import('./logger.js'), import('./pubsub/prefix.js')]);
  const logger = createLogger(config.logLevel);
  return { early: openSessionsAhead(config, lanes, { clock: systemClock, logger, redis: backendRedis(config) }), logger };
}

/** Where the database URL came from, for a message: DATABASE_URL, or the config file's databaseUrl. */
const databaseSetting = () => (process.env.DATABASE_URL ? 'DATABASE_URL' : 'databaseUrl (config file)');

/**
 * The gateway's database (openDatabase), with the errors an operator meets at start said in one
 * line (StartupError): PostgreSQL at DATABASE_URL (or the config file's databaseUrl) unreachable
 * or refusing the login, named without its password; the data directory (DATA_DIR) that cannot be
 * made, or is held by another process (pglite-lock.ts). The embedded database's data directory and
 * everything in it are made owner-only (0700 / 0600), an existing install included: it holds the
 * database, the idempotency key and the sandboxes' state (their key among it).
 */
async function openGatewayDatabase(config: GatewayConfig) {
  const url = config.databaseUrl;
  if (!url) {
    await privateDir(config.dataDir)
      .then(() => makePrivate(config.dataDir, path.resolve(config.dataDir, 'pglite'))) // the database's own: client.ts
      .catch((e: NodeJS.ErrnoException) => {
        throw new StartupError(`data directory ${config.dataDir} (DATA_DIR, dataDir): cannot be created or made private (${e.code ?? e.message})`, { cause: e });
      });
  }
  return openDatabase({ url, dataDir: `${config.dataDir}/pglite`, timeouts: databaseTimeouts(config) }).catch((e: unknown) => {
    throw (url && databaseConnectError(e, url, databaseSetting())) || e;
  });
}

/**
 * The settings an operator may try to give as options (`--port 4591`, `--data-dir x`): the
 * environment variable that sets each (config.ts, applyEnv), as `--` and its name in lower case
 * with dashes; `--config` for GATEWAY_CONFIG. An option close to one of them (graphql-js's
 * suggestionList: `--prot`) is refused pointing at the variable instead of a `--port` the
 * gateway does not have.
 */
const SETTINGS = new Map<string, string>([
  ...['PORT', 'HOST', 'DATABASE_URL', 'DATA_DIR', 'IDEMPOTENCY_KEY_FILE', 'REDIS_URL', 'REDIS_PREFIX', 'LOG_LEVEL', 'METRICS_TOKEN', 'SHUTDOWN_DELAY_MS', 'SHUTDOWN_DRAIN_MS', 'POLL_INTERVAL_MS', 'TRUST_PROXY', 'API_ENABLED', 'BULK_ENABLED', 'POLL_ENABLED'].map(
    (v): [string, string] => [`--${v.toLowerCase().replace(/_/g, '-')}`, `the gateway takes ${v} from the environment or the config file; see --help`],
  ),
  ['--config', 'the gateway reads gateway.config.json in the working directory, or the file GATEWAY_CONFIG names; see --help'],
]);

/** What to say of an unknown option: the setting it is (close to), or that the gateway has no other option. */
function optionHint(option: string): string {
  const [close] = suggestionList(option, [...SETTINGS.keys()]);
  return (close && SETTINGS.get(close)) ?? "the gateway's only option is --help; it takes its settings from the environment and the config file";
}

/**
 * `--help` / `-h`, or exit 2 with the refusal and USAGE on stderr, before any configuration is read
 * or anything is opened or written: an option the gateway does not have (`--port 4591` and
 * `--prot 5` started it on PORT without a word) or a stray argument.
 */
function options(args: string[]): { help: boolean } {
  try {
    const { values, positionals } = parseOptions({ args, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true }, optionHint);
    const [stray] = positionals;
    if (stray !== undefined) {
      const word = stray.length > 32 ? `${stray.slice(0, 32)}...` : stray;
      throw new UsageError(`unexpected argument ${JSON.stringify(word)} (the gateway takes no arguments; it takes its settings from the environment and the config file; see --help)`);
    }
    return { help: values.help === true };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n${USAGE}\n`);
    process.exit(2);
  }
}

if (!isMainThread) {
  // Never a gateway in a worker thread. In the bundle (scripts/bundle.mjs) a chunk may import
  // main.js for code it shares with it, so a worker that imported such a chunk by URL would
  // otherwise start a second gateway inside the first; worker code imports the bundle's worker
  // entries instead (src/db/migrate.ts, WORKER_MODULE).
  throw new Error('src/main.ts (the gateway) was loaded in a worker thread: a worker must import a worker entry of the bundle, not a chunk (scripts/bundle.mjs)');
} else if (options(process.argv.slice(2)).help) {
  process.stdout.write(`${USAGE}\n`);
} else {
  main().catch((err) => {
    if (err instanceof ConfigError) {
      console.error(describeConfigError(err)); // as the operator commands print it (src/cli/run.ts)
    } else if (err instanceof ListenError || err instanceof StartupError) {
      // One line naming the setting (PORT/HOST, DATABASE_URL, the data directory) and the cause; what had started is stopped.
      console.error(err.message);
    } else console.error(err);
    process.exit(1);
  });
}
