/** contact:transfer (RFC 5733 section 3.2.4); also the contact trnData of poll messages. */
import { ValidationError } from '../../../core/errors.js';
import type { Transfer, TransferOp } from '../../../core/model/index.js';
import { el, leaf } from '../xml/build.js';
import { objectCommand, requiredResData, type EppResponse } from '../xml/envelope.js';
import { NS, xmlnsAttr } from '../xml/namespaces.js';
import { authInfoEl, parseTrnData } from './common.js';

/**
 * `<transfer op="…"><contact:transfer>` with id and, for request/query, `<contact:authInfo>` (RFC 5733 section 3.2.4).
 * Throws ValidationError (field `authInfo`) for a request without authInfo.
 */
export function build(op: TransferOp | 'query', id: string, authInfo: string | null | undefined, clTRID: string): string {
  if (op === 'request' && !authInfo) throw new ValidationError('authInfo', 'is required for a transfer request');
  return objectCommand(
    'transfer',
    el(
      'contact:transfer',
      xmlnsAttr('contact'),
      leaf('contact:id', id),
      (op === 'request' || op === 'query') && authInfo ? authInfoEl('contact', authInfo) : null,
    ),
    clTRID,
    [],
    { op },
  );
}

/** Reads `<contact:trnData>` -> Transfer (parseTrnData). EppProtocolError (UPSTREAM_FAILURE) when trnData or any required element is missing. */
export function parse(resp: EppResponse): Transfer {
  return parseTrnData(requiredResData(resp, NS.contact, 'trnData'), NS.contact, 'id');
}
