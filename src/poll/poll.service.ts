import type { Clock } from '../core/clock.js';
import { ObjectNotFoundError } from '../core/errors.js';
import type { CallContext } from '../core/model/index.js';
import type { RegistryPort } from '../core/port.js';
import type { PrismaClient } from '../db/generated/client.js';
import type { Logger } from '../logger.js';
import type { Router } from '../routing/router.js';
import { classify } from './classify.js';

/** Upper bound on messages taken from one queue in one drain, so one drain always ends. */
const MAX_PER_DRAIN = 500;

/**
 * Moves upstream poll queues into the gateway's store: read the head, store it (unique on
 * backend + account + upstream id, so a message read twice is stored once), and only then
 * acknowledge it upstream. Clients read and acknowledge the stored copies.
 */
export class PollService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly router: Router,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Drain every queue the registrar has; returns how many messages were stored. */
  async drain(registrarId: string): Promise<number> {
    let stored = 0;
    for (const backend of this.router.backends()) {
      if (!(await backend.capabilities()).poll) continue;
      let upstreamId: string;
      try {
        upstreamId = backend.upstreamId(registrarId);
      } catch {
        continue; // no account for this registrar at that backend
      }
      stored += await this.drainOne(backend, { registrarId }, upstreamId);
    }
    return stored;
  }

  private async drainOne(backend: RegistryPort, call: CallContext, accountId: string): Promise<number> {
    let n = 0;
    for (; n < MAX_PER_DRAIN; n++) {
      const { data } = await backend.pollRequest({ ...call, operation: 'poll' });
      const m = data.message;
      if (!m) break;
      await this.prisma.pollMessage.upsert({
        where: { backend_accountId_upstreamId: { backend: backend.name, accountId, upstreamId: m.id } },
        update: {},
        create: {
          registrarId: call.registrarId,
          backend: backend.name,
          accountId,
          upstreamId: m.id,
          type: classify(m),
          objectKind: m.object?.kind ?? null,
          objectName: m.object?.name ?? m.transfer?.name ?? null,
          message: m.text,
          queuedAt: m.queuedAt,
          receivedAt: this.clock.now(),
          raw: m.raw,
        },
      });
      try {
        await backend.pollAck({ ...call, operation: 'poll' }, m.id);
      } catch (err) {
        if (!(err instanceof ObjectNotFoundError)) throw err; // already acknowledged by a concurrent drain
      }
    }
    if (n > 0) this.logger.debug({ backend: backend.name, registrarId: call.registrarId, stored: n }, 'poll queue drained');
    return n;
  }
}
