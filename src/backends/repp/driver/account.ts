/**
 * The port's account operations on REPP: the poll queue (notifications), the balance with its
 * transactions, and the four bulk endpoints.
 *
 * REPP lists unread notifications newest first; the poll queue's head is the oldest one, as in EPP,
 * so messages are stored in the order the registry queued them.
 */
import type * as M from '../../../core/model/index.js';
import * as balanceCodec from '../codec/balance.js';
import * as bulk from '../codec/bulk.js';
import * as notifications from '../codec/notifications.js';
import { registryDate } from '../codec/read.js';
import { result, send, type ReppCall } from './call.js';

const PAGE = 200;

/**
 * The poll queue's head: the oldest unread notification (a second GET with offset total-1 when the first page of 200 does not hold it) and the unread count
 * from "Returning N out of M"; `queuedAt` is the clock's now (REPP gives no time). REPP document, "Get all messages".
 */
export async function pollRequest(call: ReppCall): Promise<M.PortResult<M.PollQueue>> {
  let a = await send(call, notifications.buildList({ limit: PAGE }));
  let list = notifications.parseList(a.data, a.message, call.clock.now());
  const total = list.total ?? list.messages.length;
  if (total > list.messages.length && total > 0) {
    a = await send(call, notifications.buildList({ limit: 1, offset: total - 1 }));
    list = notifications.parseList(a.data, a.message, call.clock.now());
  }
  const oldest = list.messages.at(-1) ?? null;
  return result(a, { message: oldest && { ...oldest, count: total }, count: oldest ? total : 0 });
}

/** Marks the message read; answers how many unread remain. */
export async function pollAck(call: ReppCall, id: string): Promise<M.PortResult<{ count: number }>> {
  const a = await send(call, notifications.buildMarkRead(id));
  const left = await send(call, notifications.buildList({ limit: 1 }));
  const l = notifications.parseList(left.data, left.message, call.clock.now());
  return result(a, { count: l.total ?? l.messages.length });
}

/** The account balance ("Get account balance"): amount as decimal text and its currency. */
export async function balance(call: ReppCall): Promise<M.PortResult<M.Money>> {
  const a = await send(call, balanceCodec.build());
  return result(a, balanceCodec.parse(a.data).money);
}

/** The balance and the transactions from `from` (inclusive) to `until` (exclusive), registry days. */
export async function transactions(call: ReppCall, range: { from?: Date | null; until?: Date | null }): Promise<M.PortResult<balanceCodec.Balance>> {
  const day = (d: Date | null | undefined) => (d ? registryDate(d, call.policy.timeZone) : undefined);
  const a = await send(call, balanceCodec.build({ detailed: true, from: day(range.from), until: day(range.until) }));
  return result(a, balanceCodec.parse(a.data));
}

/** "Bulk domain transfer": one request for all `items`; the answer lists transferred and failed names (codec/bulk parseTransfer). */
export async function bulkTransfer(call: ReppCall, items: { name: string; transferCode: string }[]) {
  const a = await send(call, bulk.buildTransfer(items));
  return result(a, bulk.parseTransfer(a.data));
}

/** "Bulk tech contact replace": `current` replaced by `next` (contact codes) on every domain of the registrar; answers the affected and skipped names. */
export async function bulkTechContactReplace(call: ReppCall, current: string, next: string) {
  const a = await send(call, bulk.buildTechContactReplace(current, next));
  return result(a, bulk.parseAffected(a.data));
}

/** "Bulk nameserver change": name server `from` (a hostname) replaced by `to` on the registrar's domains (only `domains` when given); answers the new name server and affected/skipped names. */
export async function bulkNameserverChange(call: ReppCall, from: string, to: M.DomainNameserver, domains?: string[]) {
  const a = await send(call, bulk.buildNameserverChange(from, to, domains));
  return result(a, bulk.parseNameserverChange(a.data));
}

/** "Bulk domain renew": `names` renewed by `period` (renew_period "3m" ... "10y") from their current expiry; answers the renewed names. */
export async function bulkRenew(call: ReppCall, names: string[], period: M.Period) {
  const a = await send(call, bulk.buildRenew(names, period));
  return result(a, bulk.parseRenew(a.data));
}
