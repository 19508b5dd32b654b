/**
 * Pending backend applies (document, Boundaries 3: "Nameserver and cancellation commands may remain
 * pending backend apply until the namespace backend supports automated apply"; transfer intent
 * "queue[s] backend/EPP apply"). The sandbox's backend applies each one `applyDelayMs` after the
 * command, judged by the injected clock whenever a request arrives, and writes an audit row for it.
 * While the store is held (tests: HeadlessSandbox.hold()), none is applied, however late it is.
 */
import { randomBytes } from 'node:crypto';
import type { PendingApply, Registration, Store } from './store.js';

/** Applies every pending change that is due at `now`, oldest first; none while the store is held. */
export function tick(store: Store, now: Date): void {
  if (store.held) return;
  const due = store.pending.filter((p) => p.at.getTime() <= now.getTime()).sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const p of due) {
    store.pending.splice(store.pending.indexOf(p), 1);
    const r = store.registrations.get(p.domain);
    if (r) apply(store, r, p);
  }
}

function apply(store: Store, r: Registration, p: PendingApply): void {
  const row = (channelId: string, command: string) =>
    store.addAudit({ commandId: p.commandId, command, domain: r.domain, idempotencyKey: channelId === p.channelId ? p.idempotencyKey : null, requestId: null, httpStatus: 200, status: 'applied', channelId, createdAt: p.at, completedAt: p.at });
  if (p.kind === 'nameservers') {
    r.appliedNameservers = [...r.desiredNameservers];
  } else if (p.kind === 'cancel') {
    r.state = 'cancelled';
    r.cancelledAt = p.at;
  } else if (p.kind === 'transfer' && r.transfer) {
    const losing = r.transfer.losingChannelId;
    r.channelId = r.transfer.gainingChannelId;
    r.transfer = { ...r.transfer, state: 'completed', completedAt: p.at };
    r.authCode = randomBytes(9).toString('base64url');
    row(losing, 'domains.transfer_out');
  }
  r.updatedAt = p.at;
  row(p.channelId, `backend.apply.${p.kind}`);
}

/** Queues a backend apply of `kind` for the registration, due `delayMs` after `now`. */
export function queue(store: Store, p: Omit<PendingApply, 'at'>, now: Date, delayMs: number): PendingApply {
  const entry = { ...p, at: new Date(now.getTime() + delayMs) };
  // A newer change of the same kind replaces the one still waiting.
  const i = store.pending.findIndex((x) => x.domain === p.domain && x.kind === p.kind);
  if (i >= 0) store.pending.splice(i, 1);
  store.pending.push(entry);
  return entry;
}

/** Ends a hold: changes that fell due while held become due `now` (applied, and stamped, at the next tick). */
export function release(store: Store, now: Date): void {
  store.held = false;
  for (const p of store.pending) if (p.at.getTime() < now.getTime()) p.at = now;
}

/** The apply status of one kind of change on a registration. */
export function applyStatus(store: Store, domain: string, kind?: PendingApply['kind']): 'applied' | 'pending' {
  return store.pending.some((p) => p.domain === domain && (!kind || p.kind === kind)) ? 'pending' : 'applied';
}
