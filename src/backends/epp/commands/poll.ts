/** poll req/ack (RFC 5730 section 2.9.2.3): the head message with its object, transfer and dates. */
import type { PollQueue, UpstreamPollMessage } from '../../../core/model/index.js';
import { el } from '../xml/build.js';
import { commandFrame, type EppResponse } from '../xml/envelope.js';
import { NS } from '../xml/namespaces.js';
import { EppProtocolError, child, childDate, childText, textOf, toBool, type XmlElement } from '../xml/tree.js';
import { parseTrnData } from './common.js';

/** The `<poll op="req"/>` command frame (RFC 5730 section 2.9.2.3): asks for the head message of the queue. */
export function buildRequest(clTRID: string): string {
  return commandFrame(el('poll', { op: 'req' }), clTRID);
}

/** The `<poll op="ack" msgID="…"/>` command frame (RFC 5730 section 2.9.2.3): removes message `messageId` from the queue. */
export function buildAck(messageId: string, clTRID: string): string {
  return commandFrame(el('poll', { op: 'ack', msgID: messageId }), clTRID);
}

const KINDS: Record<string, 'domain' | 'contact' | 'host'> = {
  [NS.domain]: 'domain',
  [NS.contact]: 'contact',
  [NS.host]: 'host',
};

function idOf(e: XmlElement, kind: 'domain' | 'contact' | 'host'): string | undefined {
  return childText(e, e.ns, kind === 'contact' ? 'id' : 'name');
}

/**
 * Poll request response -> PollQueue. 1300 is an empty queue; 1301 carries the head message.
 * `raw` is stored on the message as given (pass a redacted frame).
 */
export function parseRequest(resp: EppResponse, raw = ''): PollQueue {
  if (resp.code === 1300 || !resp.msgQ) return { message: null, count: 0 };
  const q = resp.msgQ;
  if (!q.id) throw new EppProtocolError('msgQ without id');
  const message: UpstreamPollMessage = {
    id: q.id,
    count: q.count,
    queuedAt: q.qDate, // absent qDate: null (the store records the receive time), never the epoch
    text: q.msg ?? '',
    object: null,
    transfer: null,
    pendingActionResult: null,
    expiresAt: null,
    raw,
  };
  for (const e of resp.resData) {
    const kind = KINDS[e.ns];
    if (!kind) continue;
    const name = idOf(e, kind);
    if (name && !message.object) message.object = { kind, name };
    if (e.name === 'trnData' && kind !== 'host') {
      message.transfer = parseTrnData(e, e.ns, kind === 'contact' ? 'id' : 'name');
      if (message.transfer.expiresAt) message.expiresAt = message.transfer.expiresAt;
    } else if (e.name === 'panData') {
      const n = child(e, e.ns, kind === 'contact' ? 'id' : 'name');
      if (n) {
        message.pendingActionResult = toBool(n.attrs['paResult'], 'paResult');
        message.object = { kind, name: textOf(n) };
      }
    } else if (e.name === 'renData' && kind === 'domain') {
      message.expiresAt = childDate(e, e.ns, 'exDate') ?? message.expiresAt ?? null;
    }
  }
  return { message, count: q.count };
}

/** Poll ack response -> messages left (0 when the server gives no msgQ). */
export function parseAck(resp: EppResponse): { count: number } {
  return { count: resp.msgQ?.count ?? 0 };
}
