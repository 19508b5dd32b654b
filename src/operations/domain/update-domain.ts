import type { DomainUpdateInput } from '../../core/model/index.js';
import type { RegistryPort } from '../../core/port.js';
import { needsOf, requireMet, updateNeeds } from '../../backends/requirements.js';
import type { Router } from '../../routing/router.js';
import { requireUpdateSupport } from '../../validation/inputs.js';
import { liveCapabilities, requireArguments, type CapabilitySource } from '../checks.js';
import { recordOf, runOperation, type Actor, type OperationEnv, type OperationResult, type TransactionRecord } from '../run.js';

/**
 * What updateDomain refuses before its key is read (src/operations/checks.ts): a name no registry
 * is configured for (UnknownTldError) or that cannot be registered where it routes (ValidationError
 * on input.name), a registrar without an account there (ForbiddenError), what the backend lacks
 * (contacts, DNSSEC, registrant metadata, DS data: UnsupportedByBackendError naming the field) and
 * what its kind cannot send in the arguments (requireArguments: REPP's `registrant: ""`, statuses
 * other than clientHold, billing contacts; Joker's statuses, registrant, auth info, glue;
 * HeadlessDomains' statuses and glue). Sends nothing; answers the backend.
 */
export async function updateDomainChecks(router: Router, args: DomainUpdateInput, caps: CapabilitySource): Promise<RegistryPort> {
  const backend = router.forRegistrable(args.name, 'input.name');
  const c = await caps(backend);
  requireUpdateSupport(args, backend.name, c);
  // What the port checks before sending (PortableBackend.run), refused before the key too.
  requireMet(backend.name, [...needsOf('domain:update'), ...updateNeeds(args)], c);
  return requireArguments(backend, { command: 'domain:update', input: args }, caps);
}

/**
 * Updates one domain (RFC 5731 section 3.2.5: statuses, contacts, name servers, DNSSEC, registrant,
 * auth info). Refuses before anything is recorded or sent what updateDomainChecks refuses; then
 * RegistryError subclasses. A registry's "object does not exist" (ObjectNotFoundError, 2303) names
 * the argument it is about when its words name one (runOperation's namingNotFound over
 * updatedObjects: an added name server or contact, the new registrant, a removed name server or
 * contact, else the domain, `input.name`), in the answer and in the record its key keeps.
 */
export async function updateDomain(env: OperationEnv, actor: Actor, args: DomainUpdateInput): Promise<OperationResult<TransactionRecord & { name: string }>> {
  const backend = await updateDomainChecks(env.router, args, liveCapabilities(actor));
  const { result, replayed } = await runOperation(env, actor, 'updateDomain', args, async (call) => ({
    ...recordOf(await backend.updateDomain(call, args)),
    name: args.name,
  }));
  return { registry: backend.name, result, replayed };
}
