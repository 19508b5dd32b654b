import type { ApiKeyCache } from './auth/key-cache.js';
import type { BulkService } from './bulk/service.js';
import type { Clock } from './core/clock.js';
import type { CallContext } from './core/model/index.js';
import type { PrismaClient } from './db/generated/client.js';
import type { IdempotencyService } from './idempotency/service.js';
import { createLoaders, type Loaders } from './loaders/loaders.js';
import { RequestScheduler } from './fanout/scheduler.js';
import type { PollIngester } from './poll/ingester.js';
import type { PollEvents } from './pubsub/poll-events.js';
import type { Router } from './routing/router.js';
import type { GatewayConfig } from './config.types.js';
import type { Logger } from './logger.js';
import { ListParses } from './validation/list-parses.js';

/** Long-lived parts shared by every request. */
export interface Services {
  config: GatewayConfig;
  prisma: PrismaClient;
  router: Router;
  idempotency: IdempotencyService;
  bulk: BulkService;
  ingester: PollIngester;
  events: PollEvents;
  clock: Clock;
  logger: Logger;
  /** API keys resolved from memory, forgotten when the database announces a change. */
  apiKeys: ApiKeyCache;
}

/** Per-request context: the authenticated registrar, its fan-out scheduler, fresh loaders and its list parses. */
export interface GatewayContext extends Services {
  registrar: { id: string; name: string };
  call: CallContext;
  loaders: Loaders;
  /** The request's parses of argument lists (names), each made once however many fields use the list (ListParses). */
  lists: ListParses;
  /**
   * A subscription's (graphql-ws): pays from its API key's budget for rows it reads from the store
   * for its client, waiting while the key has no points left (LimitGate.payRows). Absent over HTTP,
   * where an operation's rows are priced before it runs.
   */
  payRows?: (rows: number, signal: AbortSignal) => Promise<void>;
}

/** A request's context for `registrar` (the API key's owner): a CallContext with a fresh fan-out scheduler (limits.fanOut), lazily made loaders and no list parsed yet. */
export function createContext(services: Services, registrar: { id: string; name: string }): GatewayContext {
  // Every port call of the request (loaders, checks, mutations) waits its turn in the request's scheduler.
  const call: CallContext = { registrarId: registrar.id, scheduler: new RequestScheduler(services.config.limits.fanOut) };
  return { ...services, registrar, call, loaders: new LazyLoaders(services.router, call), lists: new ListParses() };
}

/**
 * The request's loaders, made when a resolver first reads one: most requests read no upstream
 * object at all (`viewer`, the command log, poll messages), and need none of them. A class,
 * so that each request allocates one small object and its getters stay on the prototype.
 */
class LazyLoaders implements Loaders {
  private made: Loaders | undefined;

  constructor(
    private readonly router: Router,
    private readonly call: CallContext,
  ) {}

  private all(): Loaders {
    return (this.made ??= createLoaders(this.router, this.call));
  }

  get domain(): Loaders['domain'] {
    return this.all().domain;
  }

  get host(): Loaders['host'] {
    return this.all().host;
  }

  get contact(): Loaders['contact'] {
    return this.all().contact;
  }

  get transfer(): Loaders['transfer'] {
    return this.all().transfer;
  }

  get accountStatus(): Loaders['accountStatus'] {
    return this.all().accountStatus;
  }
}
