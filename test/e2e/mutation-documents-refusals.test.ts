/**
 * A document of several mutations whose later field the gateway refuses without asking any
 * registry (README, Errors: several mutations in one document), over HTTP and graphql-ws: a name
 * under a TLD no registry serves, a name no registry can hold, an operation the backend's kind
 * does not offer (restore at REPP, DNSSEC at HeadlessDomains). None of the document's fields
 * runs: the valid createContact before it is not created at the registry, nothing is in the
 * command log, no idempotency record is kept; the error is the one the field gives on its own.
 * What only the registry can tell (an EPP registry's contact objects, from its greeting) is still
 * found when that field runs, after the fields before it.
 */
import { randomUUID } from 'node:crypto';
import { execute, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../../schema/build.js';
import { createContext } from '../../src/context.js';
import type { GatewayError } from '../../src/core/errors.js';
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

const newId = () => `rf${randomUUID().slice(0, 8)}`;

const send = overBoth(() => t, () => A);



const CONTACT_THEN = (second: string) => `mutation($ka: String!, $kb: String!, $contact: CreateContactInput!, $b: ${second.split('|')[0]}) {
  a: createContact(idempotencyKey: $ka, input: $contact) { id }
  ${second.split('|')[1]}
}`;
const THEN_CREATE_DOMAIN = CONTACT_THEN('CreateDomainInput!|b: createDomain(idempotencyKey: $kb, input: $b) { name }');
const THEN_RESTORE = CONTACT_THEN('String!|b: restoreDomain(idempotencyKey: $kb, name: $b) { name }');
const THEN_BULK_RENEW = CONTACT_THEN('[BulkRenewItemInput!]!|b: bulkRenew(idempotencyKey: $kb, domains: $b) { job { id } }');
const THEN_BULK_TECH = CONTACT_THEN('[String!]|b: bulkReplaceTechContact(idempotencyKey: $kb, domains: $b, from: "jd1234", to: "sah8013") { job { id } }');

/**
 * The error the field gives when it runs: its document executed on the schema as the gateway
 * builds it, with a request's context but without the pre-pass, so the field's resolver and
 * operation find the refusal themselves (the pre-pass must give this very one).
 */
let schema: Awaited<ReturnType<typeof buildGatewaySchema>> | undefined;
async function fieldsOwn(field: string, type: string, b: unknown) {
  schema ??= await buildGatewaySchema();
  const ctx = createContext(t.gateway.services, { id: 'NewRegistrar', name: 'New Registrar' });
  const r = await execute({ schema, document: parse(`mutation($kb: String!, $b: ${type}) { ${field} }`), variableValues: { kb: `own-${randomUUID()}`, b }, contextValue: ctx });
  expect(r.data).toEqual({ b: null });
  expect(r.errors).toHaveLength(1);
  const e = r.errors![0]!.originalError as GatewayError;
  return { message: e.message, code: e.code, field: e.details.field, registry: e.details.backend };
}

const refusals = [
  {
    what: 'a createDomain under a TLD no registry serves',
    query: THEN_CREATE_DOMAIN,
    b: { name: 'shop.nosuchtld', authInfo: 'Dom-Auth-1' },
    field: 'b: createDomain(idempotencyKey: $kb, input: $b) { name }',
    type: 'CreateDomainInput!',
    expected: { message: 'input.name: no registry is configured for "shop.nosuchtld"', extensions: { code: 'UNKNOWN_TLD', field: 'input.name' } },
  },
  {
    what: 'a createDomain of a name no registry can hold (two labels below its zone)',
    query: THEN_CREATE_DOMAIN,
    b: { name: 'www.shop.example', authInfo: 'Dom-Auth-1' },
    field: 'b: createDomain(idempotencyKey: $kb, input: $b) { name }',
    type: 'CreateDomainInput!',
    expected: { extensions: { code: 'BAD_USER_INPUT', field: 'input.name' } },
  },
  {
    what: "a bulkRenew with one name under a TLD no registry serves",
    query: THEN_BULK_RENEW,
    b: [{ name: 'alpha.example' }, { name: 'beta.nosuchtld' }],
    field: 'b: bulkRenew(idempotencyKey: $kb, domains: $b) { job { id } }',
    type: '[BulkRenewItemInput!]!',
    expected: { message: 'domains[1].name: no registry is configured for "beta.nosuchtld"', extensions: { code: 'UNKNOWN_TLD', field: 'domains[1].name' } },
  },
  {
    // An EPP domain first (its contact objects are its greeting's to tell), then one at HeadlessDomains,
    // whose kind has none: the pre-pass stopped at the EPP registry's greeting, so field a ran.
    what: 'a bulkReplaceTechContact listing, after an EPP domain, one at HeadlessDomains (no contact objects)',
    query: THEN_BULK_TECH,
    b: ['fakesite.example', 'fakesite.tld', 'x.hdtest'],
    field: 'b: bulkReplaceTechContact(idempotencyKey: $kb, domains: $b, from: "jd1234", to: "sah8013") { job { id } }',
    type: '[String!]',
    expected: { message: 'domains[2]: x.hdtest is at registry sandbox-headless, which has no contact objects (no tech contact to replace): leave its domains out', extensions: { code: 'BAD_USER_INPUT', field: 'domains[2]' } },
  },
  {
    what: 'a restoreDomain at REPP, which has no restore',
    query: THEN_RESTORE,
    b: 'kass.ee',
    field: 'b: restoreDomain(idempotencyKey: $kb, name: $b) { name }',
    type: 'String!',
    expected: { message: 'backend "sandbox-repp" does not support restore (rgp-1.0)', extensions: { code: 'UNSUPPORTED_BY_BACKEND', registry: 'sandbox-repp' } },
  },
  {
    what: 'a createDomain with DNSSEC at HeadlessDomains, which has none',
    query: THEN_CREATE_DOMAIN,
    b: { name: `${newId()}.hdtest`, authInfo: 'Dom-Auth-1', dnssec: { dsData: [{ keyTag: 12345, algorithm: 13, digestType: 2, digest: 'a'.repeat(64) }] } },
    field: 'b: createDomain(idempotencyKey: $kb, input: $b) { name }',
    type: 'CreateDomainInput!',
    expected: { message: 'backend "sandbox-headless" does not support DNSSEC', extensions: { code: 'UNSUPPORTED_BY_BACKEND', field: 'input.dnssec', registry: 'sandbox-headless' } },
  },
];

describe.each(['http', 'ws'] as const)('a refusal that needs no registry, in a later field, over %s', (transport) => {
  it.each(refusals)('$what: no field runs, the error is the field\'s own', async (c) => {
    const id = newId();
    const [ka, kb] = [`rf-${randomUUID()}`, `rf-${randomUUID()}`];
    const [created, upstream] = [contactsCreated(t), await t.upstreamCommands()];
    const r = await send[transport](c.query, { ka, kb, contact: contactInput(id), b: c.b });
    expect(r.data).toBeNull();
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0]).toMatchObject({ path: ['b'], ...c.expected });
    // Exactly what the field says when it runs.
    const { message, extensions } = r.errors![0];
    expect({ message, code: extensions.code, field: extensions.field, registry: extensions.registry }).toEqual(await fieldsOwn(c.field, c.type, c.b));
    // Nothing ran: no contact at the registry, nothing sent or logged, no key kept.
    expect(contactsCreated(t)).toBe(created);
    expect(await traces(t, [ka, kb], id)).toEqual({ records: 0, commands: 0 });
    expect(await t.gateway.services.prisma.bulkJob.count({ where: { idempotencyKey: kb } })).toBe(0);
    expect(await t.upstreamCommands()).toBe(upstream);
    const read = await send[transport](`query($id: String!) { contact(id: $id) { id } }`, { id });
    expect(read).toEqual({ ...(transport === 'http' ? { status: 200 } : {}), data: { contact: null } });
    // The contact's key is free: the same request creates it now.
    const again = await send[transport](`mutation($k: String!, $input: CreateContactInput!) { createContact(idempotencyKey: $k, input: $input) { id replayed } }`, { k: ka, input: contactInput(id) });
    expect(again.errors).toBeUndefined();
    expect(again.data.createContact).toEqual({ id, replayed: false });
    expect(contactsCreated(t)).toBe(created + 1);
  });

  it("what only the registry can tell (an EPP registry's contact objects, from its greeting) is left to the field, which finds it when it runs", async () => {
    const [id, other] = [newId(), newId()];
    const [ka, kb, kc] = [`rf-${randomUUID()}`, `rf-${randomUUID()}`, `rf-${randomUUID()}`];
    const fields = `a: createContact(idempotencyKey: $ka, input: $a) { id }
      b: createContact(idempotencyKey: $kb, input: $b) { id }`;
    const contacts = `mutation($ka: String!, $kb: String!, $a: CreateContactInput!, $b: CreateContactInput!) { ${fields} }`;
    const thenUnknownTld = `mutation($ka: String!, $kb: String!, $kc: String!, $a: CreateContactInput!, $b: CreateContactInput!) {
      ${fields}
      c: deleteDomain(idempotencyKey: $kc, name: "gone.nosuchtld") { name }
    }`;
    const vars = { ka, kb, a: contactInput(id), b: { ...contactInput(other), registry: 'sandbox-nomulus' } };
    // With a later field refused before any runs: only that field's error; b's is not known yet.
    const refused = await send[transport](thenUnknownTld, { ...vars, kc });
    expect(refused.data).toBeNull();
    expect(refused.errors!.map((e) => [e.path, e.extensions.code])).toEqual([[['c'], 'UNKNOWN_TLD']]);
    expect(await traces(t, [ka, kb, kc], id)).toEqual({ records: 0, commands: 0 });
    // Without it, a runs, and b is refused when it runs (after a took effect).
    const r = await send[transport](contacts, vars);
    expect(r.data).toEqual({ a: { id }, b: null });
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0]).toMatchObject({ path: ['b'], message: 'backend "sandbox-nomulus" does not support contact objects', extensions: { code: 'UNSUPPORTED_BY_BACKEND' } });
  });

  it('a sandboxReset refused when it runs (an EPP registry has no sandbox reset) is null with its error; the contact created before it keeps its answer', async () => {
    const id = newId();
    const [ka, kb] = [`rf-${randomUUID()}`, `rf-${randomUUID()}`];
    const doc = `mutation($ka: String!, $kb: String!, $a: CreateContactInput!) {
      a: createContact(idempotencyKey: $ka, input: $a) { id }
      b: sandboxReset(idempotencyKey: $kb, registry: "sandbox-epp") { registry }
    }`;
    const r = await send[transport](doc, { ka, kb, a: contactInput(id) });
    expect(r.data).toEqual({ a: { id }, b: null });
    expect(r.errors!.map((e) => [e.path, e.extensions.code])).toEqual([[['b'], 'UNSUPPORTED_BY_BACKEND']]);
  });
});

describe('what each backend tells without a round trip', () => {
  it('is what its capabilities answer, for every capability it does not leave to the registry', async () => {
    const unknownBy: Record<string, string[]> = {};
    for (const backend of t.gateway.services.router.backends()) {
      const known = backend.knownCapabilities('NewRegistrar');
      const live = await backend.capabilities({ registrarId: 'NewRegistrar' });
      unknownBy[backend.name] = [...known.unknown];
      const keys = new Set([...Object.keys(live), ...Object.keys(known.capabilities)] as Array<keyof typeof live>);
      for (const k of keys) if (!known.unknown.includes(k)) expect([backend.name, k, known.capabilities[k] ?? false]).toEqual([backend.name, k, live[k] ?? false]);
    }
    expect(unknownBy).toEqual({
      'sandbox-epp': ['contacts', 'hostObjects', 'dnssec', 'dnssecDsData', 'restore'],
      'sandbox-nomulus': ['contacts', 'hostObjects', 'dnssec', 'dnssecDsData', 'restore'],
      'sandbox-repp': [],
      'sandbox-joker': [],
      'sandbox-headless': ['poll'],
    });
  });
});
