import { UnsupportedByBackendError } from '../../core/errors.js';
import type { CommandArguments, RegistryPort } from '../../core/port.js';
import { requireContactCreate } from '../../backends/requirements.js';
import type { Router } from '../../routing/router.js';
import { checkRegistryName } from '../../validation/names.js';
import { liveCapabilities, requireArguments, type CapabilitySource } from '../checks.js';

/**
 * The backend a contact lives at (`registry`, else the default), when it has contact objects
 * (Nomulus has none: UnsupportedByBackendError before anything is sent). `field` names the
 * registry argument in a ValidationError, also for an empty one (never taken as the default);
 * `caps`: where the capabilities are read (src/operations/checks.ts; the live ones by default). A
 * contact create or update (`args`) is also checked against how the registry keeps contacts
 * (a create's requireContactCreate: the id, the identity) and what its kind cannot send
 * (requireArguments: REPP's postal address, fax, an emptied phone; Joker's statuses, emptied
 * fields, a third street line). Throws ForbiddenError when the registrar has no account there.
 */
export async function contactBackend(
  router: Router,
  registrarId: string,
  registry: string | null | undefined,
  field: string,
  caps: CapabilitySource = liveCapabilities({ registrarId }),
  args?: Extract<CommandArguments, { command: 'contact:create' | 'contact:update' }>,
): Promise<RegistryPort> {
  const backend = router.forContact(registry != null ? checkRegistryName(field, registry) : null, field); // "" is refused, not the default
  const c = await caps(backend);
  if (!c.contacts) throw new UnsupportedByBackendError(backend.name, 'contact objects');
  if (args?.command === 'contact:create') requireContactCreate(backend.name, args.input, c);
  return args ? requireArguments(backend, args, caps) : backend;
}
