/**
 * `domains(after:)` as the first request a registrar makes of an instance (a deep link, a cursor
 * kept by a UI across a restart, a fresh database): the registries that list a registrar's domains
 * (REPP, Joker) are read first, as a first page reads them, so the names they list after the
 * cursor are there. Before, a page after a cursor answered from the index alone, which only a
 * first page fills from those lists: an empty end of the list with `hasPreviousPage: true`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { domainCursor } from '../../src/domains/domain-page.js';
import { keepBackends, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.enabled = false;
      keepBackends(c, ['repp', 'joker'], 'sandbox-repp');
    },
  });
}, 60_000);
afterAll(() => t?.close());

const PAGE = 'query($after: String) { domains(first: 500, after: $after) { edges { node { name } } pageInfo { hasNextPage } } }';
const names = (r: { data?: { domains: { edges: { node: { name: string } }[] } } }) => r.data!.domains.edges.map((e) => e.node.name);

it('a page after a cursor, before any first page, holds the names the registries list after it; as a first page then says', async () => {
  const A = t.keys.NewRegistrar!;
  const deep = await t.gql(A, PAGE, { after: domainCursor('a.ee') });
  expect(deep.errors).toBeUndefined();
  const got = names(deep);
  expect(got).toEqual(expect.arrayContaining(['kass.ee', 'alpha.joker.test']));
  // The same names as a first page lists after that point.
  const first = await t.gql(A, PAGE);
  expect(got).toEqual(names(first).filter((n) => n > 'a.ee'));
});
