/**
 * Poll messages: /repp/v1/registrar/notifications (REPP document, "Poll messages"): all unread
 * (limit/offset), the latest unread, one by id, mark as read.
 *
 * A REPP notification has an id, a text and the type and numeric id of the object it concerns
 * ("Epp::Domain", 34), but no time and no object name: `queuedAt` is when the gateway read it, and
 * the object's name is taken from the text where the registry writes one ("... domain update: koer.ee").
 */
import type { UpstreamPollMessage } from '../../../core/model/index.js';
import type { ReppRequest } from '../http.js';
import { arr, num, obj, optStr, seg, str } from './read.js';

/** GET /repp/v1/registrar/notifications/all_notifications ("Get all messages": unread, limit/offset). */
export function buildList(page: { limit?: number; offset?: number } = {}): ReppRequest {
  return { command: 'poll:list', method: 'GET', path: '/repp/v1/registrar/notifications/all_notifications', query: { limit: page.limit, offset: page.offset }, changesState: false };
}

/** GET /repp/v1/registrar/notifications ("Get latest unread poll message"). */
export function buildLatest(): ReppRequest {
  return { command: 'poll:latest', method: 'GET', path: '/repp/v1/registrar/notifications', changesState: false };
}

/** GET /repp/v1/registrar/notifications/:notification_id ("Get a specific poll message"). */
export function buildInfo(id: string): ReppRequest {
  return { command: 'poll:info', method: 'GET', path: `/repp/v1/registrar/notifications/${seg(id)}`, changesState: false };
}

/**
 * PUT /repp/v1/registrar/notifications/:id ("Mark poll message as read"): marks one message read
 * (the REPP counterpart of an EPP poll ack). It changes the registry's state, so `changesState`:
 * sent and not answered, or answered 500, it may have marked the message read (outcome unknown,
 * logged NO_ANSWER, not NOT_SENT); the poller reads the queue again, and a message read before is
 * not stored twice.
 */
export function buildMarkRead(id: string): ReppRequest {
  return { command: 'poll:ack', method: 'PUT', path: `/repp/v1/registrar/notifications/${seg(id)}`, body: { notification: { read: true } }, changesState: true };
}

const DOMAIN_IN_TEXT = /\b((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})\b/i;
const CONTACT_IN_TEXT = /\bContact ([A-Za-z0-9]+:[A-Za-z0-9_-]+)/;
const DOMAIN_TYPES = new Set(['Epp::Domain', 'Domain', 'DomainTransfer']);

/** The object a message concerns: a domain named in the text of a domain message, or "Contact CODE". */
function objectOf(type: string | null, text: string): UpstreamPollMessage['object'] {
  const domain = DOMAIN_IN_TEXT.exec(text)?.[1]?.toLowerCase();
  if (domain && (type !== null ? DOMAIN_TYPES.has(type) : /\bdomain\b/i.test(text))) return { kind: 'domain', name: domain };
  const contact = CONTACT_IN_TEXT.exec(text)?.[1];
  return contact ? { kind: 'contact', name: contact } : null;
}

/**
 * The registrant's answer to a registrant change or deletion the registrar sent unverified (the
 * domain waited in pendingUpdate / pendingDeleteConfirmation): "Registrant rejected domain update:
 * koer.ee" (the document's example), "Registrant confirmed domain deletion: ...". It completes a
 * pending action, as EPP's panData does: true when confirmed (carried out), false when rejected.
 */
const REGISTRANT_ANSWER = /^Registrant (confirmed|rejected) domain (?:update|deletion)\b/i;

/** One notification as a poll message; `receivedAt` stands in for the time REPP does not give. */
export function parseMessage(data: unknown, receivedAt: Date, path = 'data'): UpstreamPollMessage {
  const o = obj(data, path);
  const id = String(num(o, 'id', path));
  const text = str(o, 'text', path);
  const object = objectOf(optStr(o, 'attached_obj_type', path), text);
  const answer = REGISTRANT_ANSWER.exec(text)?.[1]?.toLowerCase();
  return { id, count: null, queuedAt: receivedAt, text, object, pendingActionResult: answer ? answer === 'confirmed' : null, raw: JSON.stringify(o) };
}

/** The latest unread message, or null when there is none (`data` is then {}). */
export function parseLatest(data: unknown, receivedAt: Date): UpstreamPollMessage | null {
  const o = obj(data, 'data');
  return Object.keys(o).length === 0 ? null : parseMessage(o, receivedAt);
}

/**
 * The unread messages and how many there are in all. The registry returns a list (the document's
 * example prints one object; both are read), and says the total in its message:
 * "Returning 200 out of 500".
 */
export function parseList(data: unknown, message: string, receivedAt: Date): { messages: UpstreamPollMessage[]; total: number | null } {
  const items = Array.isArray(data) ? data : data && typeof data === 'object' && Object.keys(data).length > 0 ? [data] : [];
  const messages = arr(items, 'data').map((m, i) => parseMessage(m, receivedAt, `data[${i}]`));
  const total = /out of (\d+)/.exec(message);
  return { messages, total: total ? Number(total[1]) : null };
}

/** `data` of "Mark poll message as read": notification_id (number or decimal text, as a string) and whether `read` is true; UPSTREAM_UNAVAILABLE when the id is missing. */
export function parseMarkRead(data: unknown): { id: string; read: boolean } {
  const o = obj(data, 'data');
  return { id: String(num(o, 'notification_id', 'data')), read: o.read === true };
}
