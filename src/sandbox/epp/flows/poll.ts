/** Poll request and acknowledge (RFC 5730 section 2.9.2.3), as Nomulus answers them. */
import { EppError, type EppResult } from '../result.js';
import type { Store } from '../store.js';
import type { XmlEl } from '../xml.js';

/**
 * poll req/ack (RFC 5730 section 2.9.2.3) for `clientId` at `now`: req answers 1300 or 1301 with msgQ and
 * the oldest message; ack answers 1000 with the count left, 1300 when none is left (Nomulus). 2003 ack
 * without msgID, 2005 bad msgID, 2303 unknown (or not yet due) id, 2201 another registrar's message.
 */
export function poll(store: Store, clientId: string, now: Date, el: XmlEl): EppResult {
  const op = el.attrs.op;
  const msgID = el.attrs.msgID;
  if (op === 'req') {
    if (msgID !== undefined) throw new EppError(2005, 'Unexpected message id.');
    const queue = store.visiblePoll(clientId, now);
    const first = queue[0];
    if (!first) return { code: 1300 };
    return {
      code: 1301,
      msgQ: { count: queue.length, id: first.id, qDate: first.eventTime, msg: first.msg },
      resData: first.resData,
    };
  }
  if (op === 'ack') {
    if (msgID === undefined || msgID === '') throw new EppError(2003, 'Message id is required.');
    if (!/^\d+(-[0-9A-F]+)?-\d+$/.test(msgID)) throw new EppError(2005, `Message id "${msgID}" is invalid.`);
    const m = store.poll.find((p) => p.id === msgID && p.eventTime.getTime() <= now.getTime());
    if (!m) throw new EppError(2303, `The poll message with given ID (${msgID}) doesn't exist.`);
    if (m.clientId !== clientId) throw new EppError(2201, 'Registrar is not authorized to ack this message.');
    store.removePoll(m);
    const remaining = store.visiblePoll(clientId, now).length;
    // Nomulus answers 1300 (no msgQ) when the acked message was the last one.
    if (remaining === 0) return { code: 1300 };
    return { code: 1000, msgQ: { count: remaining, id: msgID } };
  }
  throw new EppError(2001, 'poll op must be req or ack.');
}
