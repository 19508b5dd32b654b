/**
 * Joker keeps two street lines per contact (DMAPI contact-create/contact-modify: address-1,
 * address-2). A third is refused as bad input naming the postal info entry it is in
 * (`input.postalInfo[i].street`, the int entry the gateway sends, else the first), in the path
 * style of every other BAD_USER_INPUT, before anything is sent.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keepBackends, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.enabled = false;
      keepBackends(c, ['joker'], 'sandbox-joker');
    },
  });
}, 60_000);
afterAll(() => t?.close());

const create = 'mutation($k: String!, $i: CreateContactInput!) { createContact(idempotencyKey: $k, input: $i) { id } }';
const update = 'mutation($k: String!, $i: UpdateContactInput!) { updateContact(idempotencyKey: $k, input: $i) { id } }';
const loc = { type: 'loc', name: 'Ann Local', street: ['1 Road'], city: 'Town', cc: 'EE' };
const int = { type: 'int', name: 'Ann Int', street: ['Flat 2', '9 Long Road', 'Old Quarter'], city: 'Town', cc: 'EE' };

it('a third street line is refused naming its postal info entry, before anything is sent', async () => {
  const A = t.keys.NewRegistrar!;
  const before = await t.upstreamCommands();
  const c = await t.gql(A, create, { k: randomUUID(), i: { registry: 'sandbox-joker', email: 'ann@example.test', voice: '+372.5550101', authInfo: 'unused-pw-1', postalInfo: [int] } });
  expect(c.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.postalInfo[0].street' });
  const u = await t.gql(A, update, { k: randomUUID(), i: { registry: 'sandbox-joker', id: 'CJOK-1', postalInfo: [int] } });
  expect(u.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.postalInfo[0].street' });
  expect(await t.upstreamCommands()).toBe(before);
}, 60_000);

it('a second postal info and an auth code, which Joker keeps none of, are refused, not dropped; nothing is sent', async () => {
  const A = t.keys.NewRegistrar!;
  const before = await t.upstreamCommands();
  const two = [loc, { ...int, street: ['9 Long Road'] }];
  // Before, the loc entry was dropped and the contact created with the int one alone.
  const c = await t.gql(A, create, { k: randomUUID(), i: { registry: 'sandbox-joker', email: 'ann@example.test', voice: '+372.5550101', authInfo: 'unused-pw-1', postalInfo: two } });
  expect(c.errors?.[0]?.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', field: 'input.postalInfo[0]' });
  // Before, the e-mail was changed and the auth code dropped without a word.
  const u = await t.gql(A, update, { k: randomUUID(), i: { registry: 'sandbox-joker', id: 'CJOK-1', email: 'new@example.test', authInfo: 'NewAuth1234' } });
  expect(u.errors?.[0]?.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', field: 'input.authInfo' });
  expect(await t.upstreamCommands()).toBe(before);
}, 60_000);
