/** Reconciliation of domain transfer commands: EPP transfer query (status, gaining registrar, dates). */
import type { Transfer, TransferStatus } from '../../core/model/index.js';
import { asDate } from '../../core/time.js';
import { DomainIndex } from '../../domains/domain-index.js';
import { readTransfer } from './read.js';
import { applied, atOrAfter, notApplied, reconciledTransaction, type ReconcileFn, type ReconcileInput } from './types.js';

/** Keeps the domain index as the transfer resolver does when a transfer completes. */
const indexApproved = (input: ReconcileInput, t: Transfer) =>
  new DomainIndex(input.prisma).followTransfer(t, input.port!, input.registrars.map((r) => r.id));

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
  const how = `transfer query shows a transfer to us requested at ${asDate(t.requestedAt)?.toISOString()} (${t.status})`;
  return applied({ ...(await reconciledTransaction(input, t.status === 'pending' ? 1001 : 1000, how)), transfer: stored(t) }, how);
};

/** approve/reject/cancel: the transfer ended with that status, since the request was made. */
function finishing(status: TransferStatus): ReconcileFn {
  return async (input) => {
    const name: string = input.args.name;
    const t = await readTransfer(input, name);
    if (!t) return notApplied('transfer query: no transfer we can see');
    if (t.status === 'pending') return notApplied('transfer query: still pending');
    if (t.status !== status || !atOrAfter(t.actionAt, input.since)) {
      return notApplied(`transfer query: ended ${t.status} at ${asDate(t.actionAt)?.toISOString()}, not by this request`);
    }
    await indexApproved(input, t);
    const how = `transfer query shows ${status} at ${asDate(t.actionAt)?.toISOString()}`;
    return applied({ ...(await reconciledTransaction(input, 1000, how)), transfer: stored(t) }, how);
  };
}

/** approveTransfer: the transfer query shows clientApproved with acDate since the request (RFC 5731 section 3.1.3). */
export const approveTransfer = finishing('clientApproved');
/** rejectTransfer: the transfer query shows clientRejected with acDate since the request. */
export const rejectTransfer = finishing('clientRejected');
/** cancelTransfer: the transfer query shows clientCancelled with acDate since the request. */
export const cancelTransfer = finishing('clientCancelled');
