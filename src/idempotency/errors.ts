import { GatewayError } from '../core/errors.js';

/**
 * IDEMPOTENCY_KEY_REUSED (field `idempotencyKey`): the key's record or bulk job holds other
 * arguments or another mutation (`operation` names the first); nothing was sent (README "Idempotency contract").
 */
export class IdempotencyKeyReusedError extends GatewayError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor(operation: string) {
    super(`idempotencyKey was already used for a different request (${operation}); use a new key for a new request`, {
      field: 'idempotencyKey',
    });
  }
}

/**
 * IDEMPOTENCY_IN_PROGRESS (field `idempotencyKey`, retryable): another request with the key is still
 * running after this one waited waitMs for it, or claimed its record first; retry with the same key (README "Idempotency contract").
 */
export class IdempotencyInProgressError extends GatewayError {
  readonly code = 'IDEMPOTENCY_IN_PROGRESS';
  constructor(message = 'a request with this idempotencyKey is still in progress; retry shortly with the same key') {
    super(message, { field: 'idempotencyKey', retryable: true });
  }
}

/**
 * The request owned its key's record but could not prove it still did right before sending (its
 * lease renewals had not landed for too long and the fence write failed, or a note found the
 * record taken: another request with the key declared it dead and took over). Nothing was sent by
 * this request. Same code as IdempotencyInProgressError (IDEMPOTENCY_IN_PROGRESS, retryable): the
 * key is another request's now, and a retry with the same key gets that request's answer.
 */
export class IdempotencyLeaseLostError extends IdempotencyInProgressError {
  constructor() {
    super('this request was held up for longer than its hold on the idempotencyKey lasts and another request with the key took over; nothing was sent by this one: retry with the same key for the answer');
  }
}

/**
 * OUTCOME_UNKNOWN (field `idempotencyKey`, retryable): an earlier attempt's command got no answer and
 * reading the registry could not tell whether it took effect, so nothing was sent (README "Idempotency contract").
 */
export class OutcomeUnknownError extends GatewayError {
  readonly code = 'OUTCOME_UNKNOWN';
  constructor(message: string) {
    super(message, { field: 'idempotencyKey', retryable: true });
  }
}

/** An error replayed from an idempotency record: the same code and message the first attempt got. */
export class ReplayedError extends GatewayError {
  readonly code: string;
  constructor(stored: { code: string; message: string; details?: Record<string, unknown> }) {
    super(stored.message, (stored.details ?? {}) as GatewayError['details']);
    this.code = stored.code;
  }
}
