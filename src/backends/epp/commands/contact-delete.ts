/** contact:delete (RFC 5733 section 3.2.2). */
import { el, leaf } from '../xml/build.js';
import { objectCommand, type EppResponse } from '../xml/envelope.js';
import { xmlnsAttr } from '../xml/namespaces.js';

export function build(id: string, clTRID: string): string {
  return objectCommand('delete', el('contact:delete', xmlnsAttr('contact'), leaf('contact:id', id)), clTRID);
}

export function parse(_resp: EppResponse): null {
  return null;
}
