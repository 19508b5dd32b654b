/**
 * An update that adds and removes the same value (a status, a name server, a contact, a host
 * address) is refused as bad input, naming the removed item, before anything is recorded or sent
 * (RFC 5731-5733 section 3.2.5; registries answer 2306). Before, updateDomain sent it, the EPP
 * sandbox answered PARAMETER_VALUE_POLICY_ERROR (2306) and the key was spent on that answer.
 * DS and DNSKEY records in both lists are sent: RFC 5910 removes before it adds.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let A: string;
const domain = `first-${randomUUID().slice(0, 8)}.example`;
const host = `ns1.${domain}`;
const contactId = `ar${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => (c.poll.enabled = false) });
  A = t.keys.NewRegistrar!;
  const postal = [{ type: 'int', name: 'Ada Lovelace', street: ['12 St James Sq'], city: 'London', cc: 'GB' }];
  const c = await t.gql(A, `mutation($k: String!, $input: CreateContactInput!) { createContact(idempotencyKey: $k, input: $input) { id } }`, {
    k: randomUUID(),
    input: { id: contactId, postalInfo: postal, email: 'ada@example.org', authInfo: 'C0ntact-Pw' },
  });
  expect(c.errors).toBeUndefined();
  const d = await t.gql(A, `mutation($k: String!, $input: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $input) { name } }`, {
    k: randomUUID(),
    input: { name: domain, authInfo: 'G00d-Pw', registrant: contactId, contacts: [{ role: 'ADMIN', id: contactId }, { role: 'TECH', id: contactId }] },
  });
  expect(d.errors).toBeUndefined();
  const h = await t.gql(A, `mutation($k: String!) { createHost(idempotencyKey: $k, input: { name: "${host}", ipv4: ["192.0.2.1"] }) { name } }`, { k: randomUUID() });
  expect(h.errors).toBeUndefined();
});
afterAll(() => t?.close());

const record = (key: string) =>
  t.gateway.services.prisma.idempotencyRecord.findUnique({ where: { registrarId_idempotencyKey: { registrarId: 'NewRegistrar', idempotencyKey: key } } });

const UPDATE_DOMAIN = `mutation($k: String!, $input: UpdateDomainInput!) { updateDomain(idempotencyKey: $k, input: $input) { name replayed } }`;
const UPDATE_HOST = `mutation($k: String!, $input: UpdateHostInput!) { updateHost(idempotencyKey: $k, input: $input) { name replayed } }`;
const UPDATE_CONTACT = `mutation($k: String!, $input: UpdateContactInput!) { updateContact(idempotencyKey: $k, input: $input) { id replayed } }`;

describe('a value both added and removed', () => {
  it.each([
    ['a domain status', UPDATE_DOMAIN, () => ({ name: domain, add: { statuses: ['clientHold'] }, remove: { statuses: ['clientHold'] } }), 'input.remove.statuses[0]', () => ({ name: domain, add: { statuses: ['clientHold'] } })],
    ['a name server (any letter case)', UPDATE_DOMAIN, () => ({ name: domain, add: { nameservers: [{ name: host }] }, remove: { nameservers: [{ name: 'ns8.example.net' }, { name: host.toUpperCase() }] } }), 'input.remove.nameservers[1]', () => ({ name: domain, add: { nameservers: [{ name: host }] } })],
    ['a contact in one role', UPDATE_DOMAIN, () => ({ name: domain, add: { contacts: [{ role: 'BILLING', id: contactId }] }, remove: { contacts: [{ role: 'BILLING', id: contactId }] } }), 'input.remove.contacts[0]', () => ({ name: domain, add: { contacts: [{ role: 'BILLING', id: contactId }] } })],
    ['a host address (another spelling)', UPDATE_HOST, () => ({ name: host, addIpv6: ['2001:db8:0:0::53'], removeIpv6: ['2001:DB8::53'] }), 'input.removeIpv6[0]', () => ({ name: host, addIpv6: ['2001:db8::53'] })],
    ['a host status', UPDATE_HOST, () => ({ name: host, addStatuses: ['clientDeleteProhibited'], removeStatuses: ['clientDeleteProhibited'] }), 'input.removeStatuses[0]', () => ({ name: host, addStatuses: ['clientDeleteProhibited'] })],
    ['a contact status', UPDATE_CONTACT, () => ({ id: contactId, addStatuses: ['clientDeleteProhibited'], removeStatuses: ['clientDeleteProhibited'] }), 'input.removeStatuses[0]', () => ({ id: contactId, addStatuses: ['clientDeleteProhibited'] })],
  ])('%s: BAD_USER_INPUT naming the removed item, nothing sent or kept, the key still free', async (_what, mutation, bad, field, fixed) => {
    const k = `v9-${randomUUID()}`;
    const sent = await t.upstreamCommands();
    const r = await t.gql(A, mutation, { k, input: bad() });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(r.errors![0]!.message).toMatch(/cannot be added and removed at once/);
    expect(await t.upstreamCommands()).toBe(sent);
    expect(await record(k)).toBeNull();
    // The corrected request under the same key is sent and applied (not IDEMPOTENCY_KEY_REUSED, not the 2306 replayed).
    const ok = await t.gql(A, mutation, { k, input: fixed() });
    expect(ok.errors).toBeUndefined();
    expect(Object.values(ok.data)[0]).toMatchObject({ replayed: false });
  });

  it('a DS record in both lists is sent (RFC 5910: removed, then added)', async () => {
    const ds = { keyTag: 12345, algorithm: 13, digestType: 2, digest: '8CDB2B8A8D0B4E8E1D8E5E6A1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D' };
    const r = await t.gql(A, UPDATE_DOMAIN, { k: randomUUID(), input: { name: domain, add: { dsData: [ds] }, remove: { dsData: [ds] } } });
    expect(r.errors).toBeUndefined();
    const d = await t.gql(A, `query { domain(name: "${domain}") { dnssecKeys { keyTag } } }`);
    expect(d.data.domain.dnssecKeys).toEqual([{ keyTag: 12345 }]);
  });
});
