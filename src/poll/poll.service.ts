import type { Clock } from '../core/clock.js';
import { ObjectNotFoundError } from '../core/errors.js';
import type { UpstreamPollMessage } from '../core/model/index.js';
import type { RegistryPort } from '../core/port.js';
import type { PrismaClient, PollMessage as PollRow } from '../db/generated/client.js';
import { uniqueViolation, violatesUnique, type UniqueConstraint } from '../db/errors.js';
import type { Logger } from '../logger.js';
import type { LoadPollEvents, PollEvent, PollEvents } from '../pubsub/poll-events.js';
import { DomainIndex } from '../domains/domain-index.js';
import { classify } from './classify.js';

/** Namespace (first key) of the per-registrar advisory lock that orders poll message ids. */
const POLL_ORDER_LOCK = 0x52475050;

/** Upper bound on messages taken from one queue in one drain, so one drain always ends. */
const MAX_PER_DRAIN = 500;

/**
 * The one unique constraint whose violation means "this upstream message was stored before":
 * `@@unique([backend, accountId, upstreamId])` of PollMessage (prisma/schema.prisma), created as
 * this index by migration 20261122161422_init. Any other unique violation on storing (the
 * registrar's gapless seq, 20261203210000_poll_message_seq; the id; one added later) means the
 * message is not stored, so it must not be acknowledged upstream.
 */
export const POLL_UPSTREAM_ID_UNIQUE: UniqueConstraint = {
  name: 'poll_messages_backend_account_id_upstream_id_key',
  columns: ['backend', 'account_id', 'upstream_id'],
};

/** One registrar's queue at one backend. */
export interface PollAccount {
  backend: RegistryPort;
  registrarId: string;
  /** The upstream login (EPP clID). */
  accountId: string;
}

/** A stored poll_messages row -> the PollEvent subscribers get: id and seq as decimal strings (bigint), dates as ISO 8601 UTC. */
export function toEvent(row: PollRow): PollEvent {
  return {
    id: row.id.toString(),
    seq: row.seq.toString(),
    registrarId: row.registrarId,
    registry: row.backend,
    type: row.type,
    objectKind: row.objectKind,
    objectName: row.objectName,
    message: row.message,
    upstreamId: row.upstreamId,
    queuedAt: row.queuedAt.toISOString(),
    receivedAt: row.receivedAt.toISOString(),
    payload: row.payload ?? null,
    raw: row.raw,
    ackedAt: row.ackedAt?.toISOString() ?? null,
  };
}

/** Reads a registrar's stored messages by id (for the Redis fan-out, which carries only ids). */
export function storedEvents(prisma: PrismaClient): LoadPollEvents {
  return async (registrarId, ids) => (await prisma.pollMessage.findMany({ where: { registrarId, id: { in: ids.map((id) => BigInt(id)) } } })).map(toEvent);
}

/**
 * The seq the registrar's next poll message gets: one more than its newest (1 for its first), read
 * through the (registrar_id, seq) index. Only under the registrar's order lock (PollService.store)
 * is that the next in a gapless sequence; a concurrent second writer would collide on the unique
 * (registrar_id, seq) instead. `db`: the client, or the transaction holding the lock.
 */
export async function nextPollSeq(db: Pick<PrismaClient, 'pollMessage'>, registrarId: string): Promise<bigint> {
  const newest = await db.pollMessage.findFirst({ where: { registrarId }, orderBy: { seq: 'desc' }, select: { seq: true } });
  return (newest?.seq ?? 0n) + 1n;
}

function payloadOf(m: UpstreamPollMessage) {
  return {
    transfer: m.transfer
      ? { ...m.transfer, requestedAt: m.transfer.requestedAt.toISOString(), actionAt: m.transfer.actionAt.toISOString(), expiresAt: m.transfer.expiresAt?.toISOString() ?? null }
      : null,
    pendingActionResult: m.pendingActionResult ?? null,
    resultCode: m.resultCode ?? null,
    expiresAt: m.expiresAt?.toISOString() ?? null,
    ...(m.audit ? { audit: { ...m.audit } } : {}),
  };
}

/**
 * Moves an upstream poll queue into the gateway's store: read the head, store it (unique on
 * backend + account + upstream id, so a message read twice after a crash is stored once), and
 * only then acknowledge it upstream. Each newly stored message is published to subscribers.
 */
export class PollService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly events: PollEvents,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly observe?: { stored(backend: string, type: string, queuedAt: Date, receivedAt: Date): void },
  ) {}

  /** Whether the last publish failed: a failing fan-out (Redis down) is logged once, not per message. */
  private publishFailing = false;

  /** Tells the subscribers of a stored message; a failure is logged once until a publish succeeds again (the message stays stored either way). */
  private async publish(event: PollRow): Promise<void> {
    try {
      await this.events.publish(toEvent(event));
      if (this.publishFailing) this.logger.info('poll event publish works again');
      this.publishFailing = false;
    } catch (err) {
      if (!this.publishFailing) this.logger.warn({ err }, 'poll event publish failed (the message is stored; subscribers read it from the store); not logged again until a publish succeeds');
      this.publishFailing = true;
    }
  }

  /** Drain one queue; returns how many new messages were stored. */
  async drain(account: PollAccount): Promise<number> {
    const { backend, registrarId } = account;
    // One round: a driver may answer the drain's requests from one read of the queue (CallContext.pollRound).
    // A driver that leaves some messages upstream skips those stored before (CallContext.pollStored).
    const call = { registrarId, operation: 'poll', pollRound: {}, pollStored: (ids: string[]) => this.storedIds(account, ids) };
    let stored = 0;
    for (let n = 0; n < MAX_PER_DRAIN; n++) {
      const m = (await backend.pollRequest(call)).data.message;
      if (!m) break;
      const row = await this.store(account, m);
      if (row) {
        stored++;
        this.observe?.stored(row.backend, row.type, row.queuedAt, row.receivedAt);
        await this.followTransfer(account, m);
      }
      // Stored before (read again after a crash before the ack): that process may have died before
      // telling the subscribers too, so tell them now; a stream skips what it already delivered.
      const event = row ?? (await this.stored(account, m.id));
      if (event) await this.publish(event);
      try {
        await backend.pollAck(call, m.id);
      } catch (err) {
        if (!(err instanceof ObjectNotFoundError)) throw err; // already acknowledged
      }
    }
    if (stored > 0) this.logger.debug({ backend: backend.name, registrarId, stored }, 'poll queue drained');
    return stored;
  }

  /**
   * Keep the registrar's domain list in step with transfers the registry completed on its own
   * (auto-approval) or that the other side completed: from EPP transfer data, or where the
   * registry only says the domain moved to or away from this account (`sponsorChange`).
   */
  private async followTransfer({ backend, registrarId }: PollAccount, m: UpstreamPollMessage): Promise<void> {
    const index = new DomainIndex(this.prisma);
    if (m.transfer) await index.followTransfer(m.transfer, backend, [registrarId]);
    else if (m.sponsorChange && m.object?.kind === 'domain') {
      if (m.sponsorChange === 'gained') await index.add(registrarId, m.object.name, backend.name);
      else await index.remove(registrarId, m.object.name);
    }
  }

  /** Which of `upstreamIds` of the account's queue are stored (the unique index backend + account + upstream id serves it). */
  private async storedIds({ backend, accountId }: PollAccount, upstreamIds: string[]): Promise<ReadonlySet<string>> {
    if (upstreamIds.length === 0) return new Set();
    const rows = await this.prisma.pollMessage.findMany({ where: { backend: backend.name, accountId, upstreamId: { in: upstreamIds } }, select: { upstreamId: true } });
    return new Set(rows.map((r) => r.upstreamId));
  }

  private stored({ backend, accountId }: PollAccount, upstreamId: string): Promise<PollRow | null> {
    return this.prisma.pollMessage.findUnique({ where: { backend_accountId_upstreamId: { backend: backend.name, accountId, upstreamId } } });
  }

  /**
   * Store a message; null when it was stored before (read again after a crash before the ack),
   * which only a violation of POLL_UPSTREAM_ID_UNIQUE means. Throws (Prisma's P2002 as raised) on
   * a violation of any other unique constraint, after logging which one (its name or columns, the
   * backend, registrar and upstream message id; never the message or its raw text): the message is
   * then not stored, drain stops before acknowledging it, and the next round reads it again.
   * Throws any other database error unchanged.
   */
  private async store({ backend, registrarId, accountId }: PollAccount, m: UpstreamPollMessage): Promise<PollRow | null> {
    const receivedAt = this.clock.now();
    try {
      // Ids are cursors, so a registrar's messages must commit in id order even when several of
      // its upstream accounts are ingested at once (possibly by several instances): the id is
      // drawn and committed under a per-registrar transaction lock. Otherwise a message could
      // commit with a lower id after a client had already moved its cursor past that id.
      // Under the same lock the message gets the registrar's next seq (1, 2, 3, ... in id order,
      // no gap), which tells a poll stream whether a live event is the next one it owes
      // (src/poll/stream.ts): events can overtake each other on the way, ids cannot.
      return await this.prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${POLL_ORDER_LOCK}::int, hashtext(${registrarId}))`;
        return tx.pollMessage.create({
          data: {
            registrarId,
            seq: await nextPollSeq(tx, registrarId),
            backend: backend.name,
            accountId,
            upstreamId: m.id,
            type: classify(m),
            objectKind: m.object?.kind ?? (m.transfer ? 'domain' : null),
            objectName: m.object?.name ?? m.transfer?.name ?? null,
            message: m.text,
            payload: payloadOf(m),
            // An upstream that does not say when it queued the message: the receive time, the
            // latest it can have been queued (never the epoch).
            queuedAt: m.queuedAt ?? receivedAt,
            receivedAt,
            raw: m.raw,
          },
        });
      });
    } catch (err) {
      if (violatesUnique(err, POLL_UPSTREAM_ID_UNIQUE)) return null;
      const other = uniqueViolation(err);
      if (other) {
        const constraint = other.index ?? other.fields?.join(', ') ?? 'unknown';
        this.logger.error(
          { backend: backend.name, registrarId, upstreamId: m.id, constraint },
          'poll message not stored: a unique constraint other than the upstream id refused it; it stays queued upstream and is read again next round',
        );
      }
      throw err;
    }
  }
}
