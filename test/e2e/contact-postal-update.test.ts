/**
 * A postal info in updateContact (RFC 5733 section 3.2.5; README, Backends and Errors: empty
 * strings): its name and address are sent whole (chgPostalInfoType: name, org, addr; the address
 * carries street, city, sp, pc, cc), so at an RFC 5733 registry a street line, sp or pc left out
 * of it is removed, while an org left out stays (an element of its own). Joker's contact-modify
 * keeps every field left out and cannot empty one: before, such an update left the old state and
 * second address line in place (a mixed address nobody asked for); now it is refused naming the
 * part it would remove, after reading the contact, before contact-modify is sent. A postal info
 * without a postal code or street line is refused at Joker without any read (it requires both),
 * before the other fields of the document run. Over HTTP and graphql-ws.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import type { JokerSandbox } from '../../src/sandbox/joker/index.js';
import { noBackgroundWork, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { overBoth } from '../helpers/ws.js';

let t: TestGateway;
let A: string;
beforeAll(async () => {
  t = await startTestGateway({ configure: noBackgroundWork });
  A = t.keys.NewRegistrar!;
});
afterAll(() => t?.close());

const send = overBoth(() => t, () => A);
const joker = () => t.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
const eppContactsCreated = () => (t.gateway.sandboxes.sandboxes.get('sandbox-epp') as EppSandbox).applied('contact:create');

const POSTAL = 'postalInfo { org street city sp pc cc }';
const CREATE = `mutation($k: String!, $i: CreateContactInput!) { createContact(idempotencyKey: $k, input: $i) { id } }`;
const UPDATE = `mutation($k: String!, $i: UpdateContactInput!) { updateContact(idempotencyKey: $k, input: $i) { id contact { ${POSTAL} } } }`;
const READ = `query($id: String!, $r: String) { contact(id: $id, registry: $r) { ${POSTAL} } }`;

describe.each(['http', 'ws'] as const)('updateContact with a postal info, over %s', (transport) => {
  it('at an RFC 5733 registry (sandbox-epp) the address is replaced whole: street, sp and pc left out are removed; the org left out stays', async () => {
    const id = `pu${randomUUID().slice(0, 8)}`;
    const created = await send[transport](CREATE, { k: randomUUID(), i: { id, email: 'ada@example.org', authInfo: 'C0ntact-Pw', postalInfo: [{ type: 'int', name: 'Ada', org: 'Acme', street: ['1 Main St', 'Suite 2'], city: 'Dulles', sp: 'VA', pc: '20166', cc: 'US' }] } });
    expect(created.errors).toBeUndefined();
    const r = await send[transport](UPDATE, { k: randomUUID(), i: { id, postalInfo: [{ type: 'int', name: 'Ada', street: ['9 New Rd'], city: 'Reston', cc: 'US' }] } });
    expect(r.errors).toBeUndefined();
    expect(r.data.updateContact.contact.postalInfo).toEqual([{ org: 'Acme', street: ['9 New Rd'], city: 'Reston', sp: null, pc: null, cc: 'US' }]);
  });

  it('at Joker an address that would lose the state or the second line the contact holds is refused naming it, nothing modified; given whole it is applied', async () => {
    const made = await send[transport](CREATE, { k: randomUUID(), i: { registry: 'sandbox-joker', email: 'nora@example.org', voice: '+372.5550101', authInfo: 'C0ntact-Pw', postalInfo: [{ type: 'int', name: 'Nora', org: 'Nora OU', street: ['Tartu mnt 1', 'Korter 5'], city: 'Tallinn', sp: 'Harju', pc: '10111', cc: 'EE' }] } });
    expect(made.errors, JSON.stringify(made.errors)).toBeUndefined();
    const id = made.data.createContact.id as string;
    const held = { org: 'Nora OU', street: ['Tartu mnt 1', 'Korter 5'], city: 'Tallinn', sp: 'Harju', pc: '10111', cc: 'EE' };
    expect((await send[transport](READ, { id, r: 'sandbox-joker' })).data.contact.postalInfo).toEqual([held]);
    const modified = joker().answered('contact-modify');
    const cases = [
      [{ street: ['Tartu mnt 1', 'Korter 5'], pc: '10111' }, 'input.postalInfo[0].sp', 'removing its state or province'],
      [{ street: ['Narva mnt 7'], sp: 'Harju', pc: '10117' }, 'input.postalInfo[0].street', 'removing its address line 2'],
    ] as const;
    for (const [part, field, what] of cases) {
      const r = await send[transport](UPDATE, { k: randomUUID(), i: { id, registry: 'sandbox-joker', postalInfo: [{ type: 'int', name: 'Nora', city: 'Tallinn', cc: 'EE', ...part }] } });
      expect(r.errors?.[0]?.extensions, field).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', field, registry: 'sandbox-joker' });
      expect(r.errors![0]!.message).toContain(what);
    }
    expect(joker().answered('contact-modify')).toBe(modified);
    expect((await send[transport](READ, { id, r: 'sandbox-joker' })).data.contact.postalInfo).toEqual([held]);
    // Given whole (the org left out stays, as at an RFC 5733 registry), it is applied.
    const ok = await send[transport](UPDATE, { k: randomUUID(), i: { id, registry: 'sandbox-joker', postalInfo: [{ type: 'int', name: 'Nora', street: ['Narva mnt 7', 'Korter 9'], city: 'Tallinn', sp: 'Harju', pc: '10117', cc: 'EE' }] } });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.updateContact.contact.postalInfo).toEqual([{ ...held, street: ['Narva mnt 7', 'Korter 9'], pc: '10117' }]);
  });

  it('a registry that keeps one untyped address (Joker, REPP) reads a non-ASCII one back as "loc", an ASCII one as "int"; Joker\'s is sent back as read', async () => {
    const TYPED = `query($id: String!, $r: String) { contact(id: $id, registry: $r) { postalInfo { type name street city sp pc cc } } }`;
    const loc = { type: 'loc', name: 'Jüri Õun', street: ['Pärnu mnt 1'], city: 'Tallinn', pc: '10111', cc: 'EE' };
    const made = await send[transport](CREATE, { k: randomUUID(), i: { registry: 'sandbox-joker', email: 'juri@example.org', voice: '+372.5550102', authInfo: 'C0ntact-Pw', postalInfo: [loc] } });
    expect(made.errors, JSON.stringify(made.errors)).toBeUndefined();
    const id = made.data.createContact.id as string;
    const read = (await send[transport](TYPED, { id, r: 'sandbox-joker' })).data.contact.postalInfo;
    expect(read).toEqual([{ ...loc, sp: null }]);
    // What an edit form read, sent back with one change: "int" would be refused as not ASCII.
    const { sp: _sp, ...back } = read[0];
    const saved = await send[transport](UPDATE, { k: randomUUID(), i: { id, registry: 'sandbox-joker', postalInfo: [{ ...back, city: 'Tartu', pc: '50090' }] } });
    expect(saved.errors, JSON.stringify(saved.errors)).toBeUndefined();
    const ascii = await send[transport](CREATE, { k: randomUUID(), i: { registry: 'sandbox-joker', email: 'nora@example.org', voice: '+372.5550103', authInfo: 'C0ntact-Pw', postalInfo: [{ type: 'loc', name: 'Nora', street: ['Tartu mnt 1'], city: 'Tallinn', pc: '10111', cc: 'EE' }] } });
    expect((await send[transport](TYPED, { id: ascii.data.createContact.id, r: 'sandbox-joker' })).data.contact.postalInfo[0].type).toBe('int');
    // REPP keeps the name only (README, Backends): its type follows the name.
    const repp = { voice: '+372.5551234', email: 'juri@example.ee', authInfo: 'C0ntact-Pw', registry: 'sandbox-repp', ident: { code: '38903111310', type: 'PRIV', countryCode: 'EE' } };
    const reppMade = await send[transport](CREATE, { k: randomUUID(), i: { ...repp, postalInfo: [{ type: 'loc', name: 'Jüri Õun', city: 'Tallinn', cc: 'EE' }] } });
    expect(reppMade.errors, JSON.stringify(reppMade.errors)).toBeUndefined();
    expect((await send[transport](TYPED, { id: reppMade.data.createContact.id, r: 'sandbox-repp' })).data.contact.postalInfo).toEqual([{ type: 'loc', name: 'Jüri Õun', street: [], city: '', sp: null, pc: null, cc: '' }]);
  });

  it('at Joker a postal info without a postal code or street line is refused before any field of its document runs', async () => {
    for (const [part, field] of [[{ street: ['Tartu mnt 1'] }, 'input.postalInfo[0].pc'], [{ street: [], pc: '10111' }, 'input.postalInfo[0].street']] as const) {
      const id = `pu${randomUUID().slice(0, 8)}`;
      const [created, upstream] = [eppContactsCreated(), await t.upstreamCommands()];
      const r = await send[transport](`mutation($ka: String!, $kb: String!, $a: CreateContactInput!, $b: UpdateContactInput!) {
        a: createContact(idempotencyKey: $ka, input: $a) { id }
        b: updateContact(idempotencyKey: $kb, input: $b) { id }
      }`, {
        ka: randomUUID(),
        kb: randomUUID(),
        a: { id, email: 'ada@example.org', authInfo: 'C0ntact-Pw', postalInfo: [{ type: 'int', name: 'Ada', city: 'Dulles', cc: 'US' }] },
        b: { id: 'CJOK-1', registry: 'sandbox-joker', postalInfo: [{ type: 'int', name: 'Nora New', city: 'Testville', cc: 'EE', ...part }] },
      });
      expect(r.data, field).toBeNull();
      expect(r.errors).toHaveLength(1);
      expect(r.errors![0]).toMatchObject({ path: ['b'], extensions: { code: 'BAD_USER_INPUT', field } });
      expect(eppContactsCreated()).toBe(created);
      expect(await t.upstreamCommands()).toBe(upstream);
    }
  });
});
