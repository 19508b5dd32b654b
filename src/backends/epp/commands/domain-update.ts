/** domain:update (RFC 5731 section 3.2.5) with the secDNS:update extension. */
import { ValidationError } from '../../../core/errors.js';
import type { DomainContact, DomainNameserver, DomainUpdateInput } from '../../../core/model/index.js';
import { el, leaf, type XNode } from '../xml/build.js';
import { objectCommand, type EppResponse } from '../xml/envelope.js';
import { xmlnsAttr } from '../xml/namespaces.js';
import { aLabel, authInfoEl, nsEl } from './common.js';
import { secDnsUpdate } from './secdns.js';

/** How the server takes name servers: host objects (host-1.0 in the greeting) or host attributes. */
export interface DomainUpdateOptions {
  hostObjects: boolean;
}

function addRem(
  tag: 'domain:add' | 'domain:rem',
  part: { statuses: string[]; contacts: DomainContact[]; nameservers: DomainNameserver[] },
  hostObjects: boolean,
): XNode | null {
  if (part.statuses.length === 0 && part.contacts.length === 0 && part.nameservers.length === 0) return null;
  return el(
    tag,
    null,
    nsEl(part.nameservers, hostObjects),
    part.contacts.map((c) => leaf('domain:contact', c.id, { type: c.role })),
    part.statuses.map((s) => el('domain:status', { s })),
  );
}

/**
 * `<update><domain:update>`: A-label name, add/rem (ns, contacts, statuses), chg (registrant, empty to remove it; authInfo); `<secDNS:update>` for DNSSEC changes
 * (RFC 5731 section 3.2.5, RFC 5910 section 5.2.5). Throws ValidationError (field `input`) when nothing would change, or on a name/DNSSEC field.
 */
export function build(input: DomainUpdateInput, opts: DomainUpdateOptions, clTRID: string): string {
  const add = addRem('domain:add', input.add, opts.hostObjects);
  const rem = addRem('domain:rem', input.remove, opts.hostObjects);
  // registrant "" is the empty <domain:registrant/>, which removes it (RFC 5731 section 3.2.5).
  const chg =
    input.registrant != null || input.authInfo
      ? el(
          'domain:chg',
          null,
          input.registrant != null ? (input.registrant === '' ? el('domain:registrant', null) : leaf('domain:registrant', input.registrant)) : null,
          input.authInfo ? authInfoEl('domain', input.authInfo) : null,
        )
      : null;
  const ext = secDnsUpdate(input.dnssec);
  if (!add && !rem && !chg && !ext) throw new ValidationError('input', 'nothing to update');
  return objectCommand(
    'update',
    el('domain:update', xmlnsAttr('domain'), leaf('domain:name', aLabel(input.name, 'input.name')), add, rem, chg),
    clTRID,
    ext ? [ext] : [],
  );
}

/** A successful update carries no data. */
export function parse(_resp: EppResponse): null {
  return null;
}
