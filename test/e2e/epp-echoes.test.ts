/**
 * An EPP refusal that echoes what the client sent quotes at most 32 characters of it (README,
 * Errors), in the GraphQL message, extensions.upstreamMessage and a bulk item's error alike.
 * Nomulus names the object it cannot find whole ("The domain with given ID (<name>) doesn't
 * exist."), as the sandbox does over its real socket; the EPP adapter cuts the echo.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allItems, BULK_RENEW, waitFinished } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { expectQuotedAtMost32 } from '../helpers/quotes.js';

let t: TestGateway;
let A: string;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
  A = t.keys.NewRegistrar!;
}, 60_000);
afterAll(() => t?.close());

/** A 60-character label under .tld (64 characters), unique to the test, registered nowhere. */
const longName = (tag: string) => `${tag}${randomUUID().replace(/-/g, '')}${'e'.repeat(60)}`.slice(0, 60) + '.tld';


describe('EPP refusals echoing a long value the client sent', () => {
  it('renewDomain of a 60-character name not registered: OBJECT_NOT_FOUND quoting 32 characters of it', async () => {
    const name = longName('rn');
    const r = await t.gql(A, 'mutation($k: String!, $n: String!) { renewDomain(idempotencyKey: $k, input: { name: $n, period: { value: 1, unit: YEARS } }) { expiresAt } }', { k: randomUUID(), n: name });
    const e = r.errors?.[0];
    expect(e?.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', upstreamCode: 2303 });
    expect(e?.extensions?.upstreamMessage).toBe(`The domain with given ID (${name.slice(0, 32)}…) doesn't exist.`);
    expectQuotedAtMost32(e!.message, name);
  });

  it('deleteHost of a host name not registered: the host name quoted 32 characters long', async () => {
    const name = `ns1.${longName('hn')}`;
    const r = await t.gql(A, 'mutation($k: String!, $n: String!) { deleteHost(idempotencyKey: $k, name: $n) { __typename } }', { k: randomUUID(), n: name });
    const e = r.errors?.[0];
    expect(e?.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', upstreamCode: 2303 });
    expectQuotedAtMost32(e!.message, name);
    expectQuotedAtMost32(String(e?.extensions?.upstreamMessage), name);
  });

  it("a bulkRenew item's refusal quotes 32 characters of its 60-character name", async () => {
    const name = longName('bk');
    const submitted = await t.gql(A, BULK_RENEW, { k: randomUUID(), domains: [{ name }] });
    expect(submitted.errors).toBeUndefined();
    const job = await waitFinished(t, A, submitted.data.bulkRenew.job.id);
    expect(job.counts).toMatchObject({ failed: 1 });
    const [item] = await allItems(t, A, job.id);
    expect(item).toMatchObject({ domainName: name, state: 'FAILED', error: { code: 'OBJECT_NOT_FOUND', upstreamCode: 2303 } });
    expectQuotedAtMost32(item.error.message, name);
  }, 60_000);
});
