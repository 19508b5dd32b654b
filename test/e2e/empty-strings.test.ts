/**
 * An optional string argument given empty ("") or blank ("   ") is never taken as left out:
 *
 * - where the field's standard gives the empty value no meaning, it is BAD_USER_INPUT naming the
 *   field, in the document and in a variable alike, before any idempotency record, command log
 *   entry or registry command (before, `registrant: ""` created a domain without one, `voice: ""`
 *   a contact without a phone, `registry: ""` went to the default registry, `id: ""` let Joker
 *   pick the handle, `newName: ""` or `email: ""` made an update without that change);
 * - where it has one, that meaning is sent: an update's empty voice, fax and postal org clear the
 *   value (RFC 5733 section 3.2.5, whose example sends `<contact:org/>` and `<contact:fax/>`), an
 *   update's empty registrant removes it (RFC 5731 section 3.2.5, "An empty element can be used to
 *   remove registrant information"); a registry that cannot do it refuses before anything is sent.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
/** NewRegistrar's key (sponsor of the contact jd1234 at the .example EPP sandbox, a reseller at Joker, a REPP registrar). */
let A: string;

beforeAll(async () => {
  // No background polling: every command in the log comes from the requests under test.
  t = await startTestGateway({ configure: (c) => (c.poll.enabled = false) });
  A = t.keys.NewRegistrar!;
});
afterAll(() => t?.close());

/** Rows a refused request must not have written: command log entries (every command sent is one), idempotency records, bulk jobs. */
const written = async () => {
  const p = t.gateway.services.prisma;
  return { commands: await t.upstreamCommands(), idempotency: await p.idempotencyRecord.count(), bulkJobs: await p.bulkJob.count() };
};

const POSTAL = `postalInfo: [{ type: "int", name: "Erin Empty", city: "Dulles", cc: "US" }]`;

/**
 * One mutation field with `$v` where the value goes: sent with the value as a literal in the
 * document, then as the variable `$v` (String), each under a fresh idempotency key.
 */
async function both(field: string, value: string) {
  const literal = await t.gql(A, `mutation($k: String!) { ${field.replace('$v', JSON.stringify(value))} }`, { k: randomUUID() });
  const variable = await t.gql(A, `mutation($k: String!, $v: String) { ${field} }`, { k: randomUUID(), v: value });
  return [literal, variable];
}

describe('an empty or blank value with no meaning of its own is BAD_USER_INPUT on its field; nothing is recorded or sent', () => {
  it.each([
    ['createDomain input.registrant', `createDomain(idempotencyKey: $k, input: { name: "no-registrant.example", authInfo: "G00d-Pw", registrant: $v, contacts: [{ role: ADMIN, id: "jd1234" }, { role: TECH, id: "jd1234" }] }) { name }`, 'input.registrant', '{ domain(name: "no-registrant.example") { name } }'],
    ['createContact input.voice', `createContact(idempotencyKey: $k, input: { id: "empty-voice", voice: $v, ${POSTAL}, email: "erin@example.com", authInfo: "G00d-Pw" }) { id }`, 'input.voice', '{ contact(id: "empty-voice") { id } }'],
    ['createContact input.fax', `createContact(idempotencyKey: $k, input: { id: "empty-fax", fax: $v, ${POSTAL}, email: "erin@example.com", authInfo: "G00d-Pw" }) { id }`, 'input.fax', '{ contact(id: "empty-fax") { id } }'],
    ['createContact input.registry', `createContact(idempotencyKey: $k, input: { id: "empty-registry", registry: $v, ${POSTAL}, email: "erin@example.com", authInfo: "G00d-Pw" }) { id }`, 'input.registry', '{ contact(id: "empty-registry") { id } }'],
    // Joker assigns handles: an empty id was taken as none there, and the contact created.
    ['createContact input.id (Joker)', `createContact(idempotencyKey: $k, input: { id: $v, registry: "sandbox-joker", postalInfo: [{ type: "int", name: "Erin Empty", street: ["1 Test Street"], city: "Testville", pc: "10001", cc: "EE" }], voice: "+372.5550009", email: "erin@example.com", authInfo: "G00d-Pw" }) { id }`, 'input.id', null],
    ['updateContact input.email', `updateContact(idempotencyKey: $k, input: { id: "jd1234", email: $v, voice: "+1.7035550001" }) { id }`, 'input.email', null],
    ['updateContact input.registry', `updateContact(idempotencyKey: $k, input: { id: "jd1234", registry: $v, voice: "+1.7035550001" }) { id }`, 'input.registry', null],
    ['deleteContact registry', `deleteContact(idempotencyKey: $k, id: "no-such-1", registry: $v) { id }`, 'registry', null],
    ['createHost input.registry', `createHost(idempotencyKey: $k, input: { name: "ns7.empty.example.net", registry: $v }) { name }`, 'input.registry', null],
    ['updateHost input.registry', `updateHost(idempotencyKey: $k, input: { name: "ns9.nowhere.example.net", registry: $v, addStatuses: ["clientUpdateProhibited"] }) { name }`, 'input.registry', null],
    ['updateHost input.newName', `updateHost(idempotencyKey: $k, input: { name: "ns9.nowhere.example.net", newName: $v, addStatuses: ["clientUpdateProhibited"] }) { name }`, 'input.newName', null],
    ['deleteHost registry', `deleteHost(idempotencyKey: $k, name: "ns9.nowhere.example.net", registry: $v) { name }`, 'registry', null],
  ])('%s: "" and a blank value, literal or variable', async (_what, field, path, readBack) => {
    const contactBefore = (await t.gql(A, '{ contact(id: "jd1234") { email voice } }')).data?.contact;
    const before = await written();
    for (const value of ['', '   ']) {
      for (const r of await both(field, value)) {
        expect(r.errors?.[0]?.extensions, `${JSON.stringify(value)}: ${r.errors?.[0]?.message}`).toMatchObject({ code: 'BAD_USER_INPUT', field: path });
        expect(r.errors![0]!.message.startsWith(`${path}: `)).toBe(true);
        expect(Object.values(r.data ?? {}).filter((v) => v !== null)).toEqual([]);
      }
    }
    expect(await written()).toEqual(before);
    // The registry holds what it held: nothing created, jd1234 unchanged.
    if (readBack) expect(Object.values((await t.gql(A, readBack)).data ?? {})).toEqual([null]);
    expect((await t.gql(A, '{ contact(id: "jd1234") { email voice } }')).data?.contact).toEqual(contactBefore);
  });
});

describe('a query\'s filter given empty is refused, not taken as left out', () => {
  // A frontend's trial: commandLog(filter: { operation: "" }) answered every entry, unfiltered,
  // while a blank "   " was refused.
  it.each(['objectName', 'operation', 'command', 'idempotencyKey'])('commandLog filter.%s: "" and a blank value, literal or variable', async (key) => {
    for (const value of ['', '   ']) {
      const literal = await t.gql(A, `{ commandLog(first: 1, filter: { ${key}: ${JSON.stringify(value)} }) { edges { node { id } } } }`);
      const variable = await t.gql(A, `query($v: String) { commandLog(first: 1, filter: { ${key}: $v }) { edges { node { id } } } }`, { v: value });
      for (const r of [literal, variable]) {
        expect(r.errors?.[0]?.extensions, `${JSON.stringify(value)}: ${r.errors?.[0]?.message}`).toMatchObject({ code: 'BAD_USER_INPUT', field: `filter.${key}` });
        expect(r.data?.commandLog ?? null).toBeNull();
      }
    }
  });
});

describe('an update\'s empty value where the standard defines one: sent as that meaning', () => {
  const FIELDS = '{ voice fax postalInfo { org name } }';
  const CONTACT = `contact(id: "clear-me") ${FIELDS}`;

  it('updateContact: voice, fax and a postal org of "" (or blank) clear the value at an RFC 5733 registry; what is not given stays', async () => {
    const created = await t.gql(
      A,
      `mutation($k: String!) { createContact(idempotencyKey: $k, input: { id: "clear-me", postalInfo: [{ type: "int", name: "Carl Clear", org: "Clear Corp", city: "Dulles", cc: "US" }], voice: "+1.7035550100", fax: "+1.7035550101", email: "carl@example.com", authInfo: "G00d-Pw" }) { id } }`,
      { k: randomUUID() },
    );
    expect(created.errors).toBeUndefined();
    expect((await t.gql(A, `{ ${CONTACT} }`)).data.contact).toEqual({ voice: '+1.7035550100', fax: '+1.7035550101', postalInfo: [{ org: 'Clear Corp', name: 'Carl Clear' }] });

    const fax = await t.gql(A, `mutation($k: String!) { updateContact(idempotencyKey: $k, input: { id: "clear-me", fax: "" }) { contact ${FIELDS} } }`, { k: randomUUID() });
    expect(fax.errors).toBeUndefined();
    expect(fax.data.updateContact.contact).toEqual({ voice: '+1.7035550100', fax: null, postalInfo: [{ org: 'Clear Corp', name: 'Carl Clear' }] });

    const voice = await t.gql(A, `mutation($k: String!, $v: String) { updateContact(idempotencyKey: $k, input: { id: "clear-me", voice: $v }) { contact ${FIELDS} } }`, { k: randomUUID(), v: '   ' });
    expect(voice.errors).toBeUndefined();
    expect(voice.data.updateContact.contact).toEqual({ voice: null, fax: null, postalInfo: [{ org: 'Clear Corp', name: 'Carl Clear' }] });

    const org = await t.gql(
      A,
      `mutation($k: String!, $p: [PostalInfoInput!]) { updateContact(idempotencyKey: $k, input: { id: "clear-me", postalInfo: $p }) { contact ${FIELDS} } }`,
      { k: randomUUID(), p: [{ type: 'int', name: 'Carl Clear', org: '', city: 'Dulles', cc: 'US' }] },
    );
    expect(org.errors).toBeUndefined();
    expect(org.data.updateContact.contact).toEqual({ voice: null, fax: null, postalInfo: [{ org: null, name: 'Carl Clear' }] });
  });

  it('updateDomain registrant "" asks the registry to remove the registrant: an RFC 5731 registry answers for itself; one without contact objects, REPP and Joker refuse before anything is sent', async () => {
    const domain = `empty-registrant-${randomUUID().slice(0, 8)}.example`;
    const create = await t.gql(
      A,
      `mutation($k: String!) { createDomain(idempotencyKey: $k, input: { name: "${domain}", authInfo: "G00d-Pw", registrant: "jd1234", contacts: [{ role: ADMIN, id: "jd1234" }, { role: TECH, id: "jd1234" }] }) { name } }`,
      { k: randomUUID() },
    );
    expect(create.errors).toBeUndefined();
    const commands = await t.upstreamCommands();
    // The sandbox, as Nomulus did for a TLD that requires one, refuses a domain without a registrant (2003).
    const removed = await t.gql(A, `mutation($k: String!) { updateDomain(idempotencyKey: $k, input: { name: "${domain}", registrant: "" }) { name } }`, { k: randomUUID() });
    expect(removed.errors?.[0]?.extensions).toMatchObject({ upstreamCode: 2003 });
    expect(removed.errors![0]!.message).toContain('Registrant is required');
    expect(await t.upstreamCommands()).toBe(commands + 1);
    expect((await t.gql(A, `{ domain(name: "${domain}") { registrant { id } } }`)).data.domain.registrant).toEqual({ id: 'jd1234' });

    const before = await written();
    for (const [name, what] of [['example.tld', 'contact objects'], ['kass.ee', 'removing the registrant'], ['alpha.joker.test', 'removing the registrant']] as const) {
      for (const r of await both(`updateDomain(idempotencyKey: $k, input: { name: "${name}", registrant: $v }) { name }`, '')) {
        expect(r.errors?.[0]?.extensions, `${name}: ${r.errors?.[0]?.message}`).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', field: 'input.registrant' });
        expect(r.errors![0]!.message).toContain(what);
      }
    }
    expect(await written()).toEqual(before);
  });

  it('a registry that cannot clear a contact field refuses it naming the field before anything is sent (REPP: voice, fax; Joker: voice, fax, org, pc)', async () => {
    const before = await written();
    const cases = [
      ['sandbox-repp', 'voice: $v', 'BAD_USER_INPUT', 'input.voice'],
      ['sandbox-repp', 'fax: $v', 'UNSUPPORTED_BY_BACKEND', 'input.fax'],
      ['sandbox-joker', 'voice: $v', 'BAD_USER_INPUT', 'input.voice'],
      ['sandbox-joker', 'fax: $v', 'UNSUPPORTED_BY_BACKEND', 'input.fax'],
      ['sandbox-joker', 'postalInfo: [{ name: "Nora New", org: $v, city: "Testville", pc: "10001", cc: "EE" }]', 'UNSUPPORTED_BY_BACKEND', 'input.postalInfo[0].org'],
      ['sandbox-joker', 'postalInfo: [{ name: "Nora New", city: "Testville", pc: $v, cc: "EE" }]', 'BAD_USER_INPUT', 'input.postalInfo[0].pc'],
    ] as const;
    for (const [registry, change, code, field] of cases) {
      const id = registry === 'sandbox-joker' ? 'CJOK-1' : 'ATSAA:1';
      for (const r of await both(`updateContact(idempotencyKey: $k, input: { id: "${id}", registry: "${registry}", ${change} }) { id }`, '')) {
        expect(r.errors?.[0]?.extensions, `${registry} ${change}: ${r.errors?.[0]?.message}`).toMatchObject({ code, field });
      }
    }
    expect(await written()).toEqual(before);
  });
});
