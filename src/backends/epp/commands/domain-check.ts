/** domain:check (RFC 5731 section 3.1.1). */
import type { CheckResult } from '../../../core/model/index.js';
import { ValidationError } from '../../../core/errors.js';
import { el, leaf } from '../xml/build.js';
import { objectCommand, type EppResponse } from '../xml/envelope.js';
import { NS, xmlnsAttr } from '../xml/namespaces.js';
import { aLabel, parseCheckData } from './common.js';

/**
 * `<check><domain:check>` with one `<domain:name>` per name, as lower-case A-labels (RFC 5731 section 3.1.1).
 * Throws ValidationError for an empty list (field `names`) or a name that is empty or no valid IDN (`names[i]`).
 */
export function build(names: string[], clTRID: string): string {
  if (names.length === 0) throw new ValidationError('names', 'give at least one name');
  return objectCommand(
    'check',
    el('domain:check', xmlnsAttr('domain'), names.map((n, i) => leaf('domain:name', aLabel(n, `names[${i}]`)))),
    clTRID,
  );
}

/** Reads `<domain:chkData>` (one CheckResult per `<domain:cd>`, with its `<domain:reason>` or null); EppProtocolError (UPSTREAM_FAILURE) when chkData or a cd's name is missing. */
export function parse(resp: EppResponse): CheckResult[] {
  return parseCheckData(resp, NS.domain, 'name');
}
