import type { ContactUpdateInput } from '../../core/model/index.js';
import { recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';
import { contactBackend } from './contact-backend.js';

/** Updates a contact (RFC 5733 section 3.2.5). Throws UnsupportedByBackendError, RegistryError subclasses. */
export async function updateContact(env: OperationEnv, actor: Actor, args: ContactUpdateInput, registry: string | null | undefined): Promise<OperationResult<TransactionRecord>> {
  const backend = await contactBackend(env.router, actor.registrarId, registry, 'input.registry');
  const { result, replayed } = await runOperation(env, actor, 'updateContact', { ...args, registry: backend.name }, async (call) => recordOf(await backend.updateContact(call, args)));
  return { registry: backend.name, result, replayed };
}
