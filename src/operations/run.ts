/**
 * How every mutation runs, whatever calls it (a resolver, a bulk item, a CLI): the model is
 * Nomulus's FlowRunner (google/nomulus flows/FlowRunner.java), which runs one Flow per command
 * the same way for every entry point. An operation here is a function of the long-lived services
 * (`OperationEnv`), the actor (registrar + idempotency key) and the normalised arguments; it never
 * sees GraphQL, and the resolver around it only parses, calls and shapes the payload.
 */
import type { GatewayConfig } from '../config.types.js';
import type { Clock } from '../core/clock.js';
import { linkedObjects, namingNotFound, updatedObjects } from '../core/field-paths.js';
import type { CallContext, DomainCreateInput, DomainUpdateInput, PortResult } from '../core/model/index.js';
import type { PrismaClient } from '../db/generated/client.js';
import type { Attempt, IdempotencyService, StoredResult } from '../idempotency/service.js';
import type { Router } from '../routing/router.js';
import { checkIdempotencyKey } from '../validation/names.js';
import { WriteFence } from '../core/write-fence.js';

/** How an operation runs under its idempotency key: IdempotencyService.run, or a bulk item's own way (src/bulk/runner.ts). */
export type IdempotencyRunner = Pick<IdempotencyService, 'run'>;

/** The long-lived parts an operation uses (a subset of the gateway's Services). */
export interface OperationEnv {
  router: Router;
  prisma: PrismaClient;
  idempotency: IdempotencyRunner;
  clock: Clock;
  config: Pick<GatewayConfig, 'registrars'>;
}

/** Who runs the operation and under which idempotency key (1-255 visible ASCII characters). */
export interface Actor {
  registrarId: string;
  idempotencyKey: string;
  /**
   * The gateway operation the command log names for the commands sent for this actor
   * (CallContext.operation), when it is not the operation run: a bulk job's mutation
   * (`bulkRenew`) for its items' renewals and reads (src/bulk/kinds.ts BULK_OPERATIONS). Absent:
   * the operation run (`renewDomain`). The idempotency record keeps the operation run either way.
   */
  cause?: string;
  /**
   * The fence the actor's state-changing commands go out under (CallContext.fence): a bulk item's,
   * with its job's revocation flag (src/bulk/runner.ts). Absent: runOperation makes one per call.
   */
  fence?: WriteFence;
  /** The actor's calls are background work (CallContext.background): a bulk item's. Absent: interactive. */
  background?: boolean;
}

/** What every mutation stores: the upstream transaction, plus its own result fields. */
export interface TransactionRecord extends StoredResult {
  trid: { client: string; server?: string | null };
  code: number;
  message?: string | null;
  /** The registry only queued the command; its completion arrives as a poll message (PortResult.awaitsCompletion). */
  awaitsCompletion?: boolean;
  /** Nothing was sent: the object already was as asked (PortResult.unchanged). */
  unchanged?: boolean;
}

/** An operation's answer: the stored (or replayed) record and the backend that ran it. */
export interface OperationResult<T extends TransactionRecord> {
  registry: string;
  result: T;
  /** True when the answer is the stored one of an earlier request with the same key. */
  replayed: boolean;
}

/** The transaction part of a port result, as an operation stores it: client/server transaction ids, the upstream result code and message (RFC 5730 section 3), awaitsCompletion for a queued command, unchanged for one that sent nothing. */
export function recordOf<T>(r: PortResult<T>): TransactionRecord {
  return { trid: r.trid, code: r.code, message: r.message ?? null, ...(r.awaitsCompletion ? { awaitsCompletion: true } : {}), ...(r.unchanged ? { unchanged: true } : {}) };
}

/** The call context of the actor (what adapters and capability reads see), without a key; its commands logged under actor.cause. */
export function callOf(actor: Pick<Actor, 'registrarId' | 'cause' | 'background'>): CallContext {
  return { registrarId: actor.registrarId, ...(actor.cause ? { operation: actor.cause } : {}), ...(actor.background ? { background: true } : {}) };
}

type Named = Iterable<readonly [string, string]>;

/**
 * Which argument a registry's "object does not exist" (ObjectNotFoundError, 2303, RFC 5730 section
 * 3) is about, per operation (namingNotFound, src/core/field-paths.ts): the objects a domain create
 * links and a domain update adds, by the words of the refusal; a command on one object, that object
 * (the argument path its mutation names it by: `input.name`, `name`, `id`, `domainName`; a bulk
 * item's translated by itemErrorField).
 */
const NOT_FOUND: Partial<Record<string, { named?: (args: unknown) => Named; subject?: string }>> = {
  createDomain: { named: (a) => linkedObjects(a as DomainCreateInput) },
  updateDomain: { named: (a) => updatedObjects(a as DomainUpdateInput) },
  renewDomain: { subject: 'input.name' },
  deleteDomain: { subject: 'name' },
  restoreDomain: { subject: 'name' },
  createHost: { subject: 'input.name' },
  updateHost: { subject: 'input.name' },
  deleteHost: { subject: 'name' },
  updateContact: { subject: 'input.id' },
  deleteContact: { subject: 'id' },
  requestTransfer: { subject: 'domainName' },
  approveTransfer: { subject: 'domainName' },
  rejectTransfer: { subject: 'domainName' },
  cancelTransfer: { subject: 'domainName' },
};

/**
 * Runs `execute` exactly once per (registrar, idempotencyKey) through the idempotency service:
 * `args` must be the normalised, validated arguments with their defaults applied (the key's
 * fingerprint is taken over them, so an argument left out and the same argument given as its
 * default are one request), so every check happens before anything is recorded or sent; `sameAs`:
 * other forms of them an earlier release fingerprinted (MutationRequest.sameAs). `execute` gets the call context,
 * which carries the key and the operation (actor.cause, else `operation`) into the command log, and the attempt, whose `note()` records what is
 * about to be sent when that is decided inside `execute` (a renewal's curExpDate), so that a later
 * reconciliation knows it. Throws ValidationError (idempotencyKey) and whatever the service throws;
 * a registry's ObjectNotFoundError from `execute` names its argument (NOT_FOUND) before the key's
 * record keeps it.
 */
export async function runOperation<T extends TransactionRecord>(
  env: Pick<OperationEnv, 'idempotency'>,
  actor: Actor,
  operation: string,
  args: unknown,
  execute: (call: CallContext, attempt: Attempt) => Promise<T>,
  sameAs?: readonly unknown[],
): Promise<{ result: T; replayed: boolean }> {
  const key = checkIdempotencyKey('idempotencyKey', actor.idempotencyKey);
  const call: CallContext = { registrarId: actor.registrarId, idempotencyKey: key, operation: actor.cause ?? operation, fence: actor.fence ?? new WriteFence(), ...(actor.background ? { background: true } : {}) };
  // The attempt's own commands are told apart from another attempt's of the key (CallContext.attempt).
  const notFound = NOT_FOUND[operation];
  const naming = notFound ? (e: unknown) => Promise.reject(namingNotFound(e, notFound.named?.(args) ?? [], notFound.subject)) : undefined;
  return env.idempotency.run({ registrarId: actor.registrarId, key, operation, args, call, ...(sameAs?.length ? { sameAs } : {}) }, (attempt) => {
    const ran = execute(attempt.id === undefined ? call : { ...call, attempt: attempt.id }, attempt);
    return naming ? ran.catch(naming) : ran;
  });
}
