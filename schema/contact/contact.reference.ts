import type { GatewayContext } from '../../src/context.js';
import { UnsupportedByBackendError } from '../../src/core/errors.js';
import type { ContactNode } from '../../src/loaders/loaders.js';
import { checkObjectId } from '../../src/validation/names.js';
import { keyField } from '../federation/representation.js';

/**
 * Federation: the Contact (RFC 5733) for a representation `{ __typename: "Contact", registry, id }`
 * (a contact id is unique only within its registry), read as `contact(id, registry)` reads it:
 * UNSUPPORTED_BY_BACKEND for a registry without contact objects, else loaded through the
 * request's contact loader (batched). Null when the registry has no such contact.
 */
export async function resolveContactReference(representation: Record<string, unknown>, ctx: GatewayContext, at: string): Promise<ContactNode | null> {
  const id = checkObjectId(`${at}.id`, keyField(representation, 'id', at));
  const backend = ctx.router.named(keyField(representation, 'registry', at), `${at}.registry`);
  if (!(await backend.capabilities(ctx.call)).contacts) throw new UnsupportedByBackendError(backend.name, 'contact objects');
  return ctx.loaders.contact.load({ registry: backend.name, name: id });
}
