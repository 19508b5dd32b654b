import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../db/generated/client.js';
import type { Logger } from '../logger.js';
import { OutageLog } from '../observe/outage-log.js';
import type { Router } from '../routing/router.js';
import type { PollAccount, PollService } from './poll.service.js';

/** The config's `poll` timings, all in ms. */
export interface IngesterOptions {
  /** Time between polls of one queue. */
  intervalMs: number;
  /** Lease length: another instance takes an account over this long after its holder stops renewing. */
  leaseMs: number;
  /** Longest wait between attempts after failures (exponential back-off up to this). */
  maxBackoffMs: number;
}

interface Loop {
  account: PollAccount;
  key: string;
  timer?: NodeJS.Timeout;
  failures: number;
  /** The drain in progress: the loop and on-demand drains never overlap in one instance. */
  running?: Promise<number>;
  /** The round that starts once `running` ends, shared by every drainNow that came meanwhile. */
  next?: Promise<number>;
}

/**
 * Polls every upstream account on an interval, with back-off on failure. Exactly one instance
 * polls an account at a time: it holds a lease row in PostgreSQL, renewed on every round, which
 * another instance takes over once the holder stops renewing (crash, shutdown, network split).
 */
export class PollIngester {
  readonly instanceId = randomUUID();
  private loops: Loop[] = [];
  /** Local view of when each held lease runs out. */
  private readonly heldUntil = new Map<string, number>();
  private stopped = true;
  /** A queue's failing rounds: its first failure logged, then nothing until a round succeeds (per account). */
  private readonly outage: OutageLog;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly router: Router,
    private readonly polls: PollService,
    private readonly registrarIds: string[],
    private readonly logger: Logger,
    private readonly opts: IngesterOptions,
  ) {
    this.outage = new OutageLog(logger, 'poll round', 'tried again with back-off (poll.intervalMs doubling up to poll.maxBackoffMs)');
  }

  /** Every (backend, registrar) pair with an account there. */
  private accounts(): PollAccount[] {
    return this.router.backends().flatMap((backend) =>
      this.registrarIds.filter((registrarId) => backend.hasAccount(registrarId)).map((registrarId) => ({ backend, registrarId, accountId: backend.upstreamId(registrarId) })),
    );
  }

  start(): void {
    this.stopped = false;
    this.loops = this.accounts().map((account) => ({ account, key: `${account.backend.name}/${account.accountId}`, failures: 0 }));
    for (const loop of this.loops) this.schedule(loop, 0);
  }

  /**
   * Stop polling. By default the leases are released so another instance takes over at once;
   * `release: false` leaves them to lapse, as a crashed instance would.
   */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    for (const loop of this.loops) clearTimeout(loop.timer);
    await Promise.allSettled(this.loops.flatMap((l) => [l.running, l.next]));
    this.heldUntil.clear();
    if (opts.release === false) return;
    await this.prisma.pollLease.deleteMany({ where: { holder: this.instanceId } }).catch(() => undefined);
  }

  /** Upstream accounts whose lease this instance holds now. */
  leasesHeld(): number {
    const now = Date.now();
    let n = 0;
    for (const until of this.heldUntil.values()) if (until > now) n++;
    return n;
  }

  /**
   * Drain the registrar's queues now, where this instance holds (or can take) the lease: resolves
   * once a round that began after this call has ended, so whatever the queues held when it was
   * called is in the store (pollMessages reads the store next). A round already in flight may
   * have read a queue before the caller's message was there: it is waited for, then one more round
   * runs, shared by every caller that came while the first one ran.
   */
  async drainNow(registrarId: string): Promise<void> {
    await Promise.all(this.loops.filter((l) => l.account.registrarId === registrarId).map((l) => this.freshRound(l)));
  }

  /** A round that starts after this call: the one in flight is waited for, not joined. */
  private freshRound(loop: Loop): Promise<number> {
    if (!loop.running) return this.round(loop);
    loop.next ??= loop.running.then(() => {
      loop.next = undefined;
      return this.round(loop);
    });
    return loop.next;
  }

  private schedule(loop: Loop, delay: number): void {
    if (this.stopped) return;
    loop.timer = setTimeout(async () => {
      await this.round(loop);
      const backoff = loop.failures === 0 ? this.opts.intervalMs : Math.min(this.opts.maxBackoffMs, this.opts.intervalMs * 2 ** loop.failures);
      this.schedule(loop, backoff);
    }, delay);
  }

  /** One round: renew or take the lease, then drain. Never throws. */
  private round(loop: Loop): Promise<number> {
    if (loop.running) return loop.running;
    loop.running = (async () => {
      try {
        const n = await this.drainIfHeld(loop);
        // "works again" only after a round that polled: one that found the lease another
        // instance's (or no poll queue) said nothing of the registry (an operator's trial: logged
        // between two failed rounds while the registry was still down).
        if (n !== null) this.outage.succeeded({ account: loop.key, failedRounds: loop.failures }, loop.key);
        loop.failures = 0;
        return n ?? 0;
      } catch (err) {
        loop.failures++;
        if (!this.stopped) this.outage.failed((err as Error).message, { account: loop.key }, loop.key);
        return 0;
      } finally {
        loop.running = undefined;
      }
    })();
    return loop.running;
  }

  /** The account's messages stored, where it polls and this instance holds (or takes) its lease; else null (nothing polled). */
  private async drainIfHeld(loop: Loop): Promise<number | null> {
    if (!(await loop.account.backend.capabilities({ registrarId: loop.account.registrarId })).poll) return null;
    if (!(await this.holdLease(loop.key))) return null;
    return this.polls.drain(loop.account);
  }

  /**
   * Take or renew the lease; false while another live instance holds it. A lease with more than
   * half its time left is not renewed yet (the other half covers clock skew against the database),
   * so a short poll interval does not mean a database write per round.
   */
  private async holdLease(account: string): Promise<boolean> {
    const started = Date.now();
    if ((this.heldUntil.get(account) ?? 0) - started > this.opts.leaseMs / 2) return true;
    const rows = await this.prisma.$queryRaw<Array<{ holder: string }>>`
      INSERT INTO poll_leases (account, holder, expires_at, updated_at)
      VALUES (${account}, ${this.instanceId}, now() + make_interval(secs => ${this.opts.leaseMs / 1000}), now())
      ON CONFLICT (account) DO UPDATE
        SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at, updated_at = now()
        WHERE poll_leases.holder = EXCLUDED.holder OR poll_leases.expires_at < now()
      RETURNING holder`;
    const held = rows.length === 1 && rows[0]!.holder === this.instanceId;
    if (held) this.heldUntil.set(account, started + this.opts.leaseMs);
    else this.heldUntil.delete(account);
    return held;
  }
}
