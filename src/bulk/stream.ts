/**
 * The progress stream of one job (the `bulkJob` subscription): first the counts and every item
 * already finished or awaiting the registry, then, as items finish (or start awaiting the
 * registry: such an item is sent again when it is settled) on any instance, the counts and the new outcomes; it
 * ends after the event that shows the job finished. The store is the source of truth: outcomes
 * are read from it (items changed since the last read, less a margin for transactions that
 * committed late), each sent once; this instance's runner wakes the stream as soon as it writes,
 * other instances' writes are seen within `pollMs`. A transaction that commits later than the
 * margin (its rows carry the time it began) is caught by the counts: the job's final items
 * (SUCCEEDED, FAILED, CANCELLED: states an item never leaves) are counted before the items are
 * read, so when fewer were sent than counted the finished items are read again in full, and no
 * outcome is ever left out of the stream.
 *
 * Many followers of one job (500 subscribers of one bulkJob) read it at the same moments (each
 * settled batch wakes them all): every read (the job, its counts, its items) is shared by the
 * followers asking the same at the same time (src/db/shared-reads.ts), under that module's
 * ordering rule: a follower only gets a read that started after it asked, never one already
 * running, so the argument above (job, then counts, then items, each read after the one before)
 * holds for each follower as if it read alone. Followers in step build their events from the same
 * rows, so they yield the same event objects, which graphql-ws executes once for all identical
 * subscriptions (src/http/shared-subscribe.ts).
 */
import type { EventEmitter } from 'node:events';
import type { PrismaClient } from '../db/generated/client.js';
import type { BulkStore } from './store.js';
import { SameObjects, sharedReads } from '../db/shared-reads.js';
import { sharedItemView, sharedJobView, type ItemView, type JobView } from './views.js';

const LATE_COMMIT_MS = 2000;
const MAX_OUTCOMES_PER_EVENT = 1000;

/** One event of a job's progress stream: the job with its counts, and outcomes not sent before (at most 1,000). */
export interface BulkJobEventView {
  job: JobView;
  outcomes: ItemView[];
}

/** One event object per view and outcomes (by identity): followers in step yield the same object. */
const events = new SameObjects<BulkJobEventView>();

const FINAL = 2;
const FINAL_STATES = ['SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
const level = (state: string) => (state === 'AWAITING_REGISTRY' ? 1 : FINAL);

/**
 * A job's items in `states` changed at or after `from` (all of them without it), oldest change
 * first; shared with followers asking the same at the same time (src/db/shared-reads.ts: never a
 * read that started before the caller asked). The rows are shared: read them, never change them.
 */
function readItems(prisma: PrismaClient, jobId: string, from: Date | undefined, states: readonly string[] = ['AWAITING_REGISTRY', ...FINAL_STATES]) {
  return sharedReads(prisma).read(`bulk.items\u0000${jobId}\u0000${from?.getTime() ?? ''}\u0000${states.join(',')}`, () => itemRows(prisma, jobId, from, states));
}

function itemRows(prisma: PrismaClient, jobId: string, from: Date | undefined, states: readonly string[]) {
  return prisma.bulkItem.findMany({
    where: { jobId, state: { in: states as ('AWAITING_REGISTRY' | (typeof FINAL_STATES)[number])[] }, ...(from ? { updatedAt: { gte: from } } : {}) },
    orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }],
    select: { position: true, name: true, backend: true, state: true, attempts: true, result: true, error: true, updatedAt: true },
  });
}

/** What a job's stream reads and waits on: the database, this instance's runner's `settled` events, how often to look without one (ms). */
export interface StreamDeps {
  prisma: PrismaClient;
  store: BulkStore;
  settled: EventEmitter;
  pollMs: number;
}

/**
 * bulkJobStream as an iterator whose return() (a client that unsubscribes or goes away: graphql-ws
 * calls it while the stream waits for a change) ends the stream at once. An async generator takes
 * a return() only at its next yield, and the stream yields only on a change: a client that left a
 * job waiting on its registry (a Joker item: hours) kept its stream reading the database every
 * `pollMs` for nobody until the job moved.
 */
export function followJob(deps: StreamDeps, jobId: string): AsyncIterableIterator<BulkJobEventView> {
  const stop = new AbortController();
  const stream = bulkJobStream(deps, jobId, stop.signal);
  return {
    next: () => stream.next(),
    return: (value?: unknown) => {
      stop.abort();
      return stream.return(value as undefined);
    },
    throw: (err?: unknown) => {
      stop.abort();
      return stream.throw(err);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** The job's events (see the file's comment); ends after the one that shows it finished, or once `signal` aborts (followJob). */
export async function* bulkJobStream(deps: StreamDeps, jobId: string, signal?: AbortSignal): AsyncGenerator<BulkJobEventView> {
  const first = await deps.store.jobShared(jobId);
  if (!first) return;
  // Per position: 0 nothing sent yet, 1 sent as awaiting the registry, 2 (FINAL) sent final.
  const sent = new Uint8Array(first.total);
  let finalSent = 0;
  let since = new Date(0);
  let last: string | null = null;
  let wake: (() => void) | undefined;
  const onSettled = (id: string) => id === jobId && wake?.();
  deps.settled.on('settled', onSettled);
  try {
    for (;;) {
      // The job, then the counts, then the items: a job seen finished had every outcome written by
      // then (the statement that finishes a job may be the one that writes its last outcomes), and
      // every item counted final is committed, so the items read next hold them all (one that the
      // margin leaves out is found by the second read below) and the stream may end after them.
      let job = (await deps.store.jobShared(jobId))!;
      const counts = await deps.store.countsShared(jobId);
      // Every item final, the job not yet: the statement that wrote the last outcomes finished the
      // job too, after the job was read. Read again, so that one event shows the end, not one with
      // every item done and the job RUNNING followed by the same counts COMPLETED.
      // Likewise items counted CANCELLED with the job read RUNNING: a cancel commits the job's state
      // with its items, after the job was read (one event showing RUNNING with the cancelled counts).
      if (!job.finishedAt && (counts.pending + counts.running + counts.awaiting === 0 || (job.state === 'RUNNING' && counts.cancelled > 0))) job = (await deps.store.jobShared(jobId))!;
      const rows = await readItems(deps.prisma, jobId, new Date(since.getTime() - LATE_COMMIT_MS));
      const fresh = rows.filter((r) => sent[r.position]! < level(r.state));
      for (const r of fresh) if ((sent[r.position] = level(r.state)) === FINAL) finalSent++;
      if (rows.length > 0) since = rows[rows.length - 1]!.updatedAt;
      if (finalSent < counts.succeeded + counts.failed + counts.cancelled) {
        const late = (await readItems(deps.prisma, jobId, undefined, FINAL_STATES)).filter((r) => sent[r.position]! < FINAL);
        for (const r of late) (sent[r.position] = FINAL), finalSent++;
        fresh.push(...late);
      }
      const view = sharedJobView(job, counts);
      const outcomes = fresh.map(sharedItemView);
      // An event only when something changed: new outcomes, the counts or the state (nothing
      // while an item waits for the registry's completion, however often the runner looks).
      const shown = JSON.stringify([view.state, view.counts]);
      if (outcomes.length > 0 || shown !== last || job.finishedAt) {
        for (let i = 0; i === 0 || i < outcomes.length; i += MAX_OUTCOMES_PER_EVENT) {
          const part = outcomes.slice(i, i + MAX_OUTCOMES_PER_EVENT);
          yield events.get([view, ...part], () => ({ job: view, outcomes: part }));
        }
        last = shown;
      }
      if (job.finishedAt || signal?.aborted) return;
      // Woken by the runner, the abort or the timer, whichever is first; each takes the others away
      // (an abort listener left by every timed-out wait piled up on the signal for the job's life).
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, deps.pollMs);
        wake = done;
        signal?.addEventListener('abort', done, { once: true });
      });
      wake = undefined;
      if (signal?.aborted) return;
    }
  } finally {
    deps.settled.off('settled', onSettled);
  }
}
