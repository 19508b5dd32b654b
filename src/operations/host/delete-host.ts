import { recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';

/** Deletes a host object (RFC 5732 section 3.2.2). Throws RegistryError subclasses. */
export async function deleteHost(env: OperationEnv, actor: Actor, name: string, registry: string | null): Promise<OperationResult<TransactionRecord>> {
  const backend = env.router.forHost(name, registry);
  const { result, replayed } = await runOperation(env, actor, 'deleteHost', { name, registry: backend.name }, async (call) => recordOf(await backend.deleteHost(call, name)));
  return { registry: backend.name, result, replayed };
}
