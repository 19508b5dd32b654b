import type { GraphQLResolveInfo } from 'graphql';
import type { GatewayContext } from '../../src/context.js';
import { takeParsed } from '../../src/limits/mutation-inputs.js';
import { refuseLocally, type CapabilitySource } from '../../src/operations/checks.js';
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

/**
 * Each mutation's checks that need no registry by its field name (src/limits/mutation-inputs.ts
 * MutationCheck): its parse step's result and the request's context -> resolves, or rejects with
 * the error its field would give when it ran. The pre-pass runs them for every root field of a
 * mutation document before any of them executes; the operation runs the same checks itself.
 */
export type MutationChecks = Record<string, (parsed: never, ctx: GatewayContext) => Promise<void>>;

/**
 * A MutationChecks entry from an operation's check function (src/operations/checks.ts), run with
 * what is known without a round trip (refuseLocally): its refusal, or nothing where deciding
 * needs the registry.
 */
export function localChecks<P extends { actor: Actor }>(checks: (p: P, ctx: GatewayContext, caps: CapabilitySource) => unknown): (p: P, ctx: GatewayContext) => Promise<void> {
  return (p, ctx) => refuseLocally(p.actor.registrarId, (caps) => checks(p, ctx, caps));
}

/**
 * A mutation's parse step as its resolver runs it: what the pre-pass got from this very step for
 * this field of this request (src/limits/mutation-inputs.ts takeParsed; a bulk job's names are not
 * normalised twice), else `parse(args, ctx)`. `info`: the resolver's.
 */
export function parsedArgs<A, R>(ctx: GatewayContext, info: GraphQLResolveInfo, parse: (a: A, ctx: GatewayContext) => R, args: A): R {
  const pre = takeParsed(ctx, info.fieldNodes[0]!, parse);
  return pre.found ? pre.value : parse(args, ctx);
}

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
