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

/** What a stream listens with: new events, and word that some may have been missed. */
export interface PollListener {
  event(e: PollEvent): void;
  /**
   * Events published for this registrar may not have reached this listener (the Redis connection
   * dropped, or a publish failed): the listener should read the store for what it may have missed.
   */
  gap(): void;
}

/**
 * Fan-out of newly stored poll messages to the subscribers of their registrar. In process by
 * default; with Redis, every instance publishes to and listens on one channel per registrar, so a
 * subscriber on any instance receives a message stored by any other. The store is the source of
 * truth: subscribers replay from it, events only carry what is new, and whenever events may have
 * been lost on the way (a Redis reconnect, a failed publish) listeners are told to look again.
 */
export interface PollEvents {
  publish(event: PollEvent): Promise<void>;
  /** Listen for one registrar's events; resolves once events published from now on will arrive. */
  listen(registrarId: string, listener: PollListener): Promise<() => void>;
  /** Resolves when the fan-out can carry events (Redis answers a PING); for readiness checks. */
  ping(): Promise<void>;
  /** Listeners (open subscriptions) on this instance, of one registrar or of all. */
  listeners(registrarId?: string): number;
  close(): Promise<void>;
}

const PREFIX = 'rgw:poll:';
const channel = (registrarId: string) => `${PREFIX}${registrarId}`;
const gapOf = (ch: string) => `gap:${ch}`;
/** What travels on a registrar's channel when its events may have been lost. */
const GAP_NOTICE = JSON.stringify({ gap: true });

export class LocalPollEvents implements PollEvents {
  protected readonly local = new EventEmitter().setMaxListeners(0);

  async publish(event: PollEvent): Promise<void> {
    this.local.emit(channel(event.registrarId), event);
  }

  async listen(registrarId: string, listener: PollListener): Promise<() => void> {
    return this.attach(channel(registrarId), listener);
  }

  protected attach(ch: string, listener: PollListener): () => void {
    const onEvent = (e: PollEvent) => listener.event(e);
    const onGap = () => listener.gap();
    this.local.on(ch, onEvent);
    this.local.on(gapOf(ch), onGap);
    return () => {
      this.local.off(ch, onEvent);
      this.local.off(gapOf(ch), onGap);
    };
  }

  /** Tells this instance's listeners of a registrar (all registrars without one) to look for missed events. */
  signalGap(registrarId?: string): void {
    const channels = registrarId ? [channel(registrarId)] : this.local.eventNames().filter((n): n is string => typeof n === 'string' && n.startsWith(PREFIX));
    for (const ch of channels) this.local.emit(gapOf(ch));
  }

  async ping(): Promise<void> {}

  listeners(registrarId?: string): number {
    if (registrarId !== undefined) return this.local.listenerCount(channel(registrarId));
    let n = 0;
    for (const name of this.local.eventNames()) if (typeof name === 'string' && name.startsWith(PREFIX)) n += this.local.listenerCount(name);
    return n;
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
  /** Registrars whose event failed to publish: other instances owe their listeners a gap notice. */
  private readonly owed = new Set<string>();
  private subscriberWasReady = false;

  constructor(url: string, private readonly logger: Logger) {
    super();
    this.pub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    this.sub = new Redis(url, { lazyConnect: false });
    this.sub.on('message', (ch: string, text: string) => {
      try {
        if (text === GAP_NOTICE) this.local.emit(gapOf(ch));
        else this.local.emit(ch, JSON.parse(text) as PollEvent);
      } catch (err) {
        this.logger.error({ err, ch }, 'bad poll event on redis');
      }
    });
    // After a reconnect, whatever was published while the connection was down never arrived:
    // once subscribed again, every listener of this instance looks in the store.
    this.sub.on('ready', () => {
      if (!this.subscriberWasReady) {
        this.subscriberWasReady = true;
        return;
      }
      const channels = [...this.subscribed.keys()];
      const resubscribed = channels.length > 0 ? this.sub.subscribe(...channels) : Promise.resolve();
      resubscribed.then(
        () => {
          this.logger.warn({ channels: channels.length }, 'redis subscriber reconnected: subscribers re-read the store');
          this.signalGap();
        },
        (err: Error) => this.logger.error({ err: err.message }, 'redis resubscribe failed'),
      );
    });
    this.pub.on('ready', () => void this.payDebts());
    for (const c of [this.pub, this.sub]) c.on('error', (err) => this.logger.warn({ err: err.message }, 'redis'));
  }

  override async publish(event: PollEvent): Promise<void> {
    try {
      await this.pub.publish(channel(event.registrarId), JSON.stringify(event));
    } catch (err) {
      // The message is stored; what failed is telling the subscribers. This instance's know now,
      // the others as soon as Redis takes a publish again.
      this.owed.add(event.registrarId);
      this.signalGap(event.registrarId);
      throw err;
    }
    if (this.owed.size > 0) await this.payDebts();
  }

  private async payDebts(): Promise<void> {
    for (const registrarId of [...this.owed]) {
      try {
        await this.pub.publish(channel(registrarId), GAP_NOTICE);
        this.owed.delete(registrarId);
      } catch {
        return; // still down; the next publish or reconnect tries again
      }
    }
  }

  override async listen(registrarId: string, listener: PollListener): Promise<() => void> {
    const ch = channel(registrarId);
    const detach = this.attach(ch, listener);
    let ready = this.subscribed.get(ch);
    if (!ready) {
      ready = this.sub.subscribe(ch);
      this.subscribed.set(ch, ready);
    }
    await ready;
    return () => {
      detach();
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
