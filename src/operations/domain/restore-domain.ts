import { recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';

/**
 * Restores a domain in its redemption period (RFC 3915 restore request). A name no registry can
 * hold (Router.forRegistrable) is ValidationError on `name` before anything is recorded or sent;
 * then RegistryError subclasses.
 */
export async function restoreDomain(env: OperationEnv, actor: Actor, name: string): Promise<OperationResult<TransactionRecord & { name: string }>> {
  const backend = env.router.forRegistrable(name, 'name');
  const { result, replayed } = await runOperation(env, actor, 'restoreDomain', { name }, async (call) => ({
    ...recordOf(await backend.restoreDomain(call, name)),
    name,
  }));
  return { registry: backend.name, result, replayed };
}
