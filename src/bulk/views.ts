/** Bulk rows as the API shows them (schema/bulk/bulk.type.ts), JSON-safe where they travel. */
import type { BulkItem as ItemRow, BulkJob as JobRow } from '../db/generated/client.js';
import type { JobCounts } from './store.js';
import { SameObjects } from '../db/shared-reads.js';

/**
 * One item as the API shows it (schema/bulk/bulk.type.ts BulkItem): `registry` the backend's name,
 * `transaction` once it got an answer (`pending` when the code is 1001), `expiresAt` a renewal's new expiry once SUCCEEDED.
 */
export interface ItemView {
  position: number;
  domainName: string;
  registry: string;
  state: string;
  attempts: number;
  transaction: { clientTransactionId: string; serverTransactionId: string | null; resultCode: number; pending: boolean; message: string | null } | null;
  expiresAt: Date | null;
  skipped: string | null;
  error: { code: string; message: string; upstreamCode: number | null; field: string | null } | null;
}

/** A job's items by state, as BulkJob.counts shows them (done = SUCCEEDED); the CLI reads the same shape. */
export interface CountsView {
  done: number;
  failed: number;
  pending: number;
  running: number;
  /** Sent, the registry has not processed them yet (AWAITING_REGISTRY). */
  awaiting: number;
  cancelled: number;
}

/** A job as the API shows it (schema/bulk/bulk.type.ts BulkJob): `state` RUNNING, COMPLETED or CANCELLED (bulk_job_state), dates UTC instants. */
export interface JobView {
  id: string;
  kind: string;
  state: string;
  total: number;
  /** Read only when asked for (the BulkJob.counts field resolver): absent on a job read without them. */
  counts?: CountsView;
  createdAt: Date;
  finishedAt: Date | null;
}

type Stored = { trid?: { client: string; server?: string | null }; code?: number; message?: string | null; expiresAt?: string; skipped?: string } | null;

/**
 * A JobView as a stored answer gives it back (cancelBulkJob's idempotency record keeps the job as
 * the cancel answered it: JSON, its dates ISO 8601 strings) -> a JobView with Date instants.
 */
export function revivedJobView(j: Omit<JobView, 'createdAt' | 'finishedAt'> & { createdAt: Date | string; finishedAt: Date | string | null }): JobView {
  return { ...j, createdAt: new Date(j.createdAt), finishedAt: j.finishedAt === null ? null : new Date(j.finishedAt) };
}

/** A bulk_items row -> ItemView: the stored result's trid, code (1000 when absent) and message, the stored error's fields (null when absent). */
export function itemView(row: Pick<ItemRow, 'position' | 'name' | 'backend' | 'state' | 'attempts' | 'result' | 'error'>): ItemView {
  const r = row.result as Stored;
  const e = row.error as ItemView['error'];
  return {
    position: row.position,
    domainName: row.name,
    registry: row.backend,
    state: row.state,
    attempts: row.attempts,
    transaction: r?.trid ? { clientTransactionId: r.trid.client, serverTransactionId: r.trid.server ?? null, resultCode: r.code ?? 1000, pending: (r.code ?? 1000) === 1001, message: r.message ?? null } : null,
    // A renewal's new expiry only once the registry applied it (not while its command is queued).
    expiresAt: r?.expiresAt && row.state === 'SUCCEEDED' ? new Date(r.expiresAt) : null,
    skipped: r?.skipped ?? null,
    error: e ? { code: e.code, message: e.message, upstreamCode: e.upstreamCode ?? null, field: e.field ?? null } : null,
  };
}

/** The counts of a job as the API shows them. */
export function countsView(c: JobCounts): CountsView {
  return { done: c.succeeded, failed: c.failed, pending: c.pending, running: c.running, awaiting: c.awaiting, cancelled: c.cancelled };
}

/** A job as the API shows it; without `c`, its counts are read when a query asks for them. */
export function jobView(job: JobRow, c?: JobCounts): JobView {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    total: job.total,
    ...(c ? { counts: countsView(c) } : {}),
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
  };
}

const itemViews = new SameObjects<ItemView>();
const jobViews = new SameObjects<JobView>();

/**
 * itemView, one object per row object: followers of a job that shared a read of its items
 * (src/db/shared-reads.ts) show each outcome as the same object (src/bulk/stream.ts).
 */
export function sharedItemView(row: Parameters<typeof itemView>[0]): ItemView {
  return itemViews.get([row], () => itemView(row));
}

/** jobView(job, c), one object per pair of row and counts objects (shared reads' answers), as sharedItemView. */
export function sharedJobView(job: JobRow, c: JobCounts): JobView {
  return jobViews.get([job, c], () => jobView(job, c));
}
