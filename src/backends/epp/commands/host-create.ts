/** host:create (RFC 5732 section 3.2.1). */
import type { HostCreateInput } from '../../../core/model/index.js';
import { el, leaf } from '../xml/build.js';
import { objectCommand, requiredResData, type EppResponse } from '../xml/envelope.js';
import { NS, xmlnsAttr } from '../xml/namespaces.js';
import { requiredDate, requiredText } from '../xml/tree.js';
import { aLabel } from './common.js';
import { addrEls } from './host-common.js';

/** `<create><host:create>`: A-label name and its addresses (RFC 5732 section 3.2.1). ValidationError on input.name or input.ipv4[i]/ipv6[i]. */
export function build(input: HostCreateInput, clTRID: string): string {
  return objectCommand(
    'create',
    el(
      'host:create',
      xmlnsAttr('host'),
      leaf('host:name', aLabel(input.name, 'input.name')),
      addrEls(input.ipv4, input.ipv6, 'input'),
    ),
    clTRID,
  );
}

/** Reads `<host:creData>`: name and crDate (UTC Date). EppProtocolError (UPSTREAM_FAILURE) when creData, name or crDate is missing. */
export function parse(resp: EppResponse): { name: string; createdAt: Date } {
  const cre = requiredResData(resp, NS.host, 'creData');
  return { name: requiredText(cre, NS.host, 'name'), createdAt: requiredDate(cre, NS.host, 'crDate') };
}
