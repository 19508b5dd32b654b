import type { UpstreamAuditRow } from '../../src/core/model/index.js';
import { asDate } from '../../src/core/time.js';
import { parseRowId } from '../../src/validation/cursors.js';
import type { PollEvent } from '../../src/pubsub/poll-events.js';
import type { PollMessage, PollMessageType } from '../../schema/poll/poll.type.js';
import { transferNode } from '../transfer/transfer.map.js';

interface Payload {
  transfer?: Parameters<typeof transferNode>[0] | null;
  audit?: UpstreamAuditRow | null;
}

/** A stored message (as a PollEvent) -> GraphQL PollMessage. */
export function pollNode(e: Omit<PollEvent, 'ackedAt'> & { ackedAt?: Date | string | null }): PollMessage {
  const payload = (e.payload ?? {}) as Payload;
  return {
    id: e.id,
    registry: e.registry,
    type: e.type as PollMessageType,
    objectKind: e.objectKind as PollMessage['objectKind'],
    objectName: e.objectName,
    message: e.message,
    upstreamId: e.upstreamId,
    queuedAt: asDate(e.queuedAt)!,
    receivedAt: asDate(e.receivedAt)!,
    acknowledgedAt: asDate(e.ackedAt) ?? null,
    transfer: payload.transfer ? transferNode(payload.transfer) : null,
    audit: payload.audit ? { ...payload.audit, createdAt: asDate(payload.audit.createdAt), completedAt: asDate(payload.audit.completedAt) } : null,
    raw: e.raw,
  };
}

/** A poll message id (also the cursor) from a client: 1 to 2^63 - 1 (see parseRowId). */
export function parseId(field: string, id: string): bigint {
  return parseRowId(field, id, 'poll message id');
}
