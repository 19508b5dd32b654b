/**
 * What a REPP registration or contact has no field for is refused on create as it is on update
 * (UNSUPPORTED_BY_BACKEND, nothing sent), not left out. The trial, over GraphQL on the zero-setup
 * sandboxes: `createDomain` of a .ee name with a BILLING contact registered it, charged the
 * account, and the domain read back with its admin and tech contacts only (REPP keeps no billing
 * contact; `updateDomain` refuses one); `createContact` at REPP with a fax number or a disclosure
 * preference created the contact without them (`updateContact` refuses both); likewise a postal
 * address (street, org, sp, pc: REPP's "Create a new contact" takes name, email, phone and ident
 * only) answered an id and read back as `street: []`, while `updateContact` refused it, naming it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ReppSandbox } from '../../src/sandbox/repp/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let A: string;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
  A = t.keys.NewRegistrar!;
}, 120_000);
afterAll(() => t?.close());

const CREATE_DOMAIN = 'mutation($k: String!, $i: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $i) { name domain { contacts { role id } } } }';
const CREATE_CONTACT = 'mutation($k: String!, $i: CreateContactInput!) { createContact(idempotencyKey: $k, input: $i) { id } }';
const BALANCE = '{ viewer { accounts { registry balance { amount } } } }';

async function reppBalance(): Promise<string> {
  const r = await t.gql(A, BALANCE);
  return r.data.viewer.accounts.find((a: { registry: string }) => a.registry === 'sandbox-repp').balance.amount;
}

it('createDomain with a billing contact at REPP is refused before anything is sent, and registers nothing', async () => {
  const name = `billing-${randomUUID().slice(0, 8)}.ee`;
  const balance = await reppBalance();
  const before = await t.upstreamCommands();
  const contacts = [
    { role: 'ADMIN', id: 'ATSAA:KARL' },
    { role: 'BILLING', id: 'ATSAA:KARL' },
  ];
  const r = await t.gql(A, CREATE_DOMAIN, { k: randomUUID(), i: { name, registrant: 'ATSAA:KARL', contacts, authInfo: 'Billing-pw1' } });
  expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', registry: 'sandbox-repp' });
  expect(r.errors?.[0]?.message).toMatch(/billing contacts/);
  expect(await t.upstreamCommands()).toBe(before);
  expect(await reppBalance()).toBe(balance);
  expect((await t.gql(A, `{ checkDomains(names: ["${name}"]) { available } }`)).data.checkDomains[0].available).toBe(true);

  // Admin and tech contacts are still taken.
  const ok = await t.gql(A, CREATE_DOMAIN, { k: randomUUID(), i: { name, registrant: 'ATSAA:KARL', contacts: [contacts[0], { role: 'TECH', id: 'ATSAA:KARL' }], authInfo: 'Billing-pw1' } });
  expect(ok.errors).toBeUndefined();
  expect(ok.data.createDomain.domain.contacts.map((c: { role: string }) => c.role).sort()).toEqual(['ADMIN', 'TECH']);
});

it('createDomain without a registrant at REPP is BAD_USER_INPUT on input.registrant (the registry requires one), nothing sent', async () => {
  const name = `noreg-${randomUUID().slice(0, 8)}.ee`;
  const before = await t.upstreamCommands();
  const r = await t.gql(A, CREATE_DOMAIN, { k: randomUUID(), i: { name, authInfo: 'Noreg-pw1' } });
  expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.registrant' });
  expect(r.errors?.[0]?.message).toMatch(/^input\.registrant: the \.ee registry \(REPP\) registers a domain only with a registrant/);
  expect(await t.upstreamCommands()).toBe(before);
  expect((await t.gql(A, `{ checkDomains(names: ["${name}"]) { available } }`)).data.checkDomains[0].available).toBe(true);
});

it('createContact with a fax number or a disclosure preference at REPP is refused before anything is sent', async () => {
  const input = (email: string) => ({
    registry: 'sandbox-repp',
    postalInfo: [{ name: 'Faks Isik', city: 'Tallinn', cc: 'EE' }],
    voice: '+372.5551234',
    email,
    authInfo: 'Unused-pw1',
    ident: { code: '38001010000', type: 'PRIV', countryCode: 'EE' },
  });
  const before = await t.upstreamCommands();
  const fax = await t.gql(A, CREATE_CONTACT, { k: randomUUID(), i: { ...input('fax@example.ee'), fax: '+372.5559999' } });
  expect(fax.errors?.[0]?.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', registry: 'sandbox-repp' });
  expect(fax.errors?.[0]?.message).toMatch(/fax numbers/);
  const disclose = await t.gql(A, CREATE_CONTACT, { k: randomUUID(), i: { ...input('hidden@example.ee'), disclosure: { flag: false, fields: ['EMAIL'] } } });
  expect(disclose.errors?.[0]?.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', registry: 'sandbox-repp' });
  expect(disclose.errors?.[0]?.message).toMatch(/disclosure preferences/);
  // A second postal info's name was dropped (the contact created with the first alone).
  const twoNames = await t.gql(A, CREATE_CONTACT, { k: randomUUID(), i: { ...input('two@example.ee'), postalInfo: [{ type: 'int', name: 'Int Name', city: 'Tallinn', cc: 'EE' }, { type: 'loc', name: 'Loc Nimi', city: 'Tallinn', cc: 'EE' }] } });
  expect(twoNames.errors?.[0]?.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', registry: 'sandbox-repp', field: 'input.postalInfo[1]' });
  expect(await t.upstreamCommands()).toBe(before);

  // Without them the contact is created.
  const ok = await t.gql(A, CREATE_CONTACT, { k: randomUUID(), i: input('plain@example.ee') });
  expect(ok.errors).toBeUndefined();
  expect(ok.data.createContact.id).toMatch(/^ATSAA:/);
});

it('createContact with a street, org, sp or pc at REPP is refused naming it, as updateContact refuses it, and creates nothing', async () => {
  const sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-repp') as ReppSandbox;
  const UPDATE_CONTACT = 'mutation($k: String!, $i: UpdateContactInput!) { updateContact(idempotencyKey: $k, input: $i) { id } }';
  const base = { registry: 'sandbox-repp', email: 'fe@example.ee', voice: '+372.5555555', authInfo: '2fooBAR!', ident: { code: '38903110313', type: 'PRIV', countryCode: 'EE' } };
  const plain = { type: 'int', name: 'M', city: 'Tallinn', cc: 'EE' };
  // The user's request: one postalInfo with a street line.
  const cases: [Record<string, unknown>[], string][] = [
    [[{ ...plain, street: ['Pikk 1'] }], 'input.postalInfo[0].street'],
    [[{ ...plain, org: 'Mets OU' }], 'input.postalInfo[0].org'],
    [[{ ...plain, sp: 'Harjumaa' }], 'input.postalInfo[0].sp'],
    [[{ ...plain, pc: '10130' }], 'input.postalInfo[0].pc'],
    [[plain, { ...plain, type: 'loc', street: ['Pikk 1'] }], 'input.postalInfo[1].street'],
  ];
  const before = await t.upstreamCommands();
  const created = sandbox.applied('contact:create');
  for (const [postalInfo, field] of cases) {
    const r = await t.gql(A, CREATE_CONTACT, { k: randomUUID(), i: { ...base, postalInfo } });
    expect(r.data?.createContact ?? null, field).toBeNull();
    expect(r.errors?.[0]?.extensions, field).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', registry: 'sandbox-repp', field });
    expect(r.errors?.[0]?.message).toMatch(/postal addresses/);
  }
  expect(await t.upstreamCommands()).toBe(before);
  expect(sandbox.applied('contact:create')).toBe(created);

  // Without them the contact is created and updated; update refuses the same fields with the same answer.
  const ok = await t.gql(A, CREATE_CONTACT, { k: randomUUID(), i: { ...base, postalInfo: [plain] } });
  expect(ok.errors).toBeUndefined();
  const id = ok.data.createContact.id as string;
  for (const [postalInfo, field] of cases) {
    const r = await t.gql(A, UPDATE_CONTACT, { k: randomUUID(), i: { id, registry: 'sandbox-repp', postalInfo } });
    expect(r.errors?.[0]?.extensions, field).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', registry: 'sandbox-repp', field });
  }
  const read = await t.gql(A, 'query($id: String!) { contact(registry: "sandbox-repp", id: $id) { postalInfo { name street city cc } } }', { id });
  expect(read.data.contact.postalInfo).toEqual([{ name: 'M', street: [], city: '', cc: '' }]);
});
