/**
 * settleAbandoned: what a dead process (or a client that never retried) left unknown is settled
 * without waiting for a retry, so no command-log entry stays UNKNOWN. Real database, fake registry.
 */
import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { UpstreamUnavailableError } from '../../../src/core/errors.js';
import type { StoredResult } from '../../../src/idempotency/service.js';
import { commandLogEntry } from '../../../resolvers/commandlog/commandlog.resolver.js';
import { BACKEND, REGISTRAR as US, useIdempotencyFixture } from '../../helpers/idempotency.js';

const fx = useIdempotencyFixture();
const { record, registryCreates, leftInProgress } = fx;
/** A service whose owners' leases lapse after leaseMs (the default's 15 s). */
const service = (leaseMs = 15_000) => fx.service({ leaseMs });

let n = 0;
const req = () => ({ registrarId: US, key: `sweep-${++n}-${Date.now()}`, operation: 'createDomain', args: { name: `s${n}.tld`, period: { value: 1, unit: 'y' }, authInfo: 'Secret-Pw-1' } });
const event = (clTRID: string, r: ReturnType<typeof req>) => ({ registrarId: US, backend: BACKEND, command: 'domain:create' as const, objectName: r.args.name, clTRID, durationMs: 5, idempotencyKey: r.key, operation: 'createDomain' });
async function outcomes(key: string) {
  await fx.log.flush();
  return (await fx.db.prisma.commandLog.findMany({ where: { idempotencyKey: key }, orderBy: { id: 'asc' } })).map((row) => commandLogEntry(row).outcome);
}
/** A request whose command was sent and never answered, its outcome left unknown (no retry came). */
async function leftUnknown(r: ReturnType<typeof req>, applied: boolean) {
  await expect(
    service().run(r, async () => {
      await fx.log.start(event('GW-lost', r));
      if (applied) registryCreates(r.args.name);
      fx.log.record(event('GW-lost', r));
      throw new UpstreamUnavailableError('no answer', { maybeApplied: true, backend: BACKEND });
    }),
  ).rejects.toThrow();
  expect((await record(r.key))!.state).toBe('OUTCOME_UNKNOWN');
}
/** What a process killed right after announcing its command leaves: IN_PROGRESS, lease not renewed since, the entry unanswered. */
async function deadOwner(r: ReturnType<typeof req>) {
  await leftInProgress(r);
  await fx.log.start(event('GW-dead', r));
}

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
      await fx.log.start(event('GW-again', r));
      fx.log.record({ ...event('GW-again', r), code: 1000 });
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
    fx.readFailure = new UpstreamUnavailableError('down', { maybeApplied: false });
    expect(await service().settleAbandoned()).toBe(0);
    expect(await outcomes(r.key)).toEqual(['UNKNOWN']);
    fx.readFailure = null;
    await service().settleAbandoned();
    expect(await outcomes(r.key)).toEqual(['RECONCILED_APPLIED']);
  });

  it('leaves live owners alone', async () => {
    const r = req();
    let finish!: () => void;
    const running = service(60_000).run(r, async () => {
      await fx.log.start(event('GW-live', r));
      await new Promise<void>((res) => (finish = res));
      return { trid: { client: 'GW-live' }, name: r.args.name };
    });
    await expect.poll(async () => (await outcomes(r.key)).length).toBe(1);
    await service(60_000).settleAbandoned();
    expect((await record(r.key))!.state).toBe('IN_PROGRESS');
    finish();
    expect((await running).replayed).toBe(false);
  });

  it("an answered command whose answer never reached the log (its process died in the log's batching gap): RECONCILED_APPLIED from its key's SUCCEEDED record, once a lease old", async () => {
    const r = req();
    // The command is announced (written before it is sent) and answered; the record is written SUCCEEDED; the entry's answer is not.
    const out = await service().run(r, async () => {
      await fx.log.start(event('GW-answered', r));
      registryCreates(r.args.name);
      return { trid: { client: 'GW-answered', server: 'SV-answered' }, code: 1000, name: r.args.name };
    });
    expect(out.replayed).toBe(false);
    expect((await record(r.key))!).toMatchObject({ state: 'SUCCEEDED', clientTrid: 'GW-answered' });
    // Another key's command sent without an answer, and no record naming it: left to the usual reconciliation.
    const other = req();
    await leftInProgress(other);
    await fx.log.start(event('GW-other', other));
    expect(await outcomes(r.key)).toEqual(['UNKNOWN']);

    const sweeper = fx.service({ leaseMs: 15_000, now: () => fx.clock.now().getTime() });
    // Younger than a lease: its answer may still be on its way to the log.
    fx.clock.advance(14_000);
    await sweeper.settleAbandoned();
    expect(await outcomes(r.key)).toEqual(['UNKNOWN']);
    fx.clock.advance(2_000);
    await sweeper.settleAbandoned();
    expect(await outcomes(r.key)).toEqual(['RECONCILED_APPLIED']);
    const [row] = await fx.db.prisma.commandLog.findMany({ where: { idempotencyKey: r.key } });
    expect(row).toMatchObject({ clientTrid: 'GW-answered', serverTrid: 'SV-answered', reconciled: true, resultCode: null });
    expect(await outcomes(other.key)).not.toContain('RECONCILED_APPLIED');
  });
});
