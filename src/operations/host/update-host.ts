import type { HostUpdateInput } from '../../core/model/index.js';
import { refuseLocally } from '../checks.js';
import { recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';
import { hostChecks } from './host-checks.js';

/** Updates a host object (RFC 5732 section 3.2.5: addresses, statuses, a new name). Refuses before anything is recorded or sent what hostChecks refuses with what is known locally; then RegistryError subclasses. */
export async function updateHost(env: OperationEnv, actor: Actor, args: HostUpdateInput, registry: string | null): Promise<OperationResult<TransactionRecord>> {
  await refuseLocally(actor.registrarId, (caps) => hostChecks(env.router, args.name, registry, 'input.registry', 'host:update', caps, { command: 'host:update', input: args }));
  const backend = env.router.forHost(args.name, registry, 'input.registry');
  const { result, replayed } = await runOperation(env, actor, 'updateHost', { ...args, registry: backend.name }, async (call) => recordOf(await backend.updateHost(call, args)));
  return { registry: backend.name, result, replayed };
}
