/** <hello/> and the <greeting> it (and a new connection) gets; capabilities from the greeting. */
import type { Capabilities, KnownCapabilities } from '../../../core/capabilities.js';
import { el, toXml } from '../xml/build.js';
import { parseGreeting, type EppGreeting } from '../xml/envelope.js';
import { NS } from '../xml/namespaces.js';

/** The `<epp><hello/></epp>` frame (RFC 5730 section 2.3); the server answers with a greeting. */
export function build(): string {
  return toXml(el('epp', { xmlns: NS.epp }, el('hello', null)));
}

/** A `<greeting>` frame (RFC 5730 section 2.4) -> EppGreeting; EppProtocolError (UPSTREAM_FAILURE) when it is not a greeting or has no svcMenu. */
export function parse(xml: string): EppGreeting {
  return parseGreeting(xml);
}

/** The period units RFC 5731 allows (periodType: y or m): an EPP backend's unless its config says `periodUnits`. */
export const EPP_PERIOD_UNITS: ReadonlyArray<'y' | 'm'> = ['y', 'm'];

/**
 * What an EPP backend can do, from what its greeting offers. The greeting does not say which
 * period units the registry's policy takes (Nomulus: years only), nor which periods a transfer may
 * add (Nomulus: one year), so `periodUnits` and `transferPeriods` come from the backend's config
 * (EppBackendConfig), by default RFC 5731's units and any period.
 */
export function capabilitiesFrom(g: EppGreeting, periodUnits: ReadonlyArray<'y' | 'm'> = EPP_PERIOD_UNITS, transferPeriods: 'any' | 'one-year' = 'any'): Capabilities {
  const secDns = g.extURIs.includes(NS.secDNS);
  return {
    contacts: g.objURIs.includes(NS.contact),
    hostObjects: g.objURIs.includes(NS.host),
    dnssec: secDns,
    dnssecDsData: secDns,
    restore: g.extURIs.includes(NS.rgp),
    transferActions: true,
    transferPeriod: transferPeriods === 'one-year' ? 'one-year' : true,
    poll: true,
    balance: false,
    listDomains: false,
    contactIdsAssigned: false,
    contactIdent: false,
    bulk: false,
    periodUnits: [...periodUnits],
  };
}

/** The capabilities capabilitiesFrom reads from the greeting (its object and extension URIs); the others are fixed for EPP or come from the config. */
export const GREETING_CAPABILITIES: ReadonlyArray<keyof Capabilities> = ['contacts', 'hostObjects', 'dnssec', 'dnssecDsData', 'restore'];

/**
 * What an EPP backend's capabilities are without its greeting (Driver.knownCapabilities): those
 * capabilitiesFrom fixes for EPP and the configured `periodUnits` and `transferPeriods`; GREETING_CAPABILITIES unknown.
 */
export function knownCapabilitiesOf(periodUnits: ReadonlyArray<'y' | 'm'> = EPP_PERIOD_UNITS, transferPeriods: 'any' | 'one-year' = 'any'): KnownCapabilities {
  const none: EppGreeting = { svID: '', svDate: null, versions: [], langs: [], objURIs: [], extURIs: [] };
  return { capabilities: capabilitiesFrom(none, periodUnits, transferPeriods), unknown: GREETING_CAPABILITIES };
}
