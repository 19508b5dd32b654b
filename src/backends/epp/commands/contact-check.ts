/** contact:check (RFC 5733 section 3.1.1). */
import { ValidationError } from '../../../core/errors.js';
import type { CheckResult } from '../../../core/model/index.js';
import { el, leaf } from '../xml/build.js';
import { objectCommand, type EppResponse } from '../xml/envelope.js';
import { NS, xmlnsAttr } from '../xml/namespaces.js';
import { parseCheckData } from './common.js';

export function build(ids: string[], clTRID: string): string {
  if (ids.length === 0) throw new ValidationError('ids', 'give at least one contact id');
  return objectCommand('check', el('contact:check', xmlnsAttr('contact'), ids.map((id) => leaf('contact:id', id))), clTRID);
}

export function parse(resp: EppResponse): CheckResult[] {
  return parseCheckData(resp, NS.contact, 'id');
}
