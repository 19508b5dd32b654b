import { UnsupportedByBackendError } from '../../core/errors.js';
import type { RegistryPort } from '../../core/port.js';
import type { Router } from '../../routing/router.js';
import { checkRegistryName } from '../../validation/names.js';

/**
 * The backend a contact lives at (`registry`, else the default), when it has contact objects
 * (Nomulus has none: UnsupportedByBackendError before anything is sent). `field` names the
 * registry argument in a ValidationError, also for an empty one (never taken as the default).
 */
export async function contactBackend(router: Router, registrarId: string, registry: string | null | undefined, field: string): Promise<RegistryPort> {
  const backend = router.forContact(registry != null ? checkRegistryName(field, registry) : null, field); // "" is refused, not the default
  if (!(await backend.capabilities({ registrarId })).contacts) throw new UnsupportedByBackendError(backend.name, 'contact objects');
  return backend;
}
