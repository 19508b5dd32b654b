/**
 * Bulk items whose command the registry only queued (state AWAITING_REGISTRY): Joker answers a
 * modifying request with a Proc-ID and processes it later (DMAPI document, "Basics",
 * "result-list"), so the item is neither SUCCEEDED nor FAILED yet. Its outcome is the one the
 * single mutation's retry gets: the item's idempotency record (key itemKey(job key, position))
 * resolved against the stored poll messages by resolvePending (src/idempotency/pending.ts), the
 * one place that ties a completion (the poll message whose upstream id is the Proc-ID) to its
 * command. Everything is in PostgreSQL: whichever instance ingested the completion, any instance's
 * runner settles the item (a conditional update, so two that settle at once write it once).
 *
 * The gateway does not wait for ever: the item's idempotency record is kept while its result is
 * awaited (IdempotencyService.purgeExpired, up to `idempotency.awaitHours`, 90 days by default),
 * and an item still awaiting after that is settled FAILED with OUTCOME_UNKNOWN (settleOverdue).
 */
import { Prisma, type PrismaClient } from '../db/generated/client.js';
import { resolvePending, type StoredError } from '../idempotency/pending.js';
import { itemErrorField, type BulkKind } from './kinds.js';
import type { IdempotencyService } from '../idempotency/service.js';
import { inputWithoutSecrets, itemKey, itemKeySql, type BulkStore } from './store.js';

/** A settled item is final: its input keeps no sealed auth code (inputWithoutSecrets). */
const DROP_SECRETS = Prisma.raw(inputWithoutSecrets('b.input'));

/** An item's result that only queued its command: 1001 with a completion to come (PortResult.awaitsCompletion). */
export function awaitsRegistry(result: unknown): boolean {
  const r = result as { code?: number; awaitsCompletion?: boolean } | null;
  return r?.code === 1001 && r.awaitsCompletion === true;
}

interface Candidate {
  id: bigint;
  job_id: string;
  position: number;
  attempts: number;
  registrar_id: string;
  idempotency_key: string;
  kind: string;
  every_domain: boolean;
  result: unknown;
}


/**
 * Settles awaiting items of `backends` (only `ids`, when given; at most `limit`) whose completion
 * has been stored: SUCCEEDED with the final answer (1000, the registry's message, a renewal's new
 * expiry from the completion), or FAILED with the registry's refusal (its code, text and upstream
 * code, and the argument it is about, as itemErrorField names it: a transfer's wrong auth code is
 * `domains[i].authInfo`); a refusal saying the request was not processed ("command failed", 2400
 * and above: resolvePending's `released`) sends the item back to PENDING, its key released, to run
 * again at `retryAt(attempts)` (the runner's back-off, retryOf), or FAILED when that is null (no
 * attempt left). An item whose completion has not arrived stays as it is. Returns the jobs touched, after
 * finishing those that have nothing left to wait for. Throws what the database throws.
 */
export async function settleAwaiting(
  prisma: PrismaClient,
  store: BulkStore,
  opts: { backends: string[]; ids?: bigint[]; limit: number; retryAt: (attempts: number) => Date | null },
): Promise<string[]> {
  if (opts.backends.length === 0 || opts.ids?.length === 0) return [];
  const only = opts.ids ? Prisma.sql`AND b.id IN (SELECT jsonb_array_elements_text(${JSON.stringify(opts.ids.map(String))}::jsonb)::bigint)` : Prisma.empty;
  // Candidates: an item with a stored message for one of its request ids (the index on
  // poll_messages (backend, upstream_id) serves this); whether that settles it is resolvePending's call.
  const rows = await prisma.$queryRaw<Candidate[]>`
    SELECT b.id, b.job_id, b.position, b.attempts, j.registrar_id, j.idempotency_key, j.kind::text AS kind, coalesce((j.params->>'everyDomain')::boolean, false) AS every_domain, b.result
    FROM bulk_items b JOIN bulk_jobs j ON j.id = b.job_id
    WHERE b.backend IN (SELECT jsonb_array_elements_text(${JSON.stringify(opts.backends)}::jsonb)) AND b.state = 'AWAITING_REGISTRY' ${only}
      AND EXISTS (SELECT 1 FROM poll_messages m WHERE m.backend = b.backend AND m.registrar_id = j.registrar_id
        AND m.upstream_id = ANY (string_to_array(b.result->'trid'->>'server', ',')))
    ORDER BY b.id LIMIT ${opts.limit}`;
  if (rows.length === 0) return [];
  const keyOf = (r: Candidate) => itemKey(r.idempotency_key, r.position);
  // Both lists as IN lists on the (registrar_id, idempotency_key) unique index, no OR of one
  // condition per registrar: an OR of index conditions needs a bitmap scan, which the embedded
  // database does not plan (src/db/client.ts), so it read every record. A record of another
  // registrar's same key comes along only when two registrars share a job key; byKey takes the pairs asked.
  const records = await prisma.idempotencyRecord.findMany({
    where: { registrarId: { in: [...new Set(rows.map((r) => r.registrar_id))] }, idempotencyKey: { in: [...new Set(rows.map(keyOf))] } },
  });
  const byKey = new Map(records.map((r) => [`${r.registrarId}\n${r.idempotencyKey}`, r]));
  const settled: Array<{ id: string; state: 'SUCCEEDED' | 'FAILED'; result: unknown; error: unknown }> = [];
  const again: Array<{ id: string; error: unknown; not_before: string }> = [];
  const released: string[] = [];
  for (const row of rows) {
    const rec = byKey.get(`${row.registrar_id}\n${keyOf(row)}`);
    if (!rec) continue; // no record (expired): nothing ties the completion to the item
    const now = await resolvePending(prisma, rec);
    const failed = now.released ?? (now.state === 'FAILED' ? (now.error as unknown as StoredError) : null);
    if (failed) {
      const upstreamCode = failed.details?.upstreamCode ?? null;
      // The argument it is about, as an item refused at once names it (itemError in runner.ts): a transfer's wrong auth code is `domains[i].authInfo`.
      const field = itemErrorField(row.kind as BulkKind, row.position, failed.details?.field, !row.every_domain);
      const error = { code: failed.code, message: failed.message, upstreamCode, ...(field ? { field } : {}) };
      // Not processed ("command failed": resolvePending released the key): a transient failure, tried
      // again after its back-off while attempts are left (retryOf), as an item answered 2400 at once is.
      const retryAt = now.released ? opts.retryAt(row.attempts) : null;
      if (now.released) released.push(rec.id);
      if (retryAt) {
        again.push({ id: row.id.toString(), error, not_before: retryAt.toISOString() });
        continue;
      }
      const result = { ...(row.result as object), code: upstreamCode ?? 2400, message: failed.message, awaitsCompletion: undefined };
      settled.push({ id: row.id.toString(), state: 'FAILED', result, error });
    } else if ((now.response as { code?: number } | null)?.code !== 1001) {
      settled.push({ id: row.id.toString(), state: 'SUCCEEDED', result: now.response, error: null });
    }
  }
  if (settled.length === 0 && again.length === 0) return [];
  // One transaction: an item sent back to PENDING without its key released would replay the 1001
  // when it runs again (not send), and a key released without its item settled would leave the item
  // AWAITING_REGISTRY with no record to tie a result to.
  const [touched] = await prisma.$transaction([
    prisma.$queryRaw<Array<{ job_id: string }>>`
      WITH done AS (
        UPDATE bulk_items AS b SET state = v.state::bulk_item_state, result = v.result, error = v.error, updated_at = now(), input = ${DROP_SECRETS}
        FROM jsonb_to_recordset(${JSON.stringify(settled)}::jsonb) AS v(id bigint, state text, result jsonb, error jsonb)
        WHERE b.id = v.id AND b.state = 'AWAITING_REGISTRY'
        RETURNING b.job_id),
      retried AS (
        UPDATE bulk_items AS b SET state = 'PENDING', result = NULL, error = v.error, not_before = v.not_before, holder = NULL, lease_until = NULL, updated_at = now()
        FROM jsonb_to_recordset(${JSON.stringify(again)}::jsonb) AS v(id bigint, error jsonb, not_before timestamptz)
        WHERE b.id = v.id AND b.state = 'AWAITING_REGISTRY'
        RETURNING b.job_id)
      SELECT job_id FROM done UNION ALL SELECT job_id FROM retried`,
    prisma.idempotencyRecord.deleteMany({ where: { id: { in: released }, state: 'SUCCEEDED' } }),
  ]);
  const jobs = [...new Set(touched.map((t) => t.job_id))];
  for (const id of jobs) await store.finishIfDone(id);
  return jobs;
}

/**
 * Settles awaiting items of `backends` (at most `limit`) the gateway stopped waiting for: the
 * item's idempotency record was created before `idempotency.awaitCutoff()` (awaitHours ago on the
 * gateway's clock), or is gone (purged by a gateway older than this rule: nothing can tie a
 * result to the item any more). FAILED with OUTCOME_UNKNOWN: the registry queued the command and
 * never said how it ended, so whether it took effect is for the registrar to read at the
 * registry; the item keeps the queued answer (1001 and the request id) as its result. Returns
 * the jobs touched, after finishing those with nothing left to wait for. Throws what the database throws.
 */
export async function settleOverdue(
  prisma: PrismaClient,
  store: BulkStore,
  idempotency: Pick<IdempotencyService, 'awaitCutoff'>,
  opts: { backends: string[]; limit: number },
): Promise<string[]> {
  if (opts.backends.length === 0) return [];
  const cutoff = idempotency.awaitCutoff();
  const rows = await prisma.$queryRaw<Array<{ id: bigint; result: unknown; created_at: Date | null }>>`
    SELECT b.id, b.result, r.created_at
    FROM bulk_items b JOIN bulk_jobs j ON j.id = b.job_id
    LEFT JOIN idempotency_records r ON r.registrar_id = j.registrar_id AND r.idempotency_key = ${itemKeySql(Prisma.raw('j.idempotency_key'), Prisma.raw('b.position'))}
    WHERE b.backend IN (SELECT jsonb_array_elements_text(${JSON.stringify(opts.backends)}::jsonb)) AND b.state = 'AWAITING_REGISTRY'
      AND (r.id IS NULL OR r.created_at < ${cutoff})
    ORDER BY b.id LIMIT ${opts.limit}`;
  if (rows.length === 0) return [];
  const settled = rows.map((row) => {
    const queued = row.result as { trid?: { server?: string | null } } | null;
    const request = queued?.trid?.server ? ` (request ${queued.trid.server})` : '';
    const since = row.created_at ? ` since ${row.created_at.toISOString()}` : '';
    const message = `the registry queued the command${request} and has not reported its result${since}; the gateway stopped waiting: read the domain at the registry to see whether it took effect`;
    return { id: row.id.toString(), result: { ...(row.result as object), awaitsCompletion: undefined }, error: { code: 'OUTCOME_UNKNOWN', message, upstreamCode: null } };
  });
  const touched = await prisma.$queryRaw<Array<{ job_id: string }>>`
    UPDATE bulk_items AS b SET state = 'FAILED'::bulk_item_state, result = v.result, error = v.error, updated_at = now(), input = ${DROP_SECRETS}
    FROM jsonb_to_recordset(${JSON.stringify(settled)}::jsonb) AS v(id bigint, result jsonb, error jsonb)
    WHERE b.id = v.id AND b.state = 'AWAITING_REGISTRY'
    RETURNING b.job_id`;
  const jobs = [...new Set(touched.map((t) => t.job_id))];
  for (const id of jobs) await store.finishIfDone(id);
  return jobs;
}
