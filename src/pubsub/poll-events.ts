import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { ioredis } from '../core/lazy-modules.js';
import type { Logger } from '../logger.js';
import { logRedisAvailability, REDIS_COMMAND_TIMEOUT_MS } from './redis-availability.js';

/** A stored poll message as it travels to subscribers (JSON-safe: ids and dates as strings). */
export interface PollEvent {
  id: string;
  /**
   * The message's place among its registrar's messages (1, 2, 3, ... in id order, no gap; see
   * PollService.store): a stream that gets an event whose seq is not the next it expects knows the
   * ones between are stored but their events are late or lost (src/poll/stream.ts).
   */
  seq: string;
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
  /**
   * When its registrar acknowledged it through the gateway (ISO 8601), as the store held it when
   * the event was read: set on a stored message a stream replays (`after`) once acknowledged, null
   * or absent on a new one. A replay said null for acknowledged messages (found by a fresh user).
   */
  ackedAt?: string | null;
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

/**
 * Reads stored messages of one registrar by id, as events; ids that are not that registrar's
 * stored messages give nothing. Redis carries only ids: every instance reads the rest here.
 */
export type LoadPollEvents = (registrarId: string, ids: string[]) => Promise<PollEvent[]>;

const LOCAL = 'poll:';
const local = (registrarId: string) => `${LOCAL}${registrarId}`;
const gapOf = (name: string) => `gap:${name}`;

/** Poll event fan-out within one process (an EventEmitter per registrar): the default without REDIS_URL. */
export class LocalPollEvents implements PollEvents {
  protected readonly local = new EventEmitter().setMaxListeners(0);

  async publish(event: PollEvent): Promise<void> {
    this.local.emit(local(event.registrarId), event);
  }

  async listen(registrarId: string, listener: PollListener): Promise<() => void> {
    return this.attach(registrarId, listener);
  }

  protected attach(registrarId: string, listener: PollListener): () => void {
    const name = local(registrarId);
    const onEvent = (e: PollEvent) => listener.event(e);
    const onGap = () => listener.gap();
    this.local.on(name, onEvent);
    this.local.on(gapOf(name), onGap);
    return () => {
      this.local.off(name, onEvent);
      this.local.off(gapOf(name), onGap);
    };
  }

  /** Tells this instance's listeners of a registrar (all registrars without one) to look for missed events. */
  signalGap(registrarId?: string): void {
    const names = registrarId ? [local(registrarId)] : this.local.eventNames().filter((n): n is string => typeof n === 'string' && n.startsWith(LOCAL));
    for (const name of names) this.local.emit(gapOf(name));
  }

  async ping(): Promise<void> {}

  listeners(registrarId?: string): number {
    if (registrarId !== undefined) return this.local.listenerCount(local(registrarId));
    let n = 0;
    for (const name of this.local.eventNames()) if (typeof name === 'string' && name.startsWith(LOCAL)) n += this.local.listenerCount(name);
    return n;
  }

  async close(): Promise<void> {
    this.local.removeAllListeners();
  }
}

/** What RedisPollEvents needs besides the Redis URL (it opens a publishing and a subscribing ioredis connection). */
export interface RedisPollEventsOptions {
  /** Start of every channel name: one per deployment, so deployments sharing a Redis stay apart (see src/pubsub/prefix.ts). */
  prefix: string;
  /** Where subscribers read the messages whose ids come over Redis. */
  load: LoadPollEvents;
}

/** How long a new subscription waits for Redis to confirm its channel's SUBSCRIBE before it goes on from the store (ms). */
const SUBSCRIBE_WAIT_MS = 2000;
/** How often a SUBSCRIBE that failed is tried again while its channel has listeners (ms). */
const SUBSCRIBE_RETRY_MS = 1000;

/** What travels on a registrar's channel: a stored message's id, or word that events may have been lost. */
type Notice = { registrarId: string; id: string } | { registrarId: string; gap: true };
const GAP_NOTICE = JSON.stringify({ gap: true });
const ID = /^[1-9][0-9]{0,18}$/;
const MAX_ID = 2n ** 63n - 1n; // PostgreSQL bigint
const isId = (v: unknown): v is string => typeof v === 'string' && ID.test(v) && BigInt(v) <= MAX_ID;

/**
 * Fan-out over Redis: channel `<prefix>poll:<registrarId>`, and only the stored message's id on
 * it (`{"id":"62"}`), never registry data: each instance reads the message from the store (one
 * query per burst and registrar, shared by all its subscribers) and delivers it in arrival order
 * (which need not be id order: each stream puts its registrar's messages in id order, src/poll/stream.ts).
 * A notice that names no message of that registrar (another deployment's, or forged) delivers nothing.
 */
export class RedisPollEvents extends LocalPollEvents {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly channels: string;
  /** Channels this instance is subscribed to, with the SUBSCRIBE in flight or done. */
  private readonly subscribed = new Map<string, Promise<unknown>>();
  /** Registrars whose event failed to publish: other instances owe their listeners a gap notice. */
  private readonly owed = new Set<string>();
  private readyBefore = false;
  /** Notices received and not yet delivered (their messages are being read), in arrival order. */
  private incoming: Notice[] = [];
  private delivering = false;
  private closed = false;

  constructor(
    url: string,
    private readonly logger: Logger,
    private readonly opts: RedisPollEventsOptions,
  ) {
    super();
    this.channels = `${opts.prefix}poll:`;
    // A publish is awaited before the upstream acknowledgement (src/poll/poll.service.ts): bounded,
    // so a Redis that hangs delays ingestion by at most that per message instead of stopping it.
    this.pub = new (ioredis().Redis)(url, { lazyConnect: false, maxRetriesPerRequest: 3, commandTimeout: REDIS_COMMAND_TIMEOUT_MS });
    // No ready check (INFO) on the subscriber: INFO is refused once a SUBSCRIBE sent during the
    // handshake has put the connection in subscriber mode, and ioredis then drops the connection.
    this.sub = new (ioredis().Redis)(url, { lazyConnect: false, enableReadyCheck: false });
    this.sub.on('message', (ch: string, text: string) => this.received(ch, text));
    // Whenever the subscriber connection becomes ready, the first time included (a SUBSCRIBE
    // sent during the handshake is confirmed, then lost if the handshake fails), it subscribes
    // to every channel this instance listens on, and every listener looks in the store: what
    // was published while it was not subscribed never arrived.
    this.sub.on('ready', () => {
      const channels = [...this.subscribed.keys()];
      if (channels.length === 0) return;
      const again = this.readyBefore;
      this.sub.subscribe(...channels).then(
        () => {
          if (again) this.logger.warn({ channels: channels.length }, 'redis subscriber reconnected: subscribers re-read the store');
          this.signalGap();
        },
        (err: Error) => this.logger.error({ err: err.message }, 'redis resubscribe failed'),
      );
    });
    this.sub.on('ready', () => void (this.readyBefore = true));
    this.pub.on('ready', () => void this.payDebts());
    logRedisAvailability([this.pub, this.sub], this.logger, {
      down: "poll events: Redis unavailable, other instances' subscribers get this instance's poll events only once it is back (they then re-read the store); /readyz stays 200 meanwhile, naming it in degraded: [\"redis\"]",
      back: 'poll events: Redis is back, poll events reach every instance again',
    });
  }

  private channel(registrarId: string): string {
    return `${this.channels}${registrarId}`;
  }

  private received(ch: string, text: string): void {
    if (!ch.startsWith(this.channels)) return;
    const registrarId = ch.slice(this.channels.length);
    let notice: Notice | null = null;
    try {
      const v = JSON.parse(text) as { id?: unknown; gap?: unknown };
      if (v.gap === true) notice = { registrarId, gap: true };
      else if (isId(v.id)) notice = { registrarId, id: v.id };
    } catch {
      // not JSON
    }
    // Never log what came: it is not ours to trust, and may be large.
    if (!notice) return void this.logger.warn({ bytes: text.length }, 'unreadable poll notice on redis: ignored');
    this.incoming.push(notice);
    void this.deliverIncoming();
  }

  /** Reads the messages of the notices received (a burst at once) and hands them to listeners in order. */
  private async deliverIncoming(): Promise<void> {
    if (this.delivering) return;
    this.delivering = true;
    try {
      while (this.incoming.length > 0) {
        const batch = this.incoming;
        this.incoming = [];
        const wanted = new Map<string, string[]>();
        for (const n of batch) if ('id' in n) wanted.set(n.registrarId, [...(wanted.get(n.registrarId) ?? []), n.id]);
        const found = new Map<string, PollEvent>();
        const failed = new Set<string>();
        await Promise.all(
          [...wanted].map(([registrarId, ids]) =>
            this.opts.load(registrarId, ids).then(
              (events) => events.forEach((e) => e.registrarId === registrarId && found.set(`${registrarId}/${e.id}`, e)),
              (err: unknown) => {
                failed.add(registrarId);
                this.logger.warn({ err: (err as Error).message }, 'poll events could not be read: subscribers re-read the store');
              },
            ),
          ),
        );
        for (const n of batch) {
          if ('gap' in n) this.local.emit(gapOf(local(n.registrarId)));
          else {
            const e = found.get(`${n.registrarId}/${n.id}`);
            if (e) this.local.emit(local(n.registrarId), e);
          }
        }
        for (const registrarId of failed) this.signalGap(registrarId);
      }
    } finally {
      this.delivering = false;
    }
  }

  override async publish(event: PollEvent): Promise<void> {
    try {
      await this.pub.publish(this.channel(event.registrarId), JSON.stringify({ id: event.id }));
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
        await this.pub.publish(this.channel(registrarId), GAP_NOTICE);
        this.owed.delete(registrarId);
      } catch {
        return; // still down; the next publish or reconnect tries again
      }
    }
  }

  /**
   * Resolves once events published from now on will arrive, or, when Redis does not confirm the
   * subscription within SUBSCRIBE_WAIT_MS (it hangs, or refuses: the connection is down or
   * reconnecting), once the listener can go on without them: it reads the store, and when the
   * subscription is confirmed later (tried again every SUBSCRIBE_RETRY_MS while the channel has
   * listeners, and on every reconnect) its listeners are told to read the store again (a gap).
   * Never rejects: a SUBSCRIBE that failed once used to stay in `subscribed` as a rejected
   * promise, failing every later subscription of that registrar on this instance, and one that
   * hung held every one of them until it answered.
   */
  override async listen(registrarId: string, listener: PollListener): Promise<() => void> {
    const ch = this.channel(registrarId);
    const detach = this.attach(registrarId, listener);
    let ready = this.subscribed.get(ch);
    if (!ready) {
      ready = this.subscribeChannel(ch, registrarId);
      this.subscribed.set(ch, ready);
    }
    await ready;
    return () => {
      detach();
      if (this.listeners(registrarId) === 0) {
        this.subscribed.delete(ch);
        void this.sub.unsubscribe(ch).catch(() => undefined);
      }
    };
  }

  /** SUBSCRIBE to `ch` (see listen): resolves when confirmed or after SUBSCRIBE_WAIT_MS, whichever comes first; never rejects. */
  private subscribeChannel(ch: string, registrarId: string): Promise<unknown> {
    let failures = 0;
    const attempt = (): Promise<boolean> =>
      this.sub.subscribe(ch).then(
        () => true,
        (err: Error) => {
          // Once per channel, not once per try (the outage itself is logged by logRedisAvailability).
          if (failures++ === 0) this.logger.warn({ err: err.message }, 'poll events: a subscription to Redis failed; subscribers read the store, and it is tried again every second');
          return false;
        },
      );
    const confirmed = attempt();
    let waited = false;
    // Confirmed after the wait, or only after retries: the listeners may have missed events meanwhile.
    const late = async (ok: boolean): Promise<void> => {
      while (!ok) {
        await new Promise((r) => setTimeout(r, SUBSCRIBE_RETRY_MS).unref());
        if (!this.subscribed.has(ch) || this.closed) return;
        ok = await attempt();
        waited = true;
      }
      if (waited) this.signalGap(registrarId);
    };
    void confirmed.then(late);
    return Promise.race([
      confirmed,
      new Promise((r) => setTimeout(r, SUBSCRIBE_WAIT_MS).unref()).then(() => {
        waited = true;
      }),
    ]);
  }

  override async ping(): Promise<void> {
    await Promise.all([this.pub.ping(), this.sub.status === 'ready' ? Promise.resolve() : Promise.reject(new Error(`subscriber connection ${this.sub.status}`))]);
  }

  override async close(): Promise<void> {
    this.closed = true;
    await super.close();
    this.sub.disconnect();
    this.pub.disconnect();
  }
}
