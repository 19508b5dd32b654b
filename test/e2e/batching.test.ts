/**
 * Many objects, few upstream commands: a page of domains that share name servers costs one
 * domain info per domain and one host info per distinct host, however the query nests them.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => (c.poll.enabled = false) });
});
afterAll(() => t?.close());

async function commands(): Promise<Record<string, number>> {
  await t.gateway.commandLog.flush();
  const rows = await t.gateway.services.prisma.commandLog.groupBy({ by: ['command'], _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.command, r._count._all]));
}

it('a page of 6 domains sharing 2 name servers costs 6 domain infos and 2 host infos', async () => {
  const A = t.keys.NewRegistrar!;
  for (let i = 0; i < 6; i++) {
    const r = await t.gql(A, `mutation($k: String!) { createDomain(idempotencyKey: $k, input: {
      name: "batch-${i}-${randomUUID().slice(0, 6)}.tld", authInfo: "B4tch-Pw-1", nameservers: [{ name: "ns1.example.net" }, { name: "ns2.example.net" }] }) { name } }`, { k: randomUUID() });
    expect(r.errors).toBeUndefined();
  }
  const before = await commands();
  const r = await t.gql(A, `{ domains(first: 50) { edges { node { name nameservers { name ipv4 ipv6 statuses sponsor } also: nameservers { name ipv4 } } } } }`);
  expect(r.errors).toBeUndefined();
  expect(r.data.domains.edges).toHaveLength(6);
  expect(r.data.domains.edges[0].node.nameservers.map((n: { name: string }) => n.name)).toEqual(['ns1.example.net', 'ns2.example.net']);
  const after = await commands();
  const delta = (c: string) => (after[c] ?? 0) - (before[c] ?? 0);
  expect(delta('domain:info')).toBe(6);
  expect(delta('host:info')).toBe(2);
});
