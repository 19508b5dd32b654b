/**
 * Asynchronous requests (DMAPI document, "Basics", "result-list", "result-retrieve",
 * "result-delete"). A modifying request is answered with a Proc-ID; its real answer (ACK or NACK)
 * is kept upstream. Right after sending, the driver asks for that answer once: when it is there,
 * the call answers it (a NACK as the error its Status-Code names) and deletes it upstream; when it
 * is not ("?"), the call answers PENDING (1001 with the Proc-ID) and the poll ingester delivers
 * the answer later (pollRequest/pollAck below), deleting it upstream once stored, as EPP's ack;
 * a result holding a secret for the reseller's own tools (an Auth-ID) is delivered masked and left
 * upstream (LEFT_UPSTREAM), and skipped once the poll store holds it (JokerCall.pollStored: across
 * restarts and instances). What is stored of a result (a poll message's `raw` and text) has its
 * secrets masked (result-text.ts maskResult). A NACK without a Status-Code is a definite refusal (result-text.ts nackCode).
 */
import type * as M from '../../../core/model/index.js';
import { parseUpstreamDate } from '../../../core/time.js';
import { maskSecrets } from '../../portable.js';
import { echoable, refusal, type DmapiRequest } from '../http.js';
import { keyValues, parseReply, records, type DmapiReply } from '../reply.js';
import { result, send, type JokerCall, type PendingRequest } from './call.js';
import { maskResult, nackCode, NO_REASON } from './result-text.js';
import { stampDate } from './whois.js';

/** The answer to an accepted request, as result-retrieve gives it. */
export interface Outcome {
  status: 'ack' | 'nack' | '?';
  /** The processing answer's headers (Status-Code, Result, Error, Expiration-Date, Handle ...), when kept. In memory only: it may hold a secret (an Auth-ID). */
  answer: DmapiReply;
  type: string;
  object: string;
  /** The result as result-retrieve gave it, secrets masked (maskResult): what may be stored. */
  raw: string;
  /** The secret values maskResult found in it, to mask wherever the result is quoted. */
  secrets: string[];
}

/** result-retrieve for one Proc-ID. */
export async function retrieve(call: JokerCall, procId: string): Promise<Outcome> {
  const r = await send(call, { name: 'result-retrieve', vars: { 'proc-id': procId }, changesState: false });
  const kv = keyValues(r);
  const status = (kv.get('status')?.[0] ?? '?').toLowerCase();
  const masked = maskResult(r.body);
  return {
    status: status === 'ack' || status === 'nack' ? status : '?',
    answer: parseReply(`${r.body}\n`),
    type: kv.get('request-type')?.[0] ?? '',
    object: kv.get('request-object')?.[0] ?? '',
    raw: masked.text,
    secrets: masked.secrets,
  };
}

/**
 * Requests whose result carries a secret meant for the reseller's own tools: the Auth-ID of
 * domain-transfer-get-auth-id, which "is not real-time, i.e. you have to check detailed reply (use
 * "result-retrieve") to get Auth-ID". The gateway never sends it and has no field that gives the
 * code (README, Backends: Joker's `domain { authInfo }` is null), so it does not take the code from
 * whoever asked for it: such a result is delivered as a poll message (its Auth-ID masked) and left
 * upstream (no result-delete), where the requester's result-retrieve still finds it. Later lists
 * still show it: the poller skips it once the poll store holds its Proc-ID (notLeft), so it is
 * retrieved and delivered once, whichever instance polls and however often the gateway restarts.
 */
const LEFT_UPSTREAM = /^domain-transfer-get-auth-id$/i;

/**
 * After a modifying request: its final answer if it is there (deleted upstream, a NACK thrown as
 * its error), else `pending`. The returned reply carries the answer's headers (Handle,
 * Expiration-Date) when done.
 */
export async function settle(call: JokerCall, accepted: DmapiReply, vars: DmapiRequest['vars'] = {}): Promise<{ pending: boolean; answer: DmapiReply }> {
  const procId = accepted.procId;
  if (!procId) return { pending: false, answer: accepted };
  // The change was accepted ("200 if everything is OK (request was accepted and processed or
  // queued for processing)"): a result that cannot be read now is one still to come, as "?" is,
  // never a failure of the change (a read's failure would free the key and send it twice).
  const o = await retrieve(call, procId).catch(() => null);
  if (!o || o.status === '?') return { pending: true, answer: accepted };
  await send(call, { name: 'result-delete', vars: { 'proc-id': procId }, changesState: false }).catch(() => undefined);
  if (o.status === 'nack') {
    const code = nackCode(o.answer);
    const answer = code === o.answer.statusCode ? o.answer : { ...o.answer, statusCode: code, statusText: o.answer.statusText ?? (o.answer.errors.length > 0 ? undefined : NO_REASON) };
    throw refusal(200, answer, call.backend, o.secrets, undefined, echoable({ vars }));
  }
  return { pending: false, answer: o.answer };
}

/** Sends a modifying request and settles it: the port result, 1001 while pending. */
export async function change<T>(call: JokerCall, name: string, vars: Record<string, string | undefined>, data: (answer: DmapiReply, pending: boolean) => T): Promise<M.PortResult<T>> {
  const accepted = await send(call, { name, vars, changesState: true });
  const s = await settle(call, accepted, vars);
  return result(call, accepted, data(s.answer, s.pending), s.pending);
}

const COLUMNS = ['timestamp', 'svtrid', 'proc-id', 'request-type', 'request-object', 'status', 'cltrid'];

/**
 * The types of the reseller's requests still being processed for one object: from the request's
 * shared list (call.pendingList) where there is one, else result-list pending=1 objid=<object>.
 */
export async function pendingFor(call: JokerCall, object: string): Promise<string[]> {
  if (call.pendingList) {
    const o = object.toLowerCase();
    return (await call.pendingList()).filter((p) => p.object.toLowerCase() === o).map((p) => p.type);
  }
  const r = await send(call, { name: 'result-list', vars: { pending: '1', objid: object }, changesState: false });
  return records(r, COLUMNS).map((x) => x['request-type']);
}

/**
 * The reseller's requests sent with `clTRID` (call.ts sends the attempt's clTRID as "cltrid" with
 * every modifying request of the attempt, so a change made of several requests lists several):
 * result-list cltrid=<clTRID> showall=1 (DMAPI "result-list": a deleted result keeps its status).
 * Their Proc-IDs (comma-separated, as a 1001 answer gives them) and status taken together: pending
 * while any is "?", refused when any was refused (nack), else completed (ack); null when none is
 * listed. A clTRID holding the list's pattern characters ("*", "?") is refused, as it could match
 * other requests.
 */
export async function queuedRequest(call: JokerCall, clTRID: string): Promise<M.PortResult<M.QueuedRequest | null>> {
  if (/[*?]/.test(clTRID)) throw new Error(`clTRID ${clTRID.slice(0, 40)} holds a result-list pattern character`);
  const r = await send(call, { name: 'result-list', vars: { cltrid: clTRID, showall: '1' }, changesState: false });
  const found = records(r, COLUMNS).filter((x) => x.cltrid === clTRID);
  if (found.length === 0) return result(call, r, null);
  const status = found.some((x) => x.status !== 'ack' && x.status !== 'nack') ? 'pending' : found.some((x) => x.status === 'nack') ? 'refused' : 'completed';
  return result(call, r, { id: found.map((x) => x['proc-id']).join(','), status });
}

/** Every request of the reseller still being processed (result-list pending=1). */
export async function readPending(call: JokerCall): Promise<PendingRequest[]> {
  const r = await send(call, { name: 'result-list', vars: { pending: '1' }, changesState: false });
  return records(r, COLUMNS).map((x) => ({ type: x['request-type'], object: x['request-object'] }));
}

/**
 * The reseller's pending requests, read once and shared by the domain reads of one batch (the
 * request's loader batch, CallContext.readBatch: reads issued together) instead of one
 * `result-list pending=1 objid=<name>` per domain before its query-whois: a page of 30 Joker
 * domains costs 31 DMAPI requests instead of 60. A list is kept for at most `ttlMs` (real time)
 * and is read again after the driver sent any modifying request for the account. A failed read is
 * not kept.
 */
export class PendingLists {
  private readonly byCall = new WeakMap<object, { at: number; generation: number; list: Promise<PendingRequest[]> }>();
  private readonly generations = new Map<string, number>();

  /** @param ttlMs how long one batch's reads share a list (ms, monotonic clock) */
  constructor(
    private readonly ttlMs = 2_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The account (gateway registrar id) sent a modifying request: its lists are stale. */
  changed(account: string): void {
    this.generations.set(account, (this.generations.get(account) ?? 0) + 1);
  }

  /** The list for one batch of reads (`scope`: CallContext.readBatch) of `account`, read with `read` when none is fresh. */
  get(scope: object, account: string, read: () => Promise<PendingRequest[]>): Promise<PendingRequest[]> {
    const generation = this.generations.get(account) ?? 0;
    const kept = this.byCall.get(scope);
    if (kept && kept.generation === generation && this.now() - kept.at <= this.ttlMs) return kept.list;
    const entry = { at: this.now(), generation, list: read() };
    this.byCall.set(scope, entry);
    entry.list.catch(() => {
      if (this.byCall.get(scope) === entry) this.byCall.delete(scope);
    });
    return entry.list;
  }
}

const KIND: Record<string, 'domain' | 'contact' | 'host'> = { domain: 'domain', contact: 'contact', ns: 'host', host: 'host' };

/** An answered result of a list: ack (done) or nack (refused); "?" is still being processed. */
const answered = (x: Record<string, string>) => x.status === 'ack' || x.status === 'nack';

/** Request types of a transfer-in (document: "domain-transfer-in-reseller"). */
const TRANSFER_IN = /^domain-transfer-in/i;

/** result-list's TimeStamp (YYYYMMDDHHMMSS, "the time when request was made") as a Date, or null. */
function listStamp(v: string | undefined): Date | null {
  return v ? parseUpstreamDate(v.replace(/^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/, '$1-$2-$3T$4:$5:$6Z')) : null;
}

/**
 * The oldest answered result not yet deleted (nor delivered and left upstream: LEFT_UPSTREAM, a
 * result the poll store already holds, JokerCall.pollStored), as a poll message, and how many
 * there are.
 *
 * Within a poll round (call.pollRound, CallContext.pollRound) the queue is listed once, by the
 * round's first call: later calls take the next result of that list, and once it is worked
 * through answer an empty queue without listing again (results answered meanwhile come in the
 * next round). So a round costs one result-list plus one result-retrieve and one result-delete
 * (pollAck) per message, instead of a result-list before and after every message. Without a
 * round every call lists.
 *
 * The message: `pendingActionResult` true for ACK ("completed successfully"), false for NACK
 * (the refusal's Status-Code as `resultCode`, 2308 where it gives none (nackCode), its
 * Status-Text and Error lines in the text); `raw` the result with its secrets masked; a
 * transfer-in's result (domain-transfer-in-reseller) also carries `transfer`: the reseller
 * (its UID) gaining, status `clientApproved` when ACKed (approved: DMAPI does not say whether
 * the losing side approved it or the registry's time ran out, and serverApproved is the EPP
 * status of an auto-approval, typed TRANSFER_AUTO_APPROVED) and `clientRejected` when NACKed, `requestedAt` the
 * request's TimeStamp, `actionAt` when the gateway read the result (DMAPI does not say when it
 * was processed: the latest it can have been), `expiresAt` the result's Expiration-Date,
 * `losingRegistrar` empty (DMAPI's result does not name it).
 */
export async function pollRequest(call: JokerCall): Promise<M.PortResult<M.PollQueue>> {
  const round = call.pollRound;
  let list: DmapiReply | null = null;
  let done = round?.done;
  if (!done) {
    list = await send(call, { name: 'result-list', changesState: false });
    const all = records(list, COLUMNS).filter(answered);
    done = await notLeft(call, all);
    if (round) round.done = done;
  }
  if (done.length === 0) return list ? result(call, list, { message: null, count: 0 }) : { data: { message: null, count: 0 }, trid: { client: call.clTRID, server: null }, code: 1000 };
  const head = done[0];
  const o = await retrieve(call, head['proc-id']);
  const ok = o.status === 'ack';
  const why = maskSecrets([o.answer.statusText, ...o.answer.errors].filter(Boolean).join(': '), o.secrets) || (ok ? '' : NO_REASON);
  const left = LEFT_UPSTREAM.test(head['request-type']);
  if (left) call.kept?.delivered.add(head['proc-id']);
  const expires = stampDate(o.answer.headers.get('expiration-date')?.[0]);
  const requestedAt = listStamp(head.timestamp);
  const transfer: M.Transfer | null = TRANSFER_IN.test(head['request-type'])
    ? {
        name: head['request-object'],
        status: ok ? 'clientApproved' : 'clientRejected',
        gainingRegistrar: call.uid,
        losingRegistrar: '',
        requestedAt: requestedAt ?? call.clock.now(),
        actionAt: call.clock.now(),
        expiresAt: ok ? expires : null,
      }
    : null;
  const message: M.UpstreamPollMessage = {
    id: head['proc-id'],
    count: done.length,
    queuedAt: requestedAt,
    text: `${head['request-type']} ${head['request-object']} (Proc-ID ${head['proc-id']}) ${ok ? 'completed' : 'failed'}${why ? `: ${why}` : ''}${left ? `; the result stays at Joker for result-retrieve, the gateway keeps no copy of its secret` : ''}`,
    object: { kind: KIND[head['request-type'].split('-')[0]] ?? 'domain', name: head['request-object'] },
    transfer,
    pendingActionResult: ok,
    resultCode: ok ? 1000 : nackCode(o.answer),
    expiresAt: expires,
    raw: o.raw,
  };
  const trid = { client: call.clTRID, server: head['proc-id'] };
  return list ? result(call, list, { message, count: done.length }) : { data: { message, count: done.length }, trid, code: 1000 };
}

/**
 * The answered results of a fresh list less those delivered before and left upstream
 * (LEFT_UPSTREAM): the poll store holds them (JokerCall.pollStored, one query for the list's
 * left-upstream results, none when it shows none). Nothing else is kept: a result its requester
 * deleted, or past the 90 days result-list shows by default, is simply no longer listed.
 */
async function notLeft(call: JokerCall, listed: Record<string, string>[]): Promise<Record<string, string>[]> {
  const left = listed.filter((x) => LEFT_UPSTREAM.test(x['request-type'])).map((x) => x['proc-id']);
  if (left.length === 0 || !call.pollStored) return listed;
  const stored = await call.pollStored(left);
  return listed.filter((x) => !(stored.has(x['proc-id']) && LEFT_UPSTREAM.test(x['request-type'])));
}

/**
 * The answer is stored: result-delete, so it is not listed any more; a result left upstream
 * (LEFT_UPSTREAM: its secret is its requester's) is not deleted, and later lists skip it because
 * the store holds it (notLeft).
 * Answers how many are left: in a poll round, what is left of the round's list (nothing more is
 * sent); else from a new result-list.
 */
export async function pollAck(call: JokerCall, procId: string): Promise<M.PortResult<{ count: number }>> {
  const round = call.pollRound;
  // Taken off the round's list whatever the delete answers, so a round never retrieves it twice.
  if (round?.done) round.done = round.done.filter((x) => x['proc-id'] !== procId);
  if (call.kept?.delivered.delete(procId)) {
    const trid = { client: call.clTRID, server: procId };
    if (round?.done) return { data: { count: round.done.length }, trid, code: 1000 };
    const list = await send(call, { name: 'result-list', changesState: false });
    return result(call, list, { count: (await notLeft(call, records(list, COLUMNS).filter(answered))).length });
  }
  const r = await send(call, { name: 'result-delete', vars: { 'proc-id': procId }, changesState: false });
  if (round?.done) return result(call, r, { count: round.done.length });
  const left = await send(call, { name: 'result-list', changesState: false });
  return result(call, r, { count: (await notLeft(call, records(left, COLUMNS).filter(answered))).length });
}
