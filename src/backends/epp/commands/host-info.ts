/** host:info (RFC 5732 section 3.1.2). */
import type { Host } from '../../../core/model/index.js';
import { el, leaf } from '../xml/build.js';
import { objectCommand, requiredResData, type EppResponse } from '../xml/envelope.js';
import { NS, xmlnsAttr } from '../xml/namespaces.js';
import { childDate, childText, children, requiredText } from '../xml/tree.js';
import { aLabel, addresses, statusesOf } from './common.js';

/** `<info><host:info><host:name>` with the A-label of `name` (RFC 5732 section 3.1.2). */
export function build(name: string, clTRID: string): string {
  return objectCommand('info', el('host:info', xmlnsAttr('host'), leaf('host:name', aLabel(name))), clTRID);
}

/**
 * Reads `<host:infData>` -> Host (addresses split by ip="v4|v6", v4 when absent; UTC Dates, absent ones null).
 * EppProtocolError (UPSTREAM_FAILURE) when infData, name or clID is missing or a date is malformed.
 */
export function parse(resp: EppResponse): Host {
  const h = NS.host;
  const inf = requiredResData(resp, h, 'infData');
  return {
    name: requiredText(inf, h, 'name'),
    roid: childText(inf, h, 'roid') ?? null,
    statuses: statusesOf(inf, h),
    ...addresses(children(inf, h, 'addr')),
    sponsor: requiredText(inf, h, 'clID'),
    createdBy: childText(inf, h, 'crID') ?? null,
    createdAt: childDate(inf, h, 'crDate'),
    updatedBy: childText(inf, h, 'upID') ?? null,
    updatedAt: childDate(inf, h, 'upDate'),
    transferredAt: childDate(inf, h, 'trDate'),
  };
}
