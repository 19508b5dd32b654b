/**
 * Another registrar's contact reads as null on every backend. The EPP registry answers a contact
 * info from any registrar in full (Nomulus does: name, address, e-mail, phone; only the auth info
 * is the sponsor's), and the gateway passed that on, while REPP (only the sponsor reads a contact)
 * and Joker (the gateway nulls another reseller's handle: joker-contact-isolation.test.ts) answered
 * null. Now the contact loader answers it null everywhere: `contact(id)`, federation's `_entities`
 * and a domain's `registrant` and `contacts { contact }` (whose `id` still names the handle the
 * domain holds). The sponsor reads its own in full.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { noBackgroundWork, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ configure: noBackgroundWork });
}, 60_000);
afterAll(() => t?.close());

const FIELDS = 'id email voice postalInfo { name street city }';

it("an EPP contact of another registrar is null directly, through _entities and through a domain; its sponsor reads it in full", async () => {
  const A = t.keys.NewRegistrar!;
  const B = t.keys.TheRegistrar!;
  const id = `oc${randomUUID().slice(0, 8)}`;
  const created = await t.gql(A, 'mutation($k: String!, $i: CreateContactInput!) { createContact(idempotencyKey: $k, input: $i) { id } }', {
    k: randomUUID(),
    i: { id, registry: 'sandbox-epp', email: 'private-olga@example.test', voice: '+1.2025550199', authInfo: 'Olga-pw-12', postalInfo: [{ name: 'Olga Private', street: ['7 Quiet Lane'], city: 'Hamlet', cc: 'US' }] },
  });
  expect(created.errors).toBeUndefined();

  const own = await t.gql(A, `query($id: String!) { contact(id: $id, registry: "sandbox-epp") { ${FIELDS} } }`, { id });
  expect(own.errors).toBeUndefined();
  expect(own.data.contact).toEqual({ id, email: 'private-olga@example.test', voice: '+1.2025550199', postalInfo: [{ name: 'Olga Private', street: ['7 Quiet Lane'], city: 'Hamlet' }] });

  // Another registrar: the contact it made, and a seeded one of NewRegistrar's (jd1234), both null.
  const direct = await t.gql(B, `query($id: String!) { contact(id: $id, registry: "sandbox-epp") { ${FIELDS} } seeded: contact(id: "jd1234", registry: "sandbox-epp") { ${FIELDS} } }`, { id });
  expect(direct.errors).toBeUndefined();
  expect(direct.data).toEqual({ contact: null, seeded: null });
  const entities = await t.gql(B, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Contact { ${FIELDS} } } }`, {
    r: [{ __typename: 'Contact', registry: 'sandbox-epp', id }, { __typename: 'Contact', registry: 'sandbox-epp', id: 'sah8013' }],
  });
  expect(entities.errors).toBeUndefined();
  expect(entities.data._entities[0]).toBeNull();
  // TheRegistrar's own seeded contact still reads, in the same request.
  expect(entities.data._entities[1]).toMatchObject({ id: 'sah8013', email: expect.stringContaining('@') });

  // TheRegistrar's domain naming NewRegistrar's contact: the handles, not the data behind them.
  const name = `oc-${randomUUID().slice(0, 8)}.example`;
  const made = await t.gql(B, 'mutation($k: String!, $n: String!, $c: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Dom-pw-123", registrant: $c, contacts: [{ role: ADMIN, id: $c }, { role: TECH, id: "sah8013" }] }) { name } }', { k: randomUUID(), n: name, c: id });
  expect(made.errors).toBeUndefined();
  const viaDomain = await t.gql(B, `query($n: String!) { domain(name: $n) { sponsoredByViewer registrant { ${FIELDS} } contacts { role id contact { id email } } } }`, { n: name });
  expect(viaDomain.errors).toBeUndefined();
  expect(viaDomain.data.domain.sponsoredByViewer).toBe(true);
  expect(viaDomain.data.domain.registrant).toBeNull();
  const byRole = Object.fromEntries(viaDomain.data.domain.contacts.map((c: { role: string }) => [c.role, c]));
  expect(byRole.ADMIN).toEqual({ role: 'ADMIN', id, contact: null });
  expect(byRole.TECH).toMatchObject({ role: 'TECH', id: 'sah8013', contact: { id: 'sah8013' } });

  expect(JSON.stringify([direct, entities, viaDomain])).not.toMatch(/olga|Quiet Lane|5550199|John Doe|jd1234@/i);
});
