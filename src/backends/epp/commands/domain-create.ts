/** domain:create (RFC 5731 section 3.2.1) with the secDNS:create extension. */
import type { DomainCreated, DomainCreateInput } from '../../../core/model/index.js';
import { el, leaf } from '../xml/build.js';
import { objectCommand, requiredResData, type EppResponse } from '../xml/envelope.js';
import { NS, xmlnsAttr } from '../xml/namespaces.js';
import { childDate, requiredDate, requiredText } from '../xml/tree.js';
import { aLabel, authInfoEl, nsEl, periodEl } from './common.js';
import { secDnsCreate } from './secdns.js';

export interface DomainCreateOptions {
  /** Name servers as host objects (host-1.0 offered) or as host attributes. */
  hostObjects: boolean;
}

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

export function parse(resp: EppResponse): DomainCreated {
  const cre = requiredResData(resp, NS.domain, 'creData');
  return {
    name: requiredText(cre, NS.domain, 'name'),
    createdAt: requiredDate(cre, NS.domain, 'crDate'),
    expiresAt: childDate(cre, NS.domain, 'exDate'),
  };
}
