import type { GatewayContext } from '../../src/context.js';
import type { Actor, TransactionRecord } from '../../src/operations/run.js';
import { checkClientIdempotencyKey } from '../../src/validation/names.js';
import type { UpstreamTransaction } from '../../schema/common/common.type.js';

/** What an operation stores of its upstream answer (src/operations/run.ts), re-exported for the resolvers. */
export type { TransactionRecord } from '../../src/operations/run.js';

/**
 * The actor of a mutation: the viewer and its idempotency key, checked first (a bad key, or one in
 * the namespace reserved for derived keys, is a ValidationError on `idempotencyKey` before anything
 * else is read, written or sent).
 */
export function actorOf(ctx: GatewayContext, idempotencyKey: string): Actor {
  return { registrarId: ctx.registrar.id, idempotencyKey: checkClientIdempotencyKey('idempotencyKey', idempotencyKey) };
}

/** The argument every mutation takes: the client's idempotency key. */
export interface KeyArg {
  idempotencyKey: string;
}

/**
 * Each mutation's parse step by its field name: its GraphQL arguments (as graphql-js coerced
 * them, the same values its resolver receives) and the request's context -> what its operation
 * takes, throwing ValidationError (or another GatewayError) naming the field. Pure: it reads,
 * writes and sends nothing. The resolver calls it first; src/limits/mutation-inputs.ts calls it
 * for every root field of a mutation document before any of them executes.
 */
export type MutationInputs = Record<string, (args: never, ctx: GatewayContext) => unknown>;

/** A stored TransactionRecord -> GraphQL UpstreamTransaction: `pending` when the code is 1001 (RFC 5730 section 3, action pending). */
export function transactionOf(r: TransactionRecord): UpstreamTransaction {
  return { clientTransactionId: r.trid.client, serverTransactionId: r.trid.server ?? null, resultCode: r.code, message: r.message ?? null, pending: r.code === 1001 };
}

/**
 * What a mutation's payload carries in place of the object it acted on (`domain`, `contact`,
 * `host`): the registry (backend name) to read it from after the command, or null when there is
 * nothing left to read (deleted). The payload's field resolver reads it (through the request's
 * loader, cleared first so the read is fresh) only when the client selects that field, so a
 * mutation whose client asks for `transaction` or `replayed` alone costs the command and no read;
 * a read that fails nulls that field with its error, not the answer of a command that took effect.
 */
export interface ReadAfter {
  readFrom: string | null;
}

/** Dates come back from a stored (JSON) record as strings: parsed by the one date parser (core/time). */
export { asDate } from '../../src/core/time.js';
