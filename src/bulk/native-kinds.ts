/**
 * What renew and transfer send through a native bulk endpoint (src/bulk/native.ts has the table;
 * name server and tech contact replacement: native-replace.ts) and how the registry's answer
 * becomes per-item outcomes, with what every native kind shares:
 * - renew: REPP renews the listed domains or refuses the request as a whole (an EPP-style 2xxx
 *   result: nothing applied). A refusal naming one of the chunk's domains fails that item with
 *   the registry's code and message and the rest is sent again; one naming none is split in
 *   halves until each refusal lands on its own item. Each domain's current expiry is read (or
 *   checked against the one given) and noted before sending, as a single renewal's curExpDate is.
 * - transfer: REPP answers per domain, transferred or failed with its codes and messages.
 * An item marked as sent before is reconciled with src/idempotency/reconcile's renewDomain or
 * requestTransfer (expiry moved from the noted one; the domain ours since the mark) first.
 */
import { addPeriod, asDate, utcDate } from '../core/time.js';
import { AuthorizationError, ExpiryMismatchError, namingAuthInfo, ObjectNotFoundError, UpstreamFailureError, ValidationError, registryErrorFor } from '../core/errors.js';
import type { BulkFailure, CallContext } from '../core/model/index.js';
import type { RegistryPort } from '../core/port.js';
import type { BulkJob } from '../db/generated/client.js';
import { DomainIndex } from '../domains/domain-index.js';
import * as reconcileDomain from '../idempotency/reconcile/domain.js';
import * as reconcileTransfer from '../idempotency/reconcile/transfer.js';
import { type ReconcileFn, type ReconcileInput, type Verdict } from '../idempotency/reconcile/types.js';
import { mapLimit } from '../backends/concurrency.js';
import { recordOf, type OperationEnv } from '../operations/run.js';
import type { BulkParams } from './kinds.js';
import type { ClaimedItem } from './store.js';

/** The intent written on an item before its chunk was sent (`input.sent`). */
export interface Sent {
  /** ISO 8601, the gateway's clock. */
  at: string;
  /** The chunk's key in the command log. */
  key: string;
  /** Renewals: the expiry the renewal started from (ISO 8601). */
  currentExpiry?: string;
}

/**
 * REPP's answer to a job's tech-contact replacement (kept for the job's later chunks): the domains
 * changed and skipped (`complete`: no other request of the job went out before it, so a domain in
 * neither list lacked the old value and was not changed by the job), or the definite refusal of
 * the request (nothing applied).
 */
export type TechAnswer = { affected: Set<string>; skipped: Set<string>; record: Record<string, unknown>; complete: boolean } | { refused: unknown };

/** What a kind may use of a chunk's run (src/bulk/native.ts ChunkRun). */
export interface NativeRun {
  env: OperationEnv;
  job: BulkJob;
  port: RegistryPort;
  items: ClaimedItem[];
  params: unknown;
  readCall: CallContext;
  upstreamId: string;
  bulk: {
    techAnswers: Map<string, TechAnswer>;
    serial<T>(key: string, fn: () => Promise<T>): Promise<T>;
  };
  sendCall(operation: string, items: ClaimedItem[]): CallContext;
  sentOf(item: ClaimedItem): Sent | null;
  authInfo(item: ClaimedItem): string | null;
  mark<T extends { item: ClaimedItem }>(parts: T[], operation: string, noted?: (p: T) => Record<string, unknown>): Promise<T[]>;
  succeed(item: ClaimedItem, result: unknown): void;
  fail(item: ClaimedItem, err: unknown): void;
  retry(item: ClaimedItem, err: unknown): void;
  unknown(item: ClaimedItem, how: string): void;
  definite(err: unknown): boolean;
}

/** Registry clocks may lag the gateway's by this much when a reconciliation compares times (the idempotency default). */
const SKEW_MS = 30_000;

/** Fails `item` for good when `err` is a definite refusal (NativeRun.definite), else puts it back for a later try. */
export function failOrRetry(r: NativeRun, item: ClaimedItem, err: unknown): void {
  if (r.definite(err)) r.fail(item, err);
  else r.retry(item, err);
}

/** The names, lower-cased, as a Set (to look up a registry's answer whatever case it uses). */
export const lower = (names: string[]) => new Set(names.map((n) => n.toLowerCase()));

/** Whether a registry message names the domain (as a whole word: "a.ee" is not in "aa.ee"). */
export function mentions(message: string, name: string): boolean {
  return message
    .toLowerCase()
    .split(/[^a-z0-9.-]+/)
    .some((w) => w.replace(/\.+$/, '') === name.toLowerCase());
}

/** A reconcile function of src/idempotency/reconcile run for one item whose chunk was sent before; a failed read is unknown. */
async function reconcile(r: NativeRun, fn: ReconcileFn, item: ClaimedItem, sent: Sent, args: unknown): Promise<Verdict> {
  const input: ReconcileInput = {
    args,
    noted: {},
    since: new Date(Date.parse(sent.at) - SKEW_MS),
    port: r.port,
    call: { ...r.readCall, idempotencyKey: sent.key },
    upstreamId: r.upstreamId,
    sentTrid: async () => null,
    appliedByAnotherRequest: async () => false,
    prisma: r.env.prisma,
    router: r.env.router,
    registrarId: r.job.registrarId,
    registrars: r.env.config.registrars,
    // The native kinds (renew, transfer, name servers) change no secret: nothing to compare.
    secrets: { matches: () => false },
  };
  try {
    return await fn(input);
  } catch (err) {
    return { status: 'unknown', how: `could not read the registry's state: ${(err as { code?: string }).code ?? 'error'}` };
  }
}

/**
 * Items marked as sent before are reconciled first (applied: SUCCEEDED with the reconciled
 * record; unknown: tried again later); answers those that may be sent.
 */
async function reconcileMarked(r: NativeRun, items: ClaimedItem[], verdict: (item: ClaimedItem, sent: Sent) => Promise<Verdict>): Promise<ClaimedItem[]> {
  const ready: ClaimedItem[] = [];
  await mapLimit(items, r.port.limits.sessions, async (item) => {
    const sent = r.sentOf(item);
    if (!sent) return void ready.push(item);
    const v = await verdict(item, sent);
    if (v.status === 'applied') r.succeed(item, v.result);
    else if (v.status === 'unknown') r.unknown(item, v.how);
    else ready.push(item);
  });
  return items.filter((i) => ready.includes(i)); // in the chunk's order
}

/**
 * Sends `parts` in one request; a definite refusal of the whole request (nothing applied) fails
 * the item it names, or the only item (with `as(item, err)`: the refusal as that item's error), and sends the others again, split in halves when it names
 * none. A transient failure leaves every part to another attempt (each reconciled first: they are marked).
 */
async function sendSplitting<T extends { item: ClaimedItem }>(r: NativeRun, parts: T[], as: (item: ClaimedItem, err: unknown) => unknown, send: (parts: T[]) => Promise<void>): Promise<void> {
  if (parts.length === 0) return;
  try {
    await send(parts);
  } catch (err) {
    if (!r.definite(err)) return void parts.forEach((p) => r.retry(p.item, err));
    if (parts.length === 1) return r.fail(parts[0]!.item, as(parts[0]!.item, err));
    const named = parts.filter((p) => mentions((err as Error).message, p.item.name));
    if (named.length === 1) {
      r.fail(named[0]!.item, as(named[0]!.item, err));
      return sendSplitting(r, parts.filter((p) => p !== named[0]), as, send);
    }
    const half = Math.ceil(parts.length / 2);
    await sendSplitting(r, parts.slice(0, half), as, send);
    await sendSplitting(r, parts.slice(half), as, send);
  }
}

/**
 * RENEW through REPP's bulk renew (POST /repp/v1/domains/renew/bulk): reads each domain's expiry,
 * fails an item whose given currentExpiry is another day (ExpiryMismatchError, field `currentExpiry`),
 * notes the expiry on the item, then sends; the new expiry is the read one plus the period in the registry's calendar (RegistryPort.renewedExpiry: local midnight in Tallinn).
 */
export async function renew(r: NativeRun): Promise<void> {
  const { period } = r.params as BulkParams['RENEW'];
  const args = (item: ClaimedItem, cur: string | null | undefined) => ({ name: item.name, period, currentExpiry: cur ?? null });
  const fresh = await reconcileMarked(r, r.items, (item, sent) => reconcile(r, reconcileDomain.renewDomain, item, sent, args(item, sent.currentExpiry)));
  // The expiry each renewal starts from: read, and compared with the one given (as a registry compares curExpDate).
  const ready: { item: ClaimedItem; cur: Date }[] = [];
  // Items whose domain the read shows under another sponsor: REPP shows it, expiry and all, and
  // refuses it in the bulk renew as a domain it does not have (2303, naming it); that refusal is
  // AuthorizationError, as the per-item path's REPP driver answers it (foreignOr).
  const foreign = new Set<ClaimedItem>();
  const asRefused = (item: ClaimedItem, err: unknown) =>
    foreign.has(item) && err instanceof ObjectNotFoundError ? new AuthorizationError(`${item.name} is sponsored by another registrar: only its sponsor can renew it`) : err;
  await mapLimit(fresh, r.port.limits.sessions, async (item) => {
    try {
      const d = (await r.port.infoDomain(r.readCall, item.name)).data;
      if (d.sponsor !== r.upstreamId) foreign.add(item);
      const cur = asDate(d.expiresAt);
      const given = asDate((item.input as { currentExpiry?: string } | null)?.currentExpiry);
      if (!cur) return r.fail(item, new ValidationError('currentExpiry', 'the registry gave no expiry date for this domain; give its currentExpiry'));
      const day = (d: Date) => r.port.expiryDay?.(d) ?? utcDate(d);
      if (given && day(given) !== day(cur)) return r.fail(item, new ExpiryMismatchError(day(given), day(cur), 'currentExpiry', {}, cur));
      ready.push({ item, cur });
    } catch (err) {
      failOrRetry(r, item, err);
    }
  });
  ready.sort((a, b) => a.item.position - b.item.position);
  const held = await r.mark(ready, 'bulkRenew', (p) => ({ currentExpiry: p.cur.toISOString() }));
  await sendSplitting(r, held, asRefused, async (parts) => {
    const res = await r.port.bulkRenew(r.sendCall('bulkRenew', parts.map((p) => p.item)), { names: parts.map((p) => p.item.name), period });
    const renewed = lower(res.data.renewed);
    for (const { item, cur } of parts) {
      if (renewed.has(item.name)) r.succeed(item, { ...recordOf(res), name: item.name, expiresAt: (r.port.renewedExpiry?.(cur, period) ?? addPeriod(cur, period)).toISOString() });
      else r.fail(item, new UpstreamFailureError('the registry answered the bulk renew without this domain among those renewed', { upstreamCode: res.code, retryable: false }));
    }
  });
}

/**
 * TRANSFER through REPP's bulk transfer (POST /repp/v1/domains/transfer) with each item's sealed
 * auth code; a transferred domain is recorded serverApproved at the gateway's clock, a failed one
 * gets the registry's per-domain codes and messages.
 */
export async function transfer(r: NativeRun): Promise<void> {
  const fresh = await reconcileMarked(r, r.items, (item, sent) => reconcile(r, reconcileTransfer.requestTransfer, item, sent, { name: item.name }));
  const ready: { item: ClaimedItem; code: string }[] = [];
  for (const item of fresh) {
    const code = r.authInfo(item);
    if (code) ready.push({ item, code });
    else r.fail(item, new ValidationError('authInfo', 'no auth code was kept for this domain'));
  }
  const held = await r.mark(ready, 'bulkTransfer');
  const index = new DomainIndex(r.env.prisma);
  await sendSplitting(r, held, (_item, err) => err, async (parts) => {
    const res = await r.port.bulkTransfer(r.sendCall('bulkTransfer', parts.map((p) => p.item)), parts.map((p) => ({ name: p.item.name, transferCode: p.code })));
    const moved = lower(res.data.transferred);
    const failed = new Map<string, BulkFailure['errors']>(); // a domain listed once per error keeps every error
    for (const f of res.data.failed) failed.set(f.name.toLowerCase(), [...(failed.get(f.name.toLowerCase()) ?? []), ...f.errors]);
    const now = r.env.clock.now();
    for (const { item } of parts) {
      const errors = failed.get(item.name);
      if (moved.has(item.name)) {
        const t = { name: item.name, status: 'serverApproved' as const, gainingRegistrar: r.upstreamId, losingRegistrar: '', requestedAt: now, actionAt: now };
        await index.followTransfer(t, r.port, r.env.config.registrars.map((x) => x.id));
        r.succeed(item, { ...recordOf(res), name: item.name, transfer: t });
      } else if (errors) {
        const code = errors.find((e) => e.code !== null)?.code ?? null;
        const message = errors.map((e) => e.message).filter(Boolean).join('; ') || 'the registry refused the transfer';
        r.fail(item, code !== null ? namingAuthInfo(registryErrorFor(code, message, r.port.name)) : new UpstreamFailureError(message, { upstreamMessage: message, retryable: false }));
      } else r.fail(item, new UpstreamFailureError('the registry answered the bulk transfer without this domain', { upstreamCode: res.code, retryable: false }));
    }
  });
}
