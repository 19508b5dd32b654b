/**
 * One registry unavailable to a request costs only its own domains on a `domains` page. The trial
 * (as a registrar's frontend): after a `checkDomains` of 600 `.hdtest` names spent the requests'
 * share of HeadlessDomains' rate limit, `{ domains(first: 200) { edges { node { name registry } } } }`
 * answered `data: null` with one RATE_LIMITED error at ["domains"], losing the registrar's REPP,
 * Joker and EPP domains too (edges and nodes were non-null). Now each domain whose read failed is
 * an edge with its cursor and `node: null`, with its own error (code, domain, registry) at
 * ["domains", "edges", i, "node"]; every other edge answers in full, and paging goes on from any
 * cursor. Real sandboxes over real sockets: HeadlessDomains with its share spent, then REPP stopped.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import type { ReppSandbox } from '../../src/sandbox/repp/index.js';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../helpers/gateway.js';
import { reppSeededNames } from '../helpers/repp-seed.js';

const HOUR = 3_600_000;
/** HeadlessDomains requests per hour, sandbox and gateway alike; 90% of it is the requests' share (the poller is off). */
const LIMIT = 100;
let t: TestGateway;
let A: string;
const run = `p${randomUUID().slice(0, 6)}`;
const hd = Array.from({ length: 10 }, (_, i) => `${run}-hd${i}.hdtest`);
const tld = Array.from({ length: 3 }, (_, i) => `${run}-epp${i}.tld`);

// Registry and gateway count the hour's window on this one clock, held in the middle of a window
// (on the wall clock a run at the hour's turn finds the share renewed).
const clock = new FakeClock(new Date(Math.floor(Date.now() / HOUR) * HOUR + HOUR / 2));

beforeAll(async () => {
  t = await startTestGateway({
    clock,
    configure: (c) => {
      c.poll.enabled = false;
      const h = c.backends.find((b) => b.kind === 'headless') as { sandbox?: { rateLimit?: { limit: number; windowMs: number } }; rateLimit?: { limit: number; windowSeconds: number; pollerShare: number } };
      h.sandbox = { ...h.sandbox, rateLimit: { limit: LIMIT, windowMs: HOUR } };
      h.rateLimit = { limit: LIMIT, windowSeconds: HOUR / 1000, pollerShare: 0.1 };
    },
  });
  A = t.keys.NewRegistrar!;
  for (const name of [...hd, ...tld]) {
    const r = await t.gql(A, 'mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Part1al-pw", nameservers: [{ name: "ns1.example.net" }] }) { name } }', { k: randomUUID(), n: name });
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  }
}, 120_000);
afterAll(() => t?.close());

interface Edge {
  cursor: string;
  node: { name: string; registry: string; expiresAt: string } | null;
}
type DomainPage = GraphQLResponse<{ domains: { edges: Edge[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>;

const PAGE = 'query($first: Int!, $after: String) { domains(first: $first, after: $after) { edges { cursor node { name registry expiresAt } } pageInfo { hasNextPage endCursor } } }';
const page = (first: number, after: string | null = null): Promise<DomainPage> => t.gql(A, PAGE, { first, after });

/** The domains page with every registry answering: name -> registry, in page order, with the cursors. */
let reference: Edge[] = [];

async function headlessReads(since: bigint) {
  await t.gateway.commandLog.flush();
  return t.gateway.services.prisma.commandLog.count({ where: { id: { gt: since }, backend: 'sandbox-headless', command: 'domain:info' } });
}
async function lastLogId(): Promise<bigint> {
  await t.gateway.commandLog.flush();
  return (await t.gateway.services.prisma.commandLog.findFirst({ orderBy: { id: 'desc' }, select: { id: true } }))?.id ?? 0n;
}

/** Checks a page against the reference: failed names are null nodes with one error each, named; the others in full. */
function expectPartial(r: DomainPage, edges: Edge[], failed: Map<string, { code: string; registry: string }>) {
  expect(r.data?.domains).toBeTruthy();
  const got = r.data!.domains.edges;
  expect(got.map((e) => e.cursor)).toEqual(edges.map((e) => e.cursor));
  const errors = r.errors ?? [];
  got.forEach((e, i) => {
    const want = edges[i]!.node!;
    const failure = failed.get(want.name);
    if (!failure) {
      expect(e.node).toEqual(want);
      expect(errors.filter((x) => (x.path as unknown[] | undefined)?.[2] === i)).toEqual([]);
      return;
    }
    expect(e.node).toBeNull();
    const own = errors.filter((x) => JSON.stringify(x.path) === JSON.stringify(['domains', 'edges', i, 'node']));
    expect(own).toHaveLength(1);
    expect(own[0]!.extensions).toMatchObject({ code: failure.code, domainName: want.name, registry: failure.registry, retryable: true });
    expect(own[0]!.message.startsWith(`${want.name}: `)).toBe(true);
  });
  expect(errors).toHaveLength(got.filter((e) => e.node === null).length);
}

it('with every registry answering, the page holds the domains of four registries', async () => {
  const r = await page(500);
  expect(r.errors).toBeUndefined();
  reference = r.data!.domains.edges;
  const registries = new Map(reference.map((e) => [e.node!.name, e.node!.registry]));
  for (const n of hd) expect(registries.get(n)).toBe('sandbox-headless');
  for (const n of tld) expect(registries.get(n)).toBe('sandbox-nomulus');
  for (const n of reppSeededNames('NewRegistrar')) expect(registries.get(n)).toBe('sandbox-repp');
  expect([...registries.values()]).toContain('sandbox-joker');
});

it("HeadlessDomains' share spent by a checkDomains: its domains are null nodes with RATE_LIMITED each, every other domain answers, paging goes on", async () => {
  const check = await t.gql(A, 'query($n: [String!]!) { checkDomains(names: $n) { name } }', { n: Array.from({ length: LIMIT }, (_, i) => `${run}-spend${i}.hdtest`) });
  expect(check.errors?.some((e) => e.extensions?.code === 'RATE_LIMITED')).toBe(true); // the share is spent

  const failed = new Map(hd.map((n) => [n, { code: 'RATE_LIMITED', registry: 'sandbox-headless' }]));
  const since = await lastLogId();
  const r = await page(500);
  expectPartial(r, reference, failed);
  expect(r.data!.domains.pageInfo.hasNextPage).toBe(false);
  // One refusal tells the page's other reads at that registry: at most the reads already under
  // way (HeadlessDomains: 4 at once) were tried, not one per domain.
  expect(await headlessReads(since)).toBeLessThanOrEqual(4);

  // A page that ends on a failed domain: its cursor (endCursor) continues with the next domain.
  const at = reference.findIndex((e) => failed.has(e.node!.name));
  expect(at).toBeGreaterThanOrEqual(0);
  const first = await page(at + 1);
  expectPartial(first, reference.slice(0, at + 1), failed);
  expect(first.data!.domains.pageInfo).toEqual({ hasNextPage: true, endCursor: reference[at]!.cursor });
  const rest = await page(500, first.data!.domains.pageInfo.endCursor);
  expectPartial(rest, reference.slice(at + 1), failed);
});

it('REPP stopped as well: its domains are null nodes with UPSTREAM_UNAVAILABLE, HeadlessDomains still RATE_LIMITED, EPP and Joker in full', async () => {
  await (t.gateway.sandboxes.sandboxes.get('sandbox-repp') as ReppSandbox).stop();
  const failed = new Map<string, { code: string; registry: string }>([
    ...hd.map((n): [string, { code: string; registry: string }] => [n, { code: 'RATE_LIMITED', registry: 'sandbox-headless' }]),
    ...reppSeededNames('NewRegistrar').map((n): [string, { code: string; registry: string }] => [n, { code: 'UPSTREAM_UNAVAILABLE', registry: 'sandbox-repp' }]),
  ]);
  const r = await page(500);
  expectPartial(r, reference, failed);
  const answered = r.data!.domains.edges.filter((e) => e.node !== null).map((e) => e.node!.registry);
  expect(new Set(answered)).toEqual(new Set(['sandbox-nomulus', 'sandbox-joker']));
});
