/**
 * Domain changes shared by the single and bulk endpoints (renew, transfer) and the registrant's
 * confirmations: an unverified registrant change or deletion waits for the registrant
 * (pendingUpdate / pendingDeleteConfirmation); the sandbox's simulated registrant confirms it
 * when its time comes (tick) or when a test says so (reply), and the sponsor is notified either way,
 * with the registry's wording ("Registrant rejected domain update: koer.ee").
 */
import { ParameterPolicy, StatusProhibits } from './errors.js';
import type { DomainRecord } from './records.js';
import { PRICES } from './seed.js';
import { expiryAfter, extendExpiry, newTransferCode, type Store } from './store.js';

const RENEW_BLOCKERS = ['serverRenewProhibited', 'pendingDelete', 'pendingDeleteConfirmation'];
const TRANSFER_BLOCKERS = ['serverTransferProhibited', 'pendingDelete', 'pendingDeleteConfirmation', 'pendingUpdate'];
const MAX_MONTHS_AHEAD = 120;

/** Price of `months` of registration in cents (50 per month, 600 a year: PRICES, the document's "Create abadiitas.ee" debit). */
export const priceCents = (months: number) => months * PRICES.perMonthCents;

/** Renews for `months` from the current expiry, charging the sponsor; at most 10 years ahead of now. */
export function renew(store: Store, d: DomainRecord, months: number, now: Date): void {
  checkRenewable(d, months, now);
  store.charge(d.registrar, priceCents(months), `Renew ${d.name}`, now);
  d.expiresAt = extendExpiry(d.expiresAt, months);
  d.updatedAt = now;
}

/** Refuses a renewal: 2304 for serverRenewProhibited, pendingDelete or pendingDeleteConfirmation; 2306 when the new expiry is over 10 years ahead. */
export function checkRenewable(d: DomainRecord, months: number, now: Date): void {
  for (const s of RENEW_BLOCKERS) if (d.statuses.has(s)) throw new StatusProhibits(s);
  if (extendExpiry(d.expiresAt, months) > expiryAfter(now, MAX_MONTHS_AHEAD)) throw new ParameterPolicy('a domain cannot be renewed for more than 10 years ahead');
}

/**
 * Transfers at once to the gaining registrar (.ee transfers need no approval): a new transfer code,
 * the domain's contacts copied to the gaining registrar under new codes (as the registry does), and
 * a notification to the losing registrar. It charges nothing and keeps the expiry: the REPP
 * document prices no transfer (its "Billing" section's only debit is "Create abadiitas.ee").
 */
export function transfer(store: Store, d: DomainRecord, gaining: string, now: Date): void {
  for (const s of TRANSFER_BLOCKERS) if (d.statuses.has(s)) throw new StatusProhibits(s);
  const losing = d.registrar;
  const oldCodes = [...new Set([...d.admin, ...d.tech])].sort().join(', ');
  const oldRegistrant = d.registrant;
  const copies = new Map<string, string>();
  const copy = (code: string) => {
    const c = store.contacts.get(code);
    if (!c || c.registrar === gaining) return code;
    let to = copies.get(code);
    if (!to) {
      to = store.contactCode(gaining);
      store.contacts.set(to, { ...c, code: to, registrar: gaining, ident: { ...c.ident }, statuses: new Map(), createdAt: now, updatedAt: now });
      copies.set(code, to);
    }
    return to;
  };
  d.registrant = copy(d.registrant);
  d.admin = d.admin.map(copy);
  d.tech = d.tech.map(copy);
  d.registrar = gaining;
  d.transferCode = newTransferCode();
  d.statuses.delete('clientHold');
  d.updatedAt = now;
  store.notify(
    losing,
    `Transfer of domain ${d.name} has been approved. It was associated with registrant ${oldRegistrant} and contacts ${oldCodes}.`,
    { type: 'DomainTransfer', id: d.id },
    now,
  );
}

/** Applies every pending registrant action whose time has come (confirmed by the simulated registrant). */
export function tick(store: Store, now: Date): void {
  for (const d of [...store.domains.values()]) {
    if (d.pending && d.pending.dueAt <= now) reply(store, d, true, now);
  }
}

/** The registrant confirms (true) or rejects (false) the pending update or deletion of a domain. */
export function reply(store: Store, d: DomainRecord, confirm: boolean, now: Date): void {
  const p = d.pending;
  if (!p) return;
  d.pending = undefined;
  d.statuses.delete(p.kind === 'update' ? 'pendingUpdate' : 'pendingDeleteConfirmation');
  const verb = confirm ? 'confirmed' : 'rejected';
  if (p.kind === 'update') {
    if (confirm && p.registrant) d.registrant = p.registrant;
    d.updatedAt = now;
    store.notify(d.registrar, `Registrant ${verb} domain update: ${d.name}`, { type: 'Epp::Domain', id: d.id }, now);
    return;
  }
  store.notify(d.registrar, `Registrant ${verb} domain deletion: ${d.name}`, { type: 'Epp::Domain', id: d.id }, now);
  if (confirm) remove(store, d);
}

/** Deletes the domain now; later look-ups of its name answer 410 (ObjectGone) until it is registered again. */
export function remove(store: Store, d: DomainRecord): void {
  store.domains.delete(d.name);
  store.removed.add(`domain:${d.name}`);
}
