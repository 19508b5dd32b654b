/** host:check (RFC 5732 section 3.1.1). */
import { ValidationError } from '../../../core/errors.js';
import type { CheckResult } from '../../../core/model/index.js';
import { el, leaf } from '../xml/build.js';
import { objectCommand, type EppResponse } from '../xml/envelope.js';
import { NS, xmlnsAttr } from '../xml/namespaces.js';
import { aLabel, parseCheckData } from './common.js';

/**
 * `<check><host:check>` with one `<host:name>` (lower-case A-label) per name (RFC 5732 section 3.1.1).
 * Throws ValidationError for an empty list (field `names`) or an empty/invalid name (`names[i]`).
 */
export function build(names: string[], clTRID: string): string {
  if (names.length === 0) throw new ValidationError('names', 'give at least one host name');
  return objectCommand(
    'check',
    el('host:check', xmlnsAttr('host'), names.map((n, i) => leaf('host:name', aLabel(n, `names[${i}]`)))),
    clTRID,
  );
}

/** Reads `<host:chkData>` (one CheckResult per `<host:cd>`); EppProtocolError (UPSTREAM_FAILURE) when chkData or a cd's name is missing. */
export function parse(resp: EppResponse): CheckResult[] {
  return parseCheckData(resp, NS.host, 'name');
}
