import type { DomainCreateInput } from '../../core/model/index.js';
import { DomainIndex } from '../../domains/domain-index.js';
import { requireCreateSupport } from '../../validation/inputs.js';
import { callOf, recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';

/**
 * Creates one domain (RFC 5731 section 3.2.1) and adds it to the registrar's domain index (the
 * `domains` connection of registries without a list command). Refuses before anything is sent
 * a name the registry cannot register (Router.unregistrable: ValidationError on input.name), what the backend lacks (contacts, DNSSEC, the period unit, a period it does not take): UnsupportedByBackendError,
 * ValidationError; then RegistryError subclasses.
 */
export async function createDomain(env: OperationEnv, actor: Actor, args: DomainCreateInput): Promise<OperationResult<TransactionRecord & { name: string }>> {
  const name = args.name;
  const backend = env.router.forRegistrable(name, 'input.name');
  requireCreateSupport(args, backend.name, await backend.capabilities(callOf(actor)));
  backend.checkPeriod(name, args.period, 'input.period');
  const { result, replayed } = await runOperation(env, actor, 'createDomain', args, async (call) => {
    const r = await backend.createDomain(call, args);
    await new DomainIndex(env.prisma).add(actor.registrarId, name, backend.name);
    return { ...recordOf(r), name };
  });
  return { registry: backend.name, result, replayed };
}
