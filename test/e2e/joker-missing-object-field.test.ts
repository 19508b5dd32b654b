/**
 * A Joker domain-modify refused because a name server or contact the change adds is not the
 * reseller's (DMAPI 2303 "not registered: name server <name>") names the argument at fault: a
 * bulk name-server replacement's item error `field: "to"` (src/bulk/kinds.ts itemErrorField), a
 * single update's `extensions.field` `input.add.nameservers[0]`. Before, both had none.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { allItems, waitFinished } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let A: string;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => (c.poll.enabled = false) });
  A = t.keys.NewRegistrar!;
});
afterAll(() => t?.close());

it("a bulk item whose `to` is not one of the reseller's name servers fails with field `to`", async () => {
  const r = await t.gql(A, `mutation($k: String!) { bulkReplaceNameserver(idempotencyKey: $k, domains: ["alpha.joker.test"], from: "ns1.sandbox-dns.test", to: { name: "ns3.sandbox-dns.test" }) { job { id } } }`, { k: randomUUID() });
  expect(r.errors).toBeUndefined();
  const id = r.data.bulkReplaceNameserver.job.id;
  await waitFinished(t, A, id);
  const [item] = await allItems(t, A, id);
  expect(item).toMatchObject({ domainName: 'alpha.joker.test', state: 'FAILED', error: { code: 'OBJECT_NOT_FOUND', upstreamCode: 2303, field: 'to' } });
  expect(item.error.message).toContain('ns3.sandbox-dns.test');
}, 60_000);

it('a single update adding such a name server names input.add.nameservers[i]', async () => {
  const r = await t.gql(A, `mutation($k: String!) { updateDomain(idempotencyKey: $k, input: { name: "alpha.joker.test", add: { nameservers: [{ name: "ns2.sandbox-dns.test" }, { name: "ns4.sandbox-dns.test" }] } }) { name } }`, { k: randomUUID() });
  expect(r.errors).toHaveLength(1);
  expect(r.errors![0]!.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', field: 'input.add.nameservers[1]' });
}, 60_000);
