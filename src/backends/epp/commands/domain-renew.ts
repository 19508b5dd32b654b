/** domain:renew (RFC 5731 section 3.2.3): curExpDate makes a blind resend unable to renew twice. */
import type { DomainRenewed, DomainRenewInput } from '../../../core/model/index.js';
import { utcDate } from '../../../core/time.js';
import { el, leaf } from '../xml/build.js';
import { objectCommand, requiredResData, type EppResponse } from '../xml/envelope.js';
import { NS, xmlnsAttr } from '../xml/namespaces.js';
import { requiredDate, requiredText } from '../xml/tree.js';
import { aLabel, periodEl } from './common.js';

/** The date part (YYYY-MM-DD, UTC) of the current expiry. */
export function curExpDate(d: Date): string {
  return utcDate(d);
}

/**
 * `<renew><domain:renew>`: A-label name, curExpDate from `input.currentExpiry` as YYYY-MM-DD (UTC), period (RFC 5731 section 3.2.3).
 * Throws ValidationError on input.name or input.period.value/unit.
 */
export function build(input: DomainRenewInput, clTRID: string): string {
  return objectCommand(
    'renew',
    el(
      'domain:renew',
      xmlnsAttr('domain'),
      leaf('domain:name', aLabel(input.name, 'input.name')),
      leaf('domain:curExpDate', curExpDate(input.currentExpiry)),
      periodEl('domain', input.period, 'input.period'),
    ),
    clTRID,
  );
}

/** Reads `<domain:renData>`: name and the new exDate (UTC Date). EppProtocolError (UPSTREAM_FAILURE) when renData, name or exDate is missing. */
export function parse(resp: EppResponse): DomainRenewed {
  const ren = requiredResData(resp, NS.domain, 'renData');
  return { name: requiredText(ren, NS.domain, 'name'), expiresAt: requiredDate(ren, NS.domain, 'exDate') };
}
