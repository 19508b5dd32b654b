import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

/** A stored poll message as it travels to subscribers (JSON-safe: ids and dates as strings). */
export interface PollEvent {
  id: string;
  registrarId: string;
  registry: string;
  type: string;
  objectKind: string | null;
  objectName: string | null;
  message: string;
  upstreamId: string;
  queuedAt: string;
  receivedAt: string;
  payload: unknown;
  raw: string;
}

/**
 * Fan-out of newly stored poll messages to the subscribers of their registrar. In process by
 * default; with Redis, every instance publishes to and listens on one channel per registrar, so a
 * subscriber on any instance receives a message stored by any other. The store is the source of
 * truth: subscribers replay from it, events only carry what is new.
 */
export interface PollEvents {
  publish(event: PollEvent): Promise<void>;
  /** Listen for one registrar's events; resolves once events published from now on will arrive. */
  listen(registrarId: string, fn: (e: PollEvent) => void): Promise<() => void>;
  /** Resolves when the fan-out can carry events (Redis answers a PING); for readiness checks. */
  ping(): Promise<void>;
  /** Listeners (open subscriptions) for a registrar on this instance. */
  listeners(registrarId: string): number;
  close(): Promise<void>;
}

const channel = (registrarId: string) => `rgw:poll:${registrarId}`;

export class LocalPollEvents implements PollEvents {
  protected readonly local = new EventEmitter().setMaxListeners(0);

  async publish(event: PollEvent): Promise<void> {
    this.local.emit(channel(event.registrarId), event);
  }

  async listen(registrarId: string, fn: (e: PollEvent) => void): Promise<() => void> {
    this.local.on(channel(registrarId), fn);
    return () => void this.local.off(channel(registrarId), fn);
  }

  async ping(): Promise<void> {}

  listeners(registrarId: string): number {
    return this.local.listenerCount(channel(registrarId));
  }

  async close(): Promise<void> {
    this.local.removeAllListeners();
  }
}

export class RedisPollEvents extends LocalPollEvents {
  private readonly pub: Redis;
  private readonly sub: Redis;
  /** Channels this instance is subscribed to, with the SUBSCRIBE in flight or done. */
  private readonly subscribed = new Map<string, Promise<unknown>>();

  constructor(url: string, private readonly logger: Logger) {
    super();
    this.pub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    this.sub = new Redis(url, { lazyConnect: false });
    this.sub.on('message', (ch: string, text: string) => {
      try {
        this.local.emit(ch, JSON.parse(text) as PollEvent);
      } catch (err) {
        this.logger.error({ err, ch }, 'bad poll event on redis');
      }
    });
    for (const c of [this.pub, this.sub]) c.on('error', (err) => this.logger.warn({ err: err.message }, 'redis'));
  }

  override async publish(event: PollEvent): Promise<void> {
    await this.pub.publish(channel(event.registrarId), JSON.stringify(event));
  }

  override async listen(registrarId: string, fn: (e: PollEvent) => void): Promise<() => void> {
    const ch = channel(registrarId);
    this.local.on(ch, fn);
    let ready = this.subscribed.get(ch);
    if (!ready) {
      ready = this.sub.subscribe(ch);
      this.subscribed.set(ch, ready);
    }
    await ready;
    return () => {
      this.local.off(ch, fn);
      if (this.local.listenerCount(ch) === 0) {
        this.subscribed.delete(ch);
        void this.sub.unsubscribe(ch).catch(() => undefined);
      }
    };
  }

  override async ping(): Promise<void> {
    await Promise.all([this.pub.ping(), this.sub.status === 'ready' ? Promise.resolve() : Promise.reject(new Error(`subscriber connection ${this.sub.status}`))]);
  }

  override async close(): Promise<void> {
    await super.close();
    this.sub.disconnect();
    this.pub.disconnect();
  }
}

export function createPollEvents(redisUrl: string | undefined, logger: Logger): PollEvents {
  return redisUrl ? new RedisPollEvents(redisUrl, logger) : new LocalPollEvents();
}
