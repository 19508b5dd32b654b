/**
 * CommonJS packages the gateway needs only in some deployments, loaded on first use instead of at
 * start: ioredis (about 40 modules) only with REDIS_URL, rate-limiter-flexible (about 36) only
 * with a HeadlessDomains backend or once the HTTP side's limits load. A restarted instance then
 * reaches its bulk runner sooner (src/server.ts starts it before the HTTP side loads). `require`
 * shares Node's module cache with `import`, so a class from here is the one an import gives
 * (instanceof holds across both).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The ioredis package (https://github.com/redis/ioredis), loaded on the first call. */
export const ioredis = (): typeof import('ioredis') => require('ioredis') as typeof import('ioredis');

/** The rate-limiter-flexible package (https://github.com/animir/node-rate-limiter-flexible), loaded on the first call. */
export const rateLimiterFlexible = (): typeof import('rate-limiter-flexible') => require('rate-limiter-flexible') as typeof import('rate-limiter-flexible');
