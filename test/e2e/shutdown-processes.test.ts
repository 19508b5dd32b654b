/**
 * A gateway process stopped with SIGTERM (a deploy, `docker stop`, Kubernetes) closes in order:
 * src/main.ts's handler says "shutting down" on /readyz for shutdownDelayMs while requests are
 * still served, then closes the bulk runner, the sessions and the database, and exits 0. The
 * process runs as in production (NODE_ENV=production), where Apollo Server would otherwise stop on
 * the signal by itself and re-raise it, killing the process before that close ran.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.js';
import { startGatewayProcesses, type GatewayProcesses } from '../helpers/gateway-processes.js';
import { configFor, startSharedSandbox, type SharedSandbox } from '../helpers/processes.js';

const PG = process.env.TEST_DATABASE_URL;

describe.skipIf(!PG)('a gateway process stopped with SIGTERM in production (skipped: set TEST_DATABASE_URL to run it)', () => {
  let procs: GatewayProcesses;
  let shared: SharedSandbox;

  beforeAll(async () => {
    procs = await startGatewayProcesses('rgw-shutdown-');
    shared = await startSharedSandbox({ name: 'sandbox-nomulus', profile: 'nomulus' });
  }, 60_000);
  afterAll(async () => {
    await procs?.close();
    await shared?.stop();
  });

  it('closes everything it holds and exits 0', async () => {
    const g = await procs.spawn({ config: configFor([shared], { poll: { intervalMs: 2000, leaseMs: 10_000, maxBackoffMs: 60_000, enabled: false } }), env: { NODE_ENV: 'production' } });
    const { key } = await createApiKey(procs.db.prisma, 'TheRegistrar', 'shutdown');
    expect((await g.gql(key, '{ viewer { id } }')).data?.viewer.id).toBe('TheRegistrar');
    const ended = await g.stop();
    expect(ended).toEqual({ code: 0, signal: null });
    expect(g.output()).toMatch(/"msg":"shutting down"/);
    expect(g.output()).toMatch(/"msg":"gateway closed"/);
  }, 60_000);

  it('a SIGTERM sent the moment it logs "gateway listening" still closes it and exits 0', async () => {
    // Its handler was added after that line: a signal in between killed it at once (no close, the
    // embedded database's lock left), as `npm run sandbox` lost its lock under load. spawn()
    // resolves on that line and stop() sends SIGTERM at once.
    for (let round = 0; round < 3; round++) {
      const g = await procs.spawn({ config: configFor([shared], { poll: { intervalMs: 2000, leaseMs: 10_000, maxBackoffMs: 60_000, enabled: false } }), env: { NODE_ENV: 'production' } });
      expect(await g.stop()).toEqual({ code: 0, signal: null });
      expect(g.output()).toMatch(/"msg":"gateway closed"/);
    }
  }, 90_000);
});
