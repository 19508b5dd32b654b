/**
 * The fixture the IdempotencyService unit tests share (test/unit/idempotency/{service,sweep,deferred}.test.ts):
 * a real, fresh database, a fake clock, the gateway's command log on them, and a fake registry
 * that answers infoDomain from a map, so that reconciliation goes through the real per-operation
 * functions while each test says what the registry holds.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { CommandLog } from '../../src/commandlog/command-log.js';
import { FakeClock } from '../../src/core/clock.js';
import { ObjectNotFoundError } from '../../src/core/errors.js';
import type { Domain } from '../../src/core/model/index.js';
import type { IdempotencyRecord } from '../../src/db/generated/client.js';
import type { RegistryPort } from '../../src/core/port.js';
import { Fingerprints } from '../../src/idempotency/fingerprint.js';
import { IdempotencyService, type IdempotencyOptions } from '../../src/idempotency/service.js';
import type { Router } from '../../src/routing/router.js';
import { freshDatabase, type TestDatabase } from './db.js';

/** The registrar every request of the fixture is made for (the services know only it). */
export const REGISTRAR = 'NewRegistrar';
/** The name of the fixture's one fake backend, which the router gives for every domain. */
export const BACKEND = 'sandbox-nomulus';
/** The fake clock's time at the start of every test. */
export const START = '2026-06-01T00:00:00Z';

/**
 * What useIdempotencyFixture returns. Its fields are replaced before every test (the database is
 * kept for the file), so read them when a test runs (`fx.clock`), never copy them at load time.
 */
export interface IdempotencyFixture {
  /** The file's database (fresh and migrated; dropped or deleted after the file's last test). */
  db: TestDatabase;
  /** A fake clock at START, new for each test; the services' clock (not the wall clock of their leases). */
  clock: FakeClock;
  /** The gateway's command log on db and clock (pino silent), new for each test; the services reconcile through it. */
  log: CommandLog;
  /** The fake registry's domains by name, empty at each test's start: what infoDomain answers (2303 when absent). */
  domains: Map<string, Domain>;
  /** When set, every infoDomain throws it (the registry cannot be read); null at each test's start. */
  readFailure: Error | null;
  /** The deployment's fingerprint key, one for every service here as for every instance of a deployment. */
  fingerprints: Fingerprints;
  /**
   * A new IdempotencyService on db and clock with the fake registry, the command log and REGISTRAR
   * (pollMs 10 unless opts say otherwise); `prisma`: another client of db to use instead (one
   * that fails on demand; its idempotency leases write through it too).
   */
  service(opts?: Partial<IdempotencyOptions>, prisma?: TestDatabase['prisma']): IdempotencyService;
  /** The idempotency record of REGISTRAR's key, or null. */
  record(key: string): Promise<IdempotencyRecord | null>;
  /** The registry applies a create: the domain exists, REGISTRAR's, created now (clock), expiring in 365 days. */
  registryCreates(name: string): void;
  /**
   * Writes what a process killed while it owned the request leaves: the request's record IN_PROGRESS
   * on BACKEND, created now (clock), its lease last renewed a minute ago by the wall clock (so lapsed
   * for any leaseMs under 60 s), expiring in an hour. Resolves once the row is written.
   */
  leftInProgress(r: { key: string; operation: string; args: { name: string } }): Promise<void>;
}

/**
 * Registers the fixture's hooks in the calling test file: beforeAll opens a fresh database
 * (freshDatabase()), beforeEach makes a new clock, command log and empty registry, afterAll closes
 * the database (which drops the PostgreSQL database or deletes the PGlite copy). Returns the
 * fixture, whose fields are set once those hooks have run.
 */
export function useIdempotencyFixture(): IdempotencyFixture {
  const port = {
    name: BACKEND,
    kind: 'epp',
    hasAccount: () => true,
    upstreamId: (r: string) => r,
    async infoDomain(_c: unknown, name: string) {
      if (fx.readFailure) throw fx.readFailure;
      const d = fx.domains.get(name);
      if (!d) throw new ObjectNotFoundError('Object does not exist', { upstreamCode: 2303 });
      return { data: d, trid: { client: 'R', server: 'S' }, code: 1000 };
    },
  } as unknown as RegistryPort;
  const router = { named: () => port, forDomain: () => port } as unknown as Router;

  const fx: IdempotencyFixture = {
    db: undefined as unknown as TestDatabase,
    clock: undefined as unknown as FakeClock,
    log: undefined as unknown as CommandLog,
    domains: new Map(),
    readFailure: null,
    fingerprints: new Fingerprints(Buffer.from('idempotency-test-fingerprint-key-of-32+-bytes')),
    service: (opts = {}, prisma = fx.db.prisma) =>
      new IdempotencyService(prisma, fx.clock, { pollMs: 10, fingerprints: fx.fingerprints, ...opts }, { router, commandLog: fx.log, registrars: [{ id: REGISTRAR }] }),
    record: (key) => fx.db.prisma.idempotencyRecord.findUnique({ where: { registrarId_idempotencyKey: { registrarId: REGISTRAR, idempotencyKey: key } } }),
    registryCreates(name) {
      fx.domains.set(name, {
        name, statuses: ['ok'], rgpStatuses: [], contacts: [], nameservers: [], subordinateHosts: [], dnssec: { dsData: [], keyData: [] },
        sponsor: REGISTRAR, createdAt: fx.clock.now(), expiresAt: new Date(fx.clock.now().getTime() + 365 * 86400_000),
      });
    },
    async leftInProgress(r) {
      await fx.db.prisma.idempotencyRecord.create({
        data: {
          registrarId: REGISTRAR, idempotencyKey: r.key, operation: r.operation, fingerprint: fx.fingerprints.of(r.operation, r.args),
          state: 'IN_PROGRESS', request: { args: { name: r.args.name }, noted: {} }, backend: BACKEND,
          createdAt: fx.clock.now(), updatedAt: new Date(Date.now() - 60_000), expiresAt: new Date(fx.clock.now().getTime() + 3600_000),
        },
      });
    },
  };

  beforeAll(async () => {
    fx.db = await freshDatabase();
  });
  afterAll(() => fx.db?.close());
  beforeEach(() => {
    fx.clock = new FakeClock(START);
    fx.log = new CommandLog(fx.db.prisma, pino({ level: 'silent' }), fx.clock);
    fx.domains = new Map();
    fx.readFailure = null;
  });
  return fx;
}
