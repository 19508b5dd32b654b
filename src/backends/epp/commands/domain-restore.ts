/** RGP restore request (RFC 3915 section 4.2.5): a domain:update with an empty chg and rgp:update. */
import { el, leaf } from '../xml/build.js';
import { objectCommand } from '../xml/envelope.js';
import { xmlnsAttr } from '../xml/namespaces.js';
import { aLabel } from './common.js';

/** `<update><domain:update>` (A-label name, empty `<domain:chg/>`) with `<rgp:update><rgp:restore op="request"/>` (RFC 3915 section 4.2.5). */
export function build(name: string, clTRID: string): string {
  return objectCommand(
    'update',
    el('domain:update', xmlnsAttr('domain'), leaf('domain:name', aLabel(name)), el('domain:chg', null)),
    clTRID,
    [el('rgp:update', xmlnsAttr('rgp'), el('rgp:restore', { op: 'request' }))],
  );
}
