/**
 * A REDIS_URL naming a database the Redis server does not have (`redis://host:6379/99`, where the
 * server has its default 16): the gateway logged "ERR DB index is out of range", then "Redis is
 * back", answered /readyz `redis: ok`, and kept its rate-limit budgets and poll events in
 * database 0, which whatever else uses that Redis shares. Now the start is refused as a config
 * error (src/pubsub/redis-database.ts): one line naming REDIS_URL and the database, exit 1, before
 * it listens; a database the server has, or a Redis out of reach (the degraded start), starts.
 * Against the machine's Redis (skipped without one).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config-error.js';
import { checkRedisDatabase } from '../../src/pubsub/redis-database.js';
import { compiledGateway, runCompiled } from '../helpers/processes.js';
import { REDIS, RedisFront, redisUp } from '../helpers/redis.js';

const started: ChildProcess[] = [];
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-redis-db-'));
});
afterAll(async () => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

const withDb = (db: number) => `${REDIS.replace(/\/\d*$/, '')}/${db}`;

describe.skipIf(!redisUp)('the Redis database REDIS_URL names (skipped: no Redis at TEST_REDIS_URL or 127.0.0.1:6379)', () => {
  it('is refused when the server does not have it, naming REDIS_URL and the database', async () => {
    const err = await checkRedisDatabase(withDb(99)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^config: redisUrl \(REDIS_URL\) names Redis database 99, which the Redis server does not have \(it answered "ERR DB index is out of range"/);
  });

  it('is taken when the server has it, and when Redis cannot be reached (the degraded start)', async () => {
    await expect(checkRedisDatabase(withDb(3))).resolves.toBeUndefined();
    const front = new RedisFront('down');
    const url = await front.start();
    try {
      await expect(checkRedisDatabase(`${url}/99`)).resolves.toBeUndefined();
    } finally {
      await front.close();
    }
  });

  it('the zero-setup start with such a REDIS_URL exits 1 with one line saying so, before it listens', async () => {
    const compiled = await compiledGateway();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: path.join(dir, 'data'), REDIS_URL: withDb(99), LOG_LEVEL: 'info' };
    for (const k of ['GATEWAY_CONFIG', 'DATABASE_URL', 'IDEMPOTENCY_KEY_SECRET', 'IDEMPOTENCY_KEY_FILE']) delete env[k];
    const r = await runCompiled(compiled, 'bundle/main.js', [], { cwd: dir, env, started });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^config: redisUrl \(REDIS_URL\) names Redis database 99, which the Redis server does not have/);
    expect(r.stdout).not.toContain('gateway listening');
    expect(r.stdout).not.toMatch(/rgw_\S{10,}/);
  }, 120_000);
});
