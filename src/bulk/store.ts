/**
 * Bulk jobs and their items in PostgreSQL (prisma/schema.prisma BulkJob, BulkItem). Items are
 * claimed with row locks (`FOR UPDATE SKIP LOCKED`), so several gateway instances on one database
 * share a job's items and never hold one item at once; a claim is a lease (holder, leaseUntil)
 * renewed while the holder lives and taken over once it lapses, like the poll lease of
 * src/poll/ingester.ts. That an item is applied at most once does not rest on the claim: every
 * item runs under its own idempotency key (itemKey), so a re-run replays or reconciles.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Prisma, type BulkJob, type PrismaClient } from '../db/generated/client.js';
import { hasRawPool, rawExecute, rawQuery } from '../db/raw.js';
import { SharedReads } from '../db/shared-reads.js';
import { logEntrySql, type LogEntry } from '../commandlog/command-log.js';
import { deferredRecordsSql, deferredRows, type DeferredRecord } from '../idempotency/deferred.js';
import { IdempotencyKeyReusedError } from '../idempotency/errors.js';
import { underClientKeyLock } from '../idempotency/key-lock.js';
import { BulkLimitError } from '../core/errors.js';
import { DERIVED_KEY_PREFIX } from '../validation/names.js';
import type { BulkKind } from './kinds.js';

/** AWAITING_REGISTRY: sent, and the registry only queued it; settled by src/bulk/awaiting.ts when its completion is stored. */
export type ItemState = 'PENDING' | 'RUNNING' | 'AWAITING_REGISTRY' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/**
 * One backend's unfinished items in one state, over every job in the database (BulkStore.backlog):
 * how many, and for those a claim could take now, how long (seconds, by the database's clock) the
 * one waiting longest has waited; null when none could be taken now (AWAITING_REGISTRY items,
 * PENDING ones in back-off, RUNNING ones under a live lease).
 */
export interface BulkBacklog {
  backend: string;
  state: 'PENDING' | 'RUNNING' | 'AWAITING_REGISTRY';
  items: number;
  /** Of RUNNING items, those under a live lease: being run by an instance now (0 in the other states). */
  claimed: number;
  /** Seconds (database clock) the item of these that could be claimed first has waited since it could; null when none can be claimed now. */
  waitedSeconds: number | null;
}

/** Items a restarted instance's earlier life was running, per backend and registrar (BulkStore.lapseOwn). */
export interface LapsedItems {
  backend: string;
  registrarId: string;
  items: number;
  /** Their ids. */
  ids: bigint[];
}

/** A claimed item, as the runner needs it. */
export interface ClaimedItem {
  id: bigint;
  jobId: string;
  position: number;
  name: string;
  backend: string;
  input: Record<string, unknown> | null;
  /** Claims of the item so far, this one included: 1 means it never ran before. */
  attempts: number;
  /**
   * Set when the item was taken over RUNNING (its holder stopped renewing the claim, or it is this
   * instance's own from before a restart): its command may have been sent. `claimedAt`: when that
   * earlier claim was made (before anything was sent); `ownHolder`: the earlier holder was this
   * instance; `recorded`: the item's key had an idempotency record when the claim was made (read
   * by the claim statement; false is the usual case after a crash: a first run's record is written
   * with its outcome). A holder still alive may write the record after the claim (a later
   * attempt's run through IdempotencyService.run inserts it before its claim fence refuses to
   * send; a late settle no longer writes a record for an item it does not hold), so only an earlier
   * life's item may be run on the claim's word (BulkRunner: the items lapseOwn lapsed at its start).
   */
  inDoubt: { claimedAt: Date; ownHolder: boolean; recorded: boolean } | null;
}

/**
 * How a run of an item ended: a final state, PENDING again after `notBefore` (a transient
 * failure), or AWAITING_REGISTRY (the registry queued the command; not final until its completion).
 */
export interface ItemOutcome {
  id: bigint;
  /**
   * The claim the run was made under (ClaimedItem.attempts): the outcome settles the item only
   * while the item is still under that claim (an instance that stalled past its lease may have
   * claimed the item again itself, in doubt, while the late run was under way). Absent: any claim
   * of the holder (the tests' outcomes).
   */
  attempts?: number;
  state: 'SUCCEEDED' | 'FAILED' | 'PENDING' | 'CANCELLED' | 'AWAITING_REGISTRY';
  result?: unknown;
  /** `field`: the argument of the bulk mutation the error is about (src/bulk/kinds.ts itemErrorField), when it names one. */
  error?: { code: string; message: string; upstreamCode?: number | null; field?: string | null };
  notBefore?: Date;
  /** Idempotency records the run left to be written before the outcome (IdempotencyService.runDeferred). */
  records?: DeferredRecord[];
  /** Command log entries of the run not written yet (CommandLog.watch's `keep`): written with the records. */
  log?: LogEntry[];
  /**
   * Given back unstarted (the runner stopped before running it; `state` PENDING): the claim is
   * undone, so its `attempts` and last `error` are what they were before it (1 still means "never
   * ran"). `inDoubtSince`: the item had been claimed in doubt (ClaimedItem.inDoubt.claimedAt): it
   * stays RUNNING under a lapsed lease, as the earlier claim left it, so that the next claim takes
   * it in doubt again, from the same time, and reconciles it before sending; given back PENDING it
   * ran as a first run and sent its command again.
   */
  givenBack?: { inDoubtSince: Date | null };
  /**
   * The claim ran nothing (the item was found cancelled before its command was sent; `state`
   * CANCELLED), or its run was refused for a rate limit before anything was processed (`state`
   * PENDING, retryOf): the claim's count is undone, so `attempts` counts the runs that sent
   * something the registry could process (an item cancelled before it ever ran says 0, as one
   * cancelled in the store does).
   */
  unclaimed?: boolean;
}

/** What BulkStore.settle did. */
export interface Settled {
  /** The jobs with items settled. */
  jobs: string[];
  /** The state of each of those jobs (and of the jobs of items not settled) as read by the statement: a cancel seen. */
  states: Map<string, string>;
}

/** A job's items per state (`bulk_items.state`), as BulkStore.counts reads them. */
export interface JobCounts {
  pending: number;
  running: number;
  /** AWAITING_REGISTRY. */
  awaiting: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

/**
 * A job to write (BulkStore.create): unique per (registrarId, idempotencyKey); `fingerprint` of its
 * arguments; items in position order, names in lower-case A-labels, `input` with any auth code sealed (Sealer).
 */
export interface NewJob {
  registrarId: string;
  idempotencyKey: string;
  kind: BulkKind;
  fingerprint: string;
  params: unknown;
  /**
   * In order (an item's position is its index). `failed`: the item is written FAILED with this
   * error, never to run (a job over every domain's domain at a registry the config no longer has:
   * src/bulk/submit.ts).
   */
  items: { name: string; backend: string; input: Record<string, unknown> | null; failed?: { code: string; message: string; upstreamCode: null } }[];
}

/** A registrar's bulk limits (bulk.maxOpenJobs, bulk.maxPendingItems), checked as a job is written. */
export interface BulkLimits {
  maxOpenJobs: number;
  maxPendingItems: number;
}

/** Namespace (first key) of the per-registrar advisory lock a submission takes to count its open jobs and items ("RGWB"). */
const REGISTRAR_BULK_LOCK = 0x52475742;

/**
 * The registrar's jobs not finished (state RUNNING: items pending, running or awaiting the
 * registry) and items not run yet (PENDING or RUNNING, whatever their job's state), `$1` the registrar.
 */
const OPEN_WORK = `SELECT
  (SELECT count(*)::integer FROM bulk_jobs WHERE registrar_id = $1 AND state = 'RUNNING') AS jobs,
  (SELECT count(*)::integer FROM bulk_items i JOIN bulk_jobs j ON j.id = i.job_id
    WHERE j.registrar_id = $1 AND i.state IN ('PENDING', 'RUNNING')) AS items`;

/** Throws BulkLimitError when `job` would take the registrar past `limits`, given its open work now. */
function checkOpenWork(job: NewJob, limits: BulkLimits | undefined, open: { jobs: number; items: number } | undefined): void {
  if (!limits || !open) return;
  if (open.jobs >= limits.maxOpenJobs) {
    throw new BulkLimitError('maxOpenJobs', limits.maxOpenJobs, `registrar ${job.registrarId} has ${open.jobs} bulk jobs not finished, the most it may have (bulk.maxOpenJobs ${limits.maxOpenJobs}): nothing was written; send it again once one has finished, or cancel one`);
  }
  if (open.items + job.items.length > limits.maxPendingItems) {
    throw new BulkLimitError(
      'maxPendingItems',
      limits.maxPendingItems,
      `domains: ${job.items.length} more items would make ${open.items + job.items.length} not run yet for registrar ${job.registrarId} (${open.items} now), more than bulk.maxPendingItems (${limits.maxPendingItems}): nothing was written; send it again once earlier jobs have run, or fewer domains`,
    );
  }
}

/** Finished jobs BulkStore.purgeFinished deletes per call at most (one statement each). */
const PURGE_JOBS_PER_ROUND = 100;

/**
 * Items per INSERT at submission. On the embedded database the memory a statement needs stays in
 * the gateway for good (PGlite's WebAssembly memory never shrinks): 5,000 rows' JSON grew it by
 * 9 MiB, 1,000 rows by 2 MiB, for the same total work.
 */
const CHUNK = 1000;

/**
 * The PostgreSQL NOTIFY channel a submitted job is announced on (payload: the job's id), sent in
 * the job's own transaction, so delivered once it commits (BulkStore.create); every runner
 * LISTENs (src/bulk/runner.ts) and claims at once.
 */
export const BULK_JOBS_CHANNEL = 'rgw_bulk_jobs';

/** An item a claim may take (`i` being bulk_items): PENDING and due, or RUNNING under a lapsed lease. */
const CLAIMABLE = `((i.state = 'PENDING' AND i.not_before <= now()) OR (i.state = 'RUNNING' AND i.lease_until < now()))`;

/**
 * BulkStore.claim's statement: up to `limit` runnable items of `backend` (PENDING and due, or
 * RUNNING under a lapsed lease), skipping rows another claim holds, made RUNNING under `holder`
 * for `leaseMs` (ms) with one more attempt; returns each with its state before, and for one taken
 * over RUNNING whether its key has an idempotency record.
 *
 * The jobs with such items share the claim: each registrar with one gets an equal part of `limit`,
 * split equally between its jobs (at least one item each), and a job's part is its lowest ids. So
 * one registrar's 20,000-item job does not hold another registrar's job of one domain at the same
 * registry until it is done, as a claim of the backend's lowest ids did (a bulk-tool trial: both
 * finished 20.5 s later, with the big one); a registrar's own jobs share its part. A part a job
 * cannot fill is left for the next claim (the runner claims again once its queue runs low). Its
 * scans: the unfinished jobs (bulk_jobs_unfinished_idx) and, per job, the partial index
 * bulk_items_claimable_idx (backend, job_id, id) over PENDING and RUNNING rows (migration
 * 20261208000000), so a claim reads about the rows it takes whatever the finished items kept.
 */
export function claimStatement(holder: string, backend: string, limit: number, leaseMs: number): Prisma.Sql {
  // An item taken over RUNNING is in doubt: whether its key has a record is read here (RETURNING
  // runs the lookup for those rows only), not by a statement per item when each runs.
  const recorded = Prisma.sql`EXISTS (SELECT 1 FROM bulk_jobs AS j JOIN idempotency_records AS r ON r.registrar_id = j.registrar_id
      AND r.idempotency_key = ${itemKeySql(Prisma.raw('j.idempotency_key'), Prisma.raw('b.position'))} WHERE j.id = b.job_id)`;
  return Prisma.sql`WITH open AS (
        SELECT j.id, j.registrar_id FROM bulk_jobs AS j
        WHERE j.finished_at IS NULL
          AND EXISTS (SELECT 1 FROM bulk_items AS i WHERE i.backend = ${backend} AND i.job_id = j.id AND ${Prisma.raw(CLAIMABLE)})),
      shares AS (
        SELECT o.id, greatest(1, floor(floor(${limit}::numeric / r.n) / count(*) OVER (PARTITION BY o.registrar_id)))::integer AS share
        FROM open AS o CROSS JOIN (SELECT count(DISTINCT registrar_id) AS n FROM open) AS r),
      s AS (
        SELECT c.id, c.was, c.was_holder, c.was_at FROM shares
        CROSS JOIN LATERAL (
          SELECT i.id, i.state AS was, i.holder AS was_holder, i.updated_at AS was_at FROM bulk_items AS i
          WHERE i.backend = ${backend} AND i.job_id = shares.id AND ${Prisma.raw(CLAIMABLE)}
          ORDER BY i.id LIMIT shares.share
          FOR UPDATE SKIP LOCKED) AS c
        ORDER BY c.id LIMIT ${limit}::integer)
      UPDATE bulk_items AS b SET state = 'RUNNING', holder = ${holder}, lease_until = now() + make_interval(secs => ${leaseMs / 1000}::double precision),
        attempts = b.attempts + 1, updated_at = now()
      FROM s
      WHERE b.id = s.id
      RETURNING b.id, b.job_id, b.position, b.name, b.backend, b.input, b.attempts, s.was::text AS was, s.was_holder, s.was_at,
        CASE WHEN s.was = 'RUNNING' THEN ${recorded} ELSE false END AS recorded`;
}
const json = (v: unknown) => JSON.parse(JSON.stringify(v ?? null)) as Prisma.InputJsonValue;

/** bulk_jobs as pg gives a row of it (jsonb parsed, timestamptz as Date). */
interface JobColumns extends Record<string, unknown> {
  id: string;
  registrar_id: string;
  idempotency_key: string;
  kind: string;
  fingerprint: string;
  params: Prisma.JsonValue;
  state: BulkJob['state'];
  total: number;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}
/**
 * SQL for a bulk item's `input` once the item is final (SUCCEEDED, FAILED, CANCELLED): without its
 * sealed auth code (a transfer's), which nothing needs any more; the rest (a renewal's expiry, a
 * REPP chunk's `sent` mark) stays. `col` is the column as the statement names it (`b.input`).
 */
export function inputWithoutSecrets(col: string): string {
  return `CASE WHEN jsonb_typeof(${col}) = 'object' THEN ${col} - 'authInfo' ELSE ${col} END`;
}
const FINAL_STATES = `('SUCCEEDED', 'FAILED', 'CANCELLED')`;

/**
 * In BulkStore.settle's statement, a settled row's attempts (a give-back or an unclaimed run is no
 * attempt), its error (a give-back keeps the last one), and whether it is cancelled instead of
 * left to be tried again (its job, read FOR SHARE as `jobs`, is cancelled).
 */
const SETTLED_ATTEMPTS = 'CASE WHEN v.back OR v.unclaimed THEN GREATEST(b.attempts - 1, 0) ELSE b.attempts END';
const SETTLED_ERROR = 'CASE WHEN v.back THEN b.error ELSE v.error END';
const SETTLED_CANCELLED = `(v.state = 'PENDING' AND v.doubt_at IS NULL AND b.job_id IN (SELECT id FROM jobs WHERE state = 'CANCELLED'))`;

/** A SQL string literal of `s` (single quotes doubled). */
const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * SQL (jsonb) of the error a cancelled job's item carries when it was not run again: with
 * `attempts` (an SQL integer expression: the attempts it made, as its row will count them) of 0,
 * cancelledError(0) ("nothing was sent for it"); otherwise the cancel of an item waiting to be
 * tried again, quoting its last attempt's error (`error`, an SQL jsonb expression: its code,
 * message and upstreamCode). Shared by BulkStore.cancel and a settle that finds the job cancelled.
 */
function cancelledWaitingSql(attempts: string, error: string): string {
  return `CASE WHEN ${attempts} = 0 THEN jsonb_build_object('code', 'CANCELLED', 'message', ${literal(cancelledError(0).message)})
    ELSE jsonb_build_object('code', 'CANCELLED',
      'message', 'the job was cancelled while this item waited to be tried again; it was not tried again. Its last attempt failed with '
        || COALESCE(${error}->>'code', 'an error') || ': ' || COALESCE(${error}->>'message', ''),
      'upstreamCode', ${error}->'upstreamCode') END`;
}

const JOB_COLUMNS = 'id, registrar_id, idempotency_key, kind, fingerprint, params, state::text AS state, total, created_at, updated_at, finished_at';
const jobOf = (r: JobColumns): BulkJob => ({
  id: r.id,
  registrarId: r.registrar_id,
  idempotencyKey: r.idempotency_key,
  kind: r.kind,
  fingerprint: r.fingerprint,
  params: r.params,
  state: r.state,
  total: r.total,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

/** A PostgreSQL array literal's element: quoted, `"` and `\\` escaped (array_in reads any text so). */
const arrayElement = (text: string) => `"${text.replace(/["\\]/g, '\\$&')}"`;

/** Distinct input objects up to which a statement's items refer to a list of them instead of carrying one each. */
const SHARED_INPUTS = 32;

/**
 * Items `from` to `to` (excluded) as the parameters of INSERT_ITEMS, each a PostgreSQL array
 * literal (text): the names; each item's backend as its 1-based place in `backends` (a job has
 * a few); and the inputs as JSON. Inputs are compared by identity (submitBulkJob gives items
 * sharing an expiry one object): with at most SHARED_INPUTS distinct ones, each is written once in
 * `sharedInputs` and each item gives its place there (0: no input); otherwise (a transfer's sealed
 * auth codes) each item carries its own in `inputs` (NULL: none). A renewal of 10,000 items with
 * one expiry sends 16% of the bytes of a JSON object per row, and PostgreSQL parses the input once.
 */
function itemArrays(items: NewJob['items'], from: number, to: number): { names: string; backends: string; backendOf: string; inputs: string; inputOf: string; sharedInputs: string } {
  const distinct = new Set<Record<string, unknown>>();
  for (let i = from; i < to && distinct.size <= SHARED_INPUTS; i++) {
    const input = items[i]!.input;
    if (input) distinct.add(input);
  }
  const shared = distinct.size <= SHARED_INPUTS;
  const place = new Map<unknown, number>();
  const backendIndex = new Map<string, number>();
  let lastInput: unknown;
  let lastElement = 'NULL';
  let names = '{';
  let backendOf = '{';
  let inputs = '{';
  let inputOf = '{';
  for (let i = from; i < to; i++) {
    const it = items[i]!;
    let b = backendIndex.get(it.backend);
    if (b === undefined) backendIndex.set(it.backend, (b = backendIndex.size + 1));
    const sep = i === from ? '' : ',';
    names += sep + arrayElement(it.name);
    backendOf += sep + b;
    const input = it.input ?? null;
    if (shared) {
      let n = input === null ? 0 : place.get(input);
      if (n === undefined) place.set(input, (n = place.size + 1));
      inputOf += sep + n;
    } else {
      if (input !== lastInput) {
        lastElement = input === null ? 'NULL' : arrayElement(JSON.stringify(input));
        lastInput = input;
      }
      inputs += sep + lastElement;
    }
  }
  return {
    names: `${names}}`,
    backends: `{${[...backendIndex.keys()].map(arrayElement).join(',')}}`,
    backendOf: `${backendOf}}`,
    inputs: `${inputs}}`,
    inputOf: `${inputOf}}`,
    sharedInputs: `{${[...place.keys()].map((input) => arrayElement(JSON.stringify(input))).join(',')}}`,
  };
}

/**
 * Inserts the items of job $1 from position $2 on: names $3, backends $4 by place $5, and inputs
 * either each its own ($6) or by place $7 in $8 (itemArrays; unnest pads the array left empty with
 * NULLs, and a place 0 or NULL reads NULL). The lists of backends and shared inputs are read once
 * (a sub-select), not cast again for each row.
 */
const INSERT_ITEMS = `INSERT INTO bulk_items (job_id, position, name, backend, input, state, updated_at)
  SELECT $1, $2::integer + v.o::integer - 1, v.name, k.backends[v.b], COALESCE(v.input, k.inputs[v.i]), 'PENDING'::bulk_item_state, now()
  FROM unnest($3::text[], $5::integer[], $6::jsonb[], $7::integer[]) WITH ORDINALITY AS v(name, b, input, i, o)
  CROSS JOIN (SELECT $4::text[] AS backends, $8::jsonb[] AS inputs) AS k`;

/**
 * The items of job $1 written FAILED at once (NewJob.items' `failed`): $2 a JSON array of
 * { position, error }. Run after INSERT_ITEMS, in the job's transaction.
 */
const FAIL_ITEMS = `UPDATE bulk_items AS b SET state = 'FAILED', error = f.error, updated_at = now()
  FROM jsonb_to_recordset($2::jsonb) AS f(position integer, error jsonb) WHERE b.job_id = $1 AND b.position = f.position`;

/** FAIL_ITEMS's $2 for `items`, or null when none of them is failed. */
function failedItems(items: NewJob['items']): string | null {
  const failed = items.flatMap((it, position) => (it.failed ? [{ position, error: it.failed }] : []));
  return failed.length > 0 ? JSON.stringify(failed) : null;
}

/** INSERT_ITEMS's parameters for the items `from` to `to` (excluded) of the job `jobId`. */
function insertItemsParams(jobId: string, items: NewJob['items'], from: number, to: number): unknown[] {
  const a = itemArrays(items, from, to);
  return [jobId, from, a.names, a.backends, a.backendOf, a.inputs, a.inputOf, a.sharedInputs];
}

/**
 * The idempotency key of a job's item: derived from the job's key (its SHA-256, so any job key
 * gives a key within the 255-character limit) and the item's place in the list. It starts with
 * DERIVED_KEY_PREFIX, which client keys are refused (checkClientIdempotencyKey), so no mutation
 * sent by hand can take an item's key.
 */
export function itemKey(jobKey: string, position: number): string {
  let prefix = itemKeyPrefixes.get(jobKey);
  if (prefix === undefined) {
    prefix = `${DERIVED_KEY_PREFIX}${createHash('sha256').update(jobKey).digest('hex').slice(0, 40)}:`;
    if (itemKeyPrefixes.size >= ITEM_KEY_PREFIXES) itemKeyPrefixes.clear();
    itemKeyPrefixes.set(jobKey, prefix);
  }
  return prefix + position;
}

/** The hashed part of itemKey by job key, for the jobs running now (every item of a job shares it). */
const itemKeyPrefixes = new Map<string, string>();
const ITEM_KEY_PREFIXES = 256;

/**
 * itemKey computed by the database (PostgreSQL's sha256), over the SQL expressions of a job's key
 * and an item's position: for joining items with their idempotency records. Must give what
 * itemKey gives (a test holds them to each other).
 */
export function itemKeySql(jobKey: Prisma.Sql, position: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(${DERIVED_KEY_PREFIX}::text || substr(encode(sha256(convert_to(${jobKey}, 'UTF8')), 'hex'), 1, 40) || ':' || ${position}::text)`;
}

/**
 * The error a cancelled item keeps. `attempts` here counts the runs that started, this one
 * included when a claimed item is found cancelled (the claim counts it until its outcome is
 * written, ItemOutcome.unclaimed), so `attempts <= 1` (or 0 for an item cancelled in the store)
 * means nothing was ever sent for it; more means an earlier run failed in a way worth another
 * try, and whether it reached the registry is not known here.
 * `inDoubt` says an earlier run's command (or native chunk) may have been applied without an answer.
 */
export function cancelledError(attempts: number, inDoubt = false): { code: string; message: string } {
  if (inDoubt) return { code: 'CANCELLED', message: 'the job was cancelled before this item was tried again; an earlier request holding it got no answer and may have been applied: read the domain to know' };
  if (attempts > 1) return { code: 'CANCELLED', message: 'the job was cancelled while this item waited to be tried again after a failed attempt; it was not tried again' };
  return { code: 'CANCELLED', message: 'the job was cancelled before this item ran; nothing was sent for it' };
}

/** A single mutation's (or cancelBulkJob's) record under the key a job is being written with. */
const SINGLE_KEY = 'SELECT operation FROM idempotency_records WHERE registrar_id = $1 AND idempotency_key = $2';

/** Bulk jobs and items in the database (see this file's header): writing jobs, claiming, renewing and settling items, cancelling, counting. */
export class BulkStore {
  /** The reads of many followers of one job (the bulkJob subscription): see jobShared. */
  private readonly shared = new SharedReads();

  constructor(private readonly prisma: PrismaClient) {}

  /** The registrar's job under this key, if any. */
  findByKey(registrarId: string, idempotencyKey: string): Promise<BulkJob | null> {
    return this.prisma.bulkJob.findUnique({ where: { registrarId_idempotencyKey: { registrarId, idempotencyKey } } });
  }

  /** One job, only when `registrarId` owns it. */
  find(registrarId: string, id: string): Promise<BulkJob | null> {
    return this.prisma.bulkJob.findFirst({ where: { id, registrarId } });
  }

  /**
   * One job by id. On PostgreSQL straight through the pool (src/db/raw.ts): the bulk runner reads
   * its jobs so before their items run, and after a restart that read came before any other Prisma
   * query and waited for Prisma's query compiler (a WebAssembly module) to load (bench:bulk item 4).
   */
  async job(id: string): Promise<BulkJob | null> {
    if (!hasRawPool(this.prisma)) return this.prisma.bulkJob.findUnique({ where: { id } });
    const [row] = await rawQuery<JobColumns>(this.prisma, `SELECT ${JOB_COLUMNS} FROM bulk_jobs WHERE id = $1`, [id]);
    return row ? jobOf(row) : null;
  }

  /**
   * job(id), find(registrarId, id) and counts(id) as many followers of one job read them at once
   * (500 subscribers of one bulkJob, each looking at every settled batch): one read for everyone
   * asking at the same time (src/db/shared-reads.ts). Ordering rule: a caller only ever gets a
   * read that started after it asked (a read already running when it asks is not joined: it waits
   * for the next), so what it gets is never older than its call, as if it had read alone. The
   * answer is one object shared by those callers: read it, never change it.
   */
  jobShared(id: string): Promise<BulkJob | null> {
    return this.shared.read(`job\u0000${id}`, () => this.job(id));
  }

  /** find(registrarId, id), shared as jobShared is (same ordering rule). */
  findShared(registrarId: string, id: string): Promise<BulkJob | null> {
    return this.shared.read(`find\u0000${registrarId}\u0000${id}`, () => this.find(registrarId, id));
  }

  /** counts(id), shared as jobShared is (same ordering rule). */
  countsShared(id: string): Promise<JobCounts> {
    return this.shared.read(`counts\u0000${id}`, () => this.counts(id));
  }

  /**
   * Writes the job and all its items in one transaction (nothing half-written stays behind).
   * Throws a unique violation (isUniqueViolation) when the key exists, and IdempotencyKeyReusedError
   * (nothing written) when it is a single mutation's key: written under the key's lock
   * (src/idempotency/key-lock.ts, as a single mutation's first record is) after a look in
   * idempotency_records. On PostgreSQL straight through the pool, in the lock's transaction; on the
   * embedded database through Prisma's. With `limits`, first counts the registrar's open jobs and
   * items not run yet (under a per-registrar lock on PostgreSQL) and throws BulkLimitError, nothing
   * written, when this job would go past them.
   */
  async create(job: NewJob, limits?: BulkLimits): Promise<BulkJob> {
    return underClientKeyLock(this.prisma, job.registrarId, job.idempotencyKey, {
      postgres: async (query) => {
        const [single] = await query<{ operation: string }>(SINGLE_KEY, [job.registrarId, job.idempotencyKey]);
        if (single) throw new IdempotencyKeyReusedError(single.operation);
        if (limits) {
          // Two submissions of one registrar under different keys count one after the other (every
          // submission takes its key's lock first, then this one: no two wait for each other).
          await query(`SELECT pg_advisory_xact_lock(${REGISTRAR_BULK_LOCK}::int, hashtext($1))`, [job.registrarId]);
          checkOpenWork(job, limits, (await query<{ jobs: number; items: number }>(OPEN_WORK, [job.registrarId]))[0]);
        }
        const [row] = await query<JobColumns>(
          `INSERT INTO bulk_jobs (id, registrar_id, idempotency_key, kind, fingerprint, params, state, total, updated_at)
          VALUES ($1, $2, $3, $4, $5, $6::jsonb, 'RUNNING', $7, now())
          RETURNING ${JOB_COLUMNS}`,
          [randomUUID(), job.registrarId, job.idempotencyKey, job.kind, job.fingerprint, JSON.stringify(job.params ?? null), job.items.length],
        );
        for (let i = 0; i < job.items.length; i += CHUNK) await query(INSERT_ITEMS, insertItemsParams(row!.id, job.items, i, Math.min(job.items.length, i + CHUNK)));
        const failed = failedItems(job.items);
        if (failed) await query(FAIL_ITEMS, [row!.id, failed]);
        await query('SELECT pg_notify($1, $2)', [BULK_JOBS_CHANNEL, row!.id]);
        return jobOf(row!);
      },
      embedded: () =>
        this.prisma.$transaction(
          async (tx) => {
            const [single] = await tx.$queryRawUnsafe<{ operation: string }[]>(SINGLE_KEY, job.registrarId, job.idempotencyKey);
            if (single) throw new IdempotencyKeyReusedError(single.operation);
            // The embedded database's one connection runs one such transaction at a time: the count holds until the commit.
            if (limits) checkOpenWork(job, limits, (await tx.$queryRawUnsafe<{ jobs: number; items: number }[]>(OPEN_WORK, job.registrarId))[0]);
            const row = await tx.bulkJob.create({
              data: { registrarId: job.registrarId, idempotencyKey: job.idempotencyKey, kind: job.kind, fingerprint: job.fingerprint, params: json(job.params), state: 'RUNNING', total: job.items.length },
            });
            // One statement per CHUNK items, its columns as array parameters: Prisma's createMany compiles
            // a statement with a parameter per column and row, which cost about 1 ms per item.
            for (let i = 0; i < job.items.length; i += CHUNK) await tx.$executeRawUnsafe(INSERT_ITEMS, ...insertItemsParams(row.id, job.items, i, Math.min(job.items.length, i + CHUNK)));
            const failed = failedItems(job.items);
            if (failed) await tx.$executeRawUnsafe(FAIL_ITEMS, row.id, failed);
            return row;
          },
          { timeout: 60_000 },
        ),
    });
  }

  /**
   * Claims up to `limit` runnable items of `backend` for `holder` (PENDING and due, or RUNNING
   * under a lapsed lease: those come back `inDoubt`, with when they had been claimed before and
   * whether their key has an idempotency record: ClaimedItem.inDoubt).
   */
  async claim(holder: string, backend: string, limit: number, leaseMs: number): Promise<ClaimedItem[]> {
    const statement = claimStatement(holder, backend, limit, leaseMs);
    // A hot statement (one per few dozen items): straight through the pool on PostgreSQL (src/db/raw.ts).
    const rows = await rawQuery<{ id: string | bigint; job_id: string; position: number; name: string; backend: string; input: unknown; attempts: number; was: string; was_holder: string | null; was_at: Date; recorded: boolean }>(
      this.prisma,
      statement.text,
      statement.values,
    );
    return rows
      .map((r) => ({
        id: BigInt(r.id), // pg gives int8 as text, Prisma as bigint
        jobId: r.job_id,
        position: r.position,
        name: r.name,
        backend: r.backend,
        input: (r.input ?? null) as Record<string, unknown> | null,
        attempts: r.attempts,
        inDoubt: r.was === 'RUNNING' ? { claimedAt: r.was_at, ownHolder: r.was_holder === holder, recorded: r.recorded } : null,
      }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * The unfinished items of every job in the database (all instances'), by backend and state
   * (PENDING, RUNNING, AWAITING_REGISTRY; a state without items has no row): how many, how many
   * of the RUNNING ones are under a live lease (`claimed`), and for the items a claim could take
   * now (PENDING and due, or RUNNING with a lapsed lease) how long the one that became so first
   * (its not_before, or its lease's end) has waited: `waitedSeconds`, the database's now() minus
   * that time (seconds, >= 0, so the figure does not depend on this host's clock), else null. One
   * statement over the unfinished items only (the claim's partial index and bulk_items(backend,
   * state, not_before)). Read by /metrics at each scrape (src/metrics.ts rgw_bulk_items,
   * rgw_bulk_items_claimed, rgw_bulk_oldest_runnable_seconds).
   */
  async backlog(): Promise<BulkBacklog[]> {
    const rows = await rawQuery<{ backend: string; state: string; items: number; claimed: number; waited: number | string | null }>(
      this.prisma,
      `SELECT backend, state::text AS state, count(*)::integer AS items,
        (count(*) FILTER (WHERE state = 'RUNNING' AND lease_until >= now()))::integer AS claimed,
        EXTRACT(EPOCH FROM now() - min(CASE WHEN state = 'PENDING' AND not_before <= now() THEN not_before
          WHEN state = 'RUNNING' AND lease_until < now() THEN lease_until END))::double precision AS waited
      FROM bulk_items WHERE state IN ('PENDING', 'RUNNING', 'AWAITING_REGISTRY') GROUP BY backend, state`,
      [],
    );
    return rows.map((r) => ({
      backend: r.backend,
      state: r.state as BulkBacklog['state'],
      items: r.items,
      claimed: r.claimed,
      waitedSeconds: r.waited === null ? null : Math.max(0, Number(r.waited)),
    }));
  }

  /**
   * Which of `backends` have items to claim now (what claim would take): one statement for every
   * idle lane of a runner, instead of a claim per backend every idle period.
   */
  async runnable(backends: string[]): Promise<string[]> {
    if (backends.length === 0) return [];
    const rows = await rawQuery<{ backend: string }>(
      this.prisma,
      `SELECT n.backend FROM jsonb_array_elements_text($1::jsonb) AS n(backend)
      WHERE EXISTS (SELECT 1 FROM bulk_items AS b WHERE b.backend = n.backend
        AND ((b.state = 'PENDING' AND b.not_before <= now()) OR (b.state = 'RUNNING' AND b.lease_until < now())))`,
      [JSON.stringify(backends)],
    );
    return rows.map((r) => r.backend);
  }

  /**
   * Extends the leases of the items `ids` that `holder` still runs (RUNNING under its name), by
   * `leaseMs` from now (the database's clock, which every claim compares lease_until with). Only the
   * ids the caller holds in memory: a restarted instance with the same identity finds its earlier
   * life's items RUNNING under the same holder name, and renewing those by name would keep them
   * from ever lapsing to be claimed again (see BulkRunner.held). Returns the items it renewed, each
   * with its `attempts` (which claim of the item holds it: ClaimedItem.attempts); an id missing
   * from the answer is no longer `holder`'s (settled, or taken by another instance after its lease
   * lapsed). One statement, whatever the number of ids.
   */
  async renewLeases(holder: string, ids: Iterable<bigint>, leaseMs: number): Promise<Map<bigint, number>> {
    const list = [...ids].map(String);
    if (list.length === 0) return new Map();
    const rows = await rawQuery<{ id: string | bigint; attempts: number }>(
      this.prisma,
      `UPDATE bulk_items SET lease_until = now() + make_interval(secs => $2::double precision)
      WHERE id IN (SELECT jsonb_array_elements_text($3::jsonb)::bigint) AND holder = $1 AND state = 'RUNNING'
      RETURNING id, attempts`,
      [holder, leaseMs / 1000, JSON.stringify(list)],
    );
    return new Map(rows.map((r) => [BigInt(r.id), r.attempts]));
  }

  /**
   * The fence of one item before its command is sent (BulkRunner): extends its lease by `leaseMs`
   * from now only while `holder` still holds it under the same claim (RUNNING, its name, `attempts`
   * as claimed: a later claim of the item, even by this holder, is another run). Returns whether it
   * did; false means another instance took the item (or it was settled): nothing may be sent.
   */
  async holdClaim(holder: string, id: bigint, attempts: number, leaseMs: number): Promise<boolean> {
    const n = await rawExecute(
      this.prisma,
      `UPDATE bulk_items SET lease_until = now() + make_interval(secs => $3::double precision)
      WHERE id = $1::bigint AND holder = $2 AND state = 'RUNNING' AND attempts = $4::integer`,
      [id.toString(), holder, leaseMs / 1000, attempts],
    );
    return n === 1;
  }

  /**
   * Items `holder` was running when its process stopped (a restarted instance that keeps its
   * identity): their claims lapse now, so the next claim takes them at once (in doubt: each is
   * reconciled before anything is sent again) instead of after the lease. Returns them per
   * backend and registrar (the accounts whose sessions they will need), none when there were none.
   * Straight through the pool on PostgreSQL (src/db/raw.ts): a restarted instance's first
   * statement, which does not wait for Prisma's query compiler to load.
   */
  async lapseOwn(holder: string): Promise<LapsedItems[]> {
    const rows = await rawQuery<{ backend: string; registrar_id: string; items: string | number | bigint; ids: string[] }>(
      this.prisma,
      `WITH lapsed AS (
        UPDATE bulk_items SET lease_until = now() - interval '1 second' WHERE holder = $1 AND state = 'RUNNING' RETURNING id, backend, job_id)
      SELECT l.backend, j.registrar_id, count(*)::int AS items, array_agg(l.id::text) AS ids FROM lapsed l JOIN bulk_jobs j ON j.id = l.job_id
      GROUP BY l.backend, j.registrar_id ORDER BY l.backend, j.registrar_id`,
      [holder],
    );
    return rows.map((r) => ({ backend: r.backend, registrarId: r.registrar_id, items: Number(r.items), ids: r.ids.map((id) => BigInt(id)) }));
  }

  /**
   * Settles finished runs of `holder`'s items. One statement writes, all or nothing, the runs'
   * command log entries (ItemOutcome.log) and idempotency records (ItemOutcome.records; a key that
   * has a record keeps it), the outcomes, and finishes each job that has no unfinished item left.
   * So a record is never written without its entries, nor an outcome without its record (the
   * runner's header). An item no longer held by `holder` under the outcome's claim
   * (ItemOutcome.attempts; taken over after its lease lapsed, by another instance or by this one
   * again) is left alone: neither its outcome nor its records are written, as the run that took it
   * over runs it under the same key and writes its own; its command log entries are (those
   * commands were sent).
   *
   * An item settled PENDING (to be tried again) whose job is cancelled is CANCELLED instead, with
   * the error BulkStore.cancel gives an item waiting to be tried again (cancelledWaitingSql): a
   * cancel that ran while the item was in flight leaves nothing pending behind it. The job's row
   * is read FOR SHARE for this (only when the batch has such an item), so a cancel committing
   * while this statement runs is seen: the statement waits for it and reads the job as it left it.
   *
   * A job that statement cannot see finished may still be, once it commits: another instance may
   * be settling its last items concurrently, and neither statement sees the other's. Then
   * finishIfDone runs after the commit, as the last of them to commit sees everything, unless the
   * job certainly has unfinished items after this commit that a later settle of theirs will look
   * at again: items of this batch settled PENDING or AWAITING_REGISTRY, or items `holder` is
   * running (claimed, not in this batch: only this runner settles them, one flush at a time). An
   * item of the batch no longer held (taken over by another instance, which may be settling it
   * right now) always gets finishIfDone after the commit: its statement waited for that item's row.
   */
  async settle(holder: string, outcomes: ItemOutcome[]): Promise<Settled> {
    if (outcomes.length === 0) return { jobs: [], states: new Map() };
    const rows = JSON.stringify(
      outcomes.map((o) => ({
        id: o.id.toString(),
        attempts: o.attempts ?? null,
        state: o.state,
        result: o.result ?? null,
        error: o.error ?? null,
        not_before: (o.notBefore ?? new Date(0)).toISOString(),
        back: o.givenBack !== undefined,
        unclaimed: o.unclaimed === true,
        doubt_at: o.givenBack?.inDoubtSince?.toISOString() ?? null,
      })),
    );
    // Each record with its item: only the items this holder still holds (those `upd` changed) get
    // theirs written. Another instance that took an item over after this one's lease lapsed runs
    // it under the same key and writes the record of its own run; this one's late answer would
    // otherwise be the key's record (the first one stays), whatever that instance found and did.
    const records = outcomes.flatMap((o) => (o.records?.length ? deferredRows(o.records).map((r) => ({ ...r, item_id: o.id.toString() })) : []));
    const log = outcomes.flatMap((o) => o.log ?? []);
    // A hot batch write: straight through the pool on PostgreSQL (src/db/raw.ts). Data-modifying
    // CTEs all run, whether read or not, on the statement's one snapshot (so `fin` and `later` see
    // the batch's items as they were before: RUNNING).
    const jobs = await rawQuery<{ job_id: string; state: string; touched: boolean; finished: boolean; later: boolean; untouched: boolean }>(
      this.prisma,
      `WITH log AS (${logEntrySql('$3')}),
      v AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(id bigint, attempts integer, state text, result jsonb, error jsonb, not_before timestamptz, back boolean, unclaimed boolean, doubt_at timestamptz)),
      batch AS (SELECT DISTINCT b.job_id FROM bulk_items AS b JOIN v ON b.id = v.id),
      jobs AS (SELECT j.id, j.state FROM bulk_jobs AS j WHERE j.id IN (SELECT job_id FROM batch) FOR SHARE),
      upd AS (
        UPDATE bulk_items AS b SET
          state = (CASE WHEN v.doubt_at IS NOT NULL THEN 'RUNNING' WHEN ${SETTLED_CANCELLED} THEN 'CANCELLED' ELSE v.state END)::bulk_item_state,
          result = CASE WHEN v.back THEN b.result ELSE v.result END,
          error = CASE WHEN ${SETTLED_CANCELLED} THEN ${cancelledWaitingSql(SETTLED_ATTEMPTS, SETTLED_ERROR)} ELSE ${SETTLED_ERROR} END,
          attempts = ${SETTLED_ATTEMPTS},
          not_before = GREATEST(b.not_before, v.not_before),
          holder = CASE WHEN v.doubt_at IS NOT NULL THEN b.holder END,
          lease_until = CASE WHEN v.doubt_at IS NOT NULL THEN '-infinity'::timestamptz END,
          updated_at = COALESCE(v.doubt_at, now()),
          input = CASE WHEN v.state IN ${FINAL_STATES} OR ${SETTLED_CANCELLED} THEN ${inputWithoutSecrets('b.input')} ELSE b.input END
        FROM v WHERE b.id = v.id AND b.holder = $2 AND b.state = 'RUNNING' AND (v.attempts IS NULL OR b.attempts = v.attempts)
        RETURNING b.id, b.job_id, b.state),
      rec AS (${deferredRecordsSql('$4', '$5', 'upd')}),
      fin AS (
        UPDATE bulk_jobs AS j SET state = CASE WHEN j.state = 'RUNNING' THEN 'COMPLETED'::bulk_job_state ELSE j.state END, finished_at = now(), updated_at = now()
        WHERE j.id IN (SELECT job_id FROM upd) AND j.finished_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM bulk_items AS i WHERE i.job_id = j.id AND i.state IN ('PENDING', 'RUNNING', 'AWAITING_REGISTRY')
            AND i.id NOT IN (SELECT id FROM upd WHERE state IN ('SUCCEEDED', 'FAILED', 'CANCELLED')))
        RETURNING j.id)
      SELECT j.id::text AS job_id, j.state::text AS state,
        EXISTS (SELECT 1 FROM upd WHERE upd.job_id = j.id) AS touched,
        (j.finished_at IS NOT NULL OR j.id IN (SELECT id FROM fin)) AS finished,
        (EXISTS (SELECT 1 FROM upd WHERE upd.job_id = j.id AND upd.state IN ('PENDING', 'AWAITING_REGISTRY'))
          OR EXISTS (SELECT 1 FROM bulk_items AS i WHERE i.job_id = j.id AND i.state = 'RUNNING' AND i.holder = $2 AND i.id NOT IN (SELECT id FROM upd))) AS later,
        EXISTS (SELECT 1 FROM bulk_items AS i JOIN v ON i.id = v.id WHERE i.job_id = j.id AND i.id NOT IN (SELECT id FROM upd)) AS untouched
      FROM bulk_jobs AS j WHERE j.id IN (SELECT job_id FROM batch)`,
      [rows, holder, JSON.stringify(log), JSON.stringify(records), new Date().toISOString()],
    );
    for (const j of jobs) if (!j.finished && (j.untouched || !j.later)) await this.finishIfDone(j.job_id);
    return { jobs: jobs.filter((j) => j.touched).map((j) => j.job_id), states: new Map(jobs.map((j) => [j.job_id, j.state])) };
  }

  /** RUNNING (or CANCELLED) job -> finished, once no item is pending, running or awaiting the registry. */
  async finishIfDone(jobId: string): Promise<void> {
    await rawExecute(
      this.prisma,
      `UPDATE bulk_jobs SET state = CASE WHEN state = 'RUNNING' THEN 'COMPLETED'::bulk_job_state ELSE state END, finished_at = now(), updated_at = now()
      WHERE id = $1 AND finished_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM bulk_items WHERE job_id = $1 AND state IN ('PENDING', 'RUNNING', 'AWAITING_REGISTRY'))`,
      [jobId],
    );
  }

  /**
   * Cancels a job: every item not yet started becomes CANCELLED and says so; items already
   * running or awaiting the registry finish with their real outcome (a command may be on its way). Returns how many were cancelled.
   */
  async cancel(jobId: string): Promise<number> {
    const error = json(cancelledError(0));
    // An item waiting to be tried again ran before: its last attempt failed in a way worth another
    // try (its error says which), and whether that attempt reached the registry is what the error
    // says, not "nothing was sent". It is not tried again.
    const [, unstarted, waiting] = await this.prisma.$transaction([
      this.prisma.bulkJob.updateMany({ where: { id: jobId, state: 'RUNNING' }, data: { state: 'CANCELLED' } }),
      this.prisma.bulkItem.updateMany({ where: { jobId, state: 'PENDING', attempts: 0 }, data: { state: 'CANCELLED', error } }),
      this.prisma.$executeRawUnsafe(
        `UPDATE bulk_items SET state = 'CANCELLED', updated_at = now(), error = ${cancelledWaitingSql('attempts', 'error')}
        WHERE job_id = $1 AND state = 'PENDING' AND attempts > 0`,
        jobId,
      ),
      // Cancelled items are final: their sealed auth codes go (inputWithoutSecrets).
      this.prisma.$executeRawUnsafe(`UPDATE bulk_items SET input = ${inputWithoutSecrets('input')} WHERE job_id = $1 AND state = 'CANCELLED' AND input->>'authInfo' IS NOT NULL`, jobId),
    ]);
    await this.finishIfDone(jobId);
    return unstarted.count + waiting;
  }

  /**
   * Deletes the jobs that finished more than `retentionDays` days ago (bulk.retentionDays, on the
   * database's clock), each with its items (ON DELETE CASCADE) and its items' idempotency records
   * (their keys derive from the job's key: itemKeySql), so that the job's key is free again and a
   * new job under it runs its items instead of answering from the old records. One job per
   * statement, oldest first, at most PURGE_JOBS_PER_ROUND per call (a round always ends; the next
   * goes on); jobs another instance's purge holds are skipped (FOR UPDATE SKIP LOCKED). Returns
   * the jobs and items deleted.
   */
  async purgeFinished(retentionDays: number): Promise<{ jobs: number; items: number }> {
    const purged = { jobs: 0, items: 0 };
    const key = itemKeySql(Prisma.raw('old.idempotency_key'), Prisma.raw('i.position'));
    const statement = Prisma.sql`WITH old AS (
        SELECT id, registrar_id, idempotency_key FROM bulk_jobs
        WHERE finished_at < now() - make_interval(days => ${retentionDays}::integer)
        ORDER BY finished_at LIMIT 1 FOR UPDATE SKIP LOCKED),
      records AS (
        DELETE FROM idempotency_records AS r USING old JOIN bulk_items AS i ON i.job_id = old.id
        WHERE r.registrar_id = old.registrar_id AND r.idempotency_key = ${key}
        RETURNING 1)
      DELETE FROM bulk_jobs AS j USING old WHERE j.id = old.id
      RETURNING j.total`;
    for (let round = 0; round < PURGE_JOBS_PER_ROUND; round++) {
      const [row] = await rawQuery<{ total: number }>(this.prisma, statement.text, statement.values);
      if (!row) break;
      purged.jobs++;
      purged.items += Number(row.total);
    }
    return purged;
  }

  /** The job's items by state. Read on every look at a job (a CLI's progress, every 100 ms in bench/bulk.mjs): straight through the pool on PostgreSQL (src/db/raw.ts). */
  async counts(jobId: string): Promise<JobCounts> {
    const groups = await rawQuery<{ state: string; n: number }>(this.prisma, `SELECT state::text AS state, count(*)::integer AS n FROM bulk_items WHERE job_id = $1 GROUP BY state`, [jobId]);
    const c: JobCounts = { pending: 0, running: 0, awaiting: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const g of groups) c[g.state === 'AWAITING_REGISTRY' ? 'awaiting' : (g.state.toLowerCase() as keyof JobCounts)] = Number(g.n);
    return c;
  }
}
