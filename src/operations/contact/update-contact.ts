import type { ContactUpdateInput } from '../../core/model/index.js';
import { liveCapabilities } from '../checks.js';
import { recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';
import { contactBackend } from './contact-backend.js';

/**
 * Updates a contact (RFC 5733 section 3.2.5). Refuses before anything is recorded or sent what
 * contactBackend refuses (the registry, no account there, no contact objects, what its kind cannot
 * send: UnsupportedByBackendError or ValidationError naming the field); then RegistryError subclasses.
 */
export async function updateContact(env: OperationEnv, actor: Actor, args: ContactUpdateInput, registry: string | null | undefined): Promise<OperationResult<TransactionRecord>> {
  const backend = await contactBackend(env.router, actor.registrarId, registry, 'input.registry', liveCapabilities(actor), { command: 'contact:update', input: args });
  const { result, replayed } = await runOperation(env, actor, 'updateContact', { ...args, registry: backend.name }, async (call) => recordOf(await backend.updateContact(call, args)));
  return { registry: backend.name, result, replayed };
}
