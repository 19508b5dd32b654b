/**
 * settleAbandoned: what a dead process (or a client that never retried) left unknown is settled
 * without waiting for a retry, so no command-log entry stays UNKNOWN. Real database, fake registry.
 */
import 'reflect-metadata';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CommandLog } from '../../../src/commandlog/command-log.js';
import { FakeClock } from '../../../src/core/clock.js';
import { ObjectNotFoundError, UpstreamUnavailableError } from '../../../src/core/errors.js';
import type { Domain } from '../../../src/core/model/index.js';
import type { RegistryPort } from '../../../src/core/port.js';
import { Fingerprints } from '../../../src/idempotency/fingerprint.js';
import { IdempotencyService, type StoredResult } from '../../../src/idempotency/service.js';
import type { Router } from '../../../src/routing/router.js';
import { commandLogEntry } from '../../../resolvers/commandlog/commandlog.resolver.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

const US = 'NewRegistrar';
const BACKEND = 'sandbox-nomulus';
let db: TestDatabase;
let clock: FakeClock;
let log: CommandLog;
let domains: Map<string, Domain>;
let readFailure: Error | null;

const port = {
  name: BACKEND,
  kind: 'epp',
  hasAccount: () => true,
  upstreamId: (r: string) => r,
  async infoDomain(_c: unknown, name: string) {
    if (readFailure) throw readFailure;
    const d = domains.get(name);
    if (!d) throw new ObjectNotFoundError('Object does not exist', { upstreamCode: 2303 });
    return { data: d, trid: { client: 'R', server: 'S' }, code: 1000 };
  },
} as unknown as RegistryPort;
const router = { named: () => port, forDomain: () => port } as unknown as Router;
const fingerprints = new Fingerprints(Buffer.from('sweep-test-fingerprint-key-of-32+-bytes'));
const service = (leaseMs = 15_000) => new IdempotencyService(db.prisma, clock, { pollMs: 10, leaseMs, fingerprints }, { router, commandLog: log, registrars: [{ id: US }] });

let n = 0;
const req = () => ({ registrarId: US, key: `sweep-${++n}-${Date.now()}`, operation: 'createDomain', args: { name: `s${n}.tld`, period: { value: 1, unit: 'y' }, authInfo: 'Secret-Pw-1' } });
const event = (clTRID: string, r: ReturnType<typeof req>) => ({ registrarId: US, backend: BACKEND, command: 'domain:create' as const, objectName: r.args.name, clTRID, durationMs: 5, idempotencyKey: r.key, operation: 'createDomain' });
const record = (key: string) => db.prisma.idempotencyRecord.findUnique({ where: { registrarId_idempotencyKey: { registrarId: US, idempotencyKey: key } } });
async function outcomes(key: string) {
  await log.flush();
  return (await db.prisma.commandLog.findMany({ where: { idempotencyKey: key }, orderBy: { id: 'asc' } })).map((row) => commandLogEntry(row).outcome);
}
function registryCreates(name: string) {
  domains.set(name, {
    name, statuses: ['ok'], rgpStatuses: [], contacts: [], nameservers: [], subordinateHosts: [], dnssec: { dsData: [], keyData: [] },
    sponsor: US, createdAt: clock.now(), expiresAt: new Date(clock.now().getTime() + 365 * 86400_000),
  });
}
/** A request whose command was sent and never answered, its outcome left unknown (no retry came). */
async function leftUnknown(r: ReturnType<typeof req>, applied: boolean) {
  await expect(
    service().run(r, async () => {
      await log.start(event('GW-lost', r));
      if (applied) registryCreates(r.args.name);
      log.record(event('GW-lost', r));
      throw new UpstreamUnavailableError('no answer', { maybeApplied: true, backend: BACKEND });
    }),
  ).rejects.toThrow();
  expect((await record(r.key))!.state).toBe('OUTCOME_UNKNOWN');
}
/** What a process killed right after announcing its command leaves: IN_PROGRESS, lease not renewed since, the entry unanswered. */
async function deadOwner(r: ReturnType<typeof req>) {
  await db.prisma.idempotencyRecord.create({
    data: {
      registrarId: US, idempotencyKey: r.key, operation: r.operation, fingerprint: fingerprints.of(r.operation, r.args),
      state: 'IN_PROGRESS', request: { args: { name: r.args.name }, noted: {} }, backend: BACKEND,
      createdAt: clock.now(), updatedAt: new Date(Date.now() - 60_000), expiresAt: new Date(clock.now().getTime() + 3600_000),
    },
  });
  await log.start(event('GW-dead', r));
}

beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(() => db?.close());
beforeEach(() => {
  clock = new FakeClock('2026-06-01T00:00:00Z');
  log = new CommandLog(db.prisma, pino({ level: 'silent' }), clock);
  domains = new Map();
  readFailure = null;
});

describe('settleAbandoned', () => {
  it('applied: the record answers as a retry would (replayed, nothing sent), the entry RECONCILED_APPLIED', async () => {
    const r = req();
    await leftUnknown(r, true);
    expect(await outcomes(r.key)).toEqual(['UNKNOWN']);
    await service().settleAbandoned();
    expect(await outcomes(r.key)).toEqual(['RECONCILED_APPLIED']);
    expect((await record(r.key))!).toMatchObject({ state: 'SUCCEEDED', clientTrid: 'GW-lost' });
    let sent = 0;
    expect(await service().run(r, async () => (++sent, {} as StoredResult))).toMatchObject({ replayed: true, result: { name: r.args.name } });
    expect(sent).toBe(0);
  });

  it('a dead owner whose command did not land: the entry RECONCILED_NOT_APPLIED; the retry reconciles and sends once', async () => {
    const r = req();
    await deadOwner(r);
    expect(await outcomes(r.key)).toEqual(['UNKNOWN']);
    await service().settleAbandoned();
    expect(await outcomes(r.key)).toEqual(['RECONCILED_NOT_APPLIED']);
    expect((await record(r.key))!.state).toBe('OUTCOME_UNKNOWN');
    let sent = 0;
    const out = await service().run(r, async () => {
      sent++;
      await log.start(event('GW-again', r));
      log.record({ ...event('GW-again', r), code: 1000 });
      registryCreates(r.args.name);
      return { trid: { client: 'GW-again', server: 'SV' }, code: 1000, name: r.args.name };
    });
    expect(out).toMatchObject({ replayed: false });
    expect(sent).toBe(1);
    expect(await outcomes(r.key)).toEqual(['RECONCILED_NOT_APPLIED', 'SUCCEEDED']);
  });

  it('a command that landed after the sweep found it missing: the retry finds it applied and the entry says so', async () => {
    const r = req();
    await leftUnknown(r, false);
    await service().settleAbandoned();
    expect(await outcomes(r.key)).toEqual(['RECONCILED_NOT_APPLIED']);
    registryCreates(r.args.name); // the registry processed it late
    expect(await service().run(r, async () => ({}) as StoredResult)).toMatchObject({ replayed: true });
    expect(await outcomes(r.key)).toEqual(['RECONCILED_APPLIED']);
  });

  it('registry unreadable: left for the next round; settled once it can be read', async () => {
    const r = req();
    await leftUnknown(r, true);
    readFailure = new UpstreamUnavailableError('down', { maybeApplied: false });
    expect(await service().settleAbandoned()).toBe(0);
    expect(await outcomes(r.key)).toEqual(['UNKNOWN']);
    readFailure = null;
    await service().settleAbandoned();
    expect(await outcomes(r.key)).toEqual(['RECONCILED_APPLIED']);
  });

  it('leaves live owners alone', async () => {
    const r = req();
    let finish!: () => void;
    const running = service(60_000).run(r, async () => {
      await log.start(event('GW-live', r));
      await new Promise<void>((res) => (finish = res));
      return { trid: { client: 'GW-live' }, name: r.args.name };
    });
    await expect.poll(async () => (await outcomes(r.key)).length).toBe(1);
    await service(60_000).settleAbandoned();
    expect((await record(r.key))!.state).toBe('IN_PROGRESS');
    finish();
    expect((await running).replayed).toBe(false);
  });
});
