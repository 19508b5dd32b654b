/**
 * The registrar's domain list when the registry changed behind the gateway's back (README
 * "`domains`": a domain the registry no longer has is left out and dropped from the list): each
 * sandbox restarts from its seed (reset(), as the zero-setup start's in-memory sandboxes do on a
 * gateway restart), so a domain NewRegistrar registered is no longer registered, and one that
 * TheRegistrar then registers is sponsored by another registrar. Neither is answered by
 * `domains` (nor is the other registrar's data), nor made an item of a job over every domain;
 * both leave the gateway's index. Paging over what is left stays consistent.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import type { HeadlessSandbox } from '../../src/sandbox/headless/index.js';
import type { JokerSandbox } from '../../src/sandbox/joker/index.js';
import type { ReppSandbox } from '../../src/sandbox/repp/index.js';
import { allItems, waitFinished } from '../helpers/bulk.js';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let A: string;
let B: string;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => (c.poll.enabled = false) });
  A = t.keys.NewRegistrar!;
  B = t.keys.TheRegistrar!;
});
afterAll(() => t?.close());

const run = `g${randomUUID().slice(0, 6)}`;
const CREATE = `mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Gone-pw-2026", nameservers: [{ name: "ns1.example.net" }] }) { name } }`;

async function create(key: string, name: string) {
  const r = await t.gql(key, CREATE, { k: randomUUID(), n: name });
  expect(r.errors).toBeUndefined();
}

type DomainsPage = { domains: { edges: { cursor: string; node: { name: string; sponsor: string; sponsoredByViewer: boolean } | null }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null } } };

/** Every `domains` edge of the viewer, `first` at a time, checking each page against the next. */
async function listAll(key: string, first: number) {
  const nodes: { name: string; sponsor: string; sponsoredByViewer: boolean }[] = [];
  let after: string | null = null;
  for (let n = 0; n < 200; n++) {
    const r: GraphQLResponse<DomainsPage> = await t.gql(key, `query($f: Int!, $a: String) { domains(first: $f, after: $a) { edges { cursor node { name sponsor sponsoredByViewer } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`, { f: first, a: after });
    expect(r.errors).toBeUndefined();
    const { edges, pageInfo } = r.data!.domains;
    if (pageInfo.hasNextPage) expect(edges.length).toBe(first);
    expect(pageInfo.hasPreviousPage).toBe(after !== null);
    if (edges.length > 0) expect(pageInfo.endCursor).toBe(edges.at(-1)!.cursor);
    nodes.push(...edges.map((e) => e.node!));
    // No other registrar's domain, nor its data, is answered.
    expect(edges.filter((e) => !e.node!.sponsoredByViewer).map((e) => e.node!.name)).toEqual([]);
    if (!pageInfo.hasNextPage) return nodes;
    after = pageInfo.endCursor;
  }
  throw new Error('more than 200 pages');
}

describe.each([
  ['sandbox-nomulus', 'tld'],
  ['sandbox-headless', 'hdtest'],
])('at %s, a registry that restarted from its seed', (backend, tld) => {
  const gone = `${run}-gone.${tld}`;
  const taken = `${run}-taken.${tld}`;
  const kept = `${run}-kept.${tld}`;

  it('leaves out of `domains` a domain it no longer has and one another registrar sponsors, and drops them from the index', async () => {
    await create(A, gone);
    await create(A, taken);
    (t.gateway.sandboxes.sandboxes.get(backend) as EppSandbox | HeadlessSandbox).reset();
    await create(B, taken); // registered again, by the other registrar
    await create(A, kept);

    const names = (await listAll(A, 1)).map((d) => d.name);
    expect(names).toContain(kept);
    expect(names).not.toContain(gone);
    expect(names).not.toContain(taken);
    expect(new Set(names).size).toBe(names.length);
    expect(await t.gateway.services.prisma.domainIndex.count({ where: { registrarId: 'NewRegistrar', name: { in: [gone, taken] } } })).toBe(0);
    // The other registrar's own list still has it, and only there.
    expect((await listAll(B, 50)).map((d) => d.name)).toContain(taken);
  }, 60_000);

  it('leaves them out of a job over every domain once a listing has dropped them from the index', async () => {
    // As after a gateway restart whose sandboxes went back to their seed: the index outlived them.
    // A job over every domain reads no domain before it is answered (README "Bulk mutations"):
    // the listing is what drops them.
    await create(A, `${run}-gone2.${tld}`);
    await create(A, `${run}-taken2.${tld}`);
    (t.gateway.sandboxes.sandboxes.get(backend) as EppSandbox | HeadlessSandbox).reset();
    await create(B, `${run}-taken2.${tld}`);
    await create(A, kept);
    expect((await listAll(A, 50)).map((d) => d.name)).not.toContain(`${run}-taken2.${tld}`);
    const r = await t.gql(A, `mutation($k: String!) { bulkReplaceNameserver(idempotencyKey: $k, domains: null, from: "ns1.example.net", to: { name: "ns7.newdns.test" }) { job { id } } }`, { k: randomUUID() });
    expect(r.errors).toBeUndefined();
    const items = await allItems(t, A, r.data.bulkReplaceNameserver.job.id);
    const names = items.map((i) => i.domainName);
    expect(names).toContain(kept);
    expect(names).not.toContain(`${run}-gone2.${tld}`);
    expect(names).not.toContain(`${run}-taken2.${tld}`);
    expect(await t.gateway.services.prisma.domainIndex.count({ where: { registrarId: 'NewRegistrar', name: { in: [`${run}-gone2.${tld}`, `${run}-taken2.${tld}`] } } })).toBe(0);
  }, 60_000);
});

describe.each([
  ['sandbox-repp', 'ee'],
  ['sandbox-joker', 'joker.test'],
])('at %s, a registry with its own list', (backend, tld) => {
  it('leaves out an indexed domain its list does not have, from `domains` and from a job over every domain', async () => {
    // The index outlived the registry's state (a restart from the seed): the registry's list decides.
    const gone = `${run}-gone.${tld}`;
    await t.gateway.services.prisma.domainIndex.create({ data: { registrarId: 'NewRegistrar', name: gone, backend } });
    (t.gateway.sandboxes.sandboxes.get(backend) as ReppSandbox | JokerSandbox).reset();
    expect((await listAll(A, 2)).map((d) => d.name)).not.toContain(gone);
    await t.gateway.services.prisma.domainIndex.create({ data: { registrarId: 'NewRegistrar', name: gone, backend } });
    const r = await t.gql(A, `mutation($k: String!) { bulkReplaceNameserver(idempotencyKey: $k, domains: null, from: "ns1.example.net", to: { name: "ns7.newdns.test" }) { job { id } } }`, { k: randomUUID() });
    expect(r.errors).toBeUndefined();
    const names = (await allItems(t, A, r.data.bulkReplaceNameserver.job.id)).map((i) => i.domainName);
    expect(names).not.toContain(gone);
  }, 60_000);
});

describe('a registry the config no longer has', () => {
  it("answers an indexed domain there as its edge's error, UNKNOWN_TLD naming the registry, and keeps it in the index", async () => {
    // A config change dropped the backend while the index still lists a domain there.
    const retired = `${run}-retired.tld`;
    await t.gateway.services.prisma.domainIndex.create({ data: { registrarId: 'NewRegistrar', name: retired, backend: 'retired-epp' } });
    const r: GraphQLResponse<DomainsPage> = await t.gql(A, '{ domains(first: 500) { edges { cursor node { name } } } }');
    const at = r.data!.domains.edges.findIndex((e) => e.cursor && e.node === null);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(r.errors).toEqual([
      expect.objectContaining({
        path: ['domains', 'edges', at, 'node'],
        message: `${retired}: recorded at registry "retired-epp", which the gateway's config no longer has`,
        extensions: expect.objectContaining({ code: 'UNKNOWN_TLD', registry: 'retired-epp', domainName: retired }),
      }),
    ]);
    expect(r.errors![0]!.extensions).not.toHaveProperty('field');
    // The other edges answer in full; the entry stays (the backend may come back).
    expect(r.data!.domains.edges.filter((e) => e.node !== null).length).toBe(r.data!.domains.edges.length - 1);
    expect(await t.gateway.services.prisma.domainIndex.count({ where: { registrarId: 'NewRegistrar', name: retired } })).toBe(1);
  }, 60_000);

  it('fails that domain alone, nothing sent, in a job over every domain, whose other domains run', async () => {
    const retired = `${run}-retired2.tld`;
    const kept = `${run}-kept3.hdtest`; // a registry that takes any name server (EPP ones want it created first)
    await create(A, kept);
    await t.gateway.services.prisma.domainIndex.create({ data: { registrarId: 'NewRegistrar', name: retired, backend: 'retired-epp' } });
    // The job is written, not refused as a whole (as it was: UNKNOWN_TLD on `domains`).
    const r = await t.gql(A, `mutation($k: String!) { bulkReplaceNameserver(idempotencyKey: $k, domains: null, from: "ns1.example.net", to: { name: "ns7.newdns.test" }) { job { id total counts { failed } } } }`, { k: randomUUID() });
    expect(r.errors).toBeUndefined();
    const { id } = r.data.bulkReplaceNameserver.job;
    const finished = await waitFinished(t, A, id);
    expect(finished.state).toBe('COMPLETED');
    const items = await allItems(t, A, id);
    const gone = items.find((i) => i.domainName === retired);
    expect(gone).toMatchObject({
      state: 'FAILED',
      attempts: 0,
      transaction: null,
      error: { code: 'UNKNOWN_TLD', message: `recorded at registry "retired-epp", which the gateway's config no longer has`, upstreamCode: null, field: null },
    });
    // The domain it still has there runs: it has its name server replaced.
    expect(items.find((i) => i.domainName === kept)).toMatchObject({ state: 'SUCCEEDED', error: null });
    const d = await t.gql(A, 'query($n: String!) { domain(name: $n) { nameservers { name } } }', { n: kept });
    expect(d.data.domain.nameservers.map((n: { name: string }) => n.name)).toEqual(['ns7.newdns.test']);
    // Nothing was sent for the retired one: no command names it.
    expect(await t.gateway.services.prisma.commandLog.count({ where: { objectName: retired } })).toBe(0);
  }, 60_000);
});
