/**
 * Retrying what the registry refused for now (HTTP 429 "Too Many Requests", 503 "Service
 * Unavailable", REPP document "Errors"): neither applied the request, so it is sent again after a
 * delay: the server's Retry-After when it gives one, else exponential back-off. Retries stop when
 * the next delay would end after the budget; then the last answer is returned as it is (and
 * becomes UPSTREAM_UNAVAILABLE, retryable, not applied).
 */

/** How 429/503 answers are retried (all times in ms; see DEFAULT_RETRY). */
export interface RetryPolicy {
  /** Total time the retries of one request may take, in ms. Default 15000. */
  budgetMs: number;
  /** First back-off delay, in ms (then doubled). Default 500. */
  baseDelayMs: number;
  /** Longest single delay, in ms, also for a Retry-After. Default 8000. */
  maxDelayMs: number;
  /** Attempts at most, the first included. Default 5. */
  maxAttempts: number;
}

/** The default retry bounds: 15 s budget, 500 ms first delay doubling to at most 8 s, 5 attempts. */
export const DEFAULT_RETRY: RetryPolicy = { budgetMs: 15_000, baseDelayMs: 500, maxDelayMs: 8_000, maxAttempts: 5 };

/** Time source and sleep, injected so tests run without waiting. */
export interface Timer {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The real Timer: performance.now() in ms and a setTimeout sleep. */
export const systemTimer: Timer = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The HTTP statuses withRetry sends again (429 Too Many Requests, 503 Service Unavailable: REPP document, "Errors"); neither applied the request. */
export const RETRIED_STATUSES = new Set([429, 503]);

/**
 * Retry-After as a delay in ms: delta-seconds, or an HTTP date (RFC 9110 section 10.2.3) measured
 * against `nowMs` (ms since the epoch: the backend's clock; Date.now() only where none is injected).
 */
export function retryAfterMs(value: string | string[] | undefined, nowMs = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * Runs `attempt` until its answer is not 429/503, attempts run out, or the next delay would pass the
 * budget. Delays and the budget run on `timer`; a Retry-After given as an HTTP date is measured
 * against `epochMs()` (now in ms since the epoch on the backend's clock; `timer.now()` need not be
 * on the epoch: systemTimer's is performance.now()).
 */
export async function withRetry<T extends { status: number; headers: Record<string, string | string[] | undefined> }>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  timer: Timer,
  epochMs: () => number,
): Promise<{ raw: T; attempts: number }> {
  const deadline = timer.now() + policy.budgetMs;
  for (let n = 1; ; n++) {
    const raw = await attempt();
    if (!RETRIED_STATUSES.has(raw.status) || n >= policy.maxAttempts) return { raw, attempts: n };
    const backoff = policy.baseDelayMs * 2 ** (n - 1);
    const delay = Math.min(policy.maxDelayMs, retryAfterMs(raw.headers['retry-after'], epochMs()) ?? backoff);
    if (timer.now() + delay > deadline) return { raw, attempts: n };
    await timer.sleep(delay);
  }
}
