/**
 * The `domains` connection when domains vanish at the registry (deleted, then purged after the
 * redemption and pending-delete periods): no page is empty while hasNextPage is true, every
 * remaining domain is listed once. How every connection pages: connections.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../helpers/gateway.js';

const DAY = 86_400_000;
const clock = new FakeClock(new Date());
let t: TestGateway;
let A: string;
beforeAll(async () => {
  t = await startTestGateway({ clock, configure: (c) => (c.poll.enabled = false) });
  A = t.keys.NewRegistrar!;
});
afterAll(() => t?.close());

const run = `r${randomUUID().slice(0, 6)}`;
const names = Array.from({ length: 8 }, (_, i) => `${run}-${i}.tld`);

async function mutate(query: string) {
  const r = await t.gql(A, query, { k: randomUUID() });
  expect(r.errors).toBeUndefined();
}

it('pages past purged domains: no empty page says more follow, and every remaining domain comes once', async () => {
  for (const name of names) await mutate(`mutation($k: String!) { createDomain(idempotencyKey: $k, input: { name: "${name}", authInfo: "Pag1nate-Pw" }) { name } }`);
  clock.set(new Date(clock.now().getTime() + 6 * DAY)); // past the add grace period: a delete is pending, not immediate
  const gone = names.slice(1, 7);
  for (const name of gone) await mutate(`mutation($k: String!) { deleteDomain(idempotencyKey: $k, name: "${name}") { pending } }`);
  clock.set(new Date(clock.now().getTime() + 40 * DAY)); // redemption (30 d) and pending delete (5 d) are over: purged

  const seen: string[] = [];
  let after: string | null = null;
  for (let n = 0; n < 20; n++) {
    const r: GraphQLResponse<{ domains: { edges: { node: { name: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }> = await t.gql(
      A,
      `query($after: String) { domains(first: 1, after: $after) { edges { node { name } } pageInfo { hasNextPage endCursor } } }`,
      { after },
    );
    expect(r.errors).toBeUndefined();
    const { edges, pageInfo } = r.data!.domains;
    if (pageInfo.hasNextPage) expect(edges.length).toBe(1);
    seen.push(...edges.map((e) => e.node.name));
    if (!pageInfo.hasNextPage) break;
    after = pageInfo.endCursor;
  }
  expect(seen.filter((n) => n.startsWith(run))).toEqual([names[0], names[7]]);
  // The purged ones left the gateway's list for good.
  expect(await t.gateway.services.prisma.domainIndex.count({ where: { name: { in: gone } } })).toBe(0);
});
