/**
 * Bulk items through a backend's native bulk endpoints, in chunks, instead of one command per item
 * (issue 10 item 4). A backend takes part when its capabilities include `bulk` and its limits say
 * how many domains one request carries (`bulkNames`): today REPP, whose "Bulk actions" endpoints
 * (shared/upstream/002_13834b2b835d5bf6.txt) renew, transfer and change a name server on a list of
 * domains, and replace a tech contact on every domain of the registrar's. Which kinds go native:
 *
 * | kind | native request | chunk |
 * | --- | --- | --- |
 * | RENEW | bulkRenew (POST /repp/v1/domains/renew/bulk) | bulkNames domains |
 * | TRANSFER | bulkTransfer (POST /repp/v1/domains/transfer) | bulkNames domains |
 * | REPLACE_NAMESERVER | bulkChangeNameserver with `domains` (PUT /repp/v1/registrar/nameservers) | bulkNames domains |
 * | REPLACE_TECH_CONTACT, every domain | bulkReplaceTechContact (PATCH /repp/v1/domains/contacts) | one request per job and instance |
 * | REPLACE_TECH_CONTACT with a list, UPDATE_STATUSES | none: per item (src/bulk/kinds.ts) | - |
 *
 * Exactly once: before a chunk is sent, each item's intent is written on its row (`input.sent`:
 * when, under which key, and what reconciliation compares, e.g. the renewal's current expiry),
 * only for items this instance still holds. An item that carries that mark when it runs again (a
 * crash, a lost answer, a transient failure) is reconciled first by reading the domain, as
 * src/idempotency/reconcile does for a single mutation, and is sent again only when that shows
 * nothing was applied. The native call itself is announced to the command log under the chunk's
 * key (`bulk:<job>:<first>..<last>`) before it is sent.
 */
import { DatabaseUnavailableError, GatewayError } from '../core/errors.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import { OutageLog } from '../observe/outage-log.js';
import type { CallContext } from '../core/model/index.js';
import type { RegistryPort } from '../core/port.js';
import type { BulkJob } from '../db/generated/client.js';
import { OutcomeUnknownError } from '../idempotency/errors.js';
import type { Logger } from '../logger.js';
import type { OperationEnv } from '../operations/run.js';
import type { BulkSettings } from './config.js';
import { BULK_OPERATIONS, type BulkKind, type BulkParams } from './kinds.js';
import { renew, transfer, type NativeRun, type Sent, type TechAnswer } from './native-kinds.js';
import { nameserver, techContact } from './native-replace.js';
import { isTransient, itemError, retryOf } from './runner.js';
import type { Sealer } from './seal.js';
import { cancelledError, itemKey, type ClaimedItem, type ItemOutcome } from './store.js';

/** What a lane does with the head of its queue: a chunk to send natively, null (run the head item on its own), or wait (pumped again later). */
export type NativeTake = ClaimedItem[] | null | 'wait';

type Mode = 'native' | 'items' | Promise<void>;

const MAX_MODES = 10_000;

/** Whether a job of this kind and these parameters can go through native bulk requests. */
export function nativeKind(kind: BulkKind, params: unknown): boolean {
  if (kind === 'RENEW' || kind === 'TRANSFER' || kind === 'REPLACE_NAMESERVER') return true;
  // REPP's tech-contact replacement has no domain list: only for a job over every domain.
  if (kind === 'REPLACE_TECH_CONTACT') return (params as BulkParams['REPLACE_TECH_CONTACT']).everyDomain === true;
  return false;
}

/** The native run of each kind that has one (nativeKind says which jobs). */
const NATIVE_KINDS: Partial<Record<string, (r: NativeRun) => Promise<void>>> = {
  RENEW: renew,
  TRANSFER: transfer,
  REPLACE_NAMESERVER: nameserver,
  REPLACE_TECH_CONTACT: techContact,
};

/** Decides per (job, backend) whether items go native or one by one, cuts chunks of `bulkNames` items, and runs them (at most the backend's sessions at once). */
export class NativeBulk {
  /** Per (job, backend): native, per item, or being looked up. */
  private readonly modes = new Map<string, Mode>();
  /** Chunks in flight per backend (at most its sessions). */
  private readonly running = new Map<string, number>();
  /** REPP's tech-contact replacement answers for every domain: its answer, per (job, backend), for the job's later chunks. */
  readonly techAnswers = new Map<string, TechAnswer>();
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly env: OperationEnv,
    private readonly sealer: Sealer,
    private readonly settings: BulkSettings,
    private readonly logger: Logger,
    /** Called when a job's mode became known: the lane may go on. */
    private readonly onReady: (backend: string) => void,
  ) {
    this.databaseOutage = new OutageLog(logger, 'bulk: native chunks while the database is not answering', 'their items run again after their back-off');
  }

  /** Chunks failing because the database is away: logged once per outage. */
  private readonly databaseOutage: OutageLog;

  /** Items a lane of `backend` keeps claimed: two chunks, so that a chunk is full when it is sent (0: no native endpoints). */
  buffer(backend: string): number {
    return 2 * (this.port(backend)?.limits.bulkNames ?? 0);
  }

  /**
   * Takes the next chunk off the head of a lane's queue: up to `bulkNames` items of the head
   * item's job when that job goes native on `backend` (and fewer than the backend's sessions
   * chunks are in flight), else null. Items of other jobs keep their places.
   */
  take(backend: string, queue: ClaimedItem[]): NativeTake {
    const head = queue[0];
    const port = this.port(backend);
    if (!head || !port?.limits.bulkNames) return null;
    const key = `${head.jobId}\u0000${backend}`;
    const mode = this.modes.get(key);
    if (mode === undefined) {
      this.lookUp(key, head.jobId, port);
      return 'wait';
    }
    if (mode === 'items') return null;
    if (mode !== 'native') return 'wait';
    if ((this.running.get(backend) ?? 0) >= port.limits.sessions) return 'wait';
    const chunk: ClaimedItem[] = [];
    const rest: ClaimedItem[] = [];
    for (const item of queue) (chunk.length < port.limits.bulkNames && item.jobId === head.jobId ? chunk : rest).push(item);
    queue.splice(0, queue.length, ...rest);
    this.running.set(backend, (this.running.get(backend) ?? 0) + 1);
    return chunk;
  }

  /** Runs a chunk `take` gave; answers one outcome per item still held (never throws). */
  async run(backend: string, chunk: ClaimedItem[]): Promise<ItemOutcome[]> {
    const run = new ChunkRun(this.env, this.sealer, this.settings, this);
    try {
      const job = await this.env.prisma.bulkJob.findUnique({ where: { id: chunk[0]!.jobId } });
      if (!job || job.state === 'CANCELLED') return chunk.map((i) => ({ id: i.id, state: 'CANCELLED' as const, error: cancelledError(i.attempts, run.sentOf(i) !== null), unclaimed: true }));
      const kind = NATIVE_KINDS[job.kind];
      if (!kind) throw new Error(`bulk: no native run for ${job.kind}`);
      await kind(run.begin(job, this.port(backend)!, chunk));
      for (const item of chunk) if (!run.settled(item)) throw new Error(`bulk: the native ${job.kind} run left an item without an outcome`);
      this.databaseOutage.succeeded();
    } catch (err) {
      // The database away: logged once per outage (the items run again after their back-off); anything else, as it comes.
      const unavailable = isDatabaseUnavailable(err);
      if (unavailable) this.databaseOutage.failed(err, { backend });
      else this.logger.error({ err, backend }, 'bulk: a native chunk failed unexpectedly');
      const cause = unavailable ? new DatabaseUnavailableError(err) : err;
      for (const item of chunk) if (!run.settled(item)) run.retry(item, cause);
    } finally {
      this.running.set(backend, (this.running.get(backend) ?? 1) - 1);
    }
    return run.outcomes;
  }

  /** Runs `fn` once the previous call under `key` has ended (a tech-contact job's chunks, one at a time on this instance). */
  serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    if (this.techAnswers.size > MAX_MODES) this.techAnswers.clear();
    const next = (this.chains.get(key) ?? Promise.resolve()).catch(() => undefined).then(fn);
    this.chains.set(key, next);
    const forget = () => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    };
    next.then(forget, forget);
    return next;
  }

  private port(backend: string): RegistryPort | null {
    try {
      return this.env.router.named(backend);
    } catch {
      return null;
    }
  }

  private lookUp(key: string, jobId: string, port: RegistryPort): void {
    if (this.modes.size > MAX_MODES) this.modes.clear();
    const done = (async (): Promise<'native' | 'items'> => {
      const job = await this.env.prisma.bulkJob.findUnique({ where: { id: jobId } });
      if (!job || !nativeKind(job.kind as BulkKind, job.params)) return 'items';
      return (await port.capabilities({ registrarId: job.registrarId })).bulk ? 'native' : 'items';
    })()
      .catch((err): 'items' | null => {
        // The registry's answer (no account here: FORBIDDEN) holds for every item: they run, and fail, one by one.
        if (err instanceof GatewayError && !isTransient(err)) return 'items';
        // Anything else (the database) is asked again: a job must not go one by one on one instance
        // and in marked chunks on another, or an item whose chunk's answer was lost could be sent again.
        this.logger.warn({ err, backend: port.name }, 'bulk: could not tell whether a job goes through native bulk requests; asking again');
        return null;
      })
      .then((mode) => {
        if (mode) this.modes.set(key, mode);
        else setTimeout(() => this.modes.delete(key), this.settings.idleMs).unref();
        this.onReady(port.name);
      });
    this.modes.set(key, done);
  }
}

/** One chunk's run: the outcomes so far, and what the kinds need (port, contexts, marks, reconciliation inputs). */
class ChunkRun implements NativeRun {
  readonly outcomes: ItemOutcome[] = [];
  private readonly done = new Set<bigint>();
  job!: BulkJob;
  port!: RegistryPort;
  items!: ClaimedItem[];

  constructor(
    readonly env: OperationEnv,
    private readonly sealer: Sealer,
    private readonly settings: BulkSettings,
    readonly bulk: NativeBulk,
  ) {}

  begin(job: BulkJob, port: RegistryPort, items: ClaimedItem[]): this {
    this.job = job;
    this.port = port;
    this.items = items;
    return this;
  }

  get params(): unknown {
    return this.job.params;
  }

  /** Reads (domain info) go out as the job's registrar, at most the backend's sessions at once, logged under the job's mutation (BULK_OPERATIONS), as background work (CallContext.background). */
  get readCall(): CallContext {
    return { registrarId: this.job.registrarId, operation: BULK_OPERATIONS[this.job.kind as BulkKind], background: true };
  }

  get upstreamId(): string {
    return this.port.upstreamId(this.job.registrarId);
  }

  /** The native call's context: its key names the job and the chunk's first and last positions, for the command log. */
  sendCall(operation: string, items: ClaimedItem[]): CallContext {
    const positions = items.map((i) => i.position);
    const key = `${itemKey(this.job.idempotencyKey, Math.min(...positions))}..${Math.max(...positions)}`;
    return { registrarId: this.job.registrarId, idempotencyKey: key, operation, background: true };
  }

  sentOf(item: ClaimedItem): Sent | null {
    const s = (item.input as { sent?: Sent } | null)?.sent;
    return s && typeof s.at === 'string' ? s : null;
  }

  authInfo(item: ClaimedItem): string | null {
    const sealed = (item.input as { authInfo?: string } | null)?.authInfo;
    return sealed ? this.sealer.open(sealed) : null;
  }

  /**
   * Writes each item's intent (`input.sent`) before its chunk is sent, in one statement, only on
   * rows this instance still holds; answers the items it wrote (the others are another's now).
   */
  async mark<T extends { item: ClaimedItem }>(parts: T[], operation: string, noted: (p: T) => Record<string, unknown> = () => ({})): Promise<T[]> {
    if (parts.length === 0) return [];
    const at = this.env.clock.now().toISOString();
    const key = this.sendCall(operation, parts.map((p) => p.item)).idempotencyKey;
    const rows = JSON.stringify(parts.map((p) => ({ id: p.item.id.toString(), sent: { at, key, ...noted(p) } })));
    const held = await this.env.prisma.$queryRaw<Array<{ id: bigint }>>`
      UPDATE bulk_items AS b
      SET input = (CASE WHEN jsonb_typeof(b.input) = 'object' THEN b.input ELSE '{}'::jsonb END) || jsonb_build_object('sent', v.sent), updated_at = now()
      FROM jsonb_to_recordset(${rows}::jsonb) AS v(id bigint, sent jsonb)
      WHERE b.id = v.id AND b.holder = ${this.settings.instanceId} AND b.state = 'RUNNING'
      RETURNING b.id`;
    const ids = new Set(held.map((h) => BigInt(h.id)));
    for (const p of parts) if (!ids.has(p.item.id)) this.done.add(p.item.id); // no longer ours: no outcome
    return parts.filter((p) => ids.has(p.item.id));
  }

  settled(item: ClaimedItem): boolean {
    return this.done.has(item.id);
  }

  succeed(item: ClaimedItem, result: unknown): void {
    if (this.done.has(item.id)) return;
    this.done.add(item.id);
    this.outcomes.push({ id: item.id, state: 'SUCCEEDED', result });
  }

  /** A definite refusal: final at once. */
  fail(item: ClaimedItem, err: unknown): void {
    if (this.done.has(item.id)) return;
    this.done.add(item.id);
    this.outcomes.push({ id: item.id, state: 'FAILED', error: itemError(err, { job: this.job, position: item.position }) });
  }

  /** Another attempt when the runner's rule (retryOf) gives one, else final. */
  retry(item: ClaimedItem, err: unknown): void {
    if (this.done.has(item.id)) return;
    const again = retryOf(err, item.attempts, this.settings);
    if (!again) return this.fail(item, err);
    this.done.add(item.id);
    this.outcomes.push({ id: item.id, state: 'PENDING', error: itemError(err, { job: this.job, position: item.position }), notBefore: again.notBefore, ...(again.uncounted ? { unclaimed: true } : {}) });
  }

  /** The verdict of a reconciliation that could not decide: tried again later, never sent blindly. */
  unknown(item: ClaimedItem, how: string): void {
    this.retry(item, new OutcomeUnknownError(`a bulk request that may have reached the registry left this item's outcome unknown (${how}); it is read again before anything is sent`));
  }

  /** Whether an error is a definite refusal (never retried). */
  definite(err: unknown): boolean {
    return err instanceof GatewayError && !isTransient(err);
  }
}
