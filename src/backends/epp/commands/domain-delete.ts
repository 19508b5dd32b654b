/** domain:delete (RFC 5731 section 3.2.2); 1001 means pending (e.g. the redemption grace period). */
import type { DomainDeleted } from '../../../core/model/index.js';
import { el, leaf } from '../xml/build.js';
import { objectCommand, type EppResponse } from '../xml/envelope.js';
import { xmlnsAttr } from '../xml/namespaces.js';
import { aLabel } from './common.js';

/** `<delete><domain:delete><domain:name>` with the A-label of `name` (RFC 5731 section 3.2.2); ValidationError (field `name`) for an empty or invalid name. */
export function build(name: string, clTRID: string): string {
  return objectCommand('delete', el('domain:delete', xmlnsAttr('domain'), leaf('domain:name', aLabel(name))), clTRID);
}

/** No resData: `pending` is true for 1001 (deletion pending, e.g. RGP redemption period), false for 1000. */
export function parse(resp: EppResponse, name: string): DomainDeleted {
  return { name, pending: resp.code === 1001 };
}
