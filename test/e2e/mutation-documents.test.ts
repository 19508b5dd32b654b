/**
 * A document of several mutations (README, Errors: several mutations in one document), over HTTP
 * and graphql-ws: bad input in any root field refuses the whole document before any field runs
 * (nothing recorded, nothing sent: an earlier valid field is not applied behind the client's
 * back); a registry's refusal of a later field leaves the earlier field's answer in `data`.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { overBoth } from '../helpers/ws.js';

let t: TestGateway;
let A: string;
beforeAll(async () => {
  // No background polling: every command in the log comes from the requests under test.
  t = await startTestGateway({ configure: (c) => (c.poll.enabled = false) });
  A = t.keys.NewRegistrar!;
});
afterAll(() => t?.close());

const postal = [{ type: 'int', name: 'Ada Lovelace', street: ['12 St James Sq'], city: 'London', cc: 'GB' }];
const contactInput = (id: string) => ({ id, postalInfo: postal, email: 'ada@example.org', authInfo: 'C0ntact-Pw' });
const newId = () => `mv${randomUUID().slice(0, 8)}`;

const send = overBoth(() => t, () => A);

/** What the gateway did for a key: its idempotency record, and the commands it sent under it. */
async function traces(keys: string[], contactId: string) {
  await t.gateway.commandLog.flush();
  const p = t.gateway.services.prisma;
  return {
    records: await p.idempotencyRecord.count({ where: { idempotencyKey: { in: keys } } }),
    commands: await p.commandLog.count({ where: { OR: [{ idempotencyKey: { in: keys } }, { objectName: contactId }] } }),
  };
}

const TWO = `mutation($ka: String!, $kb: String!, $input: CreateContactInput!, $name: String!) {
  a: createContact(idempotencyKey: $ka, input: $input) { id }
  b: deleteDomain(name: $name, idempotencyKey: $kb) { name }
}`;

describe.each(['http', 'ws'] as const)('several mutations in one document, over %s', (transport) => {
  it('bad input in a later field: nothing runs, the error names that field', async () => {
    const id = newId();
    const [ka, kb] = [`adv-${randomUUID()}`, `adv-${randomUUID()}`];
    const before = await t.upstreamCommands();
    const r = await send[transport](TWO, { ka, kb, input: contactInput(id), name: 'bad_name.example' });
    expect(r.data).toBeNull();
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0]).toMatchObject({ path: ['b'], extensions: { code: 'BAD_USER_INPUT', field: 'name' } });
    expect(await traces([ka, kb], id)).toEqual({ records: 0, commands: 0 });
    expect(await t.upstreamCommands()).toBe(before);
    // The contact was not created: the same key and input run it now.
    const again = await send[transport](`mutation($k: String!, $input: CreateContactInput!) { createContact(idempotencyKey: $k, input: $input) { id replayed } }`, { k: ka, input: contactInput(id) });
    expect(again.errors).toBeUndefined();
    expect(again.data.createContact).toEqual({ id, replayed: false });
  });

  it('every failing field is named, by its alias, in document order, in literals as in variables', async () => {
    const id = newId();
    const before = await t.upstreamCommands();
    const r = await send[transport](`mutation($k: String!) {
      ok: createContact(idempotencyKey: "${randomUUID()}", input: { id: "${id}", postalInfo: [{ type: "int", name: "Ada", street: ["1 St"], city: "London", cc: "GB" }], email: "ada@example.org", authInfo: "C0ntact-Pw" }) { id }
      first: deleteDomain(name: "bad_name.example", idempotencyKey: "${randomUUID()}") { name }
      ...F
    }
    fragment F on Mutation { second: renewDomain(idempotencyKey: $k, input: { name: "fine.example", period: { value: 0, unit: YEARS } }) { name } }`, { k: randomUUID() });
    expect(r.data).toBeNull();
    expect(r.errors!.map((e) => [e.path, e.extensions.code, e.extensions.field])).toEqual([
      [['first'], 'BAD_USER_INPUT', 'name'],
      [['second'], 'BAD_USER_INPUT', 'input.period.value'],
    ]);
    expect(await t.upstreamCommands()).toBe(before);
    expect(await traces([], id)).toEqual({ records: 0, commands: 0 });
  });

  it('two fields under one idempotency key: another request is refused before either runs; the same one replays', async () => {
    const id = newId();
    const k = `adv-${randomUUID()}`;
    const before = await t.upstreamCommands();
    const SAME_KEY = `mutation($k: String!, $input: CreateContactInput!, $a: String!, $b: String!) {
      c: createContact(idempotencyKey: "${randomUUID()}", input: $input) { id }
      a: deleteDomain(name: $a, idempotencyKey: $k) { name }
      b: deleteDomain(name: $b, idempotencyKey: $k) { name }
    }`;
    const r = await send[transport](SAME_KEY, { k, input: contactInput(id), a: `${newId()}-none.example`, b: `${newId()}-none.example` });
    expect(r.data).toBeNull();
    expect(r.errors!.map((e) => [e.path, e.extensions.code, e.extensions.field])).toEqual([[['b'], 'IDEMPOTENCY_KEY_REUSED', 'idempotencyKey']]);
    expect(await traces([k], id)).toEqual({ records: 0, commands: 0 });
    expect(await t.upstreamCommands()).toBe(before);
    // Another mutation under the key: refused the same way.
    const other = await send[transport](`mutation($k: String!) { a: deleteDomain(name: "x-${id}.example", idempotencyKey: $k) { name } b: deleteHost(name: "ns1.x-${id}.example", idempotencyKey: $k) { name } }`, { k });
    expect(other.errors!.map((e) => [e.path, e.extensions.code])).toEqual([[['b'], 'IDEMPOTENCY_KEY_REUSED']]);
    expect(await t.upstreamCommands()).toBe(before);
    // The same request twice: the second is the first's retry, as a retry in another request would be.
    const twice = await send[transport](`mutation($k: String!, $input: CreateContactInput!) { a: createContact(idempotencyKey: $k, input: $input) { id replayed } b: createContact(idempotencyKey: $k, input: $input) { id replayed } }`, { k, input: contactInput(id) });
    expect(twice.errors).toBeUndefined();
    expect(twice.data).toEqual({ a: { id, replayed: false }, b: { id, replayed: true } });
  });

  it("a registry's refusal of a later field keeps the earlier field's answer", async () => {
    const id = newId();
    const [ka, kb] = [randomUUID(), randomUUID()];
    const r = await send[transport](TWO, { ka, kb, input: contactInput(id), name: `${newId()}-none.example` });
    expect(r.data).toEqual({ a: { id }, b: null });
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0]).toMatchObject({ path: ['b'], extensions: { code: 'OBJECT_NOT_FOUND' } });
    expect(await traces([ka], id)).toMatchObject({ records: 1 });
  });
});
