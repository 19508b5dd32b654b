/**
 * A mutation the registry only queued (1001, the queued request's id as server transaction id)
 * replays its pending answer until the registry's result is stored as a poll message, then the
 * final one: 1000 for a completed action, the refusal (by its result code) for a refused one;
 * an action of several queued requests resolves when all have arrived.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePending } from '../../../src/idempotency/pending.js';
import { nextPollSeq } from '../../../src/poll/poll.service.js';
import { freshDatabase, type TestDatabase } from '../../helpers/db.js';

let db: TestDatabase;
let n = 0;
beforeAll(async () => {
  db = await freshDatabase();
  await db.prisma.registrar.create({ data: { id: 'R', name: 'R' } });
});
afterAll(() => db?.close());

async function pendingRecord(serverTrid: string, operation = 'createDomain') {
  return db.prisma.idempotencyRecord.create({
    data: {
      registrarId: 'R',
      idempotencyKey: `k${++n}`,
      operation,
      fingerprint: 'f',
      state: 'SUCCEEDED',
      backend: 'jk',
      serverTrid,
      response: { trid: { client: 'c1', server: serverTrid }, code: 1001, message: 'queued', name: 'a.joker.test' },
      expiresAt: new Date(Date.now() + 86_400_000),
    },
  });
}

async function result(upstreamId: string, ok: boolean, resultCode: number | null) {
  await db.prisma.pollMessage.create({
    data: { registrarId: 'R', seq: await nextPollSeq(db.prisma, 'R'), backend: 'jk', accountId: '100001', upstreamId, type: 'PENDING_ACTION_COMPLETED', objectKind: 'domain', objectName: 'a.joker.test', message: `domain-register a.joker.test (Proc-ID ${upstreamId}) ${ok ? 'completed' : 'failed: Object exists'}`, payload: { pendingActionResult: ok, resultCode }, queuedAt: new Date(), receivedAt: new Date(), raw: '' },
  });
}

describe('pending mutations resolve from their stored result', () => {
  it('pending until the result is stored, then 1000 (written, so the next replay reads it directly)', async () => {
    const rec = await pendingRecord('7001');
    expect(((await resolvePending(db.prisma, rec)).response as { code: number }).code).toBe(1001);
    await result('7001', true, 1000);
    const now = await resolvePending(db.prisma, rec);
    expect(now.response).toMatchObject({ code: 1000, name: 'a.joker.test', trid: { server: '7001' } });
    expect((await db.prisma.idempotencyRecord.findUniqueOrThrow({ where: { id: rec.id } })).response).toMatchObject({ code: 1000 });
  });

  it('a refused action becomes the key\'s error, by its result code', async () => {
    const rec = await pendingRecord('7002');
    await result('7002', false, 2302);
    const now = await resolvePending(db.prisma, rec);
    expect(now.state).toBe('FAILED');
    expect(now.error).toMatchObject({ code: 'OBJECT_EXISTS', details: { upstreamCode: 2302, backend: 'jk' } });
  });

  it("a transfer request refused 2202 in its result names the auth code it carried (field authInfo), as a refusal at once does; another operation's 2202 names nothing", async () => {
    const transfer = await pendingRecord('7020', 'requestTransfer');
    await result('7020', false, 2202);
    expect((await resolvePending(db.prisma, transfer)).error).toMatchObject({ code: 'AUTHORIZATION_ERROR', details: { upstreamCode: 2202, field: 'authInfo' } });
    const other = await pendingRecord('7021', 'updateDomain');
    await result('7021', false, 2202);
    const error = (await resolvePending(db.prisma, other)).error as { details: object };
    expect(error).toMatchObject({ code: 'AUTHORIZATION_ERROR', details: { upstreamCode: 2202 } });
    expect(error.details).not.toHaveProperty('field');
  });

  it('a refused action whose result gives no code is a definite refusal (2308), not 2400, which would have it sent again', async () => {
    const rec = await pendingRecord('7010');
    await result('7010', false, null);
    const now = await resolvePending(db.prisma, rec);
    expect(now.state).toBe('FAILED');
    expect(now.error).toMatchObject({ code: 'REGISTRY_POLICY_ERROR', details: { upstreamCode: 2308, backend: 'jk' } });
  });

  it('a result refusing the one queued request with "command failed" (2400: not processed) releases the key: nothing written, the caller frees it; a 2400 among several requests stays the error', async () => {
    const rec = await pendingRecord('7030');
    await result('7030', false, 2400);
    const now = await resolvePending(db.prisma, rec);
    expect(now.released).toMatchObject({ code: 'UPSTREAM_FAILURE', details: { upstreamCode: 2400, retryable: true } });
    expect(await db.prisma.idempotencyRecord.findUniqueOrThrow({ where: { id: rec.id } })).toMatchObject({ state: 'SUCCEEDED', response: { code: 1001 } });
    const several = await pendingRecord('7031,7032');
    await result('7031', true, 1000);
    await result('7032', false, 2400);
    const partial = await resolvePending(db.prisma, several);
    expect(partial.released).toBeUndefined();
    expect(partial).toMatchObject({ state: 'FAILED', error: { code: 'UPSTREAM_FAILURE', details: { upstreamCode: 2400 } } });
  });

  it('several queued requests: resolved only when every one has arrived', async () => {
    const rec = await pendingRecord('7003,7004');
    await result('7003', true, 1000);
    expect(((await resolvePending(db.prisma, rec)).response as { code: number }).code).toBe(1001);
    await result('7004', true, 1000);
    expect(((await resolvePending(db.prisma, rec)).response as { code: number }).code).toBe(1000);
  });

  it("a renewal's expiry becomes the one the registry's result gives (the gateway computed it when the renewal was only queued)", async () => {
    const rec = await db.prisma.idempotencyRecord.create({
      data: {
        registrarId: 'R',
        idempotencyKey: `k${++n}`,
        operation: 'renewDomain',
        fingerprint: 'f',
        state: 'SUCCEEDED',
        backend: 'jk',
        serverTrid: '7005',
        response: { trid: { client: 'c1', server: '7005' }, code: 1001, message: 'queued', name: 'a.joker.test', expiresAt: '2027-01-01T00:00:00.000Z', awaitsCompletion: true },
        expiresAt: new Date(Date.now() + 86_400_000),
      },
    });
    await db.prisma.pollMessage.create({
      data: { registrarId: 'R', seq: await nextPollSeq(db.prisma, 'R'), backend: 'jk', accountId: '100001', upstreamId: '7005', type: 'PENDING_ACTION_COMPLETED', objectKind: 'domain', objectName: 'a.joker.test', message: 'domain-renew a.joker.test (Proc-ID 7005) completed', payload: { pendingActionResult: true, resultCode: 1000, expiresAt: '2027-01-02T00:00:00.000Z' }, queuedAt: new Date(), receivedAt: new Date(), raw: '' },
    });
    expect((await resolvePending(db.prisma, rec)).response).toMatchObject({ code: 1000, expiresAt: '2027-01-02T00:00:00.000Z' });
  });
});
