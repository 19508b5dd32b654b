/** contact:check (RFC 5733 section 3.1.1). */
import { ValidationError } from '../../../core/errors.js';
import type { CheckResult } from '../../../core/model/index.js';
import { el, leaf } from '../xml/build.js';
import { objectCommand, type EppResponse } from '../xml/envelope.js';
import { NS, xmlnsAttr } from '../xml/namespaces.js';
import { parseCheckData } from './common.js';

/** `<check><contact:check>` with one `<contact:id>` per id, in order. Throws ValidationError (field `ids`) for an empty list. */
export function build(ids: string[], clTRID: string): string {
  if (ids.length === 0) throw new ValidationError('ids', 'give at least one contact id');
  return objectCommand('check', el('contact:check', xmlnsAttr('contact'), ids.map((id) => leaf('contact:id', id))), clTRID);
}

/** Reads `<contact:chkData>` (one CheckResult per `<contact:cd>`, `name` = the id); EppProtocolError (UPSTREAM_FAILURE) when chkData or a cd's id is missing. */
export function parse(resp: EppResponse): CheckResult[] {
  return parseCheckData(resp, NS.contact, 'id');
}
