/**
 * The Redis the tests that share state through Redis use: TEST_REDIS_URL, default the machine's
 * redis://127.0.0.1:6379. `redisUp` is whether it answered a connect at import (no retries), so a
 * test can `it.skipIf(!redisUp)` with the reason in its name instead of failing on a machine
 * without Redis.
 */
import net from 'node:net';
import { Redis } from 'ioredis';

export const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const probe = new Redis(REDIS, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
export const redisUp: boolean = await probe.connect().then(
  () => true,
  () => false,
);
probe.disconnect();

/**
 * A TCP front for the Redis at REDIS that a test controls, to play a Redis that is away:
 * - `up`: pipes each connection to REDIS;
 * - `down`: resets every new connection (ioredis sees ECONNRESET and retries), counting them;
 * - `stalled`: takes connections and holds what the client sends (nothing is answered, nothing
 *   fails: a hung Redis, or a stalled proxy in front of it) until the mode changes, then sends it.
 * `refusedAtLeast(n)` waits until n connections were reset (a few retry cycles, counted in
 * connections rather than in time).
 */
export class RedisFront {
  private mode: 'up' | 'down' | 'stalled';
  private readonly held: Array<() => void> = [];
  private readonly waiters: Array<() => void> = [];
  private readonly sockets = new Set<net.Socket>();
  private server: net.Server | undefined;
  refused = 0;

  constructor(mode: 'up' | 'down' | 'stalled' = 'up') {
    this.mode = mode;
  }

  /** Listens on a free loopback port; resolves with the URL to give the gateway. */
  async start(): Promise<string> {
    const upstream = new URL(REDIS);
    this.server = net.createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      if (this.mode === 'down') {
        this.refused++;
        this.waiters.splice(0).forEach((w) => w());
        return void socket.resetAndDestroy();
      }
      const back = net.connect(Number(upstream.port || 6379), upstream.hostname);
      back.on('error', () => socket.destroy());
      socket.on('close', () => back.destroy());
      back.on('close', () => socket.destroy());
      socket.on('data', (chunk) => (this.mode === 'stalled' ? this.held.push(() => back.write(chunk)) : back.write(chunk)));
      back.pipe(socket);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `redis://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** Sets the mode; leaving `stalled` sends what was held, in order. */
  set(mode: 'up' | 'down' | 'stalled'): void {
    this.mode = mode;
    if (mode !== 'stalled') this.held.splice(0).forEach((send) => send());
  }

  async refusedAtLeast(n: number): Promise<void> {
    while (this.refused < n) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    this.set('up');
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}
