/** Gateway-local operations: their state is in the gateway's own database. */
import { BulkStore } from '../../bulk/store.js';
import { jobView } from '../../bulk/views.js';
import { applied, notApplied, type ReconcileFn } from './types.js';

/** ackPollMessage: the stored message is acknowledged (the same result the resolver stores). */
export const ackPollMessage: ReconcileFn = async (input) => {
  const raw = String(input.args.id);
  if (!/^[1-9][0-9]{0,18}$/.test(raw)) return notApplied('not a poll message id');
  const row = await input.prisma.pollMessage.findFirst({ where: { id: BigInt(raw), registrarId: input.registrarId } });
  if (!row?.ackedAt) return notApplied('the poll message is not acknowledged');
  return applied({ trid: { client: `gateway-ack-${raw}` }, code: 1000, message: null }, 'the poll message is acknowledged');
};

/**
 * cancelBulkJob: the job is CANCELLED (the cancel is one transaction: job state and its pending
 * items together). A job not cancelled is not-applied: cancelling it again is what the retry does.
 * Applied, the result keeps the job as found now, with its counts, as the resolver keeps the job as
 * its cancel left it: every later replay of the key answers that one.
 */
export const cancelBulkJob: ReconcileFn = async (input) => {
  const id = String(input.args.id);
  const job = await input.prisma.bulkJob.findFirst({ where: { id, registrarId: input.registrarId } });
  if (job?.state !== 'CANCELLED') return notApplied('the bulk job is not cancelled');
  const view = jobView(job, await new BulkStore(input.prisma).counts(id));
  return applied({ trid: { client: `gateway-cancel-${job.id}` }, code: 1000, message: null, job: view }, 'the bulk job is cancelled');
};
