/**
 * A registry's "object does not exist" (2303, OBJECT_NOT_FOUND) names the argument it is about in
 * `extensions.field`, as every other error about one argument does (README "Errors"): on a single
 * createDomain the registrant, contact or name server the domain would link (`input.registrant`,
 * `input.contacts[1]`, `input.nameservers[0]`), on updateDomain the name server or contact it adds
 * (`input.add.nameservers[i]`, `input.add.contacts[i]`) or the domain itself (`input.name`). Before,
 * only Joker's updates named one: at the EPP registries (the zero-setup sandboxes, Nomulus' words)
 * and REPP a client was left to read the registry's message to learn which of its contacts was
 * unknown. The key's replay answers the same field (the record keeps it).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noBackgroundWork, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let A: string;
const run = randomUUID().slice(0, 8);
const contactId = `mo${run}`;
const domain = `missing-${run}.example`;
const CREATE = 'mutation($k: String!, $i: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $i) { name } }';
const UPDATE = 'mutation($k: String!, $i: UpdateDomainInput!) { updateDomain(idempotencyKey: $k, input: $i) { name } }';

beforeAll(async () => {
  t = await startTestGateway({ configure: noBackgroundWork });
  A = t.keys.NewRegistrar!;
  const postal = [{ type: 'int', name: 'Ada Lovelace', street: ['12 St James Sq'], city: 'London', cc: 'GB' }];
  const c = await t.gql(A, 'mutation($k: String!, $input: CreateContactInput!) { createContact(idempotencyKey: $k, input: $input) { id } }', {
    k: randomUUID(),
    input: { id: contactId, postalInfo: postal, email: 'ada@example.org', authInfo: 'C0ntact-Pw' },
  });
  expect(c.errors).toBeUndefined();
  const d = await t.gql(A, CREATE, { k: randomUUID(), i: { name: domain, authInfo: 'G00d-Pw', registrant: contactId, contacts: [{ role: 'ADMIN', id: contactId }, { role: 'TECH', id: contactId }] } });
  expect(d.errors).toBeUndefined();
}, 120_000);
afterAll(() => t?.close());

/** The one error of `mutation` with `input` under a fresh key, and again under the same key (the replay). */
async function refused(mutation: string, input: Record<string, unknown>) {
  const k = randomUUID();
  const first = await t.gql(A, mutation, { k, i: input });
  const again = await t.gql(A, mutation, { k, i: input });
  expect(first.errors).toHaveLength(1);
  expect(again.errors?.[0]?.extensions).toEqual(first.errors![0]!.extensions);
  return first.errors![0]!;
}

describe('EPP (the sandbox with contacts; Nomulus without)', () => {
  const contacts = [{ role: 'ADMIN', id: contactId }, { role: 'TECH', id: contactId }];
  it.each([
    ['an unknown registrant', () => ({ name: `c1-${run}.example`, authInfo: 'G00d-Pw', registrant: `no${run}r`, contacts }), 'input.registrant', `no${run}r`],
    ['an unknown tech contact', () => ({ name: `c2-${run}.example`, authInfo: 'G00d-Pw', registrant: contactId, contacts: [contacts[0], { role: 'TECH', id: `no${run}t` }] }), 'input.contacts[1]', `no${run}t`],
    ['an unknown host', () => ({ name: `c3-${run}.example`, authInfo: 'G00d-Pw', registrant: contactId, contacts, nameservers: [{ name: `ns5.nowhere-${run}.example` }] }), 'input.nameservers[0]', `ns5.nowhere-${run}.example`],
    ['an unknown host at Nomulus', () => ({ name: `c4-${run}.tld`, authInfo: 'G00d-Pw', nameservers: [{ name: `ns1.other-${run}.net` }, { name: `ns5.nowhere-${run}.tld` }] }), 'input.nameservers[0]', `ns1.other-${run}.net`],
  ])('createDomain with %s: OBJECT_NOT_FOUND naming it', async (_what, input, field, named) => {
    const e = await refused(CREATE, input());
    expect(e.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', upstreamCode: 2303, field });
    expect(e.message).toContain(named);
  }, 60_000);

  it.each([
    ['an unknown contact added (after a known one)', () => ({ name: domain, add: { contacts: [{ role: 'TECH', id: contactId }, { role: 'BILLING', id: `no${run}b` }] } }), 'input.add.contacts[1]'],
    ['an unknown host added (after a known one is removed)', () => ({ name: domain, add: { nameservers: [{ name: `ns9.${domain}` }] }, remove: { contacts: [{ role: 'TECH', id: contactId }] } }), 'input.add.nameservers[0]'],
    ['a domain the registry does not hold', () => ({ name: `nosuch-${run}.example`, add: { statuses: ['clientHold'] } }), 'input.name'],
  ])('updateDomain with %s: OBJECT_NOT_FOUND naming it', async (_what, input, field) => {
    const e = await refused(UPDATE, input());
    expect(e.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', upstreamCode: 2303, field });
  }, 60_000);
});

describe('REPP', () => {
  const name = `missing-${run}.ee`;
  beforeAll(async () => {
    const r = await t.gql(A, CREATE, { k: randomUUID(), i: { name, registrant: 'ATSAA:KARL', contacts: [{ role: 'ADMIN', id: 'ATSAA:KARL' }], nameservers: [{ name: 'ns1.example.net' }, { name: 'ns2.example.net' }], authInfo: 'First-pw-1' } });
    expect(r.errors).toBeUndefined();
  }, 60_000);

  it('updateDomain adding an unknown tech contact names input.add.contacts[0]', async () => {
    const e = await refused(UPDATE, { name, add: { contacts: [{ role: 'TECH', id: `ATSAA:NO${run.toUpperCase()}` }] } });
    expect(e.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', field: 'input.add.contacts[0]', registry: 'sandbox-repp' });
  }, 60_000);

  it('createDomain with an unknown registrant names input.registrant', async () => {
    const e = await refused(CREATE, { name: `c1-${run}.ee`, registrant: `ATSAA:NO${run.toUpperCase()}`, contacts: [{ role: 'ADMIN', id: 'ATSAA:KARL' }], nameservers: [{ name: 'ns1.example.net' }, { name: 'ns2.example.net' }], authInfo: 'First-pw-1' });
    expect(e.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', field: 'input.registrant', registry: 'sandbox-repp' });
  }, 60_000);
});
