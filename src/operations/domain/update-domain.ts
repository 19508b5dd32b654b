import type { DomainUpdateInput } from '../../core/model/index.js';
import { requireUpdateSupport } from '../../validation/inputs.js';
import { callOf, recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';

/**
 * Updates one domain (RFC 5731 section 3.2.5: statuses, contacts, name servers, DNSSEC, registrant,
 * auth info). Refuses before anything is recorded or sent a name no registry can hold
 * (Router.forRegistrable: ValidationError on input.name) and what the backend lacks
 * (UnsupportedByBackendError); then RegistryError subclasses.
 */
export async function updateDomain(env: OperationEnv, actor: Actor, args: DomainUpdateInput): Promise<OperationResult<TransactionRecord & { name: string }>> {
  const backend = env.router.forRegistrable(args.name, 'input.name');
  requireUpdateSupport(args, backend.name, await backend.capabilities(callOf(actor)));
  const { result, replayed } = await runOperation(env, actor, 'updateDomain', args, async (call) => ({
    ...recordOf(await backend.updateDomain(call, args)),
    name: args.name,
  }));
  return { registry: backend.name, result, replayed };
}
