/**
 * `transfer(domainName:, authInfo:)` with a wrong auth code (trial defect: `transfer(domainName:
 * "x.ee", authInfo: "<wrong>")` answered null, as if there were simply no transfer). On every
 * backend, for another registrar's domain and for one's own: a wrong code is AUTHORIZATION_ERROR
 * with upstreamCode 2202 ("Invalid authorization information", as EPP answers) where the registry
 * can check it (EPP, REPP: transfer_info with Auth-Code; HeadlessDomains: the sponsor's own code),
 * and UNSUPPORTED_BY_BACKEND where it cannot (Joker shows no Auth-ID; HeadlessDomains shows another
 * channel's to nobody), never null, never echoing the code. Without a code, answers are unchanged.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
}, 60_000);
afterAll(() => t?.close());

const WRONG = 'Wrong-Code-7319';
const QUERY = 'query($n: String!, $a: String) { transfer(domainName: $n, authInfo: $a) { status } }';

async function create(key: string, name: string, extra = '') {
  const r = await t.gql(key, `mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Right-pw-1"${extra} }) { name } }`, { k: randomUUID(), n: name });
  expect(r.errors).toBeUndefined();
}

/** [domain, its sponsor's key, another registrar's key, code for another's wrong code, code for the sponsor's wrong code] */
type Case = [string, string, string, string, string];

/** Creates one domain of NewRegistrar's on each backend but REPP (whose seeded domain1.ee is TheRegistrar's); the cases for them. */
async function domainsOnEveryBackend(): Promise<Case[]> {
  const [A, B] = [t.keys.NewRegistrar!, t.keys.TheRegistrar!];
  const s = randomUUID().slice(0, 6);
  const contact = await t.gql(A, 'mutation($k: String!, $i: CreateContactInput!) { createContact(idempotencyKey: $k, input: $i) { id } }', {
    k: randomUUID(),
    i: { registry: 'sandbox-epp', id: `wa-${s}`, email: 'wa@example.test', voice: '+1.5555550100', authInfo: 'Contact-pw-1', postalInfo: [{ type: 'int', name: 'W A', street: ['1 Road'], city: 'Town', cc: 'US' }] },
  });
  expect(contact.errors).toBeUndefined();
  await create(A, `wa-${s}.example`, `, registrant: "wa-${s}", contacts: [{ role: ADMIN, id: "wa-${s}" }, { role: TECH, id: "wa-${s}" }]`);
  await create(A, `wa-${s}.tld`);
  await create(A, `wa-${s}.hdtest`, ', nameservers: [{ name: "ns1.example.net" }]');
  return [
    [`wa-${s}.example`, A, B, 'AUTHORIZATION_ERROR', 'AUTHORIZATION_ERROR'],
    [`wa-${s}.tld`, A, B, 'AUTHORIZATION_ERROR', 'AUTHORIZATION_ERROR'],
    ['domain1.ee', B, A, 'AUTHORIZATION_ERROR', 'AUTHORIZATION_ERROR'],
    [`wa-${s}.hdtest`, A, B, 'UNSUPPORTED_BY_BACKEND', 'AUTHORIZATION_ERROR'],
    ['alpha.joker.test', A, B, 'UNSUPPORTED_BY_BACKEND', 'UNSUPPORTED_BY_BACKEND'],
  ];
}

/**
 * Sends `query` ($n the domain, $a the code) with a wrong code as the sponsor and as another
 * registrar, for every case: each answer is the case's error (2202 for AUTHORIZATION_ERROR), never
 * naming the code; without a code each is no error (and `none` says what else it must be).
 */
async function expectWrongCodesRefused(cases: Case[], query: string, none: (data: Record<string, unknown>, name: string) => void = () => undefined) {
  const got: Record<string, unknown> = {};
  for (const [name, sponsor, other] of cases) {
    for (const [who, key] of [['other', other], ['sponsor', sponsor]] as const) {
      const wrong = await t.gql(key, query, { n: name, a: WRONG });
      expect(JSON.stringify(wrong)).not.toContain(WRONG);
      const e = wrong.errors?.[0]?.extensions;
      got[`${name} ${who}`] = e ? [e.code, e.code === 'AUTHORIZATION_ERROR' ? e.upstreamCode : null] : wrong.data;
      if (e?.code === 'AUTHORIZATION_ERROR' && e.upstreamCode === 2202) expect(e.field, `${name} ${who}`).toBe('authInfo'); // the refusal is about the code sent
      const without = await t.gql(key, query, { n: name });
      expect(without.errors, `${name} ${who} without a code`).toBeUndefined();
      none(without.data, name);
    }
  }
  expect(got).toEqual(Object.fromEntries(cases.flatMap(([name, , , other, own]) => [
    [`${name} other`, [other, other === 'AUTHORIZATION_ERROR' ? 2202 : null]],
    [`${name} sponsor`, [own, own === 'AUTHORIZATION_ERROR' ? 2202 : null]],
  ])));
}

it('a wrong auth code is an error with a stable code on every backend, for any domain, naming no code; no code answers as before', async () => {
  const cases = await domainsOnEveryBackend();
  // Without a code: as before (no transfer for the other registrar; the sponsor's own answer).
  await expectWrongCodesRefused(cases, QUERY);
  const A = t.keys.NewRegistrar!;
  // The right code is no error: REPP's transfer_info takes it (no transfer pending: null), the sponsor's own reads as without it.
  const right = await t.gql(A, QUERY, { n: 'domain1.ee', a: 'a45e543ddabee202f95eebae5a7c917c' });
  expect(right.errors).toBeUndefined();
  expect(right.data.transfer).toBeNull();
  const ownRight = await t.gql(A, QUERY, { n: cases[3][0], a: 'Right-pw-1' });
  expect(ownRight.errors).toBeUndefined();
  // Joker's refusal sends nothing, and the command log says nothing of it (it had an entry of a
  // transfer query that got no answer).
  const before = await t.upstreamCommands();
  const joker = await t.gql(t.keys.TheRegistrar!, QUERY, { n: 'alpha.joker.test', a: WRONG });
  expect(joker.errors?.[0]?.extensions?.code).toBe('UNSUPPORTED_BY_BACKEND');
  expect(await t.upstreamCommands()).toBe(before);
}, 90_000);

// Trial defect: `domain(name, authInfo)` with a wrong code answered the domain on REPP,
// HeadlessDomains and Joker, the code never checked, so a UI that checks a code before a
// transfer-in was told a wrong one was right. Now as the transfer query: checked, or refused.
it('domain(name, authInfo) with a wrong code: the same stable errors as the transfer query, on every backend; the right code and no code read the domain', async () => {
  const cases = await domainsOnEveryBackend();
  const DOMAIN = 'query($n: String!, $a: String) { domain(name: $n, authInfo: $a) { name } }';
  await expectWrongCodesRefused(cases, DOMAIN, (data, name) => expect(data.domain).toEqual({ name }));
  const A = t.keys.NewRegistrar!;
  // The right code reads the domain: another registrar's on REPP (checked by transfer_info), the sponsor's own on HeadlessDomains.
  expect((await t.gql(A, DOMAIN, { n: 'domain1.ee', a: 'a45e543ddabee202f95eebae5a7c917c' })).data?.domain?.name).toBe('domain1.ee');
  expect((await t.gql(A, DOMAIN, { n: cases[3][0], a: 'Right-pw-1' })).data?.domain?.name).toBe(cases[3][0]);
}, 90_000);
