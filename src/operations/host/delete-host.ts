import { refuseLocally } from '../checks.js';
import { recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';
import { hostChecks } from './host-checks.js';

/** Deletes a host object (RFC 5732 section 3.2.2). Refuses before anything is recorded or sent what hostChecks refuses with what is known locally; then RegistryError subclasses. */
export async function deleteHost(env: OperationEnv, actor: Actor, name: string, registry: string | null): Promise<OperationResult<TransactionRecord>> {
  await refuseLocally(actor.registrarId, (caps) => hostChecks(env.router, name, registry, 'registry', 'host:delete', caps));
  const backend = env.router.forHost(name, registry);
  const { result, replayed } = await runOperation(env, actor, 'deleteHost', { name, registry: backend.name }, async (call) => recordOf(await backend.deleteHost(call, name)));
  return { registry: backend.name, result, replayed };
}
