import { DomainIndex } from '../../domains/domain-index.js';
import { refuseLocally } from '../checks.js';
import { namedDomainChecks } from './named-checks.js';
import { recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';

/** What a deleteDomain stores for its idempotency key and answers: the name and whether the deletion is pending (EPP 1001, RFC 5731 section 3.2.2). */
export interface DeleteRecord extends TransactionRecord {
  name: string;
  /** The registry answered 1001: the deletion is pending (redemption grace period). */
  pending: boolean;
}

/**
 * Deletes one domain (RFC 5731 section 3.2.2); a completed deletion leaves the registrar's domain
 * index, a pending one stays. Refuses before anything is recorded or sent what namedDomainChecks
 * refuses with what is known locally (a name no registry is configured for or can hold, no account
 * there); then RegistryError subclasses.
 */
export async function deleteDomain(env: OperationEnv, actor: Actor, name: string): Promise<OperationResult<DeleteRecord>> {
  await refuseLocally(actor.registrarId, (caps) => namedDomainChecks(env.router, name, 'name', 'domain:delete', caps));
  const backend = env.router.forRegistrable(name, 'name');
  const { result, replayed } = await runOperation(env, actor, 'deleteDomain', { name }, async (call) => {
    const r = await backend.deleteDomain(call, name);
    if (!r.data.pending) await new DomainIndex(env.prisma).remove(actor.registrarId, name);
    return { ...recordOf(r), name, pending: r.data.pending };
  });
  return { registry: backend.name, result, replayed };
}
