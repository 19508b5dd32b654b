/**
 * A domain another registrar sponsors, read without its auth info, shows its name, roid and sponsor
 * only, on every backend (src/domains/own-domains.ts limitedView; RFC 5731 section 3.1.2, as
 * Nomulus answers it). Before, the EPP registry answered so but REPP, Joker and HeadlessDomains
 * were passed on as they show others' domains: contact handles, name servers, statuses, expiry.
 * The same through federation's `_entities`. The sponsor still reads its own in full.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allItems, waitFinished } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
/** NewRegistrar's domain at HeadlessDomains (its sandbox seeds none). */
let hd: string;
beforeAll(async () => {
  // No poller; the bulk runner on, for the bulkRenew items below.
  t = await startTestGateway({ configure: (c) => (c.poll.enabled = false) });
  hd = `other-${randomUUID().slice(0, 6)}.hdtest`;
  const made = await t.gql(t.keys.NewRegistrar!, 'mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Other-pw-1", nameservers: [{ name: "ns1.example.net" }] }) { name } }', { k: randomUUID(), n: hd });
  expect(made.errors).toBeUndefined();
}, 60_000);
afterAll(() => t?.close());

const FIELDS = 'name sponsor sponsoredByViewer statuses expiresAt createdAt registrant { id } contacts { id } nameservers { name } dnssecKeys { keyTag } authInfo';
const LIMITED = { sponsoredByViewer: false, statuses: [], expiresAt: null, createdAt: null, registrant: null, contacts: [], nameservers: [], dnssecKeys: [], authInfo: null };

describe("another registrar's domain, read without its auth info", () => {
  it.each([
    ['EPP', 'example.example', 'TheRegistrar', 'NewRegistrar'],
    ['REPP', 'kass.ee', 'NewRegistrar', 'TheRegistrar'],
    ['Joker', 'alpha.joker.test', 'NewRegistrar', 'TheRegistrar'],
    ['HeadlessDomains', '', 'NewRegistrar', 'TheRegistrar'],
  ])('%s: its name, roid and sponsor only; its sponsor reads it in full, directly and through _entities', async (_backend, seeded, owner, other) => {
    const name = seeded || hd;
    const own = await t.gql(t.keys[owner]!, `query($n: String!) { domain(name: $n) { ${FIELDS} } }`, { n: name });
    expect(own.errors).toBeUndefined();
    expect(own.data.domain.sponsoredByViewer).toBe(true);
    expect(own.data.domain.nameservers.length + own.data.domain.contacts.length).toBeGreaterThan(0);
    expect(own.data.domain.expiresAt).not.toBeNull();

    const direct = await t.gql(t.keys[other]!, `query($n: String!) { domain(name: $n) { ${FIELDS} } }`, { n: name });
    const entity = await t.gql(t.keys[other]!, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Domain { ${FIELDS} } } }`, { r: [{ __typename: 'Domain', name }] });
    for (const [r, d] of [[direct, direct.data?.domain], [entity, entity.data?._entities?.[0]]] as const) {
      expect(r.errors).toBeUndefined();
      expect(d).toEqual({ name, sponsor: expect.any(String), ...LIMITED });
      expect(d.sponsor).not.toBe('');
    }
  });
});

describe("a change of another registrar's domain", () => {
  // REPP shows any registrar's domain but answered its renewal and update with 404, which read as
  // OBJECT_NOT_FOUND: a UI told its user that a registered domain does not exist.
  it.each([
    ['EPP', 'example.example', 'NewRegistrar', 'clientTransferProhibited'],
    ['REPP', 'kass.ee', 'TheRegistrar', 'clientHold'],
    ['Joker', 'alpha.joker.test', 'TheRegistrar', 'clientTransferProhibited'],
    ['HeadlessDomains', '', 'TheRegistrar', 'clientTransferProhibited'],
  ])('%s: renewDomain (with and without currentExpiry) and updateDomain are AUTHORIZATION_ERROR, nothing changed', async (_backend, seeded, other, status) => {
    const name = seeded || hd;
    const key = t.keys[other]!;
    const before = await t.gql(t.keys[other === 'NewRegistrar' ? 'TheRegistrar' : 'NewRegistrar']!, 'query($n: String!) { domain(name: $n) { expiresAt statuses } }', { n: name });
    const expiry = before.data.domain.expiresAt as string;
    for (const [doc, vars] of [
      ['mutation($k: String!, $n: String!) { renewDomain(idempotencyKey: $k, input: { name: $n, period: { value: 1, unit: YEARS } }) { expiresAt } }', {}],
      ['mutation($k: String!, $n: String!, $e: DateTimeISO) { renewDomain(idempotencyKey: $k, input: { name: $n, period: { value: 1, unit: YEARS }, currentExpiry: $e }) { expiresAt } }', { e: expiry }],
      [`mutation($k: String!, $n: String!) { updateDomain(idempotencyKey: $k, input: { name: $n, add: { statuses: [${status}] } }) { name } }`, {}],
    ] as const) {
      const r = await t.gql(key, doc, { k: randomUUID(), n: name, ...vars });
      expect(r.errors?.[0]?.extensions?.code, `${name}: ${doc.slice(0, 60)}: ${r.errors?.[0]?.message}`).toBe('AUTHORIZATION_ERROR');
    }
    const after = await t.gql(t.keys[other === 'NewRegistrar' ? 'TheRegistrar' : 'NewRegistrar']!, 'query($n: String!) { domain(name: $n) { expiresAt statuses } }', { n: name });
    expect(after.data.domain).toEqual(before.data.domain);
  });
});

it.each([
  ['EPP', 'example.example', 'NewRegistrar'],
  ['REPP (its native bulk renew)', 'kass.ee', 'TheRegistrar'],
  ['Joker', 'alpha.joker.test', 'TheRegistrar'],
  ['HeadlessDomains', '', 'TheRegistrar'],
])("%s: a bulkRenew item of another registrar's domain fails AUTHORIZATION_ERROR", async (_backend, seeded, other) => {
  const key = t.keys[other]!;
  const r = await t.gql(key, 'mutation($k: String!, $d: [BulkRenewItemInput!]!) { bulkRenew(idempotencyKey: $k, domains: $d) { job { id } } }', { k: randomUUID(), d: [{ name: seeded || hd }] });
  expect(r.errors).toBeUndefined();
  await waitFinished(t, key, r.data.bulkRenew.job.id);
  const [item] = await allItems(t, key, r.data.bulkRenew.job.id);
  expect(item).toMatchObject({ state: 'FAILED', error: { code: 'AUTHORIZATION_ERROR' } });
});
