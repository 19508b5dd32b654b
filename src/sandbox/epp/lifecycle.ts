/**
 * Time-driven registry events, applied lazily from the injected clock before every command and
 * inspection: transfer auto-approval, auto-renewal, and the final purge of deleted domains.
 * Poll messages they produce carry the event time as qDate.
 */
import { TRANSFER_MESSAGE, panData, renData, trnData } from './payloads.js';
import type { ContactRecord, DomainRecord, TransferData, TransferStatus } from './records.js';
import { POLICY, addYears, type Store } from './store.js';

type Outcome = Exclude<TransferStatus, 'pending'>;

/** Closes a pending domain transfer with the given outcome at time `at`, writing poll messages. */
export function finishDomainTransfer(store: Store, d: DomainRecord, outcome: Outcome, at: Date): TransferData {
  const t = d.transfer!;
  store.noteChanged('domain', d.name);
  t.status = outcome;
  t.acDate = at;
  if (outcome === 'clientApproved' || outcome === 'serverApproved') {
    t.exDate = addYears(d.exDate, 1);
    d.sponsor = t.gaining;
    d.trDate = at;
    d.exDate = t.exDate;
    d.grace = [{ kind: 'transferPeriod', end: new Date(at.getTime() + POLICY.transferGraceMs) }];
  } else {
    t.exDate = undefined;
  }
  notify(store, 'domain', d.name, t, outcome, at);
  return t;
}

/** Closes a pending contact transfer with `outcome` at `at` (approved: the gaining registrar sponsors it) and queues Nomulus' poll messages. */
export function finishContactTransfer(store: Store, c: ContactRecord, outcome: Outcome, at: Date): TransferData {
  const t = c.transfer!;
  store.noteChanged('contact', c.id);
  t.status = outcome;
  t.acDate = at;
  if (outcome === 'clientApproved' || outcome === 'serverApproved') {
    c.sponsor = t.gaining;
    c.trDate = at;
  }
  notify(store, 'contact', c.id, t, outcome, at);
  return t;
}

/**
 * Nomulus' poll messages for a finished transfer: the gaining registrar gets panData + trnData
 * unless it cancelled; the losing registrar gets trnData for a server approval or a cancel.
 */
function notify(store: Store, kind: 'domain' | 'contact', id: string, t: TransferData, outcome: Outcome, at: Date): void {
  const text = TRANSFER_MESSAGE[outcome];
  if (outcome !== 'clientCancelled') {
    const approved = outcome === 'clientApproved' || outcome === 'serverApproved';
    store.addPoll(t.gaining, at, text, [panData(kind, id, approved, t.requestTrid, at), trnData(kind, id, t)]);
  }
  if (outcome === 'serverApproved' || outcome === 'clientCancelled') {
    store.addPoll(t.losing, at, text, [trnData(kind, id, t)]);
  }
}

/** When the domain's next time-driven event is due (ms since the epoch). */
function domainDue(d: DomainRecord): number {
  if (d.deletion) return d.deletion.purgeAt.getTime();
  let due = d.exDate.getTime();
  if (d.transfer?.status === 'pending') due = Math.min(due, d.transfer.acDate.getTime());
  for (const g of d.grace) due = Math.min(due, g.end.getTime());
  return due;
}

/**
 * A command changed one object: its events (a renewal's grace period, a transfer's
 * auto-approval) are due no later than the store's next tick looks. An object it cannot find
 * (purged, or not named) makes the next tick look at everything.
 */
export function objectChanged(store: Store, kind: 'domain' | 'host' | 'contact', id: string | undefined): void {
  if (kind === 'host') return; // hosts have no time-driven events
  let due: number | undefined;
  if (id !== undefined && kind === 'domain') {
    const d = store.domains.get(id);
    if (d) due = domainDue(d);
  } else if (id !== undefined) {
    const c = store.contacts.get(id);
    if (c) due = c.transfer?.status === 'pending' ? c.transfer.acDate.getTime() : Infinity;
  }
  store.nextDue = Math.min(store.nextDue, due ?? -Infinity);
}

/**
 * Applies every event due at `now`. Idempotent; cheap enough to run before each command: it
 * visits the objects only when something may be due (store.nextDue, lowered by every change:
 * objectChanged, Store.touch), so a registry of 20,000 domains does not walk them all for each
 * command of a bulk job.
 */
export function tick(store: Store, now: Date): void {
  const t = now.getTime();
  if (t < store.nextDue) return;
  let next = Infinity;
  for (const d of store.domains.values()) {
    if (d.transfer?.status === 'pending' && d.transfer.acDate.getTime() <= t) {
      finishDomainTransfer(store, d, 'serverApproved', d.transfer.acDate);
    }
  }
  for (const c of store.contacts.values()) {
    if (c.transfer?.status === 'pending' && c.transfer.acDate.getTime() <= t) {
      finishContactTransfer(store, c, 'serverApproved', c.transfer.acDate);
    }
    if (c.transfer?.status === 'pending') next = Math.min(next, c.transfer.acDate.getTime());
  }
  // Deleting the entry being visited is safe in a Map's iteration (the others are all visited).
  for (const d of store.domains.values()) {
    if (d.deletion) {
      if (d.deletion.purgeAt.getTime() <= t) {
        store.domains.delete(d.name);
        store.addPoll(d.sponsor, d.deletion.purgeAt, 'Domain deleted.', [
          panData('domain', d.name, true, d.deletion.trid, d.deletion.purgeAt),
        ]);
      } else next = Math.min(next, d.deletion.purgeAt.getTime());
      continue;
    }
    while (d.exDate.getTime() <= t) {
      store.noteChanged('domain', d.name);
      const old = d.exDate;
      d.exDate = addYears(old, 1);
      d.grace.push({ kind: 'autoRenewPeriod', end: new Date(old.getTime() + POLICY.autoRenewGraceMs) });
      store.addPoll(d.sponsor, old, 'Domain was auto-renewed.', [renData(d.name, d.exDate)]);
    }
    if (d.grace.length > 0 && d.grace.some((g) => g.end.getTime() <= t)) {
      d.grace = d.grace.filter((g) => g.end.getTime() > t);
      store.noteChanged('domain', d.name);
    }
    next = Math.min(next, domainDue(d));
  }
  store.nextDue = next;
}
