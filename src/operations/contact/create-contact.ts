import type { ContactCreateInput } from '../../core/model/index.js';
import { liveCapabilities } from '../checks.js';
import { recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';
import { contactBackend } from './contact-backend.js';

/**
 * Creates a contact (RFC 5733 section 3.2.1) at `registry` (else the default backend); the record
 * keeps the registry's id where the registry assigns one. Refuses before anything is recorded or
 * sent what contactBackend refuses (the registry, no account there, no contact objects, the id or
 * identity the registry needs, what its kind cannot send); then RegistryError subclasses.
 */
export async function createContact(env: OperationEnv, actor: Actor, args: ContactCreateInput, registry: string | null | undefined): Promise<OperationResult<TransactionRecord & { id: string }>> {
  const backend = await contactBackend(env.router, actor.registrarId, registry, 'input.registry', liveCapabilities(actor), { command: 'contact:create', input: args });
  const { result, replayed } = await runOperation(env, actor, 'createContact', { ...args, registry: backend.name }, async (call) => {
    const r = await backend.createContact(call, args);
    return { ...recordOf(r), id: r.data.id };
  });
  return { registry: backend.name, result: { ...result, id: result.id ?? args.id! }, replayed };
}
