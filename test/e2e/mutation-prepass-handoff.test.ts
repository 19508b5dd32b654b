/**
 * The pre-pass of a mutation document (src/limits/mutation-inputs.ts) hands each field's parse
 * result to its resolver: a bulk job's list of names, up to 20,000 IDNs and seconds of IDNA
 * checks, is normalised once per request, not once by the pre-pass and again by the resolver,
 * over HTTP and graphql-ws alike; and a parse result never crosses to another request.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { noBackgroundWork, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { overBoth } from '../helpers/ws.js';

/** Lists of names checked by checkItemNames (the bulk parse steps' work), counted. */
const checked = vi.hoisted(() => ({ lists: [] as string[][] }));
vi.mock('../../src/bulk/submit.js', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../src/bulk/submit.js')>();
  return {
    ...orig,
    checkItemNames: (...a: Parameters<typeof orig.checkItemNames>) => {
      checked.lists.push([...a[1]]);
      return orig.checkItemNames(...a);
    },
  };
});

let t: TestGateway;
let A: string;
beforeAll(async () => {
  t = await startTestGateway({ configure: noBackgroundWork }); // a submitted job stays as written
  A = t.keys.NewRegistrar!;
});
afterAll(() => t?.close());

const send = overBoth(() => t, () => A);

const BULK = `mutation($k: String!, $d: [BulkRenewItemInput!]!) { bulkRenew(idempotencyKey: $k, domains: $d) { job { id } replayed } }`;

describe.each(['http', 'ws'] as const)('the pre-pass hands its parse results to the resolvers, over %s', (transport) => {
  it("a bulk job's names are checked once per request", async () => {
    const names = [`${randomUUID().slice(0, 8)}.example`, `${randomUUID().slice(0, 8)}.example`, `${randomUUID().slice(0, 8)}.tld`];
    checked.lists.length = 0;
    const r = await send[transport](BULK, { k: `ho-${randomUUID()}`, d: names.map((name) => ({ name })) });
    expect(r.errors).toBeUndefined();
    expect(r.data.bulkRenew.replayed).toBe(false);
    expect(checked.lists).toEqual([names]);
    const items = await t.gateway.services.prisma.bulkItem.findMany({ where: { jobId: r.data.bulkRenew.job.id }, orderBy: { position: 'asc' }, select: { name: true } });
    expect(items.map((i) => i.name)).toEqual(names);
  });

  it('two bulk fields of one document each get their own list, and the next request parses its own', async () => {
    const [one, two] = [[`${randomUUID().slice(0, 8)}.example`], [`${randomUUID().slice(0, 8)}.example`, `${randomUUID().slice(0, 8)}.example`]];
    checked.lists.length = 0;
    const both = `mutation($k1: String!, $k2: String!, $d1: [BulkRenewItemInput!]!, $d2: [BulkRenewItemInput!]!) {
      a: bulkRenew(idempotencyKey: $k1, domains: $d1) { job { id } }
      b: bulkRenew(idempotencyKey: $k2, domains: $d2) { job { id } }
    }`;
    const r = await send[transport](both, { k1: `ho-${randomUUID()}`, k2: `ho-${randomUUID()}`, d1: one.map((name) => ({ name })), d2: two.map((name) => ({ name })) });
    expect(r.errors).toBeUndefined();
    expect(checked.lists).toEqual([one, two]);
    const jobItems = async (id: string) => (await t.gateway.services.prisma.bulkItem.findMany({ where: { jobId: id }, orderBy: { position: 'asc' }, select: { name: true } })).map((i) => i.name);
    expect(await jobItems(r.data.a.job.id)).toEqual(one);
    expect(await jobItems(r.data.b.job.id)).toEqual(two);
    // The same document again (its parsed nodes shared through the document cache), other names.
    const three = [`${randomUUID().slice(0, 8)}.example`];
    const again = await send[transport](both, { k1: `ho-${randomUUID()}`, k2: `ho-${randomUUID()}`, d1: three.map((name) => ({ name })), d2: one.map((name) => ({ name })) });
    expect(again.errors).toBeUndefined();
    expect(await jobItems(again.data.a.job.id)).toEqual(three);
    expect(await jobItems(again.data.b.job.id)).toEqual(one);
  });
});
