import { CommandSyntaxError, NotPendingTransferError, ObjectNotFoundError } from '../../src/core/errors.js';
import type { CallContext, Transfer as TransferModel } from '../../src/core/model/index.js';
import type { RegistryPort } from '../../src/core/port.js';
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

/**
 * The latest transfer of a domain, or null when it has had none. For a transfer query EPP
 * answers 2002 ("Object has no transfer history", Nomulus DomainTransferQueryFlow) when there is
 * nothing to report; some registries answer 2301 instead.
 */
export async function latestTransfer(backend: RegistryPort, call: CallContext, name: string, authInfo?: string | null): Promise<Transfer | null> {
  try {
    return transferNode((await backend.transferDomain(call, 'query', name, { authInfo })).data);
  } catch (err) {
    if (err instanceof NotPendingTransferError || err instanceof ObjectNotFoundError) return null;
    if (err instanceof CommandSyntaxError && err.details.upstreamCode === 2002) return null;
    throw err;
  }
}
