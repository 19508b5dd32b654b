import type { GatewayContext } from '../../src/context.js';
import { keyField } from '../federation/representation.js';

/**
 * Federation: the Registrar for a representation `{ __typename: "Registrar", id }`. An API key
 * sees only its own registrar (as `viewer` does): any other id resolves to null.
 */
export function resolveRegistrarReference(representation: Record<string, unknown>, ctx: GatewayContext, at: string): { id: string; name: string } | null {
  const id = keyField(representation, 'id', at);
  return id === ctx.registrar.id ? { id: ctx.registrar.id, name: ctx.registrar.name } : null;
}
