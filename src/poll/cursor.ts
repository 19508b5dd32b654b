import { ValidationError } from '../core/errors.js';
import type { PrismaClient } from '../db/generated/client.js';
import { sharedReads } from '../db/shared-reads.js';

/**
 * Refuses a poll cursor (`after`, already parsed as a message id) that names no message of this
 * registrar's or an older one: BAD_USER_INPUT, field "after". Every cursor the gateway hands out
 * is the id of one of the registrar's stored messages, and stored messages are never deleted, so
 * an `after` above the registrar's newest message comes from another database: a `./data`
 * deleted to start afresh (README "Start") while the client kept its cursor file, a database
 * re-created or restored from an older backup. Taken as it is, it would hold back every message
 * up to that id without a word (a subscription delivers only ids above its cursor). One indexed
 * query (poll_messages (registrar_id, id)), shared by callers asking the same at the same time
 * (src/db/shared-reads.ts: never one that started before the caller asked).
 */
export async function checkPollCursor(prisma: PrismaClient, registrarId: string, after: bigint): Promise<void> {
  const known = await sharedReads(prisma).read(`poll.cursor\u0000${registrarId}\u0000${after}`, () =>
    prisma.pollMessage.findFirst({ where: { registrarId, id: { gte: after } }, select: { id: true } }),
  );
  if (known) return;
  throw new ValidationError(
    'after',
    `${after} is newer than every poll message of yours stored here, so it is not a cursor this gateway handed out (one from another or a re-created database?): start again without after, or with the id of a message you received from this gateway`,
  );
}
