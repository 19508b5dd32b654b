/**
 * Mutations the gateway answers from its own store (cancelBulkJob, ackPollMessage) refuse an id
 * the viewer does not have (none, or another registrar's) with OBJECT_NOT_FOUND naming `id`,
 * before the key's idempotency record is written: nothing was applied, so the key stays free for
 * the corrected request (README, Idempotency contract: "Nothing applied, nothing kept"). Before,
 * the refusal was kept as the key's answer and the same key with the right id gave
 * IDEMPOTENCY_KEY_REUSED.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let A: string;
let B: string;
beforeAll(async () => {
  t = await startTestGateway(); // polling on: the transfer request reaches the losing registrar as a poll message
  A = t.keys.NewRegistrar!;
  B = t.keys.TheRegistrar!;
});
afterAll(() => t?.close());

const record = (registrarId: string, key: string) =>
  t.gateway.services.prisma.idempotencyRecord.findUnique({ where: { registrarId_idempotencyKey: { registrarId, idempotencyKey: key } } });

const SUBMIT = `mutation($k: String!, $d: [String!]!) { bulkUpdateStatuses(idempotencyKey: $k, domains: $d, add: [clientHold]) { job { id } } }`;
const CANCEL = `mutation($id: ID!, $k: String!) { cancelBulkJob(idempotencyKey: $k, id: $id) { id } }`;
const submit = async (key: string) => {
  const r = await t.gql(key, SUBMIT, { k: randomUUID(), d: [`nobody-${randomUUID().slice(0, 8)}.example`] });
  expect(r.errors).toBeUndefined();
  return r.data.bulkUpdateStatuses.job.id as string;
};

describe('cancelBulkJob', () => {
  it.each([
    ['no such job', async () => '00000000-0000-0000-0000-000000000000'],
    ["another registrar's job", () => submit(B)],
  ])('%s: OBJECT_NOT_FOUND naming id, no record kept, the key then cancels the real job', async (_what, wrongId) => {
    const k = `trial-cancel-${randomUUID()}`;
    const wrong = await t.gql(A, CANCEL, { id: await wrongId(), k });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', field: 'id' });
    expect(await record('NewRegistrar', k)).toBeNull();
    const id = await submit(A);
    const ok = await t.gql(A, CANCEL, { id, k });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.cancelBulkJob.id).toBe(id);
  });
});

describe('ackPollMessage', () => {
  it("an id that is not one of the viewer's messages: OBJECT_NOT_FOUND naming id, no record kept, the key then acks the real one", async () => {
    // A poll message for NewRegistrar: TheRegistrar asks for the transfer of its domain.
    const domain = `polled-${randomUUID().slice(0, 8)}.tld`;
    const created = await t.gql(A, `mutation($k: String!) { createDomain(idempotencyKey: $k, input: { name: "${domain}", authInfo: "D0main-Pw" }) { name } }`, { k: randomUUID() });
    expect(created.errors).toBeUndefined();
    const req = await t.gql(B, `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "${domain}", authInfo: "D0main-Pw") { transfer { status } } }`, { k: randomUUID() });
    expect(req.errors).toBeUndefined();
    const poll = `{ pollMessages(first: 500) { edges { node { id objectName } } } }`;
    const mine = (await t.gql(A, poll)).data.pollMessages.edges.map((e: any) => e.node).find((m: any) => m.objectName === domain);
    expect(mine).toBeTruthy();
    const ACK = `mutation($k: String!, $id: ID!) { ackPollMessage(idempotencyKey: $k, id: $id) { message { id acknowledgedAt } } }`;
    // Another registrar's message is not TheRegistrar's to acknowledge.
    const kb = `trial-ack-${randomUUID()}`;
    const theirs = await t.gql(B, ACK, { k: kb, id: mine.id });
    expect(theirs.errors?.[0]?.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', field: 'id' });
    expect(await record('TheRegistrar', kb)).toBeNull();

    const k = `trial-ack-${randomUUID()}`;
    const wrong = await t.gql(A, ACK, { k, id: '999999999' });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', field: 'id' });
    expect(await record('NewRegistrar', k)).toBeNull();
    const ok = await t.gql(A, ACK, { k, id: mine.id });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.ackPollMessage.message).toMatchObject({ id: mine.id, acknowledgedAt: expect.any(String) });
  });
});
