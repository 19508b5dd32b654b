import type { GatewayContext } from '../../src/context.js';
import type { DomainNode } from '../../src/loaders/loaders.js';
import { normalizeDomainName } from '../../src/validation/names.js';
import { asSeenBy } from '../../src/domains/own-domains.js';
import { keyField } from '../federation/representation.js';

/**
 * Federation: the Domain for a representation `{ __typename: "Domain", name }` (its `@key`),
 * read as `domain(name)` reads it: the name is normalised (IDN to A-label), routed by TLD and
 * loaded through the request's domain loader, so the representations of one `_entities` call are
 * batched per registry and the same API key's authorization applies (another registrar's domain
 * shows its name, roid and sponsor only: asSeenBy). Null when the registry has
 * no such domain, and without asking it for a name no registry can hold (Router.forReadable).
 */
export function resolveDomainReference(representation: Record<string, unknown>, ctx: GatewayContext, at: string): Promise<DomainNode | null> {
  const name = normalizeDomainName(`${at}.name`, keyField(representation, 'name', at));
  const backend = ctx.router.forReadable(name, `${at}.name`);
  // As domain(name) answers it: another registrar's domain is its name, ROID and sponsor (asSeenBy).
  return backend ? ctx.loaders.domain.load({ registry: backend.name, name }).then((d) => asSeenBy(ctx.router, ctx.registrar.id, backend.name, d)) : Promise.resolve(null);
}
