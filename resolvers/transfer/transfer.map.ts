import type { GatewayContext } from '../../src/context.js';
import type { Transfer as TransferModel } from '../../src/core/model/index.js';
import { queryTransfer } from '../../src/loaders/loaders.js';
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
 * The latest transfer of a domain, or null when it has had none (src/loaders queryTransfer).
 * Without an auth code it is read through the request's transfer loader, once per domain.
 */
export async function latestTransfer(ctx: GatewayContext, registry: string, name: string, authInfo?: string | null): Promise<Transfer | null> {
  const t = authInfo ? await queryTransfer(ctx.router.named(registry), ctx.call, name, authInfo) : await ctx.loaders.transfer.load({ registry, name });
  return t ? transferNode(t) : null;
}
