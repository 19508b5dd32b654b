/** Reconciliation of domain transfer commands: EPP transfer query (status, gaining registrar, dates). */
import type { Transfer, TransferStatus } from '../../core/model/index.js';
import { DomainIndex } from '../../domains/domain-index.js';
import { readTransfer } from './read.js';
import { applied, atOrAfter, notApplied, reconciledTransaction, type ReconcileFn, type ReconcileInput } from './types.js';

/** Gateway registrar whose login at the backend is `upstreamId`, if it is one of ours. */
function gatewayRegistrar(input: ReconcileInput, upstreamId: string): string | undefined {
  return input.registrars.find((r) => {
    try {
      return input.port!.upstreamId(r.id) === upstreamId;
    } catch {
      return false;
    }
  })?.id;
}

/** Keeps the domain index as the transfer resolver does when a transfer completes. */
async function indexApproved(input: ReconcileInput, t: Transfer): Promise<void> {
  if (t.status !== 'clientApproved' && t.status !== 'serverApproved') return;
  const index = new DomainIndex(input.prisma);
  const losing = gatewayRegistrar(input, t.losingRegistrar);
  const gaining = gatewayRegistrar(input, t.gainingRegistrar);
  if (losing) await index.remove(losing, t.name);
  if (gaining) await index.add(gaining, t.name, input.port!.name);
}

/** JSON form of the transfer, as the mutation stores it. */
const stored = (t: Transfer) => JSON.parse(JSON.stringify(t)) as Record<string, unknown>;

/** requestTransfer: a transfer to us, requested since the request was made. */
export const requestTransfer: ReconcileFn = async (input) => {
  const name: string = input.args.name;
  const t = await readTransfer(input, name);
  if (!t) return notApplied('transfer query: no transfer we can see');
  if (t.gainingRegistrar !== input.upstreamId) return notApplied(`transfer query: latest transfer is to ${t.gainingRegistrar}`);
  if (!atOrAfter(t.requestedAt, input.since)) return notApplied('transfer query: latest transfer was requested before this request');
  await indexApproved(input, t);
  const how = `transfer query shows a transfer to us requested at ${new Date(t.requestedAt).toISOString()} (${t.status})`;
  return applied({ ...reconciledTransaction(input, t.status === 'pending' ? 1001 : 1000, how), transfer: stored(t) }, how);
};

/** approve/reject/cancel: the transfer ended with that status, since the request was made. */
function finishing(status: TransferStatus): ReconcileFn {
  return async (input) => {
    const name: string = input.args.name;
    const t = await readTransfer(input, name);
    if (!t) return notApplied('transfer query: no transfer we can see');
    if (t.status === 'pending') return notApplied('transfer query: still pending');
    if (t.status !== status || !atOrAfter(t.actionAt, input.since)) {
      return notApplied(`transfer query: ended ${t.status} at ${new Date(t.actionAt).toISOString()}, not by this request`);
    }
    await indexApproved(input, t);
    const how = `transfer query shows ${status} at ${new Date(t.actionAt).toISOString()}`;
    return applied({ ...reconciledTransaction(input, 1000, how), transfer: stored(t) }, how);
  };
}

export const approveTransfer = finishing('clientApproved');
export const rejectTransfer = finishing('clientRejected');
export const cancelTransfer = finishing('clientCancelled');
