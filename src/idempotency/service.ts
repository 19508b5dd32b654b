import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError, RegistryError, UpstreamUnavailableError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { PrismaClient } from '../db/generated/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { IdempotencyInProgressError, IdempotencyKeyReusedError, OutcomeUnknownError, ReplayedError } from './errors.js';
import { fingerprint } from './fingerprint.js';

export interface IdempotencyOptions {
  /** How long a record is kept (default 7 days). */
  ttlMs: number;
  /** How long a duplicate request waits for the first one to finish before IDEMPOTENCY_IN_PROGRESS. */
  waitMs: number;
  pollMs: number;
}

export interface MutationRequest {
  registrarId: string;
  key: string;
  operation: string;
  /** Normalised arguments (after validation): the fingerprint is taken over these. */
  args: unknown;
}

export interface MutationOutcome<T> {
  result: T;
  replayed: boolean;
}

/** The JSON a mutation stores: its own result plus upstream transaction ids. */
export interface StoredResult {
  trid?: { client: string; server?: string | null };
  [k: string]: unknown;
}

const DEFAULTS: IdempotencyOptions = { ttlMs: 7 * 24 * 3600_000, waitMs: 10_000, pollMs: 50 };

/**
 * Durable idempotency: one record per (registrar, idempotencyKey), written before anything is
 * sent upstream. The unique constraint makes one request the owner; duplicates replay the stored
 * answer, wait for the owner, or are told the key is in use for something else.
 */
export class IdempotencyService {
  private readonly opts: IdempotencyOptions;
  constructor(
    private readonly prisma: PrismaClient,
    private readonly clock: Clock,
    opts: Partial<IdempotencyOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  async run<T extends StoredResult>(req: MutationRequest, execute: () => Promise<T>): Promise<MutationOutcome<T>> {
    const fp = fingerprint(req.operation, req.args);
    const now = this.clock.now();
    try {
      await this.prisma.idempotencyRecord.create({
        data: {
          registrarId: req.registrarId,
          idempotencyKey: req.key,
          operation: req.operation,
          fingerprint: fp,
          state: 'IN_PROGRESS',
          expiresAt: new Date(now.getTime() + this.opts.ttlMs),
        },
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return { result: await this.awaitExisting<T>(req, fp), replayed: true };
    }
    return { result: await this.execute(req, execute), replayed: false };
  }

  private where(req: MutationRequest) {
    return { registrarId_idempotencyKey: { registrarId: req.registrarId, idempotencyKey: req.key } };
  }

  private async execute<T extends StoredResult>(req: MutationRequest, execute: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await execute();
    } catch (err) {
      await this.recordFailure(req, err);
      throw err;
    }
    await this.prisma.idempotencyRecord.update({
      where: this.where(req),
      data: {
        state: 'SUCCEEDED',
        response: JSON.parse(JSON.stringify(result)),
        clientTrid: result.trid?.client ?? null,
        serverTrid: result.trid?.server ?? null,
      },
    });
    return result;
  }

  private async recordFailure(req: MutationRequest, err: unknown): Promise<void> {
    if (err instanceof UpstreamUnavailableError && !err.maybeApplied) {
      // Nothing reached the registry: forget the attempt so the same key can be retried.
      await this.prisma.idempotencyRecord.delete({ where: this.where(req) });
    } else if (err instanceof RegistryError && !(err instanceof UpstreamUnavailableError)) {
      // A definite answer from the registry: a retry gets the same error.
      await this.prisma.idempotencyRecord.update({
        where: this.where(req),
        data: { state: 'FAILED', error: { code: err.code, message: err.message, details: { ...err.details } } },
      });
    } else if (err instanceof GatewayError && !(err instanceof UpstreamUnavailableError)) {
      // Refused by the gateway before sending (unsupported, forbidden, ...): nothing happened.
      await this.prisma.idempotencyRecord.delete({ where: this.where(req) });
    } else {
      await this.prisma.idempotencyRecord.update({ where: this.where(req), data: { state: 'OUTCOME_UNKNOWN' } });
    }
  }

  private async awaitExisting<T>(req: MutationRequest, fp: string): Promise<T> {
    const deadline = Date.now() + this.opts.waitMs;
    for (;;) {
      const rec = await this.prisma.idempotencyRecord.findUnique({ where: this.where(req) });
      if (!rec) throw new IdempotencyInProgressError(); // owner gave up; the client may retry now
      if (rec.fingerprint !== fp || rec.operation !== req.operation) throw new IdempotencyKeyReusedError(rec.operation);
      if (rec.state === 'SUCCEEDED') return rec.response as T;
      if (rec.state === 'FAILED') throw new ReplayedError(rec.error as never);
      if (rec.state === 'OUTCOME_UNKNOWN') {
        throw new OutcomeUnknownError('the first request with this idempotencyKey lost its connection to the registry; its outcome is not known yet');
      }
      if (Date.now() >= deadline) throw new IdempotencyInProgressError();
      await sleep(this.opts.pollMs);
    }
  }

  /** Delete expired records; returns how many went. */
  async purgeExpired(): Promise<number> {
    const { count } = await this.prisma.idempotencyRecord.deleteMany({ where: { expiresAt: { lt: this.clock.now() } } });
    return count;
  }
}
