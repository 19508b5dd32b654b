/** domain:create (RFC 5731 section 3.2.1) with the secDNS:create extension. */
import type { DomainCreated, DomainCreateInput } from '../../../core/model/index.js';
import { el, leaf } from '../xml/build.js';
import { objectCommand, requiredResData, type EppResponse } from '../xml/envelope.js';
import { NS, xmlnsAttr } from '../xml/namespaces.js';
import { childDate, requiredDate, requiredText } from '../xml/tree.js';
import { aLabel, authInfoEl, nsEl, periodEl } from './common.js';
import { secDnsCreate } from './secdns.js';

/** How the server takes name servers, from its greeting (EppDriver reads capabilities.hostObjects). */
export interface DomainCreateOptions {
  /** Name servers as host objects (host-1.0 offered) or as host attributes. */
  hostObjects: boolean;
}

/**
 * `<create><domain:create>`: A-label name, period, ns (hostObj or hostAttr), registrant, contacts, authInfo pw; `<secDNS:create>`
 * when DS or key data is given (RFC 5731 section 3.2.1, RFC 5910 section 5.2.1). Throws ValidationError on input.name,
 * input.period.value/unit, nameservers[i].name, or input.dnssec (DS and key data both given).
 */
export function build(input: DomainCreateInput, opts: DomainCreateOptions, clTRID: string): string {
  const ext = secDnsCreate(input.dnssec);
  return objectCommand(
    'create',
    el(
      'domain:create',
      xmlnsAttr('domain'),
      leaf('domain:name', aLabel(input.name, 'input.name')),
      periodEl('domain', input.period, 'input.period'),
      nsEl(input.nameservers, opts.hostObjects),
      input.registrant ? leaf('domain:registrant', input.registrant) : null,
      input.contacts.map((c) => leaf('domain:contact', c.id, { type: c.role })),
      authInfoEl('domain', input.authInfo),
    ),
    clTRID,
    ext ? [ext] : [],
  );
}

/** Reads `<domain:creData>`: name, crDate and exDate (UTC Dates; exDate null when absent). EppProtocolError (UPSTREAM_FAILURE) when creData, name or crDate is missing. */
export function parse(resp: EppResponse): DomainCreated {
  const cre = requiredResData(resp, NS.domain, 'creData');
  return {
    name: requiredText(cre, NS.domain, 'name'),
    createdAt: requiredDate(cre, NS.domain, 'crDate'),
    expiresAt: childDate(cre, NS.domain, 'exDate'),
  };
}
