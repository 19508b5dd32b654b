import { recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';
import { contactBackend } from './contact-backend.js';

/** Deletes a contact (RFC 5733 section 3.2.2). Throws UnsupportedByBackendError, RegistryError subclasses. */
export async function deleteContact(env: OperationEnv, actor: Actor, id: string, registry: string | null | undefined): Promise<OperationResult<TransactionRecord>> {
  const backend = await contactBackend(env.router, actor.registrarId, registry, 'registry');
  const { result, replayed } = await runOperation(env, actor, 'deleteContact', { id, registry: backend.name }, async (call) => recordOf(await backend.deleteContact(call, id)));
  return { registry: backend.name, result, replayed };
}
