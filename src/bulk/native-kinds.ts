/**
 * What each bulk kind sends through a native bulk endpoint (src/bulk/native.ts has the table) and
 * how the registry's answer becomes per-item outcomes:
 * - renew: REPP renews the listed domains or refuses the request as a whole (an EPP-style 2xxx
 *   result: nothing applied). A refusal naming one of the chunk's domains fails that item with
 *   the registry's code and message and the rest is sent again; one naming none is split in
 *   halves until each refusal lands on its own item. Each domain's current expiry is read (or
 *   checked against the one given) and noted before sending, as a single renewal's curExpDate is.
 * - transfer: REPP answers per domain, transferred or failed with its codes and messages.
 * - name server / tech contact: REPP answers the domains changed (`affected_domains`) and those
 *   it skipped without saying why (`skipped_domains`); a domain in neither, or skipped, is read:
 *   without the old value it is left alone as the per-item path does (SUCCEEDED, skipped), with
 *   it still there it FAILED with SKIPPED_BY_REGISTRY.
 */
import { addPeriod, asDate, utcDate } from '../core/time.js';
import { AuthorizationError, ObjectNotFoundError, ParameterPolicyError, RegistryError, UpstreamFailureError, ValidationError, registryErrorFor } from '../core/errors.js';
import type { CallContext, Domain } from '../core/model/index.js';
import type { RegistryPort } from '../core/port.js';
import type { BulkJob } from '../db/generated/client.js';
import { DomainIndex } from '../domains/domain-index.js';
import * as reconcileDomain from '../idempotency/reconcile/domain.js';
import { orNull } from '../idempotency/reconcile/read.js';
import * as reconcileTransfer from '../idempotency/reconcile/transfer.js';
import { sameDay, type ReconcileFn, type ReconcileInput, type Verdict } from '../idempotency/reconcile/types.js';
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
    techAnswers: Map<string, { affected: Set<string>; skipped: Set<string>; record: Record<string, unknown> }>;
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

function failOrRetry(r: NativeRun, item: ClaimedItem, err: unknown): void {
  if (r.definite(err)) r.fail(item, err);
  else r.retry(item, err);
}

const lower = (names: string[]) => new Set(names.map((n) => n.toLowerCase()));

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
    call: { registrarId: r.job.registrarId, idempotencyKey: sent.key, operation: `bulk:${r.job.kind}` },
    upstreamId: r.upstreamId,
    sentTrid: null,
    appliedByAnotherRequest: async () => false,
    prisma: r.env.prisma,
    router: r.env.router,
    registrarId: r.job.registrarId,
    registrars: r.env.config.registrars,
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
 * the item it names, or the only item, and sends the others again, split in halves when it names
 * none. A transient failure leaves every part to another attempt (each reconciled first: they are marked).
 */
async function sendSplitting<T extends { item: ClaimedItem }>(r: NativeRun, parts: T[], send: (parts: T[]) => Promise<void>): Promise<void> {
  if (parts.length === 0) return;
  try {
    await send(parts);
  } catch (err) {
    if (!r.definite(err)) return void parts.forEach((p) => r.retry(p.item, err));
    if (parts.length === 1) return r.fail(parts[0]!.item, err);
    const named = parts.filter((p) => mentions((err as Error).message, p.item.name));
    if (named.length === 1) {
      r.fail(named[0]!.item, err);
      return sendSplitting(r, parts.filter((p) => p !== named[0]), send);
    }
    const half = Math.ceil(parts.length / 2);
    await sendSplitting(r, parts.slice(0, half), send);
    await sendSplitting(r, parts.slice(half), send);
  }
}

async function renew(r: NativeRun): Promise<void> {
  const { period } = r.params as BulkParams['RENEW'];
  const args = (item: ClaimedItem, cur: string | null | undefined) => ({ name: item.name, period, currentExpiry: cur ?? null });
  const fresh = await reconcileMarked(r, r.items, (item, sent) => reconcile(r, reconcileDomain.renewDomain, item, sent, args(item, sent.currentExpiry)));
  // The expiry each renewal starts from: read, and compared with the one given (as a registry compares curExpDate).
  const ready: { item: ClaimedItem; cur: Date }[] = [];
  await mapLimit(fresh, r.port.limits.sessions, async (item) => {
    try {
      const cur = asDate((await r.port.infoDomain(r.readCall, item.name)).data.expiresAt);
      const given = asDate((item.input as { currentExpiry?: string } | null)?.currentExpiry);
      if (!cur) return r.fail(item, new ValidationError('domains', 'the registry gave no expiry date for this domain'));
      if (given && !sameDay(given, cur)) return r.fail(item, new ParameterPolicyError(`currentExpiry ${utcDate(given)} is not the domain's expiry (${utcDate(cur)}): nothing was sent`));
      ready.push({ item, cur });
    } catch (err) {
      failOrRetry(r, item, err);
    }
  });
  ready.sort((a, b) => a.item.position - b.item.position);
  const held = await r.mark(ready, 'bulkRenew', (p) => ({ currentExpiry: p.cur.toISOString() }));
  await sendSplitting(r, held, async (parts) => {
    const res = await r.port.bulkRenew(r.sendCall('bulkRenew', parts.map((p) => p.item)), { names: parts.map((p) => p.item.name), period });
    const renewed = lower(res.data.renewed);
    for (const { item, cur } of parts) {
      if (renewed.has(item.name)) r.succeed(item, { ...recordOf(res), name: item.name, expiresAt: addPeriod(cur, period).toISOString() });
      else r.fail(item, new UpstreamFailureError('the registry answered the bulk renew without this domain among those renewed', { upstreamCode: res.code, retryable: false }));
    }
  });
}

async function transfer(r: NativeRun): Promise<void> {
  const fresh = await reconcileMarked(r, r.items, (item, sent) => reconcile(r, reconcileTransfer.requestTransfer, item, sent, { name: item.name }));
  const ready: { item: ClaimedItem; code: string }[] = [];
  for (const item of fresh) {
    const code = r.authInfo(item);
    if (code) ready.push({ item, code });
    else r.fail(item, new ValidationError('domains', 'no auth code was kept for this domain'));
  }
  const held = await r.mark(ready, 'bulkTransfer');
  const index = new DomainIndex(r.env.prisma);
  await sendSplitting(r, held, async (parts) => {
    const res = await r.port.bulkTransfer(r.sendCall('bulkTransfer', parts.map((p) => p.item)), parts.map((p) => ({ name: p.item.name, transferCode: p.code })));
    const moved = lower(res.data.transferred);
    const failed = new Map(res.data.failed.map((f) => [f.name.toLowerCase(), f.errors]));
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
        r.fail(item, code !== null ? registryErrorFor(code, message, r.port.name) : new UpstreamFailureError(message, { upstreamMessage: message, retryable: false }));
      } else r.fail(item, new UpstreamFailureError('the registry answered the bulk transfer without this domain', { upstreamCode: res.code, retryable: false }));
    }
  });
}

/** A replacement of one value on domains (a name server, a tech contact): how to see it on a domain and how to send it. */
interface Replacement {
  operation: string;
  what: string;
  has(d: Domain, value: string): boolean;
  from: string;
  to: string;
  send(items: ClaimedItem[]): Promise<{ affected: Set<string>; skipped: Set<string>; record: Record<string, unknown> }>;
}

type Found = 'replaced' | 'absent' | 'present';

/** Reads the domain: the new value without the old (replaced), neither (absent), the old still there (present). Throws a definite error for a domain that is not the caller's. */
async function look(r: NativeRun, x: Replacement, item: ClaimedItem): Promise<Found> {
  const d = await orNull(() => r.port.infoDomain(r.readCall, item.name));
  if (!d) throw new ObjectNotFoundError(`${item.name} does not exist`);
  if (d.sponsor !== r.upstreamId) throw new AuthorizationError('the domain is sponsored by another registrar: the registry leaves it alone');
  if (x.has(d, x.from)) return 'present';
  return x.has(d, x.to) ? 'replaced' : 'absent';
}

/** The items whose domains still have the old value; the others settled from what a read shows. */
async function settleByReading(r: NativeRun, x: Replacement, items: ClaimedItem[], skipped: Set<string>, sent: boolean): Promise<ClaimedItem[]> {
  const present: ClaimedItem[] = [];
  await mapLimit(items, r.port.limits.sessions, async (item) => {
    try {
      const found = await look(r, x, item);
      if (found === 'absent') r.succeed(item, { skipped: `${x.from} is not a ${x.what} of the domain` });
      else if (found === 'replaced') r.succeed(item, { trid: { client: `reconciled:${r.sentOf(item)?.key ?? r.job.id}`, server: null }, code: 1000, message: `domain info shows ${x.to} in place of ${x.from}`, name: item.name });
      else if (!sent) present.push(item);
      else r.fail(item, skippedError(x, skipped.has(item.name)));
    } catch (err) {
      failOrRetry(r, item, err);
    }
  });
  return r.items.filter((i) => present.includes(i));
}

/** The registry left a domain that has the old value unchanged, and said no more (REPP `skipped_domains`). */
export class SkippedByRegistryError extends RegistryError {
  readonly code = 'SKIPPED_BY_REGISTRY';
}

function skippedError(x: Replacement, listed: boolean): SkippedByRegistryError {
  const why = listed ? 'listed it in skipped_domains, without a reason' : 'did not list it among the domains changed';
  return new SkippedByRegistryError(`the registry ${why}: the domain still has ${x.from} (a status such as serverUpdateProhibited may forbid the change)`);
}

/** Sends the replacement for `items`, then settles each from the answer (affected) or by reading it. */
async function replace(r: NativeRun, x: Replacement, items: ClaimedItem[]): Promise<void> {
  const held = (await r.mark(items.map((item) => ({ item })), x.operation)).map((p) => p.item);
  if (held.length === 0) return;
  let answer;
  try {
    answer = await x.send(held);
  } catch (err) {
    // A refusal of the request itself (the new value, the contacts): the same for every item.
    return void held.forEach((i) => failOrRetry(r, i, err));
  }
  const rest: ClaimedItem[] = [];
  for (const item of held) {
    if (answer.affected.has(item.name)) r.succeed(item, { ...answer.record, name: item.name });
    else rest.push(item);
  }
  await settleByReading(r, x, rest, answer.skipped, true);
}

async function nameserver(r: NativeRun): Promise<void> {
  const { from, to } = r.params as BulkParams['REPLACE_NAMESERVER'];
  const x: Replacement = {
    operation: 'bulkReplaceNameserver',
    what: 'name server',
    from,
    to: to.name,
    has: (d, v) => d.nameservers.some((n) => n.name.toLowerCase() === v.toLowerCase()),
    async send(items) {
      const res = await r.port.bulkChangeNameserver(r.sendCall(this.operation, items), { from, to, domains: items.map((i) => i.name) });
      return { affected: lower(res.data.affected), skipped: lower(res.data.skipped), record: recordOf(res) };
    },
  };
  const marked = r.items.filter((i) => r.sentOf(i));
  const present = await settleByReading(r, x, marked, new Set(), false);
  await replace(r, x, r.items.filter((i) => !r.sentOf(i) || present.includes(i)));
}

/** REPP replaces the contact on every domain of the registrar's: one request per job, its answer kept for the job's later chunks. */
async function techContact(r: NativeRun): Promise<void> {
  const { from, to } = r.params as BulkParams['REPLACE_TECH_CONTACT'];
  const key = `${r.job.id}\u0000${r.port.name}`;
  const x: Replacement = {
    operation: 'bulkReplaceTechContact',
    what: 'tech contact',
    from,
    to,
    has: (d, v) => d.contacts.some((c) => c.role === 'tech' && c.id.toLowerCase() === v.toLowerCase()),
    async send(items) {
      const res = await r.port.bulkReplaceTechContact(r.sendCall(this.operation, items), { current: from, next: to });
      const answer = { affected: lower(res.data.affected), skipped: lower(res.data.skipped), record: recordOf(res) as unknown as Record<string, unknown> };
      r.bulk.techAnswers.set(key, answer);
      return answer;
    },
  };
  await r.bulk.serial(key, async () => {
    const known = r.bulk.techAnswers.get(key);
    if (!known && !r.items.some((i) => r.sentOf(i))) return replace(r, x, r.items);
    const rest: ClaimedItem[] = [];
    for (const item of r.items) {
      if (known?.affected.has(item.name)) r.succeed(item, { ...known.record, name: item.name });
      else if (known?.skipped.has(item.name)) r.fail(item, skippedError(x, true));
      else rest.push(item);
    }
    const present = await settleByReading(r, x, rest, new Set(), false);
    if (present.length > 0) await replace(r, x, present);
  });
}

/** The native run of each kind that has one (src/bulk/native.ts nativeKind says which jobs). */
export const NATIVE_KINDS = {
  RENEW: renew,
  TRANSFER: transfer,
  REPLACE_NAMESERVER: nameserver,
  REPLACE_TECH_CONTACT: techContact,
} satisfies Record<string, (r: NativeRun) => Promise<void>>;
