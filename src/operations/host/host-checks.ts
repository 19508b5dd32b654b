import type { CommandName } from '../../core/commands.js';
import type { CommandArguments, RegistryPort } from '../../core/port.js';
import type { Router } from '../../routing/router.js';
import { requireArguments, requireCommand, type CapabilitySource } from '../checks.js';

/**
 * What a host mutation (`command`: host:create, host:update, host:delete) refuses before it is
 * sent, in the port's order (src/operations/checks.ts): an unknown `registry`, or none given and no
 * route or default for the name (ValidationError naming `field`, Router.forHost), a registrar
 * without an account there (ForbiddenError), a backend without host objects (REPP,
 * HeadlessDomains; an EPP registry's say so in its greeting: UnsupportedByBackendError), and with
 * `args` (a create's or update's) what the backend's kind cannot send in them (requireArguments:
 * Joker's host statuses, a rename, more than one address of a family). Sends nothing; answers the backend.
 */
export async function hostChecks(router: Router, name: string, registry: string | null, field: string, command: CommandName, caps: CapabilitySource, args?: Extract<CommandArguments, { command: 'host:create' | 'host:update' }>): Promise<RegistryPort> {
  const backend = await requireCommand(router.forHost(name, registry, field), command, caps);
  return args ? requireArguments(backend, args, caps) : backend;
}
