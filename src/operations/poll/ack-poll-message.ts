import { ObjectNotFoundError } from '../../core/errors.js';
import { runOperation, type Actor, type OperationEnv } from '../run.js';

/**
 * Marks one stored poll message (gateway id `id`, given as `rawId`) as handled by the registrar;
 * the gateway's own store, not a registry command. Throws ObjectNotFoundError when the registrar
 * has no such message (`field: "id"`), before its key's record is written.
 */
export async function ackPollMessage(env: OperationEnv, actor: Actor, id: bigint, rawId: string): Promise<{ replayed: boolean }> {
  const { registrarId } = actor;
  // A message the registrar does not have is refused before the key's record is written: the
  // refusal is the gateway's, nothing applied, so the key stays free (README, Idempotency contract).
  // The check inside stays for a message purged in between.
  if (!(await env.prisma.pollMessage.findFirst({ where: { id, registrarId }, select: { id: true } }))) throw notFound(rawId);
  const { replayed } = await runOperation(env, actor, 'ackPollMessage', { id: rawId }, async () => {
    const { count } = await env.prisma.pollMessage.updateMany({ where: { id, registrarId, ackedAt: null }, data: { ackedAt: env.clock.now() } });
    if (count === 0 && !(await env.prisma.pollMessage.findFirst({ where: { id, registrarId } }))) {
      throw notFound(rawId);
    }
    return { trid: { client: `gateway-ack-${rawId}` }, code: 1000, message: null };
  });
  return { replayed };
}

const notFound = (rawId: string) => new ObjectNotFoundError(`poll message ${rawId} does not exist`, { field: 'id' });
