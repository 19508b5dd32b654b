/**
 * Contacts over GraphQL at the sandbox registry with contact objects, with the registrant's
 * disclosure preference (RFC 5733 disclose): set, replaced, read back, refused by registry
 * policy, and refused as bad input before anything is sent.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let A: string;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => (c.poll.enabled = false) });
  A = t.keys.NewRegistrar!;
});
afterAll(() => t?.close());

const CONTACT = 'contact { id disclosure { flag fields } email }';
const create = `mutation($k: String!, $input: CreateContactInput!) { createContact(idempotencyKey: $k, input: $input) { id ${CONTACT} } }`;
const update = `mutation($k: String!, $input: UpdateContactInput!) { updateContact(idempotencyKey: $k, input: $input) { id ${CONTACT} } }`;
const postal = [{ type: 'int', name: 'Ada Lovelace', street: ['12 St James Sq'], city: 'London', cc: 'GB' }];
const contactInput = (id: string, extra: Record<string, unknown> = {}) => ({ id, postalInfo: postal, email: 'ada@example.org', authInfo: 'C0ntact-Pw', ...extra });
const newId = () => `dc${randomUUID().slice(0, 8)}`;


describe('contact disclosure', () => {
  it('is set at create, replaced by update and read back', async () => {
    const id = newId();
    const c = await t.gql(A, create, { k: randomUUID(), input: contactInput(id, { voice: '+44.2079460000', disclosure: { flag: true, fields: ['ADDR_INT', 'VOICE', 'EMAIL'] } }) });
    expect(c.errors).toBeUndefined();
    expect(c.data.createContact.contact.disclosure).toEqual({ flag: true, fields: ['ADDR_INT', 'VOICE', 'EMAIL'] });
    const u = await t.gql(A, update, { k: randomUUID(), input: { id, disclosure: { flag: true, fields: ['NAME_INT'] } } });
    expect(u.errors).toBeUndefined();
    expect(u.data.updateContact.contact.disclosure).toEqual({ flag: true, fields: ['NAME_INT'] });
    const read = await t.gql(A, `{ contact(id: "${id}") { disclosure { flag fields } } }`);
    expect(read.data.contact.disclosure).toEqual({ flag: true, fields: ['NAME_INT'] });
    const plain = newId();
    expect((await t.gql(A, create, { k: randomUUID(), input: contactInput(plain) })).data.createContact.contact.disclosure).toBeNull();
  });

  it("a preference the registry's policy refuses is its error, with its code, and changes nothing", async () => {
    const id = newId();
    await t.gql(A, create, { k: randomUUID(), input: contactInput(id, { disclosure: { flag: true, fields: ['EMAIL'] } }) });
    const r = await t.gql(A, update, { k: randomUUID(), input: { id, disclosure: { flag: false, fields: ['EMAIL'] } } });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'PARAMETER_VALUE_POLICY_ERROR', upstreamCode: 2306 });
    const read = await t.gql(A, `{ contact(id: "${id}") { disclosure { flag fields } } }`);
    expect(read.data.contact.disclosure).toEqual({ flag: true, fields: ['EMAIL'] });
  });

  it.each([
    ['no element named', { flag: false, fields: [] }, 'input.disclosure.fields'],
    ['an element twice', { flag: true, fields: ['EMAIL', 'EMAIL'] }, 'input.disclosure.fields[1]'],
  ])('refuses %s as bad input before anything is sent', async (_why, disclosure, field) => {
    const before = await t.upstreamCommands();
    const r = await t.gql(A, create, { k: randomUUID(), input: contactInput(newId(), { disclosure }) });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    const u = await t.gql(A, update, { k: randomUUID(), input: { id: 'whoever', disclosure } });
    expect(u.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await t.upstreamCommands()).toBe(before);
  });
});
