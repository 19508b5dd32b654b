/**
 * A registry's "object does not exist" (2303, OBJECT_NOT_FOUND) names the argument it is about in
 * `extensions.field`, as every other error about one argument does (README "Errors"): on a single
 * createDomain the registrant, contact or name server the domain would link (`input.registrant`,
 * `input.contacts[1]`, `input.nameservers[0]`), on updateDomain the name server or contact it adds
 * (`input.add.nameservers[i]`, `input.add.contacts[i]`) or the domain itself (`input.name`), and on
 * a command on one object that object (`input.name`, `name`, `input.id`, `id`, `domainName`). Before,
 * only Joker's updates named one: at the EPP registries (the zero-setup sandboxes, Nomulus' words)
 * and REPP a client was left to read the registry's message to learn which of its contacts was
 * unknown. The key's replay answers the same field (the record keeps it).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allItems, waitFinished } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let A: string;
const run = randomUUID().slice(0, 8);
const contactId = `mo${run}`;
const domain = `missing-${run}.example`;
const CREATE = 'mutation($k: String!, $i: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $i) { name } }';
const UPDATE = 'mutation($k: String!, $i: UpdateDomainInput!) { updateDomain(idempotencyKey: $k, input: $i) { name } }';

beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => (c.poll.enabled = false) });
  A = t.keys.NewRegistrar!;
  const postal = [{ type: 'int', name: 'Ada Lovelace', street: ['12 St James Sq'], city: 'London', cc: 'GB' }];
  const c = await t.gql(A, 'mutation($k: String!, $input: CreateContactInput!) { createContact(idempotencyKey: $k, input: $input) { id } }', {
    k: randomUUID(),
    input: { id: contactId, postalInfo: postal, email: 'ada@example.org', authInfo: 'C0ntact-Pw' },
  });
  expect(c.errors).toBeUndefined();
  const d = await t.gql(A, CREATE, { k: randomUUID(), i: { name: domain, authInfo: 'G00d-Pw', registrant: contactId, contacts: [{ role: 'ADMIN', id: contactId }, { role: 'TECH', id: contactId }] } });
  expect(d.errors).toBeUndefined();
  // A contact whose id is a word of the registry's messages ("...this domain does not exist: host x."), once per run.
  const word = await t.gql(A, 'mutation($k: String!, $input: CreateContactInput!) { createContact(idempotencyKey: $k, input: $input) { id } }', {
    k: randomUUID(),
    input: { id: 'domain', postalInfo: postal, email: 'ada@example.org', authInfo: 'C0ntact-Pw' },
  });
  expect(word.errors?.[0]?.extensions?.code ?? 'created').toMatch(/created|OBJECT_EXISTS/);
}, 120_000);
afterAll(() => t?.close());

/** The one error of `mutation` with `input` under a fresh key, and again under the same key (the replay). */
async function refused(mutation: string, input: Record<string, unknown>) {
  const k = randomUUID();
  const first = await t.gql(A, mutation, { k, ...(mutation.includes('$i:') ? { i: input } : {}) });
  const again = await t.gql(A, mutation, { k, ...(mutation.includes('$i:') ? { i: input } : {}) });
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
    ['a contact id known in another letter case only (ids are case-sensitive)', () => ({ name: `c5-${run}.example`, authInfo: 'G00d-Pw', registrant: contactId, contacts: [contacts[0], { role: 'TECH', id: contactId.toUpperCase() }] }), 'input.contacts[1]', contactId.toUpperCase()],
    ['an unknown host, beside contacts named like the words of the message', () => ({ name: `c6-${run}.example`, authInfo: 'G00d-Pw', registrant: 'domain', contacts: [{ role: 'ADMIN', id: 'domain' }, contacts[1]], nameservers: [{ name: `ns9.nowhere-${run}.net` }] }), 'input.nameservers[0]', `ns9.nowhere-${run}.net`],
  ])('createDomain with %s: OBJECT_NOT_FOUND naming it', async (_what, input, field, named) => {
    const e = await refused(CREATE, input());
    expect(e.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', upstreamCode: 2303, field });
    expect(e.message).toContain(named);
  }, 60_000);

  it.each([
    ['an unknown contact added (after a known one)', () => ({ name: domain, add: { contacts: [{ role: 'TECH', id: contactId }, { role: 'BILLING', id: `no${run}b` }] } }), 'input.add.contacts[1]'],
    ['an unknown host added (after a known one is removed)', () => ({ name: domain, add: { nameservers: [{ name: `ns9.${domain}` }] }, remove: { contacts: [{ role: 'TECH', id: contactId }] } }), 'input.add.nameservers[0]'],
    ['a domain the registry does not hold', () => ({ name: `nosuch-${run}.example`, add: { statuses: ['clientHold'] } }), 'input.name'],
    ['a domain the registry does not hold, adding a contact named "domain"', () => ({ name: `nosuch-${run}.example`, add: { contacts: [{ role: 'BILLING', id: 'domain' }] } }), 'input.name'],
    ['an unknown new registrant', () => ({ name: domain, registrant: `no${run}g` }), 'input.registrant'],
    ['a name server removed that the registry does not hold', () => ({ name: domain, remove: { nameservers: [{ name: `ns8.nowhere-${run}.net` }] } }), 'input.remove.nameservers[0]'],
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

  it('bulkRenew and bulkTransfer items (its native bulk endpoints) whose domain it does not hold name domains[i].name', async () => {
    for (const [mutation, d] of [
      ['mutation($k: String!, $d: [BulkRenewItemInput!]!) { bulkRenew(idempotencyKey: $k, domains: $d) { job { id } } }', [{ name }, { name: `nosuch-${run}.ee` }]],
      ['mutation($k: String!, $d: [BulkTransferItemInput!]!) { bulkTransfer(idempotencyKey: $k, domains: $d) { job { id } } }', [{ name: `nosuch-${run}.ee`, authInfo: 'Abc-12345' }]],
    ] as const) {
      const r = await t.gql(A, mutation, { k: randomUUID(), d });
      expect(r.errors).toBeUndefined();
      const id = Object.values(r.data as Record<string, { job: { id: string } }>)[0]!.job.id;
      await waitFinished(t, A, id);
      const missing = (await allItems(t, A, id)).find((i: { domainName: string }) => i.domainName === `nosuch-${run}.ee`);
      expect(missing).toMatchObject({ state: 'FAILED', error: { code: 'OBJECT_NOT_FOUND', field: `domains[${d.length - 1}].name` } });
    }
  }, 120_000);

  it('createDomain with an unknown registrant names input.registrant', async () => {
    const e = await refused(CREATE, { name: `c1-${run}.ee`, registrant: `ATSAA:NO${run.toUpperCase()}`, contacts: [{ role: 'ADMIN', id: 'ATSAA:KARL' }], nameservers: [{ name: 'ns1.example.net' }, { name: 'ns2.example.net' }], authInfo: 'First-pw-1' });
    expect(e.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', field: 'input.registrant', registry: 'sandbox-repp' });
  }, 60_000);
});

describe('a command on one object the registry does not hold names it, whatever the registry says', () => {
  const n = `nosuch-${run}`;
  it.each([
    ['renewDomain', `mutation($k: String!) { renewDomain(idempotencyKey: $k, input: { name: "${n}.example", period: { value: 1, unit: YEARS } }) { expiresAt } }`, 'input.name'],
    ['deleteDomain', `mutation($k: String!) { deleteDomain(idempotencyKey: $k, name: "${n}.example") { __typename } }`, 'name'],
    ['restoreDomain', `mutation($k: String!) { restoreDomain(idempotencyKey: $k, name: "${n}.tld") { __typename } }`, 'name'],
    ['createHost (no superordinate domain: the message names no object)', `mutation($k: String!) { createHost(idempotencyKey: $k, input: { name: "ns1.${n}.example", ipv4: ["192.0.2.9"] }) { name } }`, 'input.name'],
    ['updateHost', `mutation($k: String!) { updateHost(idempotencyKey: $k, input: { name: "ns1.${n}.net", addIpv4: ["192.0.2.9"] }) { name } }`, 'input.name'],
    ['deleteHost', `mutation($k: String!) { deleteHost(idempotencyKey: $k, name: "ns1.${n}.net", registry: "sandbox-epp") { name } }`, 'name'],
    ['updateContact', `mutation($k: String!) { updateContact(idempotencyKey: $k, input: { id: "no${run}", email: "a@example.org" }) { id } }`, 'input.id'],
    ['deleteContact', `mutation($k: String!) { deleteContact(idempotencyKey: $k, id: "no${run}", registry: "sandbox-epp") { id } }`, 'id'],
    ['approveTransfer', `mutation($k: String!) { approveTransfer(idempotencyKey: $k, domainName: "${n}.example") { __typename } }`, 'domainName'],
    ['requestTransfer', `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "${n}.example", authInfo: "Abc-12345") { __typename } }`, 'domainName'],
    ['renewDomain at REPP', `mutation($k: String!) { renewDomain(idempotencyKey: $k, input: { name: "${n}.ee", period: { value: 1, unit: YEARS } }) { expiresAt } }`, 'input.name'],
    ['deleteDomain at REPP', `mutation($k: String!) { deleteDomain(idempotencyKey: $k, name: "${n}.ee") { __typename } }`, 'name'],
    ['deleteDomain at Joker', `mutation($k: String!) { deleteDomain(idempotencyKey: $k, name: "${n}.joker.test") { __typename } }`, 'name'],
    ['renewDomain at HeadlessDomains', `mutation($k: String!) { renewDomain(idempotencyKey: $k, input: { name: "${n}.hdtest", period: { value: 1, unit: YEARS } }) { expiresAt } }`, 'input.name'],
    // REPP answers "Object does not exist" and nothing else: the driver's read of the domain names it.
    ['updateDomain at REPP', `mutation($k: String!) { updateDomain(idempotencyKey: $k, input: { name: "${n}.ee", add: { statuses: [clientHold] } }) { name } }`, 'input.name'],
    ['updateDomain at Joker', `mutation($k: String!) { updateDomain(idempotencyKey: $k, input: { name: "${n}.joker.test", add: { nameservers: [{ name: "ns1.example.net" }] } }) { name } }`, 'input.name'],
    ['updateDomain at HeadlessDomains', `mutation($k: String!) { updateDomain(idempotencyKey: $k, input: { name: "${n}.hdtest", add: { nameservers: [{ name: "ns1.example.net" }] } }) { name } }`, 'input.name'],
    // DMAPI's document is silent; the registries behind Joker refuse a host whose domain they do not hold (RFC 5732 section 3.2.1).
    ['createHost at Joker under a domain not registered', `mutation($k: String!) { createHost(idempotencyKey: $k, input: { name: "ns1.${n}.joker.test", ipv4: ["192.0.2.9"], registry: "sandbox-joker" }) { name } }`, 'input.name'],
    ['updateDomain at Nomulus', `mutation($k: String!) { updateDomain(idempotencyKey: $k, input: { name: "${n}.tld", add: { statuses: [clientHold] } }) { name } }`, 'input.name'],
  ])('%s: OBJECT_NOT_FOUND naming its argument', async (_what, mutation, field) => {
    const e = await refused(mutation, {});
    expect(e.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', upstreamCode: 2303, field });
  }, 60_000);
});

it("a bulk item's domain the registry does not hold names the item's name: domains[i].name", async () => {
  const r = await t.gql(A, 'mutation($k: String!, $d: [BulkTransferItemInput!]!) { bulkTransfer(idempotencyKey: $k, domains: $d) { job { id } } }', {
      k: randomUUID(),
      d: [{ name: `nosuch-${run}.example`, authInfo: 'Abc-12345' }],
  });
  expect(r.errors).toBeUndefined();
  const id = r.data.bulkTransfer.job.id;
  await waitFinished(t, A, id);
  const [item] = await allItems(t, A, id);
  expect(item).toMatchObject({ state: 'FAILED', error: { code: 'OBJECT_NOT_FOUND', upstreamCode: 2303, field: 'domains[0].name' } });
}, 120_000);

it("a replacement's item whose domain the registry does not hold names it, domains[i], as a statuses item does (per item at EPP, REPP's native path)", async () => {
  const jobs = [
    ['mutation($k: String!, $d: [String!]) { bulkReplaceNameserver(idempotencyKey: $k, domains: $d, from: "ns1.example.net", to: { name: "ns2.example.net" }) { job { id } } }', [domain, `nosuch1-${run}.example`, `nosuch2-${run}.example`]],
    ['mutation($k: String!, $d: [String!]) { bulkReplaceTechContact(idempotencyKey: $k, domains: $d, from: "nobody-there", to: "domain") { job { id } } }', [domain, `nosuch1-${run}.example`, `nosuch2-${run}.example`]],
    ['mutation($k: String!, $d: [String!]) { bulkReplaceNameserver(idempotencyKey: $k, domains: $d, from: "ns1.example.net", to: { name: "ns3.example.net" }) { job { id } } }', [`missing-${run}.ee`, `nosuch1-${run}.ee`, `nosuch2-${run}.ee`]],
  ] as const;
  for (const [mutation, d] of jobs) {
    const r = await t.gql(A, mutation, { k: randomUUID(), d });
    expect(r.errors, mutation).toBeUndefined();
    const id = Object.values(r.data as Record<string, { job: { id: string } }>)[0]!.job.id;
    await waitFinished(t, A, id);
    const items = await allItems(t, A, id);
    for (const i of [1, 2]) {
      expect(items.find((x: { domainName: string }) => x.domainName === d[i]), `${mutation} ${d[i]}`).toMatchObject({ state: 'FAILED', error: { code: 'OBJECT_NOT_FOUND', field: `domains[${i}]` } });
    }
  }
}, 120_000);

it.each(['example', 'tld', 'ee', 'hdtest'])("domain(name, authInfo) of a .%s domain the registry does not hold is OBJECT_NOT_FOUND on name, as an unregistrable name's is (Joker has no code check: UNSUPPORTED_BY_BACKEND on authInfo)", async (tld) => {
  const r = await t.gql(A, 'query($n: String!) { domain(name: $n, authInfo: "Wrong-code-1") { name } }', { n: `nosuch-${run}.${tld}` });
  expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', field: 'name' });
}, 60_000);
