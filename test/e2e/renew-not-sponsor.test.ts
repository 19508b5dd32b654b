/**
 * A renewal of a domain another registrar sponsors, without currentExpiry: the registry's info
 * shows the domain without its expiry (RFC 5731 section 3.1.2: only the sponsor sees it), which
 * was answered BAD_USER_INPUT "input.currentExpiry: the registry gave no expiry date; pass
 * currentExpiry", and the client who passed one only then learnt the real cause (2201). Now it is
 * AUTHORIZATION_ERROR at once, as the registry's own refusal is, with no renew sent; a bulkRenew
 * item likewise. EPP sandbox, two registrars.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allItems, BULK_RENEW, waitFinished } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** NewRegistrar's domain on the EPP (Nomulus) sandbox; TheRegistrar does not sponsor it. */
const NAME = 'fakesite.tld';
const RENEW = 'mutation($k: String!, $n: String!, $c: DateTimeISO) { renewDomain(idempotencyKey: $k, input: { name: $n, currentExpiry: $c, period: { value: 1, unit: YEARS } }) { expiresAt } }';
const LOG = 'query($k: String!) { commandLog(first: 50, filter: { idempotencyKey: $k }) { edges { node { command } } } }';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
}, 60_000);
afterAll(() => t?.close());

const other = (q: string, v?: Record<string, unknown>) => t.gql(t.keys.TheRegistrar!, q, v);

async function sentUnder(k: string): Promise<string[]> {
  await t.gateway.commandLog.flush();
  const r = await other(LOG, { k });
  expect(r.errors).toBeUndefined();
  return r.data.commandLog.edges.map((e: { node: { command: string } }) => e.node.command);
}

describe('renewDomain by a registrar that does not sponsor the domain', () => {
  it('without currentExpiry: AUTHORIZATION_ERROR, as with one (the registry\'s 2201), and no renew sent', async () => {
    const expiry = (await t.gql(t.keys.NewRegistrar!, 'query($n: String!) { domain(name: $n) { expiresAt } }', { n: NAME })).data.domain.expiresAt;
    const withExpiry = await other(RENEW, { k: randomUUID(), n: NAME, c: expiry });
    expect(withExpiry.errors?.[0]?.extensions?.code).toBe('AUTHORIZATION_ERROR');

    const k = randomUUID();
    const r = await other(RENEW, { k, n: NAME });
    expect(r.data?.renewDomain ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'AUTHORIZATION_ERROR', registry: withExpiry.errors?.[0]?.extensions?.registry });
    expect(r.errors?.[0]?.message).toBe('fakesite.tld is sponsored by another registrar: only its sponsor can renew it');
    expect(r.errors?.[0]?.message).not.toMatch(/currentExpiry/);
    expect(await sentUnder(k)).toEqual(['domain:info']);
  });

  it('a bulkRenew item without currentExpiry fails AUTHORIZATION_ERROR the same way', async () => {
    const k = randomUUID();
    const sub = await other(BULK_RENEW, { k, domains: [{ name: NAME }] });
    expect(sub.errors).toBeUndefined();
    const job = await waitFinished(t, t.keys.TheRegistrar!, sub.data.bulkRenew.job.id);
    const [item] = await allItems(t, t.keys.TheRegistrar!, job.id);
    expect(item).toMatchObject({ state: 'FAILED', error: { code: 'AUTHORIZATION_ERROR' } });
    expect(item.error.message).toMatch(/sponsored by another registrar/);
  });
});
