/** Gateway-local operations: their state is in the gateway's own database. */
import { applied, notApplied, type ReconcileFn } from './types.js';

/** ackPollMessage: the stored message is acknowledged (the same result the resolver stores). */
export const ackPollMessage: ReconcileFn = async (input) => {
  const raw = String(input.args.id);
  if (!/^[1-9][0-9]{0,18}$/.test(raw)) return notApplied('not a poll message id');
  const row = await input.prisma.pollMessage.findFirst({ where: { id: BigInt(raw), registrarId: input.registrarId } });
  if (!row?.ackedAt) return notApplied('the poll message is not acknowledged');
  return applied({ trid: { client: `gateway-ack-${raw}` }, code: 1000, message: null }, 'the poll message is acknowledged');
};
