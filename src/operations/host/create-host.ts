import type { HostCreateInput } from '../../core/model/index.js';
import { refuseLocally } from '../checks.js';
import { recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';
import { hostChecks } from './host-checks.js';

/**
 * Creates a host object (RFC 5732 section 3.2.1) at `registry`, else at the backend of its
 * superordinate domain, else the default. Refuses before anything is recorded or sent what
 * hostChecks refuses with what is known locally; then RegistryError subclasses.
 */
export async function createHost(env: OperationEnv, actor: Actor, args: HostCreateInput, registry: string | null): Promise<OperationResult<TransactionRecord>> {
  await refuseLocally(actor.registrarId, (caps) => hostChecks(env.router, args.name, registry, 'input.registry', 'host:create', caps, { command: 'host:create', input: args }));
  const backend = env.router.forHost(args.name, registry, 'input.registry');
  const { result, replayed } = await runOperation(env, actor, 'createHost', { ...args, registry: backend.name }, async (call) => recordOf(await backend.createHost(call, args)));
  return { registry: backend.name, result, replayed };
}
