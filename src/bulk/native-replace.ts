/**
 * Name server and tech contact replacement through REPP's bulk endpoints (src/bulk/native.ts has
 * the table): REPP answers the domains changed (`affected_domains`) and those it skipped without
 * saying why (`skipped_domains`), among all those that had the old value. The tech-contact request
 * (every domain of the registrar's) settles a domain in neither list from that answer alone, with
 * no read: it lacked the old value, so it is left alone (SUCCEEDED, `skipped`), unless another
 * request of the job may have changed it (a chunk's answer lost, another instance's request:
 * `complete` false). Otherwise a domain in neither, or skipped, is read: without the old value
 * it is left alone as the per-item path does (SUCCEEDED, `skipped`); with both the old and the new
 * name server (REPP's name-server request skips such a domain) it goes through the per-item path
 * (src/bulk/kinds.ts runItem: one update removing the old one, under the item's own idempotency
 * key); with the old value still there otherwise it is FAILED with SKIPPED_BY_REGISTRY. A
 * definite refusal of the whole request (the tech-contact request: 2303 when `from`, or `to`, is not one of
 * the registrar's contacts: nothing applied) is settled by reading too: a domain without the old
 * value is left alone (SUCCEEDED, `skipped`), as the per-item path never sends for it; one with it
 * fails with the registry's code and message. Replacing a value is idempotent in effect (a domain
 * without the old value is left alone), and an item marked as sent before is read first all the same:
 * only a domain that may have been changed by a request of the job whose answer is not in hand
 * (marked as sent, or a job-wide request's `complete` false) and shows the new value is
 * reconciled as changed (`reconciled:<key>`); one the answer in hand left out was not changed by it.
 */
import { mapLimit } from '../backends/concurrency.js';
import { AuthorizationError, ObjectNotFoundError, RegistryError } from '../core/errors.js';
import type { Domain } from '../core/model/index.js';
import { orNull } from '../idempotency/reconcile/read.js';
import { recordOf } from '../operations/run.js';
import { runItem, type BulkParams } from './kinds.js';
import { failOrRetry, lower, type NativeRun, type TechAnswer } from './native-kinds.js';
import { itemKey, type ClaimedItem } from './store.js';

/** A replacement of one value on domains (a name server, a tech contact): how to see it on a domain and how to send it. */
interface Replacement {
  operation: string;
  what: string;
  has(d: Domain, value: string): boolean;
  from: string;
  to: string;
  /**
   * Sends the request for `items`. `complete`: the answer settles a domain in neither list by
   * itself (it lacked the old value when the request ran, and no other request of the job may
   * have changed it), so such an item is left alone without a read.
   */
  send(items: ClaimedItem[]): Promise<{ affected: Set<string>; skipped: Set<string>; record: Record<string, unknown>; complete?: boolean }>;
  /** The one-domain path (the per-item run, under the item's own idempotency key) for a domain the request left with both values; without it such an item fails SKIPPED_BY_REGISTRY. */
  one?(item: ClaimedItem): Promise<unknown>;
}

type Found = 'replaced' | 'absent' | 'present' | 'both';

/** Reads the domain: the new value without the old (replaced), neither (absent), the old still there (present; both: the new one too). Throws a definite error for a domain that is not the caller's. */
async function look(r: NativeRun, x: Replacement, item: ClaimedItem): Promise<Found> {
  const d = await orNull(() => r.port.infoDomain(r.readCall, item.name));
  if (!d) throw new ObjectNotFoundError(`${item.name} does not exist`, { field: 'input.name' });
  if (d.sponsor !== r.upstreamId) throw new AuthorizationError('the domain is sponsored by another registrar: the registry leaves it alone');
  if (x.has(d, x.from)) return x.has(d, x.to) ? 'both' : 'present';
  return x.has(d, x.to) ? 'replaced' : 'absent';
}

/** What an item whose domain lacks the old value settles with (left alone, as the per-item path leaves it). */
function leftAlone(x: Replacement, found: 'absent' | 'replaced'): { skipped: string } {
  return { skipped: found === 'absent' ? `${x.from} is not a ${x.what} of the domain` : `${x.from} is not a ${x.what} of the domain (${x.to} is)` };
}

/**
 * The items whose domains still have the old value; the others settled from what a read shows.
 * `byJob`: a domain showing the new value may have been changed by a request of the job whose
 * answer is not in hand (a job-wide request sent by another instance, or whose answer was lost),
 * so it is reconciled as changed; otherwise only an item marked as sent is.
 */
async function settleByReading(r: NativeRun, x: Replacement, items: ClaimedItem[], skipped: Set<string>, sent: boolean, byJob: boolean): Promise<ClaimedItem[]> {
  const present: ClaimedItem[] = [];
  await mapLimit(items, r.port.limits.sessions, async (item) => {
    try {
      const found = await look(r, x, item);
      if (found === 'absent') r.succeed(item, leftAlone(x, found));
      else if (found === 'replaced' && (byJob || r.sentOf(item))) {
        // Sent before (its answer lost), or maybe changed by a request of the job for every domain whose answer is not in hand.
        r.succeed(item, { trid: { client: `reconciled:${r.sentOf(item)?.key ?? r.job.id}`, server: null }, code: 1000, message: `domain info shows ${x.to} in place of ${x.from}`, name: item.name });
      } else if (found === 'replaced') r.succeed(item, leftAlone(x, found));
      else if (!sent) present.push(item);
      else if (found === 'both' && x.one) r.succeed(item, await x.one(item));
      else r.fail(item, skippedError(x, skipped.has(item.name)));
    } catch (err) {
      failOrRetry(r, item, err);
    }
  });
  return r.items.filter((i) => present.includes(i));
}

/**
 * After a definite refusal of the request (nothing applied): a domain without the old value is
 * left alone, as the per-item path leaves it (SUCCEEDED, `skipped`); one with it fails with the refusal.
 */
async function settleRefused(r: NativeRun, x: Replacement, items: ClaimedItem[], refusal: unknown): Promise<void> {
  await mapLimit(items, r.port.limits.sessions, async (item) => {
    try {
      const found = await look(r, x, item);
      if (found === 'absent' || found === 'replaced') r.succeed(item, leftAlone(x, found));
      else r.fail(item, refusal);
    } catch (err) {
      failOrRetry(r, item, err);
    }
  });
}

/** The registry left a domain that has the old value unchanged, and said no more (REPP `skipped_domains`). */
export class SkippedByRegistryError extends RegistryError {
  readonly code = 'SKIPPED_BY_REGISTRY';
}

function skippedError(x: Replacement, listed: boolean): SkippedByRegistryError {
  const why = listed ? 'listed it in skipped_domains, without a reason' : 'did not list it among the domains changed';
  // A domain with both values goes through the per-item path (nameserver's `one`); REPP's tech-contact request replaces on such a domain.
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
    // A refusal of the request itself (the new value, the contacts): nothing applied, for any item.
    if (r.definite(err)) return settleRefused(r, x, held, err);
    return void held.forEach((i) => r.retry(i, err));
  }
  const rest: ClaimedItem[] = [];
  for (const item of held) {
    if (answer.affected.has(item.name)) r.succeed(item, { ...answer.record, name: item.name });
    else if (answer.complete && !answer.skipped.has(item.name)) r.succeed(item, leftAlone(x, 'absent'));
    else rest.push(item);
  }
  await settleByReading(r, x, rest, answer.skipped, true, answer.complete === false);
}

/**
 * Whether an item of the job other than `ours` carries a mark (`input.sent`): another request of
 * the job went out before (another instance's, or one whose answer was lost), which may have
 * changed domains the answer to ours leaves out.
 */
async function markedElsewhere(r: NativeRun, ours: ClaimedItem[]): Promise<boolean> {
  const ids = JSON.stringify(ours.map((i) => i.id.toString()));
  const rows = await r.env.prisma.$queryRaw<Array<{ found: boolean }>>`
    SELECT EXISTS (
      SELECT 1 FROM bulk_items
      WHERE job_id = ${r.job.id} AND input -> 'sent' IS NOT NULL
        AND id NOT IN (SELECT (jsonb_array_elements_text(${ids}::jsonb))::bigint)
    ) AS found`;
  return rows[0]?.found === true;
}

/** REPLACE_NAMESERVER through REPP's PUT /repp/v1/registrar/nameservers with the chunk's `domains` (see this file's header for the domains it skips). */
export async function nameserver(r: NativeRun): Promise<void> {
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
    // REPP's request skips a domain that has to already: it keeps from. The per-item run removes
    // from with one update (REPP DELETE /repp/v1/domains/{name}/nameservers/{from}), as on the other backends.
    one: (item) => runItem(r.env, { registrarId: r.job.registrarId, idempotencyKey: itemKey(r.job.idempotencyKey, item.position) }, 'REPLACE_NAMESERVER', r.params, item.name, {}),
  };
  const marked = r.items.filter((i) => r.sentOf(i));
  const present = await settleByReading(r, x, marked, new Set(), false, false);
  await replace(r, x, r.items.filter((i) => !r.sentOf(i) || present.includes(i)));
}

/** REPP replaces the contact on every domain of the registrar's: one request per job, its answer kept for the job's later chunks. */
export async function techContact(r: NativeRun): Promise<void> {
  const { from, to } = r.params as BulkParams['REPLACE_TECH_CONTACT'];
  const key = `${r.job.id}\u0000${r.port.name}`;
  const x: Replacement = {
    operation: 'bulkReplaceTechContact',
    what: 'tech contact',
    from,
    to,
    has: (d, v) => d.contacts.some((c) => c.role === 'tech' && c.id.toLowerCase() === v.toLowerCase()),
    async send(items) {
      let res;
      try {
        res = await r.port.bulkReplaceTechContact(r.sendCall(this.operation, items), { current: from, next: to });
      } catch (err) {
        // Refused as a whole (2303: from or to is not one of the registrar's contacts): the later chunks settle from it.
        if (r.definite(err)) r.bulk.techAnswers.set(key, { refused: err });
        throw err;
      }
      // REPP lists every domain of the registrar's that had `from`, changed or skipped: one in neither
      // lacked it, unless another request of the job (an earlier one whose answer was lost, another
      // instance's) went out first and may have changed it. (One sent after this finds `from` only
      // on a domain given it since; this answer calls such a domain left alone, as it then was.)
      const complete = !(await markedElsewhere(r, items));
      const answer = { affected: lower(res.data.affected), skipped: lower(res.data.skipped), record: recordOf(res) as unknown as Record<string, unknown>, complete };
      r.bulk.techAnswers.set(key, answer);
      return answer;
    },
  };
  await r.bulk.serial(key, async () => {
    const known: TechAnswer | undefined = r.bulk.techAnswers.get(key);
    if (!known && !r.items.some((i) => r.sentOf(i))) return replace(r, x, r.items);
    if (known && 'refused' in known) return settleRefused(r, x, r.items, known.refused);
    const rest: ClaimedItem[] = [];
    for (const item of r.items) {
      if (known?.affected.has(item.name)) r.succeed(item, { ...known.record, name: item.name });
      else if (known?.skipped.has(item.name)) r.fail(item, skippedError(x, true));
      else if (known?.complete && !r.sentOf(item)) r.succeed(item, leftAlone(x, 'absent'));
      else rest.push(item);
    }
    const present = await settleByReading(r, x, rest, new Set(), false, !known?.complete);
    if (present.length > 0) await replace(r, x, present);
  });
}

/** The native run of each kind that has one (src/bulk/native.ts nativeKind says which jobs). */
