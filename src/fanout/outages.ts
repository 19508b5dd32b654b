/**
 * One batch of reads (a loader batch: a `domains` page's 200 domain infos, its contacts) meeting a
 * registry that is unavailable to the request. Without this, each read of the batch found out for
 * itself: a registry that times out cost every read its timeout, one fan-out budget after another
 * (200 reads over 8 at a time: 25 timeouts in a row), and a spent rate-limit share logged one
 * refused (NOT_SENT) command per domain.
 *
 * `BatchOutages` is the batch's scheduler (CallContext.scheduler): it runs each call through the
 * request's own scheduler (src/fanout/scheduler.ts) and, once a call at a backend fails with an
 * error that says the registry, not the object, is unavailable (OUTAGE_CODES), fails the batch's
 * calls at that backend that have not started yet with that same error, without sending them.
 * Calls already sent go on; other backends are not affected; the next batch (another request, or
 * the same one asking again) tries again. Every domain still gets its error (loaders.ts resolves
 * each key to it; the `domains` page names each domain, core/errors.ts DomainReadError).
 */
import { GatewayError } from '../core/errors.js';
import type { CallScheduler } from '../core/model/index.js';

/**
 * Codes of errors that say the registry is unavailable to this request, whatever object is read:
 * RATE_LIMITED (the gateway's share of the registry's rate limit is spent, or the registry's own
 * 429 outlasted the request's budget), UPSTREAM_UNAVAILABLE (not reachable, no answer in time, no
 * session to be had), UPSTREAM_AUTHENTICATION_ERROR (the registry refused the account's login).
 */
export const OUTAGE_CODES: ReadonlySet<string> = new Set(['RATE_LIMITED', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_AUTHENTICATION_ERROR']);

/** Whether `err` says the registry is unavailable to the request (OUTAGE_CODES), not that one object failed. */
export function isOutage(err: unknown): err is GatewayError {
  return err instanceof GatewayError && OUTAGE_CODES.has(err.code);
}

/**
 * The scheduler of one loader batch (src/loaders/loaders.ts batchCall): `run` as the request's
 * scheduler does, except that a call at a backend already found unavailable by this batch rejects
 * with that first error (the same object, shared: callers that name it per object wrap it, as
 * DomainReadError does) before anything is sent. `outage(backend)` answers that error, if any.
 */
export class BatchOutages implements CallScheduler {
  private readonly down = new Map<string, GatewayError>();

  /** @param inner the request's scheduler (absent: calls run at once, as without a scheduler) */
  constructor(private readonly inner?: CallScheduler) {}

  run<T>(backend: string, sessions: number, fn: () => Promise<T>): Promise<T> {
    // The check and the record happen inside the call's turn, so a call queued behind the first
    // failure sees it before it starts (the inner scheduler starts the next call only once this one
    // has settled).
    const go = async (): Promise<T> => {
      const known = this.down.get(backend);
      if (known) throw known;
      try {
        return await fn();
      } catch (err) {
        if (isOutage(err) && !this.down.has(backend)) this.down.set(backend, err);
        throw err;
      }
    };
    return this.inner ? this.inner.run(backend, sessions, go) : go();
  }

  /** The error that made `backend` unavailable to this batch, if any. */
  outage(backend: string): GatewayError | undefined {
    return this.down.get(backend);
  }
}
