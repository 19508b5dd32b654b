/** domain:info (RFC 5731 section 3.1.2) with the rgp:infData and secDNS:infData extensions. */
import type { Domain, DomainContact, DomainNameserver } from '../../../core/model/index.js';
import { el, leaf } from '../xml/build.js';
import { extension, objectCommand, requiredResData, type EppResponse } from '../xml/envelope.js';
import { NS, xmlnsAttr } from '../xml/namespaces.js';
import { child, childDate, childText, children, requiredText, textOf } from '../xml/tree.js';
import { aLabel, addresses, authInfoEl, authInfoPw, statusesOf } from './common.js';
import { parseSecDnsInfo } from './secdns.js';

/** `<info><domain:info>` with `<domain:name hosts="all">` (A-label) and, when given, `<domain:authInfo><domain:pw>` (RFC 5731 section 3.1.2). */
export function build(name: string, authInfo: string | null | undefined, clTRID: string): string {
  return objectCommand(
    'info',
    el(
      'domain:info',
      xmlnsAttr('domain'),
      leaf('domain:name', aLabel(name), { hosts: 'all' }),
      authInfo ? authInfoEl('domain', authInfo) : null,
    ),
    clTRID,
  );
}

const ROLES = new Set(['admin', 'tech', 'billing']);

/**
 * Reads `<domain:infData>` plus the optional `<rgp:infData>` (RFC 3915 section 4.1.2) and `<secDNS:infData>` (RFC 5910 section 5.1.2) -> Domain;
 * contacts other than admin/tech/billing are dropped; dates are UTC Dates, absent ones null. EppProtocolError (UPSTREAM_FAILURE)
 * when infData, name or clID (or a hostAttr's hostName) is missing, or a date or secDNS integer is malformed.
 */
export function parse(resp: EppResponse): Domain {
  const inf = requiredResData(resp, NS.domain, 'infData');
  const d = NS.domain;
  const contacts: DomainContact[] = children(inf, d, 'contact')
    .filter((c) => ROLES.has(c.attrs['type'] ?? ''))
    .map((c) => ({ role: c.attrs['type'] as DomainContact['role'], id: textOf(c) }));
  const ns = child(inf, d, 'ns');
  const nameservers: DomainNameserver[] = [
    ...children(ns, d, 'hostObj').map((h) => ({ name: textOf(h), ipv4: [], ipv6: [] })),
    ...children(ns, d, 'hostAttr').map((h) => ({
      name: requiredText(h, d, 'hostName'),
      ...addresses(children(h, d, 'hostAddr')),
    })),
  ];
  const rgp = extension(resp, NS.rgp, 'infData');
  return {
    name: requiredText(inf, d, 'name'),
    roid: childText(inf, d, 'roid') ?? null,
    statuses: statusesOf(inf, d),
    rgpStatuses: children(rgp, NS.rgp, 'rgpStatus')
      .map((s) => s.attrs['s'] ?? '')
      .filter((s) => s !== ''),
    registrant: childText(inf, d, 'registrant') ?? null,
    contacts,
    nameservers,
    subordinateHosts: children(inf, d, 'host').map(textOf),
    dnssec: parseSecDnsInfo(extension(resp, NS.secDNS, 'infData')),
    sponsor: requiredText(inf, d, 'clID'),
    createdBy: childText(inf, d, 'crID') ?? null,
    createdAt: childDate(inf, d, 'crDate'),
    updatedBy: childText(inf, d, 'upID') ?? null,
    updatedAt: childDate(inf, d, 'upDate'),
    expiresAt: childDate(inf, d, 'exDate'),
    transferredAt: childDate(inf, d, 'trDate'),
    authInfo: authInfoPw(inf, d),
  };
}
