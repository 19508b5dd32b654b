import type { HostCreateInput } from '../../core/model/index.js';
import { recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';

/**
 * Creates a host object (RFC 5732 section 3.2.1) at `registry`, else at the backend of its
 * superordinate domain, else the default. Throws RegistryError subclasses.
 */
export async function createHost(env: OperationEnv, actor: Actor, args: HostCreateInput, registry: string | null): Promise<OperationResult<TransactionRecord>> {
  const backend = env.router.forHost(args.name, registry, 'input.registry');
  const { result, replayed } = await runOperation(env, actor, 'createHost', { ...args, registry: backend.name }, async (call) => recordOf(await backend.createHost(call, args)));
  return { registry: backend.name, result, replayed };
}
