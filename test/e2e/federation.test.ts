/**
 * The gateway as an Apollo Federation 2 subgraph (issue 11, item 1), as a frontend team meets it:
 * its SDL from `_service { sdl }` is composed (@apollo/composition) with a second subgraph that
 * returns Domain from its own root field and adds a field of its own; @apollo/gateway serves the
 * supergraph and forwards the caller's Authorization header; queries cross in both directions.
 */
import { randomUUID } from 'node:crypto';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const suffix = randomUUID().slice(0, 8);
const domains = [`fed-a-${suffix}.example`, `fed-b-${suffix}.example`];
const contactId = `fed${suffix}`;
const ns = `ns1.fed-a-${suffix}.example`;

/** A team's own subgraph: picks domains from its root field and annotates them. */
const portfolioTypeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { featuredDomains: [Domain!]! }
  type Domain @key(fields: "name") {
    name: String!
    note: String!
  }
`);

describe('federation subgraph behind @apollo/gateway', () => {
  let t: TestGateway;
  let A: string;
  let sdl: string;
  let portfolio: ApolloServer;
  let router: ApolloServer;
  let routerUrl: string;
  /** Representations the portfolio subgraph was asked to resolve (the gateway calling into it). */
  const portfolioRepresentations: unknown[] = [];

  const viaRouter = async (key: string | null, query: string) => {
    const res = await fetch(routerUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query }),
    });
    return (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
  };

  beforeAll(async () => {
    // No poll rounds: the batching test counts upstream commands.
    t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
    A = t.keys.NewRegistrar!;
    const contact = await t.gql(A, `mutation($k: String!) { createContact(idempotencyKey: $k, input: {
      id: "${contactId}", email: "fed@example.org", authInfo: "C0ntact-Pw",
      postalInfo: [{ type: "int", name: "Fed Owner", street: ["1 Main St"], city: "Dulles", cc: "US" }] }) { id } }`, { k: randomUUID() });
    expect(contact.errors).toBeUndefined();
    for (const name of domains) {
      const r = await t.gql(A, `mutation($k: String!) { createDomain(idempotencyKey: $k, input: { name: "${name}", authInfo: "D0main-Pw", registrant: "${contactId}",
        contacts: [{ role: ADMIN, id: "${contactId}" }, { role: TECH, id: "${contactId}" }] }) { name } }`, { k: randomUUID() });
      expect(r.errors).toBeUndefined();
    }
    const host = await t.gql(A, `mutation($k: String!) { createHost(idempotencyKey: $k, input: { name: "${ns}", ipv4: ["192.0.2.7"] }) { name } }`, { k: randomUUID() });
    expect(host.errors).toBeUndefined();

    const service = await t.gql(A, '{ _service { sdl } }');
    expect(service.errors).toBeUndefined();
    sdl = service.data._service.sdl;

    portfolio = new ApolloServer({
      schema: buildSubgraphSchema({
        typeDefs: portfolioTypeDefs,
        resolvers: {
          Query: { featuredDomains: () => domains.map((name) => ({ name })) },
          Domain: {
            __resolveReference: (ref: { name: string }) => {
              portfolioRepresentations.push(ref);
              return { name: ref.name };
            },
            note: (d: { name: string }) => `featured: ${d.name}`,
          },
        } as never,
      }),
      plugins: [ApolloServerPluginInlineTraceDisabled()],
    });
    const { url: portfolioUrl } = await startStandaloneServer(portfolio, { listen: { port: 0, host: '127.0.0.1' } });

    const composed = composeServices([
      { name: 'registry', typeDefs: parse(sdl), url: t.gateway.url },
      { name: 'portfolio', typeDefs: portfolioTypeDefs, url: portfolioUrl },
    ]);
    expect(composed.errors ?? []).toEqual([]);
    const gateway = new ApolloGateway({
      supergraphSdl: composed.supergraphSdl!,
      buildService: ({ url }) =>
        new RemoteGraphQLDataSource<{ authorization?: string }>({
          url,
          willSendRequest({ request, context }) {
            if (context.authorization) request.http!.headers.set('authorization', context.authorization);
          },
        }),
    });
    router = new ApolloServer({ gateway });
    ({ url: routerUrl } = await startStandaloneServer(router, {
      listen: { port: 0, host: '127.0.0.1' },
      context: async ({ req }) => ({ authorization: req.headers.authorization }),
    }));
  });

  afterAll(async () => {
    await router?.stop();
    await portfolio?.stop();
    await t?.close();
  });

  it('publishes its SDL with the federation link and a @key on Domain, Contact, Nameserver and Registrar', () => {
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.3"');
    expect(sdl).toMatch(/type Domain\s+@key\(fields: "name"\)/);
    expect(sdl).toMatch(/type Contact\s+@key\(fields: "registry id"\)/);
    expect(sdl).toMatch(/type Nameserver\s+@key\(fields: "name"\)/);
    expect(sdl).toMatch(/type Registrar\s+@key\(fields: "id"\)/);
  });

  it("another subgraph's root field returns domains; the registry fields come from the gateway, with the caller's key", async () => {
    const r = await viaRouter(A, '{ featuredDomains { name note sponsor sponsoredByViewer registrant { id email } } }');
    expect(r.errors).toBeUndefined();
    expect(r.data.featuredDomains).toEqual(
      domains.map((name) => ({ name, note: `featured: ${name}`, sponsor: 'NewRegistrar', sponsoredByViewer: true, registrant: { id: contactId, email: 'fed@example.org' } })),
    );
  });

  it("the gateway's root field returns a domain; the other subgraph adds its own field", async () => {
    const before = portfolioRepresentations.length;
    const r = await viaRouter(A, `{ domain(name: "${domains[0]}") { name expiresAt note } viewer { id } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data.domain).toMatchObject({ name: domains[0], note: `featured: ${domains[0]}` });
    expect(r.data.domain.expiresAt).toBeTruthy();
    expect(r.data.viewer).toEqual({ id: 'NewRegistrar' });
    expect(portfolioRepresentations.slice(before)).toEqual([{ __typename: 'Domain', name: domains[0] }]);
  });

  it('without a key the router gets no registry data', async () => {
    const r = await viaRouter(null, '{ featuredDomains { name sponsor } }');
    expect(r.data?.featuredDomains ?? null).toBeNull();
    expect(r.errors?.length).toBeGreaterThan(0);
  });

  it('_entities reads through the request loaders: repeated representations cost one upstream info', async () => {
    const before = await t.upstreamCommands();
    const reps = [domains[1], domains[1], domains[1].toUpperCase()].map((name) => ({ __typename: 'Domain', name }));
    const r = await t.gql(A, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Domain { name sponsor } } }', { r: reps });
    expect(r.errors).toBeUndefined();
    expect(r.data._entities).toEqual([1, 2, 3].map(() => ({ name: domains[1], sponsor: 'NewRegistrar' })));
    expect((await t.upstreamCommands()) - before).toBe(1);
  });

  it('_entities resolves contacts (registry + id), name servers and only the caller\'s own registrar', async () => {
    const r = await t.gql(
      A,
      `query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Contact { id registry email } ... on Nameserver { name ipv4 } ... on Registrar { id name } } }`,
      {
        r: [
          { __typename: 'Contact', registry: 'sandbox-epp', id: contactId },
          { __typename: 'Nameserver', name: ns },
          { __typename: 'Registrar', id: 'NewRegistrar' },
          { __typename: 'Registrar', id: 'TheRegistrar' },
        ],
      },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data._entities).toEqual([
      { id: contactId, registry: 'sandbox-epp', email: 'fed@example.org' },
      { name: ns, ipv4: ['192.0.2.7'] },
      { id: 'NewRegistrar', name: expect.any(String) },
      null,
    ]);
  });

  it('bad representations are each null with BAD_USER_INPUT naming representations[i]; the good ones answer; nothing is sent for the bad', async () => {
    const before = await t.upstreamCommands();
    const reps = [
      { __typename: 'Domain', name: domains[0] },
      { name: domains[1] },
      { __typename: 'Query' },
      { __typename: `NoSuchType${'x'.repeat(600)}`, name: domains[1] },
      { __typename: 'Domain' },
      { __typename: 'Contact', id: contactId },
      'a string',
      { __typename: 'Domain', name: 'not a name' },
      { __typename: 42, name: domains[1] },
    ];
    const res = await fetch(t.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${A}` },
      body: JSON.stringify({ query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Domain { name sponsor } ... on Contact { id } } }', variables: { r: reps } }),
    });
    const r = (await res.json()) as { data: { _entities: unknown[] }; errors: Array<{ message: string; path: unknown[]; extensions: Record<string, unknown> }> };
    expect(r.data._entities).toEqual([{ name: domains[0], sponsor: 'NewRegistrar' }, null, null, null, null, null, null, null, null]);
    const errors = [...r.errors].sort((a, b) => Number(a.path[1]) - Number(b.path[1]));
    expect(errors.map((e) => [e.path, e.extensions.code, e.extensions.field])).toEqual([
      [['_entities', 1], 'BAD_USER_INPUT', 'representations[1].__typename'],
      [['_entities', 2], 'BAD_USER_INPUT', 'representations[2].__typename'],
      [['_entities', 3], 'BAD_USER_INPUT', 'representations[3].__typename'],
      [['_entities', 4], 'BAD_USER_INPUT', 'representations[4].name'],
      [['_entities', 5], 'BAD_USER_INPUT', 'representations[5].registry'],
      [['_entities', 6], 'BAD_USER_INPUT', 'representations[6]'],
      [['_entities', 7], 'BAD_USER_INPUT', 'representations[7].name'],
      [['_entities', 8], 'BAD_USER_INPUT', 'representations[8].__typename'],
    ]);
    expect(errors[1]!.message).toContain('"Query" is not an entity type of this subgraph (Domain, Contact, Nameserver, Registrar)');
    // The unknown name is quoted as every value is: its first 32 characters.
    expect(errors[2]!.message).toContain(`"NoSuchType${'x'.repeat(22)}"…`);
    expect(errors[2]!.message.length).toBeLessThan(200);
    // One info for the one good representation; none for the bad ones.
    expect((await t.upstreamCommands()) - before).toBe(1);
  });

  it('a Domain whose name routes to no registry is null with UNKNOWN_TLD naming representations[i].name; the others answer (README "Federation")', async () => {
    const before = await t.upstreamCommands();
    const r = await t.gql(A, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Domain { name } } }', { r: [{ __typename: 'Domain', name: domains[0] }, { __typename: 'Domain', name: 'nowhere.zz' }] });
    expect(r.data?._entities).toEqual([{ name: domains[0] }, null]);
    expect(r.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.field])).toEqual([[['_entities', 1], 'UNKNOWN_TLD', 'representations[1].name']]);
    expect((await t.upstreamCommands()) - before).toBe(1); // the good one's info; none for the unroutable name
  });

  it('a malformed representation is BAD_USER_INPUT naming the key field; entities need a key like every query', async () => {
    const bad = await t.gql(A, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Domain { name } } }', { r: [{ __typename: 'Domain', name: 'not a name' }] });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'representations[0].name' });
    expect(bad.errors?.[0]?.path).toEqual(['_entities', 0]);
    const noKey = await t.gql(null, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Registrar { id } } }', { r: [{ __typename: 'Registrar', id: 'NewRegistrar' }] });
    expect(noKey.status).toBe(401);
    expect(noKey.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
