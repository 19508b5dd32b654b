import type { GatewayContext } from '../../src/context.js';
import type { CallContext, PortResult } from '../../src/core/model/index.js';
import type { Attempt, StoredResult } from '../../src/idempotency/service.js';
import { checkIdempotencyKey } from '../../src/validation/names.js';
import type { UpstreamTransaction } from '../../schema/common/common.type.js';

/** What every mutation stores: the upstream transaction, plus its own result fields. */
export interface TransactionRecord extends StoredResult {
  trid: { client: string; server?: string | null };
  code: number;
  message?: string | null;
}

export function recordOf<T>(r: PortResult<T>): TransactionRecord {
  return { trid: r.trid, code: r.code, message: r.message ?? null };
}

export function transactionOf(r: TransactionRecord): UpstreamTransaction {
  return { clientTransactionId: r.trid.client, serverTransactionId: r.trid.server ?? null, resultCode: r.code, message: r.message ?? null, pending: r.code === 1001 };
}

/**
 * Runs a mutation exactly once per (registrar, idempotencyKey): `args` must be the normalised,
 * validated arguments, so the check happens before anything is recorded or sent. `execute` gets
 * the call context (which carries the key into the command log) and the attempt, whose `note()`
 * records what is about to be sent when that is decided inside `execute` (a renewal's
 * curExpDate), so that a later reconciliation knows it.
 */
export async function mutate<T extends TransactionRecord>(
  ctx: GatewayContext,
  operation: string,
  idempotencyKey: string,
  args: unknown,
  execute: (call: CallContext, attempt: Attempt) => Promise<T>,
): Promise<{ result: T; replayed: boolean }> {
  const key = checkIdempotencyKey('idempotencyKey', idempotencyKey);
  const call: CallContext = { ...ctx.call, idempotencyKey: key, operation };
  return ctx.idempotency.run({ registrarId: ctx.registrar.id, key, operation, args, call }, (attempt) => execute(call, attempt));
}

/** Dates come back from a stored (JSON) record as strings: parsed by the one date parser (core/time). */
export { asDate } from '../../src/core/time.js';
