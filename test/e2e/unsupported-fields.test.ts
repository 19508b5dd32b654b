/**
 * UNSUPPORTED_BY_BACKEND names the argument that asked for what the registry lacks, in
 * `extensions.field`, in the path style of BAD_USER_INPUT (`input.contacts[2]`,
 * `input.add.statuses[1]`), so a form can mark the one input at fault; a refusal of the operation
 * as a whole names none. Before, only a transfer's `period` was named: a client could not tell
 * which of three contacts or which status the registry could not take.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
}, 60_000);
afterAll(() => t?.close());

async function refusal(query: string, input: Record<string, unknown>) {
  const k = randomUUID();
  const r = await t.gql(t.keys.NewRegistrar!, query, { k, i: input });
  expect(r.errors?.[0]?.extensions?.code).toBe('UNSUPPORTED_BY_BACKEND');
  // Refused before anything was sent: the command log has at most the change, NOT_SENT.
  await t.gateway.commandLog.flush();
  const log = await t.gql(t.keys.NewRegistrar!, 'query($k: String!) { commandLog(first: 10, filter: { idempotencyKey: $k }) { edges { node { outcome } } } }', { k });
  for (const e of log.data.commandLog.edges) expect(e.node.outcome).toBe('NOT_SENT');
  return r.errors![0]!.extensions!;
}

const CREATE_DOMAIN = 'mutation($k: String!, $i: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $i) { name } }';
const UPDATE_DOMAIN = 'mutation($k: String!, $i: UpdateDomainInput!) { updateDomain(idempotencyKey: $k, input: $i) { domain { name } } }';
const CREATE_CONTACT = 'mutation($k: String!, $i: CreateContactInput!) { createContact(idempotencyKey: $k, input: $i) { id } }';
const UPDATE_HOST = 'mutation($k: String!, $i: UpdateHostInput!) { updateHost(idempotencyKey: $k, input: $i) { host { name } } }';

it('names the argument the refusal is about', async () => {
  // REPP keeps no billing contact: the third contact is the one at fault.
  const contacts = [{ role: 'ADMIN', id: 'ATSAA:KARL' }, { role: 'TECH', id: 'ATSAA:KARL' }, { role: 'BILLING', id: 'ATSAA:KARL' }];
  expect(await refusal(CREATE_DOMAIN, { name: `fields-${randomUUID().slice(0, 8)}.ee`, registrant: 'ATSAA:KARL', contacts, authInfo: 'Fields-pw1' })).toMatchObject({ registry: 'sandbox-repp', field: 'input.contacts[2]' });
  // REPP takes DNSKEY data, no DS records: the DS list is named, on create and on update.
  const ds = [{ keyTag: 1, algorithm: 13, digestType: 2, digest: 'AB'.repeat(32) }];
  expect(await refusal(CREATE_DOMAIN, { name: `fields-${randomUUID().slice(0, 8)}.ee`, registrant: 'ATSAA:KARL', authInfo: 'Fields-pw1', dnssec: { dsData: ds } })).toMatchObject({ registry: 'sandbox-repp', field: 'input.dnssec.dsData' });
  expect(await refusal(UPDATE_DOMAIN, { name: 'kass.ee', add: { dsData: ds } })).toMatchObject({ registry: 'sandbox-repp', field: 'input.add.dsData' });
  expect(await refusal(UPDATE_DOMAIN, { name: 'kass.ee', remove: { dsData: ds } })).toMatchObject({ registry: 'sandbox-repp', field: 'input.remove.dsData' });
  // Registrant metadata is HeadlessDomains' alone.
  expect(await refusal(CREATE_DOMAIN, { name: `fields-${randomUUID().slice(0, 8)}.ee`, registrant: 'ATSAA:KARL', authInfo: 'Fields-pw1', registrantInfo: { name: 'Mari' } })).toMatchObject({ registry: 'sandbox-repp', field: 'input.registrantInfo' });
  expect(await refusal(UPDATE_DOMAIN, { name: 'alpha.joker.test', registrantInfo: { name: 'Mari' } })).toMatchObject({ registry: 'sandbox-joker', field: 'input.registrantInfo' });
  // A REPP contact has no fax.
  const contact = { registry: 'sandbox-repp', postalInfo: [{ name: 'Faks Isik', city: 'Tallinn', cc: 'EE' }], voice: '+372.5551234', fax: '+372.5559999', email: 'fax@example.ee', authInfo: 'Unused-pw1', ident: { code: '38001010000', type: 'PRIV', countryCode: 'EE' } };
  expect(await refusal(CREATE_CONTACT, contact)).toMatchObject({ registry: 'sandbox-repp', field: 'input.fax' });
  // Nomulus keeps no contact objects: the registrant asked for one.
  expect(await refusal(CREATE_DOMAIN, { name: `fields-${randomUUID().slice(0, 8)}.tld`, registrant: 'someone1', authInfo: 'Fields-pw1' })).toMatchObject({ registry: 'sandbox-nomulus', field: 'input.registrant' });
  // HeadlessDomains sets clientHold and clientTransferProhibited only: the second status.
  expect(await refusal(UPDATE_DOMAIN, { name: 'newregistrar-seed.hdtest', add: { statuses: ['clientHold', 'clientDeleteProhibited'] } })).toMatchObject({ registry: 'sandbox-headless', field: 'input.add.statuses[1]' });
  // Joker cannot rename a host.
  expect(await refusal(UPDATE_HOST, { name: 'ns1.sandbox-dns.test', registry: 'sandbox-joker', newName: 'ns9.sandbox-dns.test' })).toMatchObject({ registry: 'sandbox-joker', field: 'input.newName' });
});

it('names none when the operation itself is what the registry lacks', async () => {
  const r = await t.gql(t.keys.NewRegistrar!, 'mutation($k: String!) { approveTransfer(idempotencyKey: $k, domainName: "kass.ee") { transfer { status } } }', { k: randomUUID() });
  expect(r.errors?.[0]?.extensions?.code).toBe('UNSUPPORTED_BY_BACKEND');
  expect(r.errors?.[0]?.extensions).not.toHaveProperty('field');
});
