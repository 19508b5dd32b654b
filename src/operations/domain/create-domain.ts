import type { DomainCreateInput } from '../../core/model/index.js';
import type { RegistryPort } from '../../core/port.js';
import { createNeeds, needsOf, requireMet } from '../../backends/requirements.js';
import { DomainIndex } from '../../domains/domain-index.js';
import type { Router } from '../../routing/router.js';
import { requireCreateSupport } from '../../validation/inputs.js';
import { liveCapabilities, requireArguments, type CapabilitySource } from '../checks.js';
import { recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';

/**
 * What createDomain refuses before its key is read, in this order (src/operations/checks.ts): a
 * name no registry is configured for (UnknownTldError) or that cannot be registered where it
 * routes (Router.forRegistrable: ValidationError on input.name), a registrar without an account
 * there (ForbiddenError), what the backend lacks (contacts, DNSSEC, registrant metadata, DS data:
 * UnsupportedByBackendError naming the field), a period it does not take (ValidationError on
 * input.period) and what the backend's kind cannot send in the arguments (requireArguments: REPP's
 * billing contact, Joker's name server addresses or missing contact roles, HeadlessDomains' glue).
 * Sends nothing; answers the backend.
 */
export async function createDomainChecks(router: Router, args: DomainCreateInput, caps: CapabilitySource): Promise<RegistryPort> {
  const backend = router.forRegistrable(args.name, 'input.name');
  const c = await caps(backend);
  requireCreateSupport(args, backend.name, c);
  backend.checkPeriod(args.name, args.period, 'input.period');
  // What the port checks before sending (PortableBackend.run), refused before the key too.
  requireMet(backend.name, [...needsOf('domain:create'), ...createNeeds(args)], c);
  return requireArguments(backend, { command: 'domain:create', input: args }, caps);
}

/**
 * Creates one domain (RFC 5731 section 3.2.1) and adds it to the registrar's domain index (the
 * `domains` connection of registries without a list command). Refuses before anything is recorded
 * or sent what createDomainChecks refuses; then RegistryError subclasses. A registry's "object does
 * not exist" (ObjectNotFoundError, 2303: a contact or host the domain would link) names the
 * argument its words name (runOperation's namingNotFound: `input.registrant`, `input.contacts[i]`,
 * `input.nameservers[i]`), in the answer and in the record its key keeps.
 */
export async function createDomain(env: OperationEnv, actor: Actor, args: DomainCreateInput): Promise<OperationResult<TransactionRecord & { name: string }>> {
  const name = args.name;
  const backend = await createDomainChecks(env.router, args, liveCapabilities(actor));
  const { result, replayed } = await runOperation(env, actor, 'createDomain', args, async (call) => {
    const r = await backend.createDomain(call, args);
    await new DomainIndex(env.prisma).add(actor.registrarId, name, backend.name);
    return { ...recordOf(r), name };
  });
  return { registry: backend.name, result, replayed };
}
