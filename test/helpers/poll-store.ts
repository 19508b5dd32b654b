/**
 * A poll message stored as the ingester stores it (src/poll/ingester.ts): the next seq of the
 * registrar, a TRANSFER_REQUESTED of a domain `<prefix><n>.example`, and the event the ingester
 * would publish for it. For tests of the poll stream on a real database.
 */
import { nextPollSeq, toEvent } from '../../src/poll/poll.service.js';
import type { PrismaClient } from '../../src/db/generated/client.js';
import type { PollEvent } from '../../src/pubsub/poll-events.js';

let n = 0;

/** Stores one message of `registrarId` (default 'R'); `prefix` names its domain and upstream id. */
export async function storePollMessage(prisma: PrismaClient, prefix = 'd', registrarId = 'R'): Promise<PollEvent> {
  n++;
  const row = await prisma.pollMessage.create({
    data: {
      registrarId,
      seq: await nextPollSeq(prisma, registrarId),
      backend: 'sandbox-epp',
      accountId: registrarId,
      upstreamId: `${prefix}${n}-${Date.now()}`,
      type: 'TRANSFER_REQUESTED',
      objectKind: 'domain',
      objectName: `${prefix}${n}.example`,
      message: 'Transfer requested.',
      queuedAt: new Date(),
      receivedAt: new Date(),
      raw: '<epp/>',
    },
  });
  return toEvent(row);
}
