/** host:delete (RFC 5732 section 3.2.2). */
import { el, leaf } from '../xml/build.js';
import { objectCommand, type EppResponse } from '../xml/envelope.js';
import { xmlnsAttr } from '../xml/namespaces.js';
import { aLabel } from './common.js';

/** `<delete><host:delete><host:name>` with the A-label of `name` (RFC 5732 section 3.2.2). */
export function build(name: string, clTRID: string): string {
  return objectCommand('delete', el('host:delete', xmlnsAttr('host'), leaf('host:name', aLabel(name))), clTRID);
}

/** A host delete answer carries no resData (RFC 5732 section 3.2.2): always null. */
export function parse(_resp: EppResponse): null {
  return null;
}
