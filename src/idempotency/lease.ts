import type { Prisma, PrismaClient } from '../db/generated/client.js';

/** The `request` column: normalised arguments (secrets hashed) and what the attempt noted before sending. */
export interface StoredRequest {
  args: unknown;
  noted: Record<string, unknown>;
}

/** How a Lease renews and stamps its record; `onLost` runs once when a conditional write finds the record taken over. */
export interface LeaseOptions {
  /**
   * How often the lease is renewed (ms); also how old the last confirmed write may be for hold()
   * to answer without a statement.
   */
  heartbeatMs: number;
  /** Wall clock (ms) for lease stamps. */
  now: () => number;
  onLost?: () => void;
  /** Arguments as the record keeps them, secrets as keyed digests (SecretDigests.storable). */
  storable: (args: unknown) => unknown;
}

/**
 * Ownership of an IN_PROGRESS record. `updatedAt` is both the heartbeat and the fencing token:
 * every write by the owner is conditional on the value it wrote last, so once another request has
 * declared the owner dead (IN_PROGRESS -> OUTCOME_UNKNOWN, also conditional on that value) the old
 * owner can no longer change the record. Writes are serialised; stamps strictly increase.
 * `prisma` is the client the writes go through: IdempotencyService gives the database's lease
 * client (src/db/lease-client.ts), so that a renewal does not queue behind the requests' statements.
 */
export class Lease {
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private lostFlag = false;

  /**
   * `token`: the record's updatedAt as this owner wrote it (on opts.now). `issuedAt`: when the
   * write that stored `token` was issued, on the monotonic clock (performance.now(), ms), taken
   * before the statement was sent (the insert's or the claim's).
   */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly key: { registrarId: string; idempotencyKey: string },
    private token: Date,
    private request: StoredRequest,
    private readonly opts: LeaseOptions,
    private issuedAt: number = performance.now(),
  ) {}

  get lost(): boolean {
    return this.lostFlag;
  }

  /**
   * How long ago (ms) the write that last confirmed the lease was issued: the larger of what the
   * wall clock (opts.now, which waiters compare updatedAt with) and the monotonic clock count, so
   * that neither a wall clock set back nor one that stands still (a fake) hides a stall.
   */
  age(): number {
    return Math.max(this.opts.now() - this.token.getTime(), performance.now() - this.issuedAt);
  }

  /**
   * The fence, awaited right before a command of the key is sent: proves the lease is still held.
   * False when it is known lost. When the last confirmed write was issued more than heartbeatMs
   * ago (a stall: a GC pause, a database or a session wait), one conditional write (as a renewal)
   * must land first, and false when it does not (another request declared this owner dead). True,
   * without a statement, when the lease was confirmed within heartbeatMs: a waiter declares the
   * owner dead only after leaseMs without a renewal, so at least leaseMs - heartbeatMs remains
   * (less the wall-clock skew between instances) for the command to go out. Rejects when the
   * database does (the caller then sends nothing either).
   */
  async hold(): Promise<boolean> {
    if (this.lostFlag) return false;
    if (this.age() <= this.opts.heartbeatMs) return true;
    return this.write({});
  }

  /** A stamp later than `after` (wall clock, or after + 1 ms when the clock has not moved on). */
  static stamp(now: number, after?: Date): Date {
    return new Date(after && now <= after.getTime() ? after.getTime() + 1 : now);
  }

  /**
   * Renews the lease every heartbeatMs until it settles or is lost. The first renewal is due
   * heartbeatMs after the current stamp, not after this call: the stamp of a new record is taken
   * before its insert waits for a connection, and that wait is part of the lease already spent.
   */
  startHeartbeat(): void {
    if (this.timer || this.lostFlag) return;
    const beat = () => void this.write({}).catch(() => {});
    const every = this.opts.heartbeatMs;
    const first = Math.min(every, Math.max(0, this.token.getTime() + every - this.opts.now()));
    this.timer = setTimeout(() => {
      beat();
      this.timer = setInterval(beat, every);
      this.timer.unref();
    }, first);
    this.timer.unref();
  }

  private stopHeartbeat(): void {
    if (this.timer) clearTimeout(this.timer); // the first renewal's timeout or the interval (Node clears either)
    this.timer = null;
  }

  /** Merges what the attempt is about to send into the stored request (before sending it); false once the lease is lost (nothing may be sent then). */
  note(details: Record<string, unknown>): Promise<boolean> {
    this.request = { ...this.request, noted: { ...this.request.noted, ...(this.opts.storable(details) as Record<string, unknown>) } };
    return this.write({ request: this.request as unknown as Prisma.InputJsonValue });
  }

  /** Conditional write keeping the record IN_PROGRESS; false once the lease is lost. */
  write(data: Prisma.IdempotencyRecordUpdateManyMutationInput): Promise<boolean> {
    return this.serial(async () => {
      if (this.lostFlag) return false;
      const issued = performance.now();
      const next = Lease.stamp(this.opts.now(), this.token);
      const { count } = await this.prisma.idempotencyRecord.updateMany({
        where: { ...this.key, state: 'IN_PROGRESS', updatedAt: this.token },
        data: { ...data, updatedAt: next },
      });
      return this.after(count, next, issued);
    });
  }

  /** The final write (state leaves IN_PROGRESS); false when the lease had been lost. */
  settle(data: Prisma.IdempotencyRecordUpdateManyMutationInput): Promise<boolean> {
    this.stopHeartbeat();
    return this.write(data);
  }

  /** Settles the record as SUCCEEDED with the answer to replay (and its transaction ids). */
  succeed(result: { trid?: { client: string; server?: string | null } }): Promise<boolean> {
    return this.settle({
      state: 'SUCCEEDED',
      response: JSON.parse(JSON.stringify(result)) as Prisma.InputJsonValue,
      clientTrid: result.trid?.client ?? null,
      serverTrid: result.trid?.server ?? null,
    });
  }

  /** Settles the record as FAILED with the registry's answer to replay (code, message, details). */
  fail(e: { code: string; message: string; details: object }): Promise<boolean> {
    const error = JSON.parse(JSON.stringify({ code: e.code, message: e.message, details: { ...e.details } })) as Prisma.InputJsonValue;
    return this.settle({ state: 'FAILED', error });
  }

  /** Deletes the record (nothing was applied: the key may be used again). */
  release(): Promise<boolean> {
    this.stopHeartbeat();
    return this.serial(async () => {
      if (this.lostFlag) return false;
      const { count } = await this.prisma.idempotencyRecord.deleteMany({ where: { ...this.key, state: 'IN_PROGRESS', updatedAt: this.token } });
      return this.after(count, this.token, this.issuedAt);
    });
  }

  private after(count: number, next: Date, issued: number): boolean {
    if (count === 1) {
      this.token = next;
      this.issuedAt = issued;
      return true;
    }
    this.lostFlag = true;
    this.stopHeartbeat();
    this.opts.onLost?.();
    return false;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn, fn);
    this.chain = p.catch(() => {});
    return p;
  }
}
