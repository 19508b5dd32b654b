/**
 * A name more than one label below the zone it routes to (Router.unregistrable) is answered by
 * the gateway, on every backend, before anything is sent: the trial on the zero-setup sandboxes,
 * where Joker's check of `sub.y.joker.test` said available (its whois knows no such domain) although
 * registering it is refused, and an EPP check naming `sub.example.example` lost the whole command.
 * checkDomains: `available: false`, reason `not registrable: ...`; createDomain and requestTransfer:
 * BAD_USER_INPUT naming the field. A name under a zone the backend knows besides its routes
 * (REPP's .med.ee under the route for `ee`) is still sent.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JokerSandbox } from '../../src/sandbox/joker/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let A: string;
const run = randomUUID().slice(0, 6);
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
  A = t.keys.NewRegistrar!;
}, 120_000);
afterAll(() => t?.close());

const CHECK = 'query($names: [String!]!) { checkDomains(names: $names) { name available reason registry } }';
const CREATE = 'mutation($k: String!, $i: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $i) { name } }';
const TRANSFER = 'mutation($k: String!, $n: String!) { requestTransfer(idempotencyKey: $k, domainName: $n, authInfo: "Some-Auth1") { replayed } }';

describe('checkDomains', () => {
  it('Joker: a name two labels below .joker.test is not available, and no whois is sent', async () => {
    const joker = t.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
    const whois = joker.answered('query-whois');
    const before = await t.upstreamCommands();
    const r = await t.gql(A, CHECK, { names: [`sub.y-${run}.joker.test`] });
    expect(r.errors).toBeUndefined();
    expect(r.data.checkDomains[0]).toMatchObject({ name: `sub.y-${run}.joker.test`, available: false, registry: 'sandbox-joker' });
    expect(r.data.checkDomains[0].reason).toMatch(/^not registrable: it is 2 labels below "\.joker\.test"/);
    expect(joker.answered('query-whois')).toBe(whois);
    expect(await t.upstreamCommands()).toBe(before);
  });

  it('every backend answers a deeper name the same way; names directly under a zone still go to the registry', async () => {
    const deep = [`a.b-${run}.example`, `a.b-${run}.tld`, `a.b-${run}.com.ee`, `a.b-${run}.dmapi.test`, `a.b-${run}.hdtest`];
    const r = await t.gql(A, CHECK, { names: [...deep, `b-${run}.example`, `k-${run}.med.ee`] });
    expect(r.errors).toBeUndefined();
    for (const c of r.data.checkDomains.slice(0, deep.length)) expect(c).toMatchObject({ available: false, reason: expect.stringMatching(/^not registrable: /) });
    expect(r.data.checkDomains[5]).toMatchObject({ available: true, reason: null });
    // .med.ee is a zone of the .ee registry (REPP) although only `ee` routes there: asked, not refused.
    expect(r.data.checkDomains[6].reason ?? '').not.toMatch(/not registrable: it is/);
  });
});

describe('createDomain and requestTransfer', () => {
  it.each([
    ['EPP', `sub.c-${run}.example`],
    ['Joker', `sub.c-${run}.joker.test`],
    ['HeadlessDomains', `sub.c-${run}.hdtest`],
  ])('%s: createDomain of a deeper name is BAD_USER_INPUT on input.name, nothing sent', async (_kind, name) => {
    const before = await t.upstreamCommands();
    const r = await t.gql(A, CREATE, { k: randomUUID(), i: { name, authInfo: 'Deeper-pw1' } });
    expect(r.data?.createDomain ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name' });
    expect(r.errors?.[0]?.message).toMatch(/not registrable/);
    expect(await t.upstreamCommands()).toBe(before);
  });

  it('requestTransfer of a deeper name is BAD_USER_INPUT on domainName, nothing sent', async () => {
    const before = await t.upstreamCommands();
    const r = await t.gql(A, TRANSFER, { k: randomUUID(), n: `sub.t-${run}.joker.test` });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'domainName' });
    expect(await t.upstreamCommands()).toBe(before);
  });

  it('bulkTransfer with a deeper name among its items is BAD_USER_INPUT on that item, no job made, nothing sent', async () => {
    const before = await t.upstreamCommands();
    const jobs = await t.gateway.services.prisma.bulkJob.count();
    const r = await t.gql(A, 'mutation($k: String!, $d: [BulkTransferItemInput!]!) { bulkTransfer(idempotencyKey: $k, domains: $d) { job { id } } }', {
      k: randomUUID(),
      d: [
        { name: `ok-${run}.example`, authInfo: 'Some-Auth1' },
        { name: `sub.b-${run}.example`, authInfo: 'Some-Auth1' },
      ],
    });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'domains[1].name' });
    expect(await t.gateway.services.prisma.bulkJob.count()).toBe(jobs);
    expect(await t.upstreamCommands()).toBe(before);
  });
});
