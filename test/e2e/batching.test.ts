/**
 * Many objects, few upstream commands: a page of domains that share name servers costs one
 * domain info per domain and one host info per distinct host, however the query nests them.
 * The page also holds the REPP sandbox's seeded .ee names (REPP lists a registrar's domains
 * itself); their name servers are the domain's attributes, so they cost no host read at all.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keepBackends, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { reppSeededNames } from '../helpers/repp-seed.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.enabled = false;
      // EPP and REPP only: what this counts (the other sandboxes' seeded names would share the page).
      keepBackends(c, ['epp', 'repp']);
    },
  });
});
afterAll(() => t?.close());

/** Commands sent so far, by "backend command". */
async function commands(): Promise<Record<string, number>> {
  await t.gateway.commandLog.flush();
  const rows = await t.gateway.services.prisma.commandLog.groupBy({ by: ['backend', 'command'], _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [`${r.backend} ${r.command}`, r._count._all]));
}

it('a page of 6 domains sharing 2 name servers costs 6 domain infos and 2 host infos; the REPP names on it, one list request', async () => {
  const A = t.keys.NewRegistrar!;
  const created: string[] = [];
  for (let i = 0; i < 6; i++) {
    const r = await t.gql(A, `mutation($k: String!) { createDomain(idempotencyKey: $k, input: {
      name: "batch-${i}-${randomUUID().slice(0, 6)}.tld", authInfo: "B4tch-Pw-1", nameservers: [{ name: "ns1.example.net" }, { name: "ns2.example.net" }] }) { name } }`, { k: randomUUID() });
    expect(r.errors).toBeUndefined();
    created.push(r.data.createDomain.name);
  }
  const before = await commands();
  const r = await t.gql(A, `{ domains(first: 50) { edges { node { name nameservers { name ipv4 ipv6 statuses sponsor } also: nameservers { name ipv4 } } } } }`);
  expect(r.errors).toBeUndefined();
  const seeded = reppSeededNames('NewRegistrar');
  const names = r.data.domains.edges.map((e: { node: { name: string } }) => e.node.name);
  expect(names).toEqual([...created, ...seeded].sort());
  const ours = r.data.domains.edges.filter((e: { node: { name: string } }) => created.includes(e.node.name));
  for (const e of ours) expect(e.node.nameservers.map((n: { name: string }) => n.name)).toEqual(['ns1.example.net', 'ns2.example.net']);
  const after = await commands();
  const delta = (c: string) => (after[c] ?? 0) - (before[c] ?? 0);
  expect(delta('sandbox-nomulus domain:info')).toBe(6);
  expect(delta('sandbox-nomulus host:info')).toBe(2);
  // REPP lists the registrar's domains with details (one list request per 200): no info per domain.
  expect(delta('sandbox-repp domain:list')).toBe(1);
  expect(delta('sandbox-repp domain:info')).toBe(0);
  expect(delta('sandbox-repp host:info')).toBe(0);
});
