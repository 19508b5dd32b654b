/** host:update (RFC 5732 section 3.2.5): addresses and statuses added/removed, rename. */
import { ValidationError } from '../../../core/errors.js';
import type { HostUpdateInput } from '../../../core/model/index.js';
import { el, leaf, type XNode } from '../xml/build.js';
import { objectCommand, type EppResponse } from '../xml/envelope.js';
import { xmlnsAttr } from '../xml/namespaces.js';
import { aLabel } from './common.js';
import { addrEls } from './host-common.js';

function addRem(tag: string, ipv4: string[], ipv6: string[], statuses: string[], field: string): XNode | null {
  if (ipv4.length === 0 && ipv6.length === 0 && statuses.length === 0) return null;
  return el(tag, null, addrEls(ipv4, ipv6, field), statuses.map((s) => el('host:status', { s })));
}

/**
 * `<update><host:update>`: A-label name, add/rem (addresses, statuses), chg (new name) (RFC 5732 section 3.2.5).
 * Throws ValidationError (field `input`) when nothing would change, or on a name or address field.
 */
export function build(input: HostUpdateInput, clTRID: string): string {
  const add = addRem('host:add', input.addIpv4, input.addIpv6, input.addStatuses, 'input.add');
  const rem = addRem('host:rem', input.removeIpv4, input.removeIpv6, input.removeStatuses, 'input.remove');
  const chg = input.newName ? el('host:chg', null, leaf('host:name', aLabel(input.newName, 'input.newName'))) : null;
  if (!add && !rem && !chg) throw new ValidationError('input', 'nothing to update');
  return objectCommand(
    'update',
    el('host:update', xmlnsAttr('host'), leaf('host:name', aLabel(input.name, 'input.name')), add, rem, chg),
    clTRID,
  );
}

/** A host update answer carries no resData (RFC 5732 section 3.2.5): always null. */
export function parse(_resp: EppResponse): null {
  return null;
}
