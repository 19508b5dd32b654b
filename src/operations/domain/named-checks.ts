import type { CommandName } from '../../core/commands.js';
import type { RegistryPort } from '../../core/port.js';
import type { Router } from '../../routing/router.js';
import { requireCommand, type CapabilitySource } from '../checks.js';

/**
 * What a mutation that names one domain (deleteDomain, restoreDomain: `field` "name"; a transfer:
 * "domainName") refuses before it is sent, in the port's order (src/operations/checks.ts): a
 * name no registry is configured for (UnknownTldError) or that cannot be registered where it
 * routes (Router.forRegistrable: ValidationError), a registrar without an account there
 * (ForbiddenError), a command the backend lacks (`command`'s needs: restore, transfer actions;
 * UnsupportedByBackendError). Sends nothing; answers the backend.
 */
export async function namedDomainChecks(router: Router, name: string, field: string, command: CommandName, caps: CapabilitySource): Promise<RegistryPort> {
  return requireCommand(router.forRegistrable(name, field), command, caps);
}
