/**
 * No other registrar's contact data at Joker (trial defect: TheRegistrar's key reading
 * `contact(id: "CJOK-101")`, a handle NewRegistrar created, saw its e-mail and address, as it did
 * through a domain's contacts). DMAPI's query-whois answers any handle registered at Joker, so the
 * gateway answers another reseller's contact as null, as it does at REPP. A registrar's own contacts
 * read as before. Also HeadlessDomains: another channel's domain shows no registrant metadata.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keepBackends, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.enabled = false;
      keepBackends(c, ['joker', 'headless'], 'sandbox-joker');
    },
  });
}, 60_000);
afterAll(() => t?.close());

const CONTACT = 'query($id: String!) { contact(id: $id, registry: "sandbox-joker") { id email voice postalInfo { name street city } } }';

it("another registrar's Joker contact reads as null, directly and through a domain; its own reads in full", async () => {
  const A = t.keys.NewRegistrar!;
  const B = t.keys.TheRegistrar!;
  const created = await t.gql(A, 'mutation($k: String!, $i: CreateContactInput!) { createContact(idempotencyKey: $k, input: $i) { id } }', {
    k: randomUUID(),
    i: { registry: 'sandbox-joker', email: 'secret-ann@example.test', voice: '+372.5550101', authInfo: 'unused-pw-1', postalInfo: [{ name: 'Ann Private', street: ['9 Hidden Road'], city: 'Town', pc: '12345', cc: 'EE' }] },
  });
  expect(created.errors).toBeUndefined();
  const id = created.data.createContact.id as string;
  expect(id).toMatch(/^CJOK-\d+$/);

  // The owner reads it in full.
  const own = await t.gql(A, CONTACT, { id });
  expect(own.errors).toBeUndefined();
  expect(own.data.contact).toMatchObject({ id, email: 'secret-ann@example.test', postalInfo: [{ name: 'Ann Private', street: ['9 Hidden Road'] }] });

  // Another registrar: null, and none of the data anywhere in the answer.
  const other = await t.gql(B, CONTACT, { id });
  expect(other.errors).toBeUndefined();
  expect(other.data.contact).toBeNull();
  const seeded = await t.gql(B, CONTACT, { id: 'CJOK-1' });
  expect(seeded.data.contact).toBeNull();
  expect(JSON.stringify([other, seeded])).not.toMatch(/secret-ann|Ann Private|Hidden Road|5550101|nora@|Nora New/);

  // B's own seeded contact still reads.
  const mine = await t.gql(B, CONTACT, { id: 'CJOK-2' });
  expect(mine.data.contact).toMatchObject({ id: 'CJOK-2', email: 'theo@the-registrar.test' });

  // Through A's domain: B sees its name and sponsor only, so no contact of A's, not even a handle.
  const viaDomain = await t.gql(B, '{ domain(name: "alpha.joker.test") { name sponsor sponsoredByViewer registrant { id email } contacts { role contact { id email postalInfo { name } } } nameservers { name } expiresAt } }');
  expect(JSON.stringify(viaDomain)).not.toMatch(/nora@|Nora New|Test Street|CJOK-1/);
  expect(viaDomain.data.domain).toMatchObject({ name: 'alpha.joker.test', sponsoredByViewer: false, registrant: null, contacts: [], nameservers: [], expiresAt: null });
  expect(viaDomain.data.domain.sponsor).not.toBe('');
  // A reads its own domain's contacts.
  const ownDomain = await t.gql(A, '{ domain(name: "alpha.joker.test") { registrant { id email } } }');
  expect(ownDomain.data.domain.registrant).toEqual({ id: 'CJOK-1', email: 'nora@new-registrar.test' });
}, 60_000);

it("another channel's HeadlessDomains domain shows no registrant metadata", async () => {
  const A = t.keys.NewRegistrar!;
  const B = t.keys.TheRegistrar!;
  const name = `iso-${randomUUID().slice(0, 6)}.hdtest`;
  const created = await t.gql(A, 'mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Iso-pw-1", nameservers: [{ name: "ns1.example.net" }], registrantInfo: { name: "Hidden Holder", email: "holder@private.test" } }) { name domain { registrantInfo { email } } } }', { k: randomUUID(), n: name });
  expect(created.errors).toBeUndefined();
  const read = await t.gql(B, 'query($n: String!) { domain(name: $n) { name registrantInfo { name email organization } } }', { n: name });
  expect(read.data.domain).toEqual({ name, registrantInfo: null });
  // The sponsor still reads its own.
  const own = await t.gql(A, 'query($n: String!) { domain(name: $n) { registrantInfo { name email } } }', { n: name });
  expect(own.data.domain.registrantInfo).toEqual({ name: 'Hidden Holder', email: 'holder@private.test' });
  expect(JSON.stringify(read)).not.toMatch(/Hidden Holder|holder@private/);
}, 60_000);
