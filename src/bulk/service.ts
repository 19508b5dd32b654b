/**
 * Bulk jobs as the API and the CLI use them: submit, read (job, counts, items by state), cancel,
 * follow. Only the registrar that submitted a job sees it: another registrar's job id reads as
 * no job at all.
 */
import type { BulkItemState } from '../db/generated/client.js';
import { ObjectNotFoundError } from '../core/errors.js';
import type { Fingerprints } from '../idempotency/fingerprint.js';
import type { Logger } from '../logger.js';
import type { Actor } from '../operations/run.js';
import type { BulkSettings } from './config.js';
import { SessionHintWriter } from './session-hint.js';
import { BulkRunner, type BulkEnv } from './runner.js';
import { Sealer } from './seal.js';
import { BulkStore } from './store.js';
import { followJob, type BulkJobEventView } from './stream.js';
import { submitBulkJob, type BulkRequest } from './submit.js';
import { countsView, itemView, jobView, type CountsView, type ItemView, type JobView } from './views.js';

/**
 * OBJECT_NOT_FOUND's message for a job id that is well formed but names none of the registrar's
 * jobs: the id itself is not quoted (36 characters, more than an error quotes of what was sent),
 * the error's `field` ("id") names it.
 */
export const NO_BULK_JOB = "no bulk job of this registrar's has this id";

/**
 * The bulk API's entry point: the store, the runner (started only when bulk.enabled), submit, reads
 * and cancel. Each takes the caller's registrar id: another registrar's job reads as none (null;
 * cancel and follow throw ObjectNotFoundError, OBJECT_NOT_FOUND, with field "id": the argument of
 * cancelBulkJob and of the bulkJob subscription). Ids come checked (parseJobId, src/validation/ids.ts).
 */
export class BulkService {
  readonly store: BulkStore;
  readonly runner: BulkRunner;
  private readonly sealer: Sealer;

  constructor(
    private readonly env: BulkEnv,
    private readonly fingerprints: Fingerprints,
    readonly settings: BulkSettings,
    private readonly logger: Logger,
    /** The runner's sessions hint file (sessionHintPath), or none. */
    hintFile?: string | null,
  ) {
    this.store = new BulkStore(env.prisma);
    this.sealer = new Sealer(fingerprints);
    this.runner = new BulkRunner(env, this.store, this.sealer, settings, logger, hintFile ? new SessionHintWriter(hintFile, settings.instanceId, logger) : undefined);
  }

  async start(): Promise<void> {
    if (this.settings.enabled) await this.runner.start();
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  /**
   * Deletes the jobs finished more than bulk.retentionDays ago, with their items and their items'
   * idempotency records (BulkStore.purgeFinished); run by the hourly housekeeping (startPurgeTimer).
   */
  purgeFinished(): Promise<{ jobs: number; items: number }> {
    return this.store.purgeFinished(this.settings.retentionDays);
  }

  /** Checks and writes a job (see submitBulkJob); the runner starts on it at once. */
  async submit(actor: Actor, req: BulkRequest): Promise<{ job: JobView; replayed: boolean }> {
    const deps = { env: this.env, store: this.store, sealer: this.sealer, fingerprints: this.fingerprints, logger: this.logger, maxItems: this.settings.maxItems, limits: { maxOpenJobs: this.settings.maxOpenJobs, maxPendingItems: this.settings.maxPendingItems }, onSubmitted: () => this.runner.wake() };
    const { job, replayed } = await submitBulkJob(deps, actor, req);
    // A job just written has every item PENDING: its counts are known without reading 10,000 rows
    // back (the runner, woken already, may have claimed some since; the job's reads say so).
    if (!replayed) return { job: jobView(job, { pending: job.total, running: 0, awaiting: 0, succeeded: 0, failed: 0, cancelled: 0 }), replayed };
    return { job: jobView(job), replayed };
  }

  /** The registrar's job, or null (none, or another registrar's). */
  async job(registrarId: string, id: string): Promise<JobView | null> {
    const job = await this.store.find(registrarId, id);
    return job ? jobView(job) : null;
  }

  /**
   * The job's items by state (one GROUP BY over the job's items): read only when a query asks for
   * BulkJob.counts, so that a client polling `finishedAt` or `state` costs one row's read.
   */
  async counts(jobId: string): Promise<CountsView> {
    return countsView(await this.store.counts(jobId));
  }

  /** Items after position `after`, in order, only those in `states` when given; `first` at most. */
  async items(jobId: string, first: number, after: number | null, states: BulkItemState[] | null): Promise<{ items: ItemView[]; hasMore: boolean }> {
    const rows = await this.env.prisma.bulkItem.findMany({
      where: { jobId, ...(after !== null ? { position: { gt: after } } : {}), ...(states ? { state: { in: states } } : {}) },
      orderBy: { position: 'asc' },
      take: first + 1,
    });
    return { items: rows.slice(0, first).map(itemView), hasMore: rows.length > first };
  }

  /** Whether the job has items (in `states`, when given) before position `position`. */
  async hasItemsBefore(jobId: string, position: number, states: BulkItemState[] | null): Promise<boolean> {
    const row = await this.env.prisma.bulkItem.findFirst({ where: { jobId, position: { lt: position }, ...(states ? { state: { in: states } } : {}) }, select: { id: true } });
    return row !== null;
  }

  /**
   * Cancels the registrar's job (ObjectNotFoundError when it has none with this id); answers it as
   * it stands then, with its counts read right after the cancel (what cancelBulkJob answers, and
   * keeps as its idempotency key's answer).
   */
  async cancel(registrarId: string, id: string): Promise<JobView> {
    const job = await this.store.find(registrarId, id);
    if (!job) throw new ObjectNotFoundError(NO_BULK_JOB, { field: 'id' });
    await this.store.cancel(id);
    this.runner.forget(id);
    return jobView((await this.store.find(registrarId, id))!, await this.store.counts(id));
  }

  /** Progress events of the registrar's job (ObjectNotFoundError on field "id" when it has none with this id). */
  async follow(registrarId: string, id: string): Promise<AsyncIterableIterator<BulkJobEventView>> {
    if (!(await this.store.findShared(registrarId, id))) throw new ObjectNotFoundError(NO_BULK_JOB, { field: 'id' });
    return followJob({ prisma: this.env.prisma, store: this.store, settled: this.runner.events, pollMs: this.settings.idleMs }, id);
  }

}
