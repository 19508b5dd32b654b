/**
 * Asynchronous processing (DMAPI document, "Basics"): an accepted request is a job, applied once
 * its delay has passed; its real answer (ACK, or NACK with the refusal's Status-Code and Error
 * lines) is then kept for result-list / result-retrieve. Processing is driven by the clock: every
 * request first applies the jobs that are due, in the order they were accepted.
 */
import type { Job } from './records.js';
import { Refusal } from './refusal.js';
import { DAY_MS, type Store } from './store.js';

/** How long a deleted domain stays redeemable (RGP), then it is purged. */
export const REDEMPTION_MS = 30 * DAY_MS;

function process(job: Job, now: number): void {
  try {
    const extra = job.apply(now);
    job.status = 'ack';
    job.answer = [['Status-Code', '0'], ['Status-Text', 'Command completed successfully'], ['Result', 'ACK'], ...extra];
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    job.status = 'nack';
    job.answer = [['Status-Code', String(e.statusCode)], ['Status-Text', e.statusText], ['Result', 'NACK'], ...e.errors.map((m): [string, string] => ['Error', m])];
  }
  // "If detailed information (content) is not available, only status will be returned."
  if (job.deleted || job.statusOnly) job.answer = null;
}

/** Applies every due job and purges domains past redemption. */
export function tick(store: Store, now: number): void {
  if (!store.held) {
    for (const job of store.jobs) {
      if (job.status !== '?' || job.dueAt > now) continue;
      // What the job looks up counts as changed (the state file journals it), and so does the object it names.
      store.noteJob(job.procId);
      for (const kind of ['domain', 'contact', 'host'] as const) store.noteChanged(kind, job.object);
      const tracking = store.tracking;
      store.tracking = true;
      try {
        process(job, now);
      } finally {
        store.tracking = tracking;
      }
    }
  }
  for (const [name, d] of store.domains) if (d.deletedAt !== null && now - d.deletedAt > REDEMPTION_MS) store.domains.delete(name);
}
