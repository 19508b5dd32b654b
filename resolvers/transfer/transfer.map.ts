import type { Transfer as TransferModel } from '../../src/core/model/index.js';
import type { Transfer } from '../../schema/transfer/transfer.type.js';
import { asDate } from '../common/mutate.js';

/** Neutral transfer (possibly read back from a JSON record) -> GraphQL Transfer. */
export function transferNode(t: TransferModel): Transfer {
  return {
    domainName: t.name,
    status: t.status as Transfer['status'],
    gainingRegistrar: t.gainingRegistrar,
    losingRegistrar: t.losingRegistrar,
    requestedAt: asDate(t.requestedAt)!,
    actionAt: asDate(t.actionAt)!,
    expiresAt: asDate(t.expiresAt),
  };
}
