/**
 * Every connection of the schema (domains, pollMessages, commandLog) pages the same way, as a
 * Relay client expects (relay.dev/graphql/connections.htm): `first`/`after`, edges with cursors,
 * and a pageInfo whose startCursor/endCursor are the page's first and last edge cursors,
 * hasPreviousPage false on a first page and true after one, hasNextPage false only on the last
 * page, and never an empty page while hasNextPage is true. Cursors it did not hand out are bad input.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { reppSeededNames } from '../helpers/repp-seed.js';

let t: TestGateway;
let A: string;
let B: string;
const run = `c${randomUUID().slice(0, 6)}`;
const names = Array.from({ length: 4 }, (_, i) => `${run}-${i}.tld`);
const PW = 'C0nnect-Pw';

beforeAll(async () => {
  t = await startTestGateway();
  A = t.keys.NewRegistrar!;
  B = t.keys.TheRegistrar!;
  const ok = async (key: string, query: string) => expect((await t.gql(key, query, { k: randomUUID() })).errors).toBeUndefined();
  for (const name of names) await ok(A, `mutation($k: String!) { createDomain(idempotencyKey: $k, input: { name: "${name}", authInfo: "${PW}" }) { name } }`);
  // Three transfer requests: NewRegistrar's queue gets a TRANSFER_REQUESTED message for each; one
  // cancelled afterwards adds a message of another type that the type filter below leaves out.
  for (const name of names.slice(0, 3)) await ok(B, `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "${name}", authInfo: "${PW}") { transfer { status } } }`);
  await ok(B, `mutation($k: String!) { cancelTransfer(idempotencyKey: $k, domainName: "${names[0]}") { transfer { status } } }`);
});
afterAll(() => t?.close());

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

/** Reads a connection one edge per page, checking each pageInfo; answers the nodes in order. */
async function walk(field: string, args: string, node: string): Promise<any[]> {
  const query = `query($after: String) { ${field}(first: 1, after: $after${args}) { edges { cursor node { ${node} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
  const nodes: any[] = [];
  let after: string | null = null;
  for (let n = 0; n < 20; n++) {
    const r = await t.gql(A, query, { after });
    expect(r.errors).toBeUndefined();
    const { edges, pageInfo } = r.data[field] as { edges: { cursor: string; node: any }[]; pageInfo: PageInfo };
    expect(pageInfo).toEqual({ hasNextPage: pageInfo.hasNextPage, hasPreviousPage: after !== null, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null });
    if (pageInfo.hasNextPage) expect(edges).toHaveLength(1);
    nodes.push(...edges.map((e) => e.node));
    if (!pageInfo.hasNextPage) return nodes;
    after = pageInfo.endCursor;
  }
  throw new Error(`${field} did not end`);
}

it('domains: by name, one per page', async () => {
  // Beside the names made here, the names the listing registries' sandboxes hold for NewRegistrar
  // (REPP's .ee names, Joker's seeded one): one page of everything is the reference.
  const walked = (await walk('domains', '', 'name')).map((d) => d.name);
  const page = await t.gql(A, '{ domains(first: 500) { edges { node { name } } pageInfo { hasNextPage } } }');
  expect(page.data.domains.pageInfo.hasNextPage).toBe(false);
  expect(walked).toEqual(page.data.domains.edges.map((e: { node: { name: string } }) => e.node.name));
  expect(walked).toEqual([...walked].sort());
  expect(walked).toEqual(expect.arrayContaining([...names, ...reppSeededNames('NewRegistrar')]));
});

it('pollMessages: oldest first; a filter that leaves later messages out ends with hasNextPage false', async () => {
  const all = await walk('pollMessages', `, objects: ${JSON.stringify(names)}`, 'type objectName');
  expect(all.map((m) => m.type)).toEqual(['TRANSFER_REQUESTED', 'TRANSFER_REQUESTED', 'TRANSFER_REQUESTED', 'TRANSFER_CANCELLED']);
  const requested = await walk('pollMessages', `, objects: ${JSON.stringify(names)}, types: [TRANSFER_REQUESTED]`, 'objectName');
  expect(requested.map((m) => m.objectName)).toEqual(names.slice(0, 3));
  // An empty list filters nothing, as the schema says (a UI with no box ticked sends []).
  expect(await walk('pollMessages', `, objects: ${JSON.stringify(names)}, types: []`, 'type objectName')).toEqual(all);
  const anyObject = await walk('pollMessages', ', objects: [], types: [TRANSFER_CANCELLED]', 'objectName');
  expect(anyObject.map((m) => m.objectName)).toContain(all[3].objectName);
});

it('commandLog: oldest first, within the filter', async () => {
  const creates = await walk('commandLog', ', filter: { command: "domain:create" }', 'objectName');
  expect(creates.map((e) => e.objectName)).toEqual(names);
});

it('a page after the last edge is empty, says nothing follows and that edges precede it', async () => {
  const r = await t.gql(A, `{ commandLog(after: "9223372036854775807") { edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`);
  expect(r.data.commandLog).toEqual({ edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null } });
});

it.each([
  ['domains', `query($after: String) { domains(after: $after) { edges { cursor } } }`, ['junk!', 'bm90LWEtZG9tYWlu', '']],
  ['pollMessages', `query($after: String) { pollMessages(after: $after) { edges { cursor } } }`, ['junk!', '0', '-1', '9223372036854775808', '']],
  ['commandLog', `query($after: String) { commandLog(after: $after) { edges { cursor } } }`, ['junk!', '0', '01', '9223372036854775808', '']],
])('%s: a cursor it did not hand out is BAD_USER_INPUT naming after, not an empty page', async (_name, query, cursors) => {
  for (const after of cursors) {
    const r = await t.gql(A, query, { after });
    expect(r.data ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  }
});
