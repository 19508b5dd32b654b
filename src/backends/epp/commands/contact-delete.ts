/** contact:delete (RFC 5733 section 3.2.2). */
import { el, leaf } from '../xml/build.js';
import { objectCommand, type EppResponse } from '../xml/envelope.js';
import { xmlnsAttr } from '../xml/namespaces.js';

/** `<delete><contact:delete><contact:id>` (RFC 5733 section 3.2.2). */
export function build(id: string, clTRID: string): string {
  return objectCommand('delete', el('contact:delete', xmlnsAttr('contact'), leaf('contact:id', id)), clTRID);
}

/** A contact delete answer carries no resData (RFC 5733 section 3.2.2): always null. */
export function parse(_resp: EppResponse): null {
  return null;
}
