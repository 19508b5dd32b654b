/**
 * Joker answers whose outcome the gateway once misread (review defects), over GraphQL against the
 * zero-setup gateway's Joker sandbox over HTTPS:
 * - HTTP 500 with `Status-Code: 2400` and no Error line (sandbox fault failAfterApply): only Error
 *   lines say a request was not processed (DMAPI "Basics"), so this is an unknown outcome, not a
 *   refusal that frees the idempotency key. A renewal by `period` (which a resend would apply
 *   again) was renewed twice by the retry; now the retry reads the domain first and answers the
 *   one renewal.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JokerBackendConfig } from '../../src/backends/joker/config.js';
import type { JokerSandbox } from '../../src/sandbox/joker/index.js';
import { keepBackends, startTestGateway, type TestGateway } from '../helpers/gateway.js';

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

