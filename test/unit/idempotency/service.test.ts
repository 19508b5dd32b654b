/**
 * IdempotencyService on a real (fresh) database: owner election, replay, key reuse, failure
 * classes, reconciliation of unknown outcomes, owner leases and fencing, expiry and purge.
 * The registry is a fake port; reconciliation goes through the real per-operation functions.
 */
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, ObjectExistsError, ObjectNotFoundError, UpstreamFailureError, UpstreamRateLimitedError, UpstreamUnavailableError } from '../../../src/core/errors.js';
import type { StoredResult } from '../../../src/idempotency/service.js';
import { BACKEND, REGISTRAR as US, useIdempotencyFixture } from '../../helpers/idempotency.js';
import { WriteFence, epochNow } from '../../../src/core/write-fence.js';

const fx = useIdempotencyFixture();
const { service, record, registryCreates, leftInProgress } = fx;

let n = 0;
const req = (name = `d${++n}.tld`, key = `key-${n}`) => ({ registrarId: US, key, operation: 'createDomain', args: { name, period: { value: 1, unit: 'y' }, authInfo: 'Secret-Pw-1' } });
const answer = (name: string, client = 'GW-1'): StoredResult => ({ trid: { client, server: 'SV-1' }, code: 1000, message: 'Command completed successfully', name });
const event = (clTRID: string, r: ReturnType<typeof req>, attempt?: number) => ({ registrarId: US, backend: BACKEND, command: 'domain:create' as const, objectName: r.args.name, clTRID, durationMs: 5, idempotencyKey: r.key, operation: 'createDomain', attempt });
/** What an adapter does right before sending the command: announce it to the command log (for the attempt `attempt`: its Attempt.id, as runOperation passes it on). */
const announce = (r: ReturnType<typeof req>, clTRID = 'GW-sent', attempt?: number) => fx.log.start(event(clTRID, r, attempt));
/** A command announced, sent, and never answered. */
const lost = async (clTRID: string, r: ReturnType<typeof req>) => {
  await announce(r, clTRID);
  fx.log.record(event(clTRID, r));
};
const maybeApplied = () => new UpstreamUnavailableError('no answer', { maybeApplied: true, backend: BACKEND });

describe('owner and replay', () => {
  it('runs once, stores the answer, the request (secrets as keyed digests) and the backend; replays it', async () => {
    const s = service();
    const r = req();
    let calls = 0;
    const exec = async () => (++calls, answer(r.args.name));
    expect(await s.run(r, exec)).toEqual({ result: answer(r.args.name), replayed: false });
    expect(await s.run(r, exec)).toEqual({ result: answer(r.args.name), replayed: true });
    expect(calls).toBe(1);
    const rec = (await record(r.key))!;
    expect(rec).toMatchObject({ state: 'SUCCEEDED', backend: BACKEND, clientTrid: 'GW-1', serverTrid: 'SV-1', createdAt: fx.clock.now() });
    expect(rec.expiresAt.getTime() - rec.createdAt.getTime()).toBe(7 * 24 * 3600_000);
    expect(rec.request).toMatchObject({ args: { name: r.args.name, period: { value: 1, unit: 'y' } }, noted: {} });
    expect(JSON.stringify(rec.request)).not.toContain('Secret-Pw-1');
    expect((rec.request as any).args.authInfo).toMatch(/^secret:hmac-sha256:/);
  });

  it('same key, other arguments: IDEMPOTENCY_KEY_REUSED and nothing runs', async () => {
    const s = service();
    const r = req();
    await s.run(r, async () => answer(r.args.name));
    let ran = false;
    await expect(s.run({ ...r, args: { ...r.args, name: 'other.tld' } }, async () => ((ran = true), answer('x')))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(ran).toBe(false);
  });

  it('100 concurrent requests with one key: one runs, all get its answer', async () => {
    const s = service();
    const r = req();
    let calls = 0;
    const exec = async () => {
      calls++;
      await new Promise((res) => setTimeout(res, 50));
      return answer(r.args.name);
    };
    const outcomes = await Promise.all(Array.from({ length: 100 }, () => s.run(r, exec)));
    expect(calls).toBe(1);
    expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
    for (const o of outcomes) expect(o.result).toEqual(answer(r.args.name));
  });

  it('a waiter gives up with IDEMPOTENCY_IN_PROGRESS (retryable) while the owner is still running', async () => {
    const owner = service();
    const waiter = service({ waitMs: 30 });
    const r = req();
    let release!: () => void;
    const running = owner.run(r, () => new Promise<StoredResult>((res) => (release = () => res(answer(r.args.name)))));
    await expect.poll(() => record(r.key)).toBeTruthy();
    await expect(waiter.run(r, async () => answer('never'))).rejects.toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS', details: { retryable: true } });
    release();
    await running;
  });

  it('purgeExpired deletes expired records only; a configurable TTL', async () => {
    const s = service({ ttlMs: 3600_000 });
    const old = req();
    await s.run(old, async () => answer(old.args.name));
    fx.clock.advance(2 * 3600_000);
    const young = req();
    await s.run(young, async () => answer(young.args.name));
    expect(await s.purgeExpired()).toBeGreaterThanOrEqual(1);
    expect(await record(old.key)).toBeNull();
    expect(await record(young.key)).not.toBeNull();
  });

  it('purgeExpired keeps the record of a command the registry only queued (result still to come) until awaitMs, then deletes it', async () => {
    const s = service({ ttlMs: 3600_000, awaitMs: 10 * 3600_000 });
    const queued = req();
    await s.run(queued, async () => ({ ...answer(queued.args.name), code: 1001, awaitsCompletion: true }));
    const plain = req();
    await s.run(plain, async () => answer(plain.args.name));
    const resolved = req(); // queued, and its result already tied to it (resolvePending: code 1000)
    await s.run(resolved, async () => ({ ...answer(resolved.args.name), code: 1000, awaitsCompletion: true }));
    fx.clock.advance(2 * 3600_000); // all three past ttlMs
    await s.purgeExpired();
    expect(await record(plain.key)).toBeNull();
    expect(await record(resolved.key)).toBeNull();
    expect(await record(queued.key)).toMatchObject({ state: 'SUCCEEDED' });
    // A retry meanwhile replays the queued answer: the command is not sent again.
    await expect(s.run(queued, async () => answer('never'))).resolves.toMatchObject({ replayed: true, result: { code: 1001 } });
    expect((await record(queued.key))!.createdAt.getTime() - s.awaitCutoff().getTime()).toBe(8 * 3600_000);
    fx.clock.advance(8 * 3600_000 + 1);
    await s.purgeExpired();
    expect(await record(queued.key)).toBeNull();
  });
});

describe('failures', () => {
  it('a registry error (2302) is an answer: stored FAILED and replayed with the same code', async () => {
    const s = service();
    const r = req();
    const err = new ObjectExistsError('Object exists', { upstreamCode: 2302, backend: BACKEND });
    await expect(s.run(r, async () => (await announce(r), Promise.reject(err)))).rejects.toBe(err);
    await expect(s.run(r, async () => answer('never'))).rejects.toMatchObject({ code: 'OBJECT_EXISTS', message: 'Object exists', details: { upstreamCode: 2302 } });
    expect((await record(r.key))!.state).toBe('FAILED');
  });

  it.each([
    ['not sent', () => new UpstreamUnavailableError('no session', { maybeApplied: false })],
    ['2400 command failed', () => new UpstreamFailureError('Command failed', { upstreamCode: 2400, retryable: true })],
    ['2502 session limit exceeded (RFC 5730 section 3: refused before processing)', () => new UpstreamFailureError('Session limit exceeded; server closing connection', { upstreamCode: 2502, retryable: true })],
    ["the registry's own 429 (RATE_LIMITED, 2502)", () => new UpstreamRateLimitedError('registry rate limit (HTTP 429)', { upstreamCode: 2502, retryAfter: 60 })],
  ])('%s: nothing applied, the record goes and the key can be sent again', async (_why, error) => {
    const s = service();
    const r = req();
    await expect(s.run(r, async () => (await announce(r), Promise.reject(error())))).rejects.toThrow();
    expect(await record(r.key)).toBeNull();
    expect(await s.run(r, async () => answer(r.args.name))).toMatchObject({ replayed: false });
  });

  it('2500 after sending (the server failed and closed the session): unknown; the retry reads the registry before sending', async () => {
    const s = service();
    const r = req();
    await expect(s.run(r, async () => (await announce(r), Promise.reject(new UpstreamFailureError('closing', { upstreamCode: 2500, retryable: true }))))).rejects.toThrow();
    expect((await record(r.key))!.state).toBe('OUTCOME_UNKNOWN');
    let sent = 0;
    const exec = async () => (++sent, registryCreates(r.args.name), answer(r.args.name, 'GW-2'));
    expect(await s.run(r, exec)).toMatchObject({ replayed: false, result: { trid: { client: 'GW-2' } } });
    expect(sent).toBe(1);
  });
});

describe('an attempt that sent nothing', () => {
  it.each([
    ['a read before the command answered 2303', () => new ObjectNotFoundError('Object does not exist', { upstreamCode: 2303 })],
    ['a read before the command got no answer', maybeApplied],
    ['the session had ended (2002 not logged in, twice)', () => new UpstreamUnavailableError('not logged in', { maybeApplied: false, upstreamCode: 2002 })],
  ])('%s: not the key\'s answer; the record goes and a retry sends', async (_why, error) => {
    const s = service();
    const r = req();
    await expect(s.run(r, async () => Promise.reject(error()))).rejects.toThrow();
    expect(await record(r.key)).toBeNull();
    let sent = 0;
    expect(await s.run(r, async () => (++sent, await announce(r), answer(r.args.name)))).toMatchObject({ replayed: false });
    expect(sent).toBe(1);
  });
});

/**
 * The database's client with its idempotency record statements failing, while `down()` says so,
 * as Prisma fails them when PostgreSQL refuses connections; the command log keeps writing (the
 * fixture's own client).
 */
function failingRecords(down: () => boolean): typeof fx.db.prisma {
  // Prisma's P1001 through the pg adapter, as test/unit/db/unavailable.test.ts gets it from a stopped proxy.
  const refused = () =>
    Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), {
      name: 'PrismaClientKnownRequestError',
      code: 'P1001',
      clientVersion: '7.10.1',
      meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 } } },
    });
  return new Proxy(fx.db.prisma, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv);
      if (prop !== 'idempotencyRecord') return typeof v === 'function' ? v.bind(target) : v;
      return new Proxy(v, { get: (d, m) => (...a: unknown[]) => (down() ? Promise.reject(refused()) : (Reflect.get(d, m) as (...x: unknown[]) => unknown).apply(d, a)) });
    },
  });
}

describe('the database stops answering', () => {
  it('before anything was sent: SERVICE_UNAVAILABLE saying so, and the same key runs once it answers', async () => {
    let down = true;
    const s = service({}, failingRecords(() => down));
    const r = req();
    let calls = 0;
    const exec = async () => (++calls, await announce(r), answer(r.args.name));
    const err = await s.run(r, exec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseUnavailableError);
    expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE', sent: false, details: { retryable: true, retryAfter: 5 } });
    expect((err as Error).message).toContain('nothing was sent to the registry');
    expect(calls).toBe(0);
    down = false;
    expect(await s.run(r, exec)).toEqual({ result: answer(r.args.name), replayed: false });
    expect(calls).toBe(1);
  });

  it('after the command went out, its answer not kept: SERVICE_UNAVAILABLE saying it may have reached the registry; the retry reconciles, sends nothing', async () => {
    let down = false;
    const s = service({ leaseMs: 300 }, failingRecords(() => down));
    const r = req();
    let calls = 0;
    const exec = async () => {
      ++calls;
      await announce(r);
      registryCreates(r.args.name); // the registry applied it
      down = true; // and the database stopped answering before the answer was kept
      return answer(r.args.name);
    };
    const err = await s.run(r, exec).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE', sent: true });
    expect((err as Error).message).toContain('after the command went to the registry');
    down = false;
    // The record is still IN_PROGRESS under the dead attempt's lease: the retry takes it over once it lapses, and reconciles.
    expect(await s.run(r, exec)).toMatchObject({ replayed: true });
    expect(calls).toBe(1);
  });
});

describe('unknown outcome: the retry reconciles', () => {
  it('applied upstream: answered from the registry state, nothing sent, the command log row marked applied', async () => {
    const s = service();
    const r = req();
    await expect(
      s.run(r, async () => {
        registryCreates(r.args.name);
        await lost('GW-lost-1', r);
        throw maybeApplied();
      }),
    ).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect((await record(r.key))!.state).toBe('OUTCOME_UNKNOWN');
    let sent = 0;
    const retry = await s.run(r, async () => (++sent, answer('never')));
    expect(sent).toBe(0);
    expect(retry).toMatchObject({ replayed: true, result: { name: r.args.name, code: 1000, trid: { client: 'GW-lost-1', server: null } } });
    expect((await record(r.key))!).toMatchObject({ state: 'SUCCEEDED', clientTrid: 'GW-lost-1' });
    const row = await fx.db.prisma.commandLog.findFirst({ where: { idempotencyKey: r.key } });
    expect(row).toMatchObject({ resultCode: null, reconciled: true, reconciledAt: fx.clock.now() });
    expect(await s.run(r, async () => answer('never'))).toEqual(retry); // and replayed from now on
  });

  it('not applied upstream: sent again, exactly once, and the lost command marked not applied', async () => {
    const s = service();
    const r = req();
    await expect(s.run(r, async () => (await lost('GW-lost-2', r), Promise.reject(maybeApplied())))).rejects.toThrow();
    let sent = 0;
    const exec = async () => (++sent, registryCreates(r.args.name), answer(r.args.name, 'GW-2'));
    const [a, b] = await Promise.all([s.run(r, exec), s.run(r, exec)]);
    expect(sent).toBe(1);
    expect([a, b].map((o) => o.result)).toEqual([answer(r.args.name, 'GW-2'), answer(r.args.name, 'GW-2')]);
    expect((await fx.db.prisma.commandLog.findFirst({ where: { idempotencyKey: r.key } }))!.reconciled).toBe(false);
  });

  it('registry unreadable: OUTCOME_UNKNOWN (retryable), the record stays unknown, a later retry settles it', async () => {
    const s = service();
    const r = req();
    await expect(s.run(r, async () => (registryCreates(r.args.name), await announce(r), Promise.reject(maybeApplied())))).rejects.toThrow();
    fx.readFailure = new UpstreamUnavailableError('down', { maybeApplied: false });
    await expect(s.run(r, async () => answer('never'))).rejects.toMatchObject({ code: 'OUTCOME_UNKNOWN', details: { retryable: true } });
    expect((await record(r.key))!.state).toBe('OUTCOME_UNKNOWN');
    fx.readFailure = null;
    expect(await s.run(r, async () => answer('never'))).toMatchObject({ replayed: true, result: { name: r.args.name } });
  });

  it('a resend refused because the first attempt landed late is answered as applied', async () => {
    const s = service();
    const r = req();
    await expect(s.run(r, async () => (await announce(r), Promise.reject(maybeApplied())))).rejects.toThrow();
    // Not there when reconciling; the delayed original lands before the resend, which gets 2302.
    const retry = await s.run(r, async () => {
      registryCreates(r.args.name);
      await announce(r, 'GW-resend');
      throw new ObjectExistsError('Object exists', { upstreamCode: 2302 });
    });
    expect(retry).toMatchObject({ replayed: true, result: { name: r.args.name, code: 1000 } });
  });

  it('note() keeps what was sent (for a renewal, the curExpDate) in the stored request', async () => {
    const s = service();
    const r = { ...req(), operation: 'renewDomain', args: { name: 'n.tld', period: { value: 1, unit: 'y' }, currentExpiry: null } };
    await s.run(r, async (attempt) => {
      await attempt.note({ currentExpiry: new Date('2027-01-01T00:00:00Z') });
      return answer('n.tld');
    });
    expect((await record(r.key))!.request).toMatchObject({ noted: { currentExpiry: '2027-01-01T00:00:00.000Z' } });
  });
});

describe('owner leases', () => {
  it('a record left IN_PROGRESS by a dead process is taken over once its lease lapses, then reconciled', async () => {
    const r = req();
    registryCreates(r.args.name); // the dead owner's command reached the registry
    await leftInProgress(r);
    let sent = 0;
    const out = await service({ leaseMs: 15_000 }).run(r, async () => (++sent, answer('never')));
    expect(sent).toBe(0);
    expect(out).toMatchObject({ replayed: true, result: { name: r.args.name } });
  });

  it('a live owner renews its lease: a waiter waits instead of taking over', async () => {
    const r = req();
    const owner = service({ leaseMs: 600 });
    const waiter = service({ leaseMs: 600, waitMs: 10_000 });
    const first = owner.run(r, async () => {
      await new Promise((res) => setTimeout(res, 1_500));
      return answer(r.args.name);
    });
    await expect.poll(() => record(r.key)).toBeTruthy();
    let sent = 0;
    const second = await waiter.run(r, async () => (++sent, answer('never')));
    expect(sent).toBe(0);
    expect(second).toEqual({ result: answer(r.args.name), replayed: true });
    expect((await first).replayed).toBe(false);
  });

  it('fencing: an owner declared dead cannot overwrite what the request that took over stored', async () => {
    const r = req();
    const owner = service({ leaseMs: 60_000 });
    let finish!: () => void;
    const first = owner.run(r, () => new Promise<StoredResult>((res) => (finish = () => res(answer(r.args.name, 'GW-slow')))));
    await expect.poll(() => record(r.key)).toBeTruthy();
    registryCreates(r.args.name);
    // Another instance that considers any lease older than 1 ms lapsed takes over and reconciles.
    await new Promise((res) => setTimeout(res, 20));
    const takeover = await service({ leaseMs: 1 }).run(r, async () => answer('never'));
    expect(takeover).toMatchObject({ replayed: true, result: { trid: { client: `reconciled:${r.key}` } } });
    finish();
    expect((await first).result).toMatchObject({ trid: { client: 'GW-slow' } }); // its own caller still gets its answer
    expect((await record(r.key))!).toMatchObject({ state: 'SUCCEEDED', clientTrid: `reconciled:${r.key}` });
  });
});

describe('fencing: an owner proves its lease before it sends', () => {
  /** The owner's execute runs up to `gate`, then does `then`; `sent` counts what got past the announcement. */
  function heldOwner(r: ReturnType<typeof req>, now: () => number, then: (attempt: Parameters<Parameters<ReturnType<typeof service>['run']>[1]>[0]) => Promise<void>) {
    let open!: () => void;
    const gate = new Promise<void>((res) => (open = res));
    const out = { sent: 0, open: () => open(), run: null as unknown as Promise<unknown> };
    out.run = service({ leaseMs: 60_000, now }).run(r, async (attempt) => {
      await gate;
      await then(attempt);
      await announce(r, 'GW-stalled', attempt.id);
      out.sent++;
      return answer(r.args.name, 'GW-stalled');
    });
    return out;
  }

  it("the proof gives the call's fence the time the command may still go out: within half of what a heartbeat leaves of the lease", async () => {
    // A writer that writes the command later (the EPP I/O thread, behind a command in flight) checks this at the write.
    const fence = new WriteFence();
    const r = { ...req(), call: { registrarId: US, fence } };
    let limit = Infinity;
    let [from, to] = [0, 0];
    await service({ leaseMs: 3_000 }).run(r, async (attempt) => {
      from = epochNow();
      await announce(r, 'GW-fenced', attempt.id);
      to = epochNow();
      limit = fence.notAfter;
      return answer(r.args.name, 'GW-fenced');
    });
    // leaseMs 3,000, a heartbeat a third of it: (3,000 - 1,000) / 2 after the proof, made between from and to.
    expect(limit).toBeGreaterThanOrEqual(from + 1_000);
    expect(limit).toBeLessThanOrEqual(to + 1_000);
  });

  it('held up past its lease and taken over: the fence write fails, nothing is sent, IDEMPOTENCY_IN_PROGRESS', async () => {
    let wall = Date.now();
    const now = () => wall;
    const r = req();
    const owner = heldOwner(r, now, async () => {});
    await expect.poll(() => record(r.key)).toBeTruthy();
    wall += 61_000; // no renewal landed (heartbeats every 20 s of real time)
    const other = await service({ leaseMs: 60_000, now }).run(r, async (attempt) => (await announce(r, 'GW-other', attempt.id), answer(r.args.name, 'GW-other')));
    expect(other).toMatchObject({ replayed: false, result: { trid: { client: 'GW-other' } } });
    owner.open();
    await expect(owner.run).rejects.toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS', details: { retryable: true, field: 'idempotencyKey' } });
    expect(owner.sent).toBe(0);
    expect(await record(r.key)).toMatchObject({ state: 'SUCCEEDED', clientTrid: 'GW-other' });
  });

  it('a note that finds the record taken stops the attempt before it sends', async () => {
    let wall = Date.now();
    const now = () => wall;
    const r = req();
    const owner = heldOwner(r, now, (attempt) => attempt.note({ currentExpiry: new Date('2027-01-01T00:00:00Z') }));
    await expect.poll(() => record(r.key)).toBeTruthy();
    wall += 61_000;
    await service({ leaseMs: 60_000, now }).run(r, async (attempt) => (await announce(r, 'GW-other', attempt.id), answer(r.args.name, 'GW-other')));
    owner.open();
    await expect(owner.run).rejects.toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS' });
    expect(owner.sent).toBe(0);
    expect((await record(r.key))!.request).toMatchObject({ noted: {} });
  });

  it('held up past its lease but not taken over: the fence renews it before the command goes out, so a request arriving then waits', async () => {
    let wall = Date.now();
    const now = () => wall;
    const r = req();
    let atSend: Date | undefined;
    const owner = heldOwner(r, now, async () => {});
    await expect.poll(() => record(r.key)).toBeTruthy();
    const stamped = (await record(r.key))!.updatedAt.getTime();
    wall += 61_000;
    // Right after the announcement (when the adapter writes the command), as a waiter would read it.
    const start = fx.log.start;
    fx.log.start = async (e) => {
      await start(e);
      atSend = (await record(r.key))!.updatedAt;
    };
    owner.open();
    await expect(owner.run).resolves.toMatchObject({ replayed: false, result: { trid: { client: 'GW-stalled' } } });
    expect(owner.sent).toBe(1);
    expect(atSend!.getTime()).toBeGreaterThan(stamped + 60_000); // not a lapsed lease another request could take
    expect((await record(r.key))!).toMatchObject({ state: 'SUCCEEDED', clientTrid: 'GW-stalled' });
  });
});
