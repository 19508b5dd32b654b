/**
 * A value made only of invisible characters (README, Errors: empty strings): format characters
 * (Unicode general category Cf: U+200B ZERO WIDTH SPACE, U+2060 WORD JOINER, U+00AD SOFT HYPHEN,
 * U+FEFF) and other default-ignorable ones (U+3164 HANGUL FILLER, U+FE0F), alone or with spaces,
 * looks empty wherever it is shown but is neither empty nor blank. Before, such a postal name,
 * org, sp, pc or street line, or a registrantInfo name or organization, was stored at the
 * registry; now each is BAD_USER_INPUT naming the field, over HTTP and graphql-ws, in a variable
 * and in the document, before any command, record or log entry. A blank value (white space only:
 * spaces, U+3000, U+2028 LINE SEPARATOR...) keeps its meaning: an optional org of U+2028 is none.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
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

/** Contacts the default registry (sandbox-epp) created. */
const contactsCreated = () => (t.gateway.sandboxes.sandboxes.get('sandbox-epp') as EppSandbox).applied('contact:create');

/** Rows a refused request must not have written, and the upstream commands sent (each one is in the command log). */
async function written() {
  const p = t.gateway.services.prisma;
  return { commands: await t.upstreamCommands(), idempotency: await p.idempotencyRecord.count() };
}

const INVISIBLE = ['\u200B', '\u2060', '\u00AD', '\uFEFF', ' \u200B ', '\u3164', '\u200B\u2060\uFE0F'];

const postal = (part: Record<string, unknown>) => [{ type: 'loc', name: 'Ada Lovelace', street: ['12 St James Sq'], city: 'London', cc: 'GB', ...part }];
const CREATE_CONTACT = 'mutation($k: String!, $i: CreateContactInput!) { createContact(idempotencyKey: $k, input: $i) { id } }';
const CREATE_DOMAIN = 'mutation($k: String!, $i: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $i) { name } }';

const fields = [
  { what: 'a postal name', input: (v: string) => ({ postalInfo: postal({ name: v }) }), field: 'input.postalInfo[0].name' },
  { what: 'a postal org', input: (v: string) => ({ postalInfo: postal({ org: v }) }), field: 'input.postalInfo[0].org' },
  { what: 'a postal sp', input: (v: string) => ({ postalInfo: postal({ sp: v }) }), field: 'input.postalInfo[0].sp' },
  { what: 'a postal pc', input: (v: string) => ({ postalInfo: postal({ pc: v }) }), field: 'input.postalInfo[0].pc' },
  { what: 'a street line', input: (v: string) => ({ postalInfo: postal({ street: ['12 St James Sq', v] }) }), field: 'input.postalInfo[0].street[1]' },
];

describe.each(['http', 'ws'] as const)('a value made only of invisible characters, over %s', (transport) => {
  it.each(fields)('createContact with $what of invisible characters: BAD_USER_INPUT naming it, nothing created or written', async (c) => {
    const before = { created: contactsCreated(), ...(await written()) };
    for (const v of INVISIBLE) {
      const id = `iv${randomUUID().slice(0, 8)}`;
      const r = await send[transport](CREATE_CONTACT, { k: randomUUID(), i: { id, email: 'ada@example.org', authInfo: 'C0ntact-Pw', ...c.input(v) } });
      expect(r.data ?? null, JSON.stringify(v)).toBeNull();
      expect(r.errors?.[0]?.extensions, JSON.stringify(v)).toMatchObject({ code: 'BAD_USER_INPUT', field: c.field });
      expect(r.errors![0]!.message).toMatch(new RegExp(`^${c.field.replace(/[.[\]]/g, '\\$&')}: holds only invisible characters`));
    }
    expect({ created: contactsCreated(), ...(await written()) }).toEqual(before);
  });

  it('updateContact with a postal org of invisible characters is refused too, not taken as "" (clear the org)', async () => {
    const before = await written();
    const r = await send[transport]('mutation($k: String!, $p: [PostalInfoInput!]) { updateContact(idempotencyKey: $k, input: { id: "jd1234", postalInfo: $p }) { id } }', { k: randomUUID(), p: postal({ org: '\u200B' }) });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.postalInfo[0].org' });
    expect(await written()).toEqual(before);
  });

  it('a registrantInfo name or organization of invisible characters (HeadlessDomains): BAD_USER_INPUT naming it, nothing sent', async () => {
    const before = await written();
    for (const [part, v] of [['name', '\u2060'], ['organization', '\u00AD\u200B'], ['name', ' \uFEFF']] as const) {
      const name = `iv${randomUUID().slice(0, 8)}.hdtest`;
      const r = await send[transport](CREATE_DOMAIN, { k: randomUUID(), i: { name, authInfo: 'Dom-Auth-1', nameservers: [{ name: 'ns1.example.net' }], registrantInfo: { email: 'ada@example.org', [part]: v } } });
      expect(r.errors?.[0]?.extensions, `${part} ${JSON.stringify(v)}`).toMatchObject({ code: 'BAD_USER_INPUT', field: `input.registrantInfo.${part}` });
      const u = await send[transport]('mutation($k: String!, $i: UpdateDomainInput!) { updateDomain(idempotencyKey: $k, input: $i) { name } }', { k: randomUUID(), i: { name, registrantInfo: { [part]: v } } });
      expect(u.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: `input.registrantInfo.${part}` });
    }
    expect(await written()).toEqual(before);
  });

  it('in the document as a literal too', async () => {
    const before = await written();
    const r = await send[transport](`mutation($k: String!) { createContact(idempotencyKey: $k, input: { id: "iv-literal", email: "ada@example.org", authInfo: "C0ntact-Pw", postalInfo: [{ type: "loc", name: "Ada", org: "\\u200B\\u2060", city: "London", cc: "GB" }] }) { id } }`, { k: randomUUID() });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.postalInfo[0].org' });
    expect(await written()).toEqual(before);
  });

  it('a blank org (white space only: U+2028 LINE SEPARATOR, U+3000) is none, as "" is: the contact is created without one', async () => {
    for (const v of ['\u2028', '\u3000 ']) {
      const id = `bl${randomUUID().slice(0, 8)}`;
      const r = await send[transport](`mutation($k: String!, $i: CreateContactInput!) { createContact(idempotencyKey: $k, input: $i) { id contact { postalInfo { org } } } }`, { k: randomUUID(), i: { id, email: 'ada@example.org', authInfo: 'C0ntact-Pw', postalInfo: postal({ org: v }) } });
      expect(r.errors, JSON.stringify(v)).toBeUndefined();
      expect(r.data.createContact).toEqual({ id, contact: { postalInfo: [{ org: null }] } });
    }
  });
});
