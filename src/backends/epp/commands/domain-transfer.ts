/** domain:transfer query/request/approve/reject/cancel (RFC 5731 section 3.2.4). */
import { ValidationError } from '../../../core/errors.js';
import type { Period, Transfer, TransferOp } from '../../../core/model/index.js';
import { el, leaf } from '../xml/build.js';
import { objectCommand, requiredResData, type EppResponse } from '../xml/envelope.js';
import { NS, xmlnsAttr } from '../xml/namespaces.js';
import { aLabel, authInfoEl, parseTrnData, periodEl } from './common.js';

/** A transfer's optional parts: authInfo pw (required for op "request"; sent for request/query) and a period (request only, RFC 5731 section 3.2.4). */
export interface DomainTransferOptions {
  authInfo?: string | null;
  period?: Period | null;
}

/**
 * `<transfer op="query|request|approve|reject|cancel"><domain:transfer>`: A-label name, period (request), authInfo (request/query) (RFC 5731 section 3.2.4).
 * Throws ValidationError (field `authInfo`) for a request without authInfo, or on period.value/unit.
 */
export function build(op: TransferOp | 'query', name: string, opts: DomainTransferOptions, clTRID: string): string {
  if (op === 'request' && !opts.authInfo) throw new ValidationError('authInfo', 'is required for a transfer request');
  return objectCommand(
    'transfer',
    el(
      'domain:transfer',
      xmlnsAttr('domain'),
      leaf('domain:name', aLabel(name)),
      op === 'request' && opts.period ? periodEl('domain', opts.period) : null,
      (op === 'request' || op === 'query') && opts.authInfo ? authInfoEl('domain', opts.authInfo) : null,
    ),
    clTRID,
    [],
    { op },
  );
}

/** Reads `<domain:trnData>` -> Transfer (trStatus, reID/reDate, acID/acDate, exDate or null). EppProtocolError (UPSTREAM_FAILURE) when it or a required element is missing or trStatus is unknown. */
export function parse(resp: EppResponse): Transfer {
  return parseTrnData(requiredResData(resp, NS.domain, 'trnData'), NS.domain, 'name');
}
