import type { GatewayContext } from '../../src/context.js';
import type { HostNode } from '../../src/loaders/loaders.js';
import { normalizeDomainName } from '../../src/validation/names.js';
import { keyField } from '../federation/representation.js';

/**
 * Federation: the Nameserver (EPP host object, RFC 5732) for a representation
 * `{ __typename: "Nameserver", name }`, read as `host(name)` reads it: routed by the host name's
 * suffix (else the default registry) and loaded through the request's host loader (batched).
 * Null when the registry has no such host.
 */
export function resolveNameserverReference(representation: Record<string, unknown>, ctx: GatewayContext, at: string): Promise<HostNode | null> {
  const name = normalizeDomainName(`${at}.name`, keyField(representation, 'name', at));
  const backend = ctx.router.forHost(name, null, `${at}.name`);
  return ctx.loaders.host.load({ registry: backend.name, name });
}
