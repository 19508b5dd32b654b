import type { Services } from '../context.js';

/** How long one dependency may take to answer a readiness check. */
const CHECK_TIMEOUT_MS = 2_000;

export interface Readiness {
  ready: boolean;
  /** Per dependency: "ok", "not configured", or what went wrong (never a connection string). */
  checks: Record<string, string>;
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
 * Readiness for a load balancer (GET /readyz): the database answers and, with REDIS_URL, Redis
 * does, and the instance is not shutting down (it then still serves, for the load balancer to
 * notice first). Liveness (GET /healthz) only says the process serves HTTP.
 */
export async function readiness(services: Pick<Services, 'prisma' | 'events' | 'config'>, shuttingDown = false): Promise<Readiness> {
  const [database, redis] = await Promise.all([
    check(() => services.prisma.$queryRaw`SELECT 1`),
    services.config.redisUrl ? check(() => services.events.ping()) : Promise.resolve('not configured'),
  ]);
  const checks: Record<string, string> = { database, redis };
  if (shuttingDown) checks.instance = 'shutting down';
  return { ready: !shuttingDown && database === 'ok' && (redis === 'ok' || redis === 'not configured'), checks };
}
