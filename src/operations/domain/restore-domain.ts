import { refuseLocally } from '../checks.js';
import { namedDomainChecks } from './named-checks.js';
import { recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';

/**
 * Restores a domain in its redemption period (RFC 3915 restore request). Refuses before anything
 * is recorded or sent what namedDomainChecks refuses with what is known locally (a name no registry
 * is configured for or can hold, no account there, a backend without restore by its kind: REPP,
 * HeadlessDomains); an EPP registry's restore is its greeting's, checked by the port before
 * sending. Then RegistryError subclasses.
 */
export async function restoreDomain(env: OperationEnv, actor: Actor, name: string): Promise<OperationResult<TransactionRecord & { name: string }>> {
  await refuseLocally(actor.registrarId, (caps) => namedDomainChecks(env.router, name, 'name', 'domain:restore', caps));
  const backend = env.router.forRegistrable(name, 'name');
  const { result, replayed } = await runOperation(env, actor, 'restoreDomain', { name }, async (call) => ({
    ...recordOf(await backend.restoreDomain(call, name)),
    name,
  }));
  return { registry: backend.name, result, replayed };
}
