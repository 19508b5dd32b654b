/** <hello/> and the <greeting> it (and a new connection) gets; capabilities from the greeting. */
import type { Capabilities } from '../../../core/capabilities.js';
import { el, toXml } from '../xml/build.js';
import { parseGreeting, type EppGreeting } from '../xml/envelope.js';
import { NS } from '../xml/namespaces.js';

export function build(): string {
  return toXml(el('epp', { xmlns: NS.epp }, el('hello', null)));
}

export function parse(xml: string): EppGreeting {
  return parseGreeting(xml);
}

/** What an EPP backend can do, from what its greeting offers. */
export function capabilitiesFrom(g: EppGreeting): Capabilities {
  const secDns = g.extURIs.includes(NS.secDNS);
  return {
    contacts: g.objURIs.includes(NS.contact),
    hostObjects: g.objURIs.includes(NS.host),
    dnssec: secDns,
    dnssecDsData: secDns,
    restore: g.extURIs.includes(NS.rgp),
    transferActions: true,
    poll: true,
    balance: false,
    listDomains: false,
    contactIdsAssigned: false,
    contactIdent: false,
    bulk: false,
    periodUnits: ['y', 'm'],
  };
}
