/**
 * Records written after the fact (IdempotencyService.runDeferred, markInDoubt, src/idempotency/deferred.ts),
 * as a bulk item's first run uses them, on a real (fresh) database: nothing is written before
 * sending; the record kept with the outcome replays as run()'s would; an unknown outcome kept,
 * or a key marked in doubt because its attempt died unrecorded, is reconciled with the registry
 * by the next run() (answered when applied, sent once more only when certainly not applied); a
 * note writes the record before anything is sent. The registry is a fake port; reconciliation
 * goes through the real per-operation functions (a renewal: curExpDate against the expiry).
 */
import { describe, expect, it, vi } from 'vitest';
import { ObjectNotFoundError, UpstreamUnavailableError } from '../../../src/core/errors.js';
import type { Domain } from '../../../src/core/model/index.js';
import { writeDeferredRecords, type DeferredRecord } from '../../../src/idempotency/deferred.js';
import type { StoredResult } from '../../../src/idempotency/service.js';
import { BACKEND, REGISTRAR as US, useIdempotencyFixture } from '../../helpers/idempotency.js';

const CURRENT = new Date('2027-06-01T00:00:00Z');
const RENEWED = new Date('2028-06-01T00:00:00Z');

const fx = useIdempotencyFixture();
const { service, record } = fx;

/** The fake registry's view of a domain of ours that expires at `expiresAt` (all a renewal's reconciliation reads). */
const expiring = (name: string, expiresAt: Date) =>
  ({ name, statuses: ['ok'], rgpStatuses: [], contacts: [], nameservers: [], subordinateHosts: [], dnssec: { dsData: [], keyData: [] }, sponsor: US, expiresAt }) as unknown as Domain;

let n = 0;
/** A renewal of a fresh domain (expiring CURRENT) with the current expiry given, under a fresh key. */
function renewal() {
  const name = `r${++n}-${Date.now().toString(36)}.tld`;
  fx.domains.set(name, expiring(name, CURRENT));
  return { registrarId: US, key: `bulk:test:${n}:${Date.now()}`, operation: 'renewDomain', args: { name, period: { value: 1, unit: 'y' }, currentExpiry: CURRENT } };
}
type Renewal = Omit<ReturnType<typeof renewal>, "args"> & { args: { name: string; period: { value: number; unit: string }; currentExpiry: Date | null } };
const answer = (name: string, client = 'GW-1'): StoredResult => ({ trid: { client, server: 'SV-1' }, code: 1000, message: 'ok', name, expiresAt: RENEWED.toISOString() });
/** The adapter's part: announce the renew to the command log, then the registry applies it (unless `applies` is false). */
async function send(r: Renewal, clTRID: string, applies = true) {
  await fx.log.start({ registrarId: US, backend: BACKEND, command: 'domain:renew', objectName: r.args.name, clTRID, durationMs: 0, idempotencyKey: r.key, operation: 'renewDomain' });
  if (applies) fx.domains.set(r.args.name, expiring(r.args.name, RENEWED));
}
const noAnswer = () => new UpstreamUnavailableError('no answer', { maybeApplied: true, backend: BACKEND });

describe('runDeferred', () => {
  it('writes nothing before sending; the record it keeps, once written, replays as run() would store it', async () => {
    const s = service();
    const r = renewal();
    const kept: DeferredRecord[] = [];
    const out = await s.runDeferred(r, async () => {
      expect(await record(r.key)).toBeNull(); // nothing before the command
      await send(r, 'GW-1');
      return answer(r.args.name);
    }, (rec) => kept.push(rec));
    expect(out).toEqual({ result: answer(r.args.name), replayed: false });
    expect(kept).toHaveLength(1);
    expect(await record(r.key)).toBeNull(); // the caller writes it, with its own state
    await writeDeferredRecords(fx.db.prisma, kept, new Date());
    expect(await record(r.key)).toMatchObject({ state: 'SUCCEEDED', operation: 'renewDomain', backend: BACKEND, clientTrid: 'GW-1', serverTrid: 'SV-1' });
    let sent = 0;
    expect(await s.run(r, async () => (++sent, answer('never')))).toEqual({ result: answer(r.args.name), replayed: true });
    expect(sent).toBe(0);
  });

  it('logs the command with its answer, not before sending; after a note, before sending as run() does', async () => {
    const s = service();
    const r = renewal();
    const event = (clTRID: string) => ({ registrarId: US, backend: BACKEND, command: 'domain:renew' as const, objectName: r.args.name, clTRID, durationMs: 0, idempotencyKey: r.key, operation: 'renewDomain' });
    const rows = async () => (await fx.log.flush(), fx.db.prisma.commandLog.findMany({ where: { idempotencyKey: r.key }, orderBy: { id: 'asc' } }));
    await s.runDeferred(r, async () => {
      await fx.log.start(event('GW-deferred'));
      expect(await rows()).toEqual([]);
      fx.log.record({ ...event('GW-deferred'), code: 1000, svTRID: 'SV-1' });
      return answer(r.args.name, 'GW-deferred');
    }, () => undefined);
    expect(await rows()).toMatchObject([{ clientTrid: 'GW-deferred', resultCode: 1000, serverTrid: 'SV-1', sent: true }]);

    const base = renewal();
    const noted = { ...base, args: { ...base.args, currentExpiry: null } };
    await s.runDeferred(noted, async (attempt) => {
      await attempt.note({ currentExpiry: CURRENT });
      await fx.log.start({ ...event('GW-noted'), idempotencyKey: noted.key });
      await fx.log.flush();
      expect(await fx.db.prisma.commandLog.findFirst({ where: { clientTrid: 'GW-noted' } })).toMatchObject({ resultCode: null });
      return answer(noted.args.name, 'GW-noted');
    }, () => undefined);
  });

  it('a record a key has already is kept: the first record of a key is its answer', async () => {
    const s = service();
    const r = renewal();
    const kept: DeferredRecord[] = [];
    await s.runDeferred(r, async () => answer(r.args.name, 'GW-first'), (rec) => kept.push(rec));
    await s.runDeferred(r, async () => answer(r.args.name, 'GW-second'), (rec) => kept.push(rec));
    expect(await writeDeferredRecords(fx.db.prisma, [kept[0]!], new Date())).toBe(1);
    expect(await writeDeferredRecords(fx.db.prisma, [kept[1]!], new Date())).toBe(0); // none written
    expect((await record(r.key))!.clientTrid).toBe('GW-first');
  });

  it('a refusal (2303) is kept FAILED and replayed with its code', async () => {
    const s = service();
    const r = renewal();
    const kept: DeferredRecord[] = [];
    const refusal = () => new ObjectNotFoundError('Object does not exist', { upstreamCode: 2303, backend: BACKEND });
    await expect(s.runDeferred(r, async () => (await send(r, 'GW-1', false), Promise.reject(refusal())), (rec) => kept.push(rec))).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND' });
    await writeDeferredRecords(fx.db.prisma, kept, new Date());
    expect((await record(r.key))!.state).toBe('FAILED');
    await expect(s.run(r, async () => answer('never'))).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND' });
  });

  it('nothing sent (a read before the command failed): nothing kept, the key may be sent', async () => {
    const s = service();
    const r = renewal();
    const kept: DeferredRecord[] = [];
    await expect(s.runDeferred(r, async () => Promise.reject(noAnswer()), (rec) => kept.push(rec))).rejects.toThrow();
    expect(kept).toEqual([]);
  });

  it.each([
    ['applied', true, 0],
    ['not applied', false, 1],
  ])('no answer, %s upstream: kept OUTCOME_UNKNOWN; the next run() reconciles and sends again only when not applied', async (_what, applies, resends) => {
    const s = service();
    const r = renewal();
    const kept: DeferredRecord[] = [];
    await expect(s.runDeferred(r, async () => (await send(r, 'GW-lost', applies), Promise.reject(noAnswer())), (rec) => kept.push(rec))).rejects.toThrow();
    expect(kept.map((k) => k.state)).toEqual(['OUTCOME_UNKNOWN']);
    await fx.log.flush();
    await writeDeferredRecords(fx.db.prisma, kept, new Date());
    let sent = 0;
    const retry = await s.run(r, async () => (++sent, await send(r, 'GW-again'), answer(r.args.name, 'GW-again')));
    expect(sent).toBe(resends);
    expect(retry.result).toMatchObject({ name: r.args.name, expiresAt: RENEWED.toISOString() });
    expect((await record(r.key))!.state).toBe('SUCCEEDED');
  });

  it('a note writes the record (IN_PROGRESS, with the note) before anything is sent, and settles it itself', async () => {
    const s = service();
    const base = renewal();
    const r = { ...base, args: { ...base.args, currentExpiry: null } };
    const kept: DeferredRecord[] = [];
    await s.runDeferred(
      r,
      async (attempt) => {
        await attempt.note({ currentExpiry: CURRENT });
        expect(await record(r.key)).toMatchObject({ state: 'IN_PROGRESS', request: { noted: { currentExpiry: CURRENT.toISOString() } } });
        await send(r, 'GW-1');
        return answer(r.args.name);
      },
      (rec) => kept.push(rec),
    );
    expect(kept).toEqual([]);
    expect((await record(r.key))!.state).toBe('SUCCEEDED');
  });
});

describe('markInDoubt', () => {
  it.each([
    ['applied', true, 0, false],
    ['not applied', false, 1, false],
    // run() told the record exists (as the bulk runner does right after markInDoubt): read, not inserted first.
    ['applied', true, 0, true],
    ['not applied', false, 1, true],
  ])('an attempt that died unrecorded (%s upstream: %s, sent again %i times; run() told the record exists: %s): the next run() reconciles before sending', async (_what, applies, resends, recorded) => {
    const s = service();
    const r = renewal();
    const startedBy = fx.clock.now();
    // The attempt that died: announced, sent, no outcome written.
    await s.runDeferred(r, async () => (await send(r, 'GW-died', applies), answer(r.args.name)), () => undefined);
    await fx.log.flush();
    await s.markInDoubt(r, startedBy, true);
    expect(await record(r.key)).toMatchObject({ state: 'OUTCOME_UNKNOWN', createdAt: startedBy });
    let sent = 0;
    const out = await s.run(r, async () => (++sent, await send(r, 'GW-again'), answer(r.args.name, 'GW-again')), { recorded });
    expect(sent).toBe(resends);
    expect(out.result).toMatchObject({ name: r.args.name, expiresAt: RENEWED.toISOString() });
  });

  it('leaves a settled record as it is; makes an IN_PROGRESS one of a dead owner unknown at once', async () => {
    const s = service();
    const done = renewal();
    await s.run(done, async () => answer(done.args.name));
    await s.markInDoubt(done, fx.clock.now(), true);
    expect((await record(done.key))!.state).toBe('SUCCEEDED');

    const base = renewal();
    const noted = { ...base, args: { ...base.args, currentExpiry: null } };
    let release!: () => void;
    const running = s.runDeferred(noted, async (attempt) => {
      await attempt.note({ currentExpiry: CURRENT });
      await new Promise<void>((r) => (release = r));
      return answer(noted.args.name);
    }, () => undefined);
    while (!(await record(noted.key))) await new Promise((r) => setTimeout(r, 5));
    await s.markInDoubt(noted, fx.clock.now(), true);
    expect((await record(noted.key))!.state).toBe('OUTCOME_UNKNOWN');
    release();
    await running; // the old owner's write is fenced off
    expect((await record(noted.key))!.state).toBe('OUTCOME_UNKNOWN');
  });
});

describe('runInDoubt (a bulk item taken over in doubt)', () => {
  const inDoubt = (s: ReturnType<typeof fx.service>, r: Renewal, execute: () => Promise<StoredResult>, kept: DeferredRecord[]) =>
    s.runInDoubt(r, fx.clock.now(), true, execute, (rec) => kept.push(rec));

  it.each([
    ['applied before the process died: answered from the registry, not sent again', true, 0],
    ['never sent (claimed, not started): sent once, after the registry showed it unapplied', false, 1],
  ])('a key without a record is reconciled with the registry before anything is sent, nothing written first (%s)', async (_what, applied, sends) => {
    const s = service();
    const r = renewal();
    if (applied) await send(r, 'GW-died');
    const kept: DeferredRecord[] = [];
    let sent = 0;
    const out = await inDoubt(s, r, async () => {
      expect(fx.domains.get(r.args.name)!.expiresAt).toEqual(CURRENT); // sent only while unapplied
      expect(await record(r.key)).toBeNull(); // nothing written before sending
      ++sent;
      await send(r, 'GW-again');
      return answer(r.args.name, 'GW-again');
    }, kept);
    expect(sent).toBe(sends);
    expect(out.replayed).toBe(applied);
    expect(out.result).toMatchObject({ name: r.args.name, expiresAt: RENEWED.toISOString() });
    expect(fx.domains.get(r.args.name)!.expiresAt).toEqual(RENEWED); // renewed exactly once
    expect(await record(r.key)).toBeNull(); // the caller writes the record with the item's outcome
    expect(kept).toHaveLength(1);
    await writeDeferredRecords(fx.db.prisma, kept, new Date());
    expect(await record(r.key)).toMatchObject({ state: 'SUCCEEDED', operation: 'renewDomain' });
    expect(await s.run(r, async () => answer('never'))).toMatchObject({ replayed: true, result: { name: r.args.name } });
  });

  it('a key without a record whose effect the registry cannot show is not sent: OUTCOME_UNKNOWN kept, reconciled by the next run()', async () => {
    const s = service();
    const r = renewal();
    fx.domains.set(r.args.name, expiring(r.args.name, new Date('2030-01-01T00:00:00Z'))); // neither current nor renewed
    const kept: DeferredRecord[] = [];
    let sent = 0;
    await expect(inDoubt(s, r, async () => (++sent, answer(r.args.name)), kept)).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    fx.readFailure = noAnswer(); // nor when the registry cannot be read
    const r2 = renewal();
    await expect(inDoubt(s, r2, async () => (++sent, answer(r2.args.name)), kept)).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    expect(sent).toBe(0);
    expect(kept.map((k) => [k.key, k.state])).toEqual([[r.key, 'OUTCOME_UNKNOWN'], [r2.key, 'OUTCOME_UNKNOWN']]);
    await writeDeferredRecords(fx.db.prisma, kept, new Date());
    fx.readFailure = null;
    fx.domains.set(r2.args.name, expiring(r2.args.name, RENEWED)); // it had been applied
    expect(await s.run(r2, async () => (++sent, answer('never')))).toMatchObject({ replayed: true });
    expect(sent).toBe(0);
  });

  it('a key with a record (an earlier attempt sent and got no answer) is reconciled through run(); keys asked together each get their own answer', async () => {
    const s = service();
    const withRecord = renewal();
    // Applied upstream, no answer: its record says OUTCOME_UNKNOWN.
    await expect(s.run(withRecord, async () => (await send(withRecord, 'GW-died'), Promise.reject(noAnswer())))).rejects.toThrow();
    expect((await record(withRecord.key))!.state).toBe('OUTCOME_UNKNOWN');
    const without = renewal(); // never sent
    const kept: DeferredRecord[] = [];
    let sent = 0;
    const [a, b] = await Promise.all([
      inDoubt(s, withRecord, async () => (++sent, answer('never')), kept),
      inDoubt(s, without, async () => (++sent, await send(without, 'GW-1'), answer(without.args.name)), kept),
    ]);
    expect(a).toMatchObject({ replayed: true, result: { name: withRecord.args.name } });
    expect(b).toMatchObject({ replayed: false, result: { name: without.args.name } });
    expect(sent).toBe(1);
    expect((await record(withRecord.key))!.state).toBe('SUCCEEDED'); // written by run() itself
    expect(kept.map((k) => k.key)).toEqual([without.key]);
  });

  it("a key the caller read as having no record (BulkStore.claim) is not looked up again; one it read as having one is, and goes through run()", async () => {
    const s = service();
    const lookups = vi.spyOn(s, 'hasRecord');
    const never = renewal();
    const kept: DeferredRecord[] = [];
    let sent = 0;
    const out = await s.runInDoubt(never, fx.clock.now(), true, async () => (++sent, await send(never, 'GW-1'), answer(never.args.name)), (rec) => kept.push(rec), { recorded: false });
    expect(out).toMatchObject({ replayed: false, result: { name: never.args.name } });
    expect(lookups).not.toHaveBeenCalled();
    expect(kept.map((k) => k.key)).toEqual([never.key]);

    const withRecord = renewal();
    await expect(s.run(withRecord, async () => (await send(withRecord, 'GW-died'), Promise.reject(noAnswer())))).rejects.toThrow();
    const again = await s.runInDoubt(withRecord, fx.clock.now(), true, async () => (++sent, answer('never')), (rec) => kept.push(rec), { recorded: true });
    expect(again).toMatchObject({ replayed: true, result: { name: withRecord.args.name } });
    expect(lookups).toHaveBeenCalledTimes(1);
    expect(sent).toBe(1);
    expect((await record(withRecord.key))!.state).toBe('SUCCEEDED');
  });
});

describe('CommandLog.appliedElsewhere (what a creation\'s reconciliation asks)', () => {
  it('counts a command another key had answered with success moments ago, before the batched write of its entry', async () => {
    const name = `c${Date.now().toString(36)}.tld`;
    const since = new Date(fx.clock.now().getTime() - 60_000);
    // Recorded, not yet written: the command log writes its entries in batches.
    fx.log.record({ registrarId: US, backend: BACKEND, command: 'domain:create', objectName: name, clTRID: 'GW-other', svTRID: 'SV-9', code: 1000, message: 'ok', durationMs: 3, idempotencyKey: 'another-key', operation: 'createDomain' });
    expect(await fx.log.appliedElsewhere(US, 'this-key', 'domain:create', name, since)).toBe(true);
    expect(await fx.log.appliedElsewhere(US, 'another-key', 'domain:create', name, since)).toBe(false); // its own key's is not elsewhere
  });
});
