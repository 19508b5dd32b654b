/**
 * What a backend's kind and config cannot send in a mutation's arguments (README, Errors: several
 * mutations in one document; RegistryPort.refuseArguments), in a later field of a document, over
 * HTTP and graphql-ws: REPP's `fax: ""`, `voice: "  "`, `registrant: ""`, billing contact, postal
 * address, Estonian identity code; Joker's emptied org, a postal code of U+3000, statuses other
 * than the transfer lock, a handle chosen by the client, two IPv4 addresses on a host, name
 * server addresses on a domain; HeadlessDomains' statuses other than clientHold and
 * clientTransferProhibited; a Joker transfer request from an account configured without its
 * transferContact; an update of a contact or host that changes nothing, on any backend. Before, each was found when its field ran: the valid createContact
 * before it had been created at the registry. Now none of the document's fields runs: nothing is
 * created, sent, logged or kept under a key, and the error is the one the field gives on its own.
 */
import { randomUUID } from 'node:crypto';
import { execute, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../../schema/build.js';
import { createContext } from '../../src/context.js';
import type { GatewayError } from '../../src/core/errors.js';
import type { JokerBackendConfig } from '../../src/backends/joker/config.js';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { JOKER_SANDBOX_ACCOUNTS } from '../../src/sandbox/joker/index.js';
import { noBackgroundWork, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { overBoth } from '../helpers/ws.js';
import { contactInput, contactsCreated, traces } from '../helpers/mutation-documents.js';

let t: TestGateway;
let A: string;
beforeAll(async () => {
  t = await startTestGateway({ configure: noBackgroundWork });
  A = t.keys.NewRegistrar!;
});
afterAll(() => t?.close());

const newId = () => `ba${randomUUID().slice(0, 8)}`;
const send = overBoth(() => t, () => A);



/** A document of a valid createContact (a) and the field under test (b, `$b` its input, `type` its GraphQL type). */
const documentOf = (type: string, field: string) => `mutation($ka: String!, $kb: String!, $contact: CreateContactInput!, $b: ${type}) {
  a: createContact(idempotencyKey: $ka, input: $contact) { id }
  ${field}
}`;

/** The error the field gives when it runs alone, without the pre-pass (its resolver and operation find it themselves). */
let schema: Awaited<ReturnType<typeof buildGatewaySchema>> | undefined;
async function fieldsOwn(type: string, field: string, b: unknown) {
  schema ??= await buildGatewaySchema();
  const ctx = createContext(t.gateway.services, { id: 'NewRegistrar', name: 'New Registrar' });
  const r = await execute({ schema, document: parse(`mutation($kb: String!, $b: ${type}) { ${field} }`), variableValues: { kb: `own-${randomUUID()}`, b }, contextValue: ctx });
  expect(r.data).toEqual({ b: null });
  expect(r.errors).toHaveLength(1);
  const e = r.errors![0]!.originalError as GatewayError;
  return { message: e.message, code: e.code, field: e.details.field };
}

const UPDATE_CONTACT = ['UpdateContactInput!', 'b: updateContact(idempotencyKey: $kb, input: $b) { id }'] as const;
const CREATE_CONTACT = ['CreateContactInput!', 'b: createContact(idempotencyKey: $kb, input: $b) { id }'] as const;
const UPDATE_DOMAIN = ['UpdateDomainInput!', 'b: updateDomain(idempotencyKey: $kb, input: $b) { name }'] as const;
const CREATE_DOMAIN = ['CreateDomainInput!', 'b: createDomain(idempotencyKey: $kb, input: $b) { name }'] as const;
const CREATE_HOST = ['CreateHostInput!', 'b: createHost(idempotencyKey: $kb, input: $b) { name }'] as const;
const UPDATE_HOST = ['UpdateHostInput!', 'b: updateHost(idempotencyKey: $kb, input: $b) { name }'] as const;

const jokerPostal = (part: Record<string, unknown>) => [{ type: 'int', name: 'Nora New', street: ['1 Test Street'], city: 'Testville', pc: '10001', cc: 'EE', ...part }];
const reppContact = { postalInfo: [{ type: 'int', name: 'Mari Maasikas', city: 'Tallinn', cc: 'EE' }], voice: '+372.5551234', email: 'mari@example.ee', authInfo: 'C0ntact-Pw', registry: 'sandbox-repp', ident: { code: '38903111310', type: 'PRIV', countryCode: 'EE' } };

const cases = [
  { what: 'REPP updateContact fax: ""', op: UPDATE_CONTACT, b: { id: 'ATSAA:1', registry: 'sandbox-repp', fax: '' }, code: 'UNSUPPORTED_BY_BACKEND', field: 'input.fax' },
  { what: 'REPP updateContact voice: "  "', op: UPDATE_CONTACT, b: { id: 'ATSAA:1', registry: 'sandbox-repp', voice: '  ' }, code: 'BAD_USER_INPUT', field: 'input.voice' },
  { what: 'REPP updateDomain registrant: ""', op: UPDATE_DOMAIN, b: { name: 'kass.ee', registrant: '' }, code: 'UNSUPPORTED_BY_BACKEND', field: 'input.registrant' },
  { what: 'REPP createDomain with a billing contact', op: CREATE_DOMAIN, b: { name: `${newId()}.ee`, registrant: 'ATSAA:KARL', contacts: [{ role: 'ADMIN', id: 'ATSAA:KARL' }, { role: 'BILLING', id: 'ATSAA:KARL' }], authInfo: 'Dom-Auth-1' }, code: 'UNSUPPORTED_BY_BACKEND', field: 'input.contacts[1]' },
  { what: 'REPP updateDomain with a status other than clientHold', op: UPDATE_DOMAIN, b: { name: 'kass.ee', add: { statuses: ['clientDeleteProhibited'] } }, code: 'UNSUPPORTED_BY_BACKEND', field: 'input.add.statuses[0]' },
  { what: 'REPP createContact with a street line', op: CREATE_CONTACT, b: { ...reppContact, postalInfo: [{ ...reppContact.postalInfo[0], street: ['Tartu mnt 1'] }] }, code: 'UNSUPPORTED_BY_BACKEND', field: 'input.postalInfo[0].street' },
  { what: 'REPP createContact with an Estonian personal code of 10 digits', op: CREATE_CONTACT, b: { ...reppContact, ident: { code: '3890311131', type: 'PRIV', countryCode: 'EE' } }, code: 'BAD_USER_INPUT', field: 'input.ident.code' },
  { what: 'Joker updateContact postal org: ""', op: UPDATE_CONTACT, b: { id: 'CJOK-1', registry: 'sandbox-joker', postalInfo: jokerPostal({ org: '' }) }, code: 'UNSUPPORTED_BY_BACKEND', field: 'input.postalInfo[0].org' },
  { what: 'Joker updateContact postal pc: "\\u3000"', op: UPDATE_CONTACT, b: { id: 'CJOK-1', registry: 'sandbox-joker', postalInfo: jokerPostal({ pc: '\u3000' }) }, code: 'BAD_USER_INPUT', field: 'input.postalInfo[0].pc' },
  { what: 'Joker updateContact with statuses', op: UPDATE_CONTACT, b: { id: 'CJOK-1', registry: 'sandbox-joker', addStatuses: ['clientDeleteProhibited'] }, code: 'UNSUPPORTED_BY_BACKEND', field: 'input.addStatuses' },
  { what: 'Joker createContact with an id', op: CREATE_CONTACT, b: { id: 'my-handle', registry: 'sandbox-joker', postalInfo: jokerPostal({}), voice: '+372.5550009', email: 'nora@example.org', authInfo: 'C0ntact-Pw' }, code: 'BAD_USER_INPUT', field: 'input.id' },
  { what: 'Joker updateDomain with clientHold', op: UPDATE_DOMAIN, b: { name: 'alpha.joker.test', add: { statuses: ['clientHold'] } }, code: 'UNSUPPORTED_BY_BACKEND', field: 'input.add.statuses[0]' },
  { what: 'Joker updateDomain adding a name server with addresses', op: UPDATE_DOMAIN, b: { name: 'alpha.joker.test', add: { nameservers: [{ name: 'ns9.alpha.joker.test', ipv4: ['192.0.2.9'] }] } }, code: 'BAD_USER_INPUT', field: 'input.add.nameservers[0].ipv4' },
  { what: 'Joker createDomain without a billing contact', op: CREATE_DOMAIN, b: { name: `${newId()}.joker.test`, registrant: 'CJOK-1', contacts: [{ role: 'ADMIN', id: 'CJOK-1' }, { role: 'TECH', id: 'CJOK-1' }], nameservers: [{ name: 'ns1.example.net' }], authInfo: 'Dom-Auth-1' }, code: 'BAD_USER_INPUT', field: 'input.contacts' },
  { what: 'Joker createHost with two IPv4 addresses', op: CREATE_HOST, b: { name: `ns1.${newId()}.joker.test`, ipv4: ['192.0.2.1', '192.0.2.2'], registry: 'sandbox-joker' }, code: 'BAD_USER_INPUT', field: 'input.ipv4' },
  { what: 'Joker updateHost renaming it', op: UPDATE_HOST, b: { name: 'ns1.alpha.joker.test', newName: 'ns2.alpha.joker.test', registry: 'sandbox-joker' }, code: 'UNSUPPORTED_BY_BACKEND', field: 'input.newName' },
  // An update that changes nothing: refused by its parse step on every backend (the EPP one was refused only as its command was built, after the key was kept; REPP and Joker sent it).
  { what: 'EPP updateContact with nothing to change', op: UPDATE_CONTACT, b: { id: 'some-contact' }, code: 'BAD_USER_INPUT', field: 'input' },
  { what: 'REPP updateContact with nothing to change', op: UPDATE_CONTACT, b: { id: 'ATSAA:1', registry: 'sandbox-repp' }, code: 'BAD_USER_INPUT', field: 'input' },
  { what: 'Joker updateContact with nothing to change', op: UPDATE_CONTACT, b: { id: 'CJOK-1', registry: 'sandbox-joker', addStatuses: [], removeStatuses: [] }, code: 'BAD_USER_INPUT', field: 'input' },
  { what: 'EPP updateHost with nothing to change', op: UPDATE_HOST, b: { name: 'ns1.example.example' }, code: 'BAD_USER_INPUT', field: 'input' },
  { what: 'Joker updateHost with nothing to change', op: UPDATE_HOST, b: { name: 'ns1.alpha.joker.test', registry: 'sandbox-joker', addIpv4: [] }, code: 'BAD_USER_INPUT', field: 'input' },
  { what: 'HeadlessDomains updateDomain with clientDeleteProhibited', op: UPDATE_DOMAIN, b: { name: 'shop.hdtest', add: { statuses: ['clientDeleteProhibited'] } }, code: 'UNSUPPORTED_BY_BACKEND', field: 'input.add.statuses[0]' },
];

describe.each(['http', 'ws'] as const)('a later field the backend\'s kind cannot send, over %s', (transport) => {
  it.each(cases)('$what: no field runs, the error is the field\'s own', async (c) => {
    const id = newId();
    const [ka, kb] = [`ba-${randomUUID()}`, `ba-${randomUUID()}`];
    const [created, upstream] = [contactsCreated(t), await t.upstreamCommands()];
    const r = await send[transport](documentOf(c.op[0], c.op[1]), { ka, kb, contact: contactInput(id), b: c.b });
    expect(r.errors, JSON.stringify(r.errors)).toHaveLength(1);
    expect(r.data).toBeNull();
    expect(r.errors![0]).toMatchObject({ path: ['b'], extensions: { code: c.code, field: c.field } });
    // Exactly what the field says when it runs alone.
    const { message, extensions } = r.errors![0];
    expect({ message, code: extensions.code, field: extensions.field }).toEqual(await fieldsOwn(c.op[0], c.op[1], c.b));
    // Nothing ran: no contact at the registry, nothing sent or logged, no key kept.
    expect(contactsCreated(t)).toBe(created);
    expect(await traces(t, [ka, kb], id)).toEqual({ records: 0, commands: 0 });
    expect(await t.upstreamCommands()).toBe(upstream);
    const read = await send[transport]('query($id: String!) { contact(id: $id) { id } }', { id });
    expect(read.data).toEqual({ contact: null });
  });
});

describe('what stays with the field when it runs: it depends on what the registry holds', () => {
  it('a Joker update that removes the last name server is refused after reading the domain; the contact created before it keeps its answer', async () => {
    const id = newId();
    const [ka, kb] = [`ba-${randomUUID()}`, `ba-${randomUUID()}`];
    const held = await t.gql(A, '{ domain(name: "alpha.joker.test") { nameservers { name } } }');
    const names = held.data.domain.nameservers.map((n: { name: string }) => ({ name: n.name }));
    const r = await send.http(documentOf(UPDATE_DOMAIN[0], UPDATE_DOMAIN[1]), { ka, kb, contact: contactInput(id), b: { name: 'alpha.joker.test', remove: { nameservers: names } } });
    expect(r.data).toEqual({ a: { id }, b: null });
    expect(r.errors![0]).toMatchObject({ path: ['b'], extensions: { code: 'BAD_USER_INPUT', field: 'input.remove.nameservers' } });
  });
});

describe('a Joker account configured without its transferContact', () => {
  let g: TestGateway;
  beforeAll(async () => {
    g = await startTestGateway({
      configure: (c) => {
        noBackgroundWork(c);
        const joker = c.backends.find((b) => b.kind === 'joker') as JokerBackendConfig;
        joker.accounts = Object.fromEntries(JOKER_SANDBOX_ACCOUNTS.map((x) => [x.registrarId, { uid: x.uid, password: x.apiKey }]));
      },
    });
  });
  afterAll(() => g?.close());

  it.each(['http', 'ws'] as const)('refuses a requestTransfer there before the contact before it is created, over %s (config, not the registry)', async (transport) => {
    const on = overBoth(() => g, () => g.keys.NewRegistrar!);
    const id = newId();
    const [ka, kb] = [`ba-${randomUUID()}`, `ba-${randomUUID()}`];
    const eppCreated = () => (g.gateway.sandboxes.sandboxes.get('sandbox-epp') as EppSandbox).applied('contact:create');
    const [created, upstream] = [eppCreated(), await g.upstreamCommands()];
    const r = await on[transport](documentOf('String!', 'b: requestTransfer(idempotencyKey: $kb, domainName: "alpha.joker.test", authInfo: $b) { transfer { status } }'), { ka, kb, contact: contactInput(id), b: 'Xq7-Zp9-Wk2' });
    expect(r.data).toBeNull();
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0]).toMatchObject({ path: ['b'], extensions: { code: 'UNSUPPORTED_BY_BACKEND', registry: 'sandbox-joker' } });
    expect(r.errors![0].message, r.errors![0].message).toContain('transfers without a configured transferContact');
    expect(eppCreated()).toBe(created);
    expect(await g.upstreamCommands()).toBe(upstream);
    expect(await g.gateway.services.prisma.idempotencyRecord.count({ where: { idempotencyKey: { in: [ka, kb] } } })).toBe(0);
  });
});
