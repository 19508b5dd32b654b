import { GatewayError } from '../core/errors.js';

export class IdempotencyKeyReusedError extends GatewayError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor(operation: string) {
    super(`idempotencyKey was already used for a different request (${operation}); use a new key for a new request`, {
      field: 'idempotencyKey',
    });
  }
}

export class IdempotencyInProgressError extends GatewayError {
  readonly code = 'IDEMPOTENCY_IN_PROGRESS';
  constructor() {
    super('a request with this idempotencyKey is still in progress; retry shortly with the same key', {
      field: 'idempotencyKey',
      retryable: true,
    });
  }
}

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
