/**
 * Transfer query/request/approve/reject/cancel for domains (RFC 5731) and contacts (RFC 5733),
 * in the order Nomulus checks things. Auto-approval happens in lifecycle.tick().
 */
import { finishContactTransfer, finishDomainTransfer } from '../lifecycle.js';
import { trnData } from '../payloads.js';
import type { TransferData } from '../records.js';
import { EppError, ok, type EppResult } from '../result.js';
import { addYears } from '../store.js';
import { NS } from '../xml.js';
import { allowExtensions, authPw, notFound, periodYears, requireText, statusProhibits, type Flow, type FlowContext, type ObjectCommand } from './common.js';
import { domainAuthMatches } from './domain.js';

type Outcome = 'clientApproved' | 'clientRejected' | 'clientCancelled';

/** The parts of a domain or contact a transfer needs. */
interface Subject {
  kind: 'domain' | 'contact';
  id: string;
  sponsor: string;
  statuses: string[];
  transfer?: TransferData;
  authMatches(pw: string | undefined, roid: string | undefined): boolean;
  begin(t: TransferData): void;
  finish(outcome: Outcome): TransferData;
  projectedExpiry?: Date;
}

function domainSubject(ctx: FlowContext, cmd: ObjectCommand): Subject {
  const name = requireText(cmd.el, NS.domain, 'name');
  const d = ctx.store.domains.get(name);
  if (!d) throw notFound('domain', name);
  return {
    kind: 'domain',
    id: d.name,
    sponsor: d.sponsor,
    statuses: [...d.statuses, ...(d.deletion ? ['pendingDelete'] : [])],
    transfer: d.transfer,
    authMatches: (pw, roid) => domainAuthMatches(ctx, d, pw, roid),
    begin: (t) => (d.transfer = t),
    finish: (o) => finishDomainTransfer(ctx.store, d, o, ctx.now),
    projectedExpiry: addYears(d.exDate, 1),
  };
}

function contactSubject(ctx: FlowContext, cmd: ObjectCommand): Subject {
  const id = requireText(cmd.el, NS.contact, 'id');
  const c = ctx.store.contacts.get(id);
  if (!c) throw notFound('contact', id);
  return {
    kind: 'contact',
    id: c.id,
    sponsor: c.sponsor,
    statuses: [...c.statuses],
    transfer: c.transfer,
    authMatches: (pw, roid) => (roid === undefined || roid === c.roid) && pw === c.authInfo,
    begin: (t) => (c.transfer = t),
    finish: (o) => finishContactTransfer(ctx.store, c, o, ctx.now),
  };
}

/**
 * Domain or contact transfer (RFC 5731/5733 sections 3.2.4, query 3.1.3). request: 2201 no authInfo, 2202 wrong
 * authInfo, 2300 pending, 2002 own object, 2304 status, 2306 domain period not 1y; else 1001 and a poll message
 * to the losing registrar. query: 2002 no history, 2201 non-party without authInfo. approve/reject/cancel: 2301, 2201.
 */
export function transferFlow(kind: 'domain' | 'contact'): Flow {
  return (ctx, cmd) => {
    allowExtensions(cmd, []);
    const s = kind === 'domain' ? domainSubject(ctx, cmd) : contactSubject(ctx, cmd);
    const auth = authPw(cmd.el, NS[kind]);
    if (cmd.op === 'request') return request(ctx, cmd, s, auth);
    if (auth.present && !s.authMatches(auth.pw, auth.roid)) {
      throw new EppError(2202, 'Authorization information for accessing resource is invalid.');
    }
    if (cmd.op === 'query') {
      if (!s.transfer) throw new EppError(2002, 'Object has no transfer history.');
      const party = ctx.clientId === s.transfer.gaining || ctx.clientId === s.transfer.losing;
      if (!party && !auth.present) throw new EppError(2201, 'Registrar is not authorized to view transfer status.');
      return ok([trnData(kind, s.id, s.transfer)]);
    }
    if (s.transfer?.status !== 'pending') throw new EppError(2301, 'The resource does not have a pending transfer.');
    if (cmd.op === 'cancel') {
      if (ctx.clientId !== s.transfer.gaining) throw new EppError(2201, 'Registrar is not the initiator of this transfer.');
      return ok([trnData(kind, s.id, s.finish('clientCancelled'))]);
    }
    if (ctx.clientId !== s.sponsor) throw new EppError(2201, 'The specified resource belongs to another client.');
    const t = s.finish(cmd.op === 'approve' ? 'clientApproved' : 'clientRejected');
    return ok([trnData(kind, s.id, t)]);
  };
}

function request(ctx: FlowContext, cmd: ObjectCommand, s: Subject, auth: ReturnType<typeof authPw>): EppResult {
  if (!auth.present) throw new EppError(2201, 'Authorization info is required to request a transfer.');
  if (!s.authMatches(auth.pw, auth.roid)) throw new EppError(2202, 'Authorization information for accessing resource is invalid.');
  if (s.transfer?.status === 'pending') throw new EppError(2300, 'The resource is already pending transfer.');
  if (s.sponsor === ctx.clientId) throw new EppError(2002, 'Registrar already sponsors the object of this transfer request.');
  statusProhibits(s.statuses, ['clientTransferProhibited', 'serverTransferProhibited', 'pendingDelete']);
  if (s.kind === 'domain' && periodYears(cmd.el, NS.domain) !== 1) {
    throw new EppError(2306, 'Domain transfer period must be one year.');
  }
  const t: TransferData = {
    status: 'pending',
    gaining: ctx.clientId,
    losing: s.sponsor,
    reDate: ctx.now,
    acDate: new Date(ctx.now.getTime() + ctx.transferPeriodMs),
    exDate: s.projectedExpiry,
    requestTrid: { ...ctx.trid },
  };
  s.begin(t);
  ctx.store.addPoll(t.losing, ctx.now, 'Transfer requested.', [trnData(s.kind, s.id, t)]);
  return { ...ok([trnData(s.kind, s.id, t)]), code: 1001 };
}
