import type { Services } from '../context.js';

/** How long one dependency may take to answer a readiness check. */
const CHECK_TIMEOUT_MS = 2_000;

/** GET /readyz's JSON body (readiness below): `ready` decides HTTP 200 or 503. */
export interface Readiness {
  ready: boolean;
  /** Per dependency: "ok", "not configured", or what went wrong (never a connection string). */
  checks: Record<string, string>;
  /** Dependencies that do not answer but that the instance serves without (today only "redis"); absent when none. */
  degraded?: string[];
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function check(run: () => Promise<unknown>): Promise<string> {
  try {
    await within(run(), CHECK_TIMEOUT_MS);
    return 'ok';
  } catch (err) {
    return `unavailable: ${err instanceof Error && /no answer within/.test(err.message) ? err.message : 'not reachable'}`;
  }
}

/**
 * Readiness for a load balancer (GET /readyz): ready (HTTP 200) while the database answers within
 * 2 s and the instance is not shutting down (it then still serves, for the load balancer to notice
 * first); else 503. `checks` names each dependency's state: "ok", "not configured" or
 * "unavailable: ..." (never a connection string).
 *
 * Redis (with REDIS_URL) is reported in `checks` and, when it does not answer, in `degraded`, but
 * does not make the instance unready: every instance of a deployment shares one Redis, so a Redis
 * outage that failed readiness would take every instance out of the load balancer at once, while
 * each of Redis's users carries on without it (poll events are re-read from the store once Redis
 * is back, so they are delayed, never lost; the per-key rate limit and the HeadlessDomains shares
 * count per instance meanwhile: README, "Scaling out"). Liveness (GET /healthz) only says the
 * process serves HTTP.
 */
export async function readiness(services: Pick<Services, 'prisma' | 'events' | 'config'>, shuttingDown = false): Promise<Readiness> {
  const [database, redis] = await Promise.all([
    check(() => services.prisma.$queryRaw`SELECT 1`),
    services.config.redisUrl ? check(() => services.events.ping()) : Promise.resolve('not configured'),
  ]);
  const checks: Record<string, string> = { database, redis };
  if (shuttingDown) checks.instance = 'shutting down';
  const ready = !shuttingDown && database === 'ok';
  return redis.startsWith('unavailable') ? { ready, checks, degraded: ['redis'] } : { ready, checks };
}
