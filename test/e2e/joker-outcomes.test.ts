/**
 * Joker answers whose outcome the gateway once misread (review defects), over GraphQL against the
 * zero-setup gateway's Joker sandbox over HTTPS:
 * - HTTP 500 with `Status-Code: 2400` and no Error line (sandbox fault failAfterApply): only Error
 *   lines say a request was not processed (DMAPI "Basics"), so this is an unknown outcome, not a
 *   refusal that frees the idempotency key. A renewal by `period` (which a resend would apply
 *   again) was renewed twice by the retry; now the retry reads the domain first and answers the
 *   one renewal.
 * - HTTP 200 with a non-zero Status-Code and no Error line (sandbox fault errorWithoutErrorLines:
 *   "Status-Code: Not 0 if error occurred"): a renewal so answered was a definite 2400 that freed
 *   the key, and the retry renewed again; it is now an unknown outcome like the 500. A read so
 *   answered with a Status-Code that is not a number was a success (a balance was answered).
 * - A NACK without a Status-Code (sandbox fault statusOnlyResult: "If detailed information
 *   (content) is not available, only status will be returned") was 2400, a transient failure that
 *   a retry and a bulk job sent again; it is the registry's final refusal: REGISTRY_POLICY_ERROR
 *   with upstreamCode 2308, answered again to the same key, sent once, whether it came at once,
 *   through a bulk item or later as a poll message.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JokerBackendConfig } from '../../src/backends/joker/config.js';
import type { JokerSandbox } from '../../src/sandbox/joker/index.js';
import { waitFinished } from '../helpers/bulk.js';
import { keepBackends, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { whileHeld } from '../helpers/held-sandbox.js';

let t: TestGateway;
let joker: JokerSandbox;
let A: string;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.intervalMs = 3_600_000; // rounds when pollMessages asks (drainNow)
      c.bulk = { idleMs: 100, backoffMs: 10 };
      keepBackends(c, ['joker'], 'sandbox-joker');
      (c.backends[0] as JokerBackendConfig).sandbox = { domainDelayMs: 0 };
    },
  });
  joker = t.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
  A = t.keys.NewRegistrar!;
}, 60_000);
afterAll(() => t?.close());

const run = randomUUID().slice(0, 6);
const RENEW = `mutation($k: String!, $n: String!, $cur: DateTimeISO!) { renewDomain(idempotencyKey: $k, input: { name: $n, currentExpiry: $cur, period: { value: 18, unit: MONTHS } }) { name expiresAt replayed transaction { resultCode } } }`;
const TRANSFER = `mutation($k: String!, $n: String!, $a: String!) { requestTransfer(idempotencyKey: $k, domainName: $n, authInfo: $a) { transfer { status } transaction { resultCode pending } } }`;

describe('HTTP 500 without Error lines', () => {
  it('a renewal by period answered 500 / Status-Code 2400: UPSTREAM_UNAVAILABLE, and the retry with the same key answers the one renewal without sending it again', async () => {
    const name = `unknown-${run}.dmapi.test`; // dmapi.test takes any number of months: sent as `period`
    const made = await t.gql(A, `mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, period: { value: 12, unit: MONTHS }, registrant: "CJOK-1", contacts: [{ role: ADMIN, id: "CJOK-1" }, { role: TECH, id: "CJOK-1" }, { role: BILLING, id: "CJOK-1" }], nameservers: [{ name: "ns1.sandbox-dns.test" }], authInfo: "Unused-pw-1" }) { name } }`, { k: randomUUID(), n: name });
    expect(made.errors).toBeUndefined();
    const before = joker.domain(name)!.expires;
    const key = randomUUID();
    const sent = joker.answered('domain-renew');
    joker.failAfterApply('domain-renew');
    const first = await t.gql(A, RENEW, { k: key, n: name, cur: before });
    expect(first.data?.renewDomain ?? null).toBeNull();
    expect(first.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    const retry = await t.gql(A, RENEW, { k: key, n: name, cur: before });
    expect(retry.errors).toBeUndefined();
    expect(retry.data.renewDomain).toMatchObject({ name, replayed: true, transaction: { resultCode: 1000 } });
    const want = new Date(before);
    want.setUTCMonth(want.getUTCMonth() + 18);
    expect(joker.domain(name)!.expires).toBe(want.toISOString()); // renewed once: 18 months, not 36
    expect(joker.answered('domain-renew') - sent).toBe(1);
  }, 60_000);
});

describe('HTTP 200 with a non-zero Status-Code and no Error line', () => {
  it('a renewal by period answered so: UPSTREAM_UNAVAILABLE, and the retry with the same key answers the one renewal without sending it again', async () => {
    const name = `status-${run}.dmapi.test`; // sent as `period`, which a resend would apply again
    const made = await t.gql(A, `mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, period: { value: 12, unit: MONTHS }, registrant: "CJOK-1", contacts: [{ role: ADMIN, id: "CJOK-1" }, { role: TECH, id: "CJOK-1" }, { role: BILLING, id: "CJOK-1" }], nameservers: [{ name: "ns1.sandbox-dns.test" }], authInfo: "Unused-pw-1" }) { name } }`, { k: randomUUID(), n: name });
    expect(made.errors).toBeUndefined();
    const before = joker.domain(name)!.expires;
    const key = randomUUID();
    const sent = joker.answered('domain-renew');
    joker.errorWithoutErrorLines('domain-renew', '2400');
    const first = await t.gql(A, RENEW, { k: key, n: name, cur: before });
    expect(first.data?.renewDomain ?? null).toBeNull();
    expect(first.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true, upstreamCode: 2400 });
    const retry = await t.gql(A, RENEW, { k: key, n: name, cur: before });
    expect(retry.errors).toBeUndefined();
    expect(retry.data.renewDomain).toMatchObject({ name, replayed: true, transaction: { resultCode: 1000 } });
    const want = new Date(before);
    want.setUTCMonth(want.getUTCMonth() + 18);
    expect(joker.domain(name)!.expires).toBe(want.toISOString()); // renewed once: 18 months, not 36
    expect(joker.answered('domain-renew') - sent).toBe(1);
  }, 60_000);

  it('a balance read answered so (a Status-Code that is not a number): an error naming the registry failure, not an amount', async () => {
    joker.errorWithoutErrorLines('query-profile', 'E17', 'Internal error');
    const b = await t.gql(A, `query { viewer { accounts { registry balance { amount } } } }`);
    expect(b.data?.viewer?.accounts?.[0]?.balance ?? null).toBeNull();
    expect(b.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_FAILURE', upstreamCode: 2400 });
    expect(b.errors?.[0]?.message).toContain('Internal error');
  }, 60_000);
});

describe('a NACK without a Status-Code', () => {
  it('answered at once: REGISTRY_POLICY_ERROR 2308, the same answer to the same key, the transfer sent once', async () => {
    const key = randomUUID();
    const sent = joker.answered('domain-transfer-in-reseller');
    joker.statusOnlyResult('domain-transfer-in-reseller');
    const first = await t.gql(A, TRANSFER, { k: key, n: 'rival.joker.test', a: 'Wrong-Code-1' });
    expect(first.data?.requestTransfer ?? null).toBeNull();
    expect(first.errors?.[0]?.extensions).toMatchObject({ code: 'REGISTRY_POLICY_ERROR', upstreamCode: 2308 });
    expect(first.errors?.[0]?.extensions?.retryable).not.toBe(true);
    expect(first.errors?.[0]?.message).toContain('refused (NACK) without a reason given');
    const again = await t.gql(A, TRANSFER, { k: key, n: 'rival.joker.test', a: 'Wrong-Code-1' });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'REGISTRY_POLICY_ERROR', upstreamCode: 2308 });
    expect(joker.answered('domain-transfer-in-reseller') - sent).toBe(1);
    expect(joker.domain('rival.joker.test')!.resellerUid).toBe('100002');
  }, 60_000);

  it('a bulk item: FAILED after one attempt with 2308, not sent again', async () => {
    const sent = joker.answered('domain-transfer-in-reseller');
    joker.statusOnlyResult('domain-transfer-in-reseller');
    const submitted = await t.gql(A, `mutation($k: String!) { bulkTransfer(idempotencyKey: $k, domains: [{ name: "rival.joker.test", authInfo: "Wrong-Code-2" }]) { job { id } } }`, { k: randomUUID() });
    expect(submitted.errors).toBeUndefined();
    const id = submitted.data.bulkTransfer.job.id;
    await waitFinished(t, A, id);
    const r = await t.gql(A, `query($id: ID!) { bulkJob(id: $id) { counts { done failed } items(first: 1) { edges { node { state attempts error { code upstreamCode } } } } } }`, { id });
    expect(r.data.bulkJob.counts).toEqual({ done: 0, failed: 1 });
    expect(r.data.bulkJob.items.edges[0].node).toEqual({ state: 'FAILED', attempts: 1, error: { code: 'REGISTRY_POLICY_ERROR', upstreamCode: 2308 } });
    expect(joker.answered('domain-transfer-in-reseller') - sent).toBe(1);
  }, 60_000);

  it('arriving later as a poll message: TRANSFER_REJECTED saying so, and the key answers REGISTRY_POLICY_ERROR 2308', async () => {
    const key = randomUUID();
    joker.statusOnlyResult('domain-transfer-in-reseller');
    const queued = await whileHeld(joker, () => t.gql(A, TRANSFER, { k: key, n: 'spare.joker.test', a: 'Wrong-Code-3' }));
    expect(queued.data.requestTransfer.transaction).toEqual({ resultCode: 1001, pending: true });
    const polled = await t.gql(A, `query { pollMessages(objects: ["spare.joker.test"]) { edges { node { type message } } } }`);
    expect(polled.errors).toBeUndefined();
    expect(polled.data.pollMessages.edges.map((e: any) => e.node)).toContainEqual({ type: 'TRANSFER_REJECTED', message: expect.stringMatching(/^domain-transfer-in-reseller spare\.joker\.test \(Proc-ID \d+\) failed: refused \(NACK\) without a reason given$/) });
    const answer = await t.gql(A, TRANSFER, { k: key, n: 'spare.joker.test', a: 'Wrong-Code-3' });
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'REGISTRY_POLICY_ERROR', upstreamCode: 2308 });
    expect(joker.domain('spare.joker.test')!.resellerUid).toBe('100002');
  }, 60_000);
});
