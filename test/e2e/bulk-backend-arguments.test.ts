/**
 * A bulk job's submission refuses what a backend cannot send for the job's arguments alone
 * (RegistryPort.refuseArguments, as a single mutation's pre-pass does; src/bulk/submit.ts
 * refuseBackendArguments), over HTTP against the zero-setup gateway and its sandboxes: Joker's
 * statuses other than the transfer lock and name server addresses, REPP's statuses other than
 * clientHold, HeadlessDomains' statuses other than clientHold and clientTransferProhibited, a Joker
 * transfer from an account without its transferContact. Before, the job was written and every
 * item of that backend FAILED when it ran. Now the whole submission is refused, also when only
 * some of its domains are at that backend (a mixed EPP + Joker job): the stable code, the bulk
 * mutation's own argument (`add[0]`, `remove[0]`, `to.ipv4`), the registry, and which of the
 * job's domains made it so; no job, no item, no idempotency record, nothing sent upstream; as a
 * later field of a mutation document, the pre-pass refuses it before any field runs. A job the
 * backends take still runs.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JokerBackendConfig } from '../../src/backends/joker/config.js';
import { JOKER_SANDBOX_ACCOUNTS } from '../../src/sandbox/joker/index.js';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { allItems, createDomains, waitFinished } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const STATUSES = `mutation($k: String!, $d: [String!]!, $add: [ClientStatus!]!, $remove: [ClientStatus!]!) { bulkUpdateStatuses(idempotencyKey: $k, domains: $d, add: $add, remove: $remove) { job { id } } }`;
const GLUE = `mutation($k: String!, $d: [String!], $to: NameserverInput!) { bulkReplaceNameserver(idempotencyKey: $k, domains: $d, from: "ns1.sandbox-dns.test", to: $to) { job { id } } }`;
const TRANSFER = `mutation($k: String!, $d: [BulkTransferItemInput!]!) { bulkTransfer(idempotencyKey: $k, domains: $d) { job { id } } }`;

/** What a refused submission must have left as it was: jobs, items, idempotency records, upstream commands (the command log), EPP updates. */
async function footprint(g: TestGateway, key: string) {
  const p = g.gateway.services.prisma;
  const epp = (name: string) => (g.gateway.sandboxes.sandboxes.get(name) as EppSandbox).applied('domain:update');
  return {
    jobs: await p.bulkJob.count(),
    items: await p.bulkItem.count(),
    keyRecords: await p.idempotencyRecord.count({ where: { idempotencyKey: key } }),
    upstream: await g.upstreamCommands(),
    eppUpdates: epp('sandbox-nomulus') + epp('sandbox-epp'),
  };
}

/** Sends `query` under a new key and expects it refused with nothing written or sent; answers the one error. */
async function refused(g: TestGateway, owner: string, query: string, vars: Record<string, unknown>) {
  const k = randomUUID();
  const before = await footprint(g, k);
  const r = await g.gql(owner, query, { k, ...vars });
  expect(r.errors, JSON.stringify(r.data)).toHaveLength(1);
  expect(Object.values(r.data ?? {}).every((v) => v === null)).toBe(true); // no job answered
  expect(await footprint(g, k)).toEqual(before);
  return r.errors![0]!;
}

describe('argument rules of the backends a bulk job routes to', () => {
  let t: TestGateway;
  let owner: string;
  let eppNames: string[];
  beforeAll(async () => {
    // No poller: every upstream command in the log is the requests'.
    t = await startTestGateway({ configure: (c) => void ((c.poll.enabled = false), (c.bulk = { backoffMs: 20 })) });
    owner = t.keys.NewRegistrar!;
    eppNames = await createDomains(t, owner, `bba${Date.now().toString(36)}`, 'tld', 2);
  }, 120_000);
  afterAll(() => t?.close());

  it('a Joker job adding clientHold is UNSUPPORTED_BY_BACKEND naming add[0] and the registry; nothing written or sent', async () => {
    const e = await refused(t, owner, STATUSES, { d: ['alpha.joker.test'], add: ['clientHold'], remove: [] });
    expect(e.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', field: 'add[0]', registry: 'sandbox-joker' });
    expect(e.message).toBe('backend "sandbox-joker" (domains[0] "alpha.joker.test") does not support status clientHold (Joker has the transfer lock only: clientTransferProhibited)');
  });

  it('a Joker job removing a status it cannot set names remove[0]', async () => {
    const e = await refused(t, owner, STATUSES, { d: ['alpha.joker.test'], add: [], remove: ['clientHold'] });
    expect(e.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', field: 'remove[0]', registry: 'sandbox-joker' });
  });

  it("a Joker name server replacement with addresses is BAD_USER_INPUT naming to.ipv4 (Joker's name servers are host objects)", async () => {
    const e = await refused(t, owner, GLUE, { d: ['alpha.joker.test'], to: { name: 'ns3.alpha.joker.test', ipv4: ['192.0.2.9'] } });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to.ipv4', registry: 'sandbox-joker' });
    expect(e.message).toMatch(/^to\.ipv4: Joker name servers are host objects.* at registry "sandbox-joker" \(domains\[0\] "alpha\.joker\.test"\)$/);
  });

  it('a REPP job adding a status other than clientHold names add[1]', async () => {
    const e = await refused(t, owner, STATUSES, { d: ['kass.ee', 'koer.ee'], add: ['clientHold', 'clientDeleteProhibited'], remove: [] });
    expect(e.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', field: 'add[1]', registry: 'sandbox-repp' });
    expect(e.message).toContain('(domains[0] "kass.ee" and 1 more)');
  });

  it('a REPP job removing a status other than clientHold names remove[0] and says removing', async () => {
    const e = await refused(t, owner, STATUSES, { d: ['kass.ee'], add: [], remove: ['clientRenewProhibited'] });
    expect(e.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', field: 'remove[0]', registry: 'sandbox-repp' });
    expect(e.message).toContain('does not support removing status clientRenewProhibited');
  });

  it('a REPP name server replacement to a name server under a listed domain, without addresses, is BAD_USER_INPUT naming to.ipv4 and that domain', async () => {
    // A bulk-tool trial: the job was written and the item FAILED "skipped by the registry without
    // a reason" (REPP's bulk name server change skipped it); a single update named the address.
    const e = await refused(t, owner, GLUE, { d: ['kass.ee', 'koer.ee'], to: { name: 'ns9.koer.ee' } });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to.ipv4', registry: 'sandbox-repp' });
    expect(e.message).toBe('to.ipv4: ns9.koer.ee is under koer.ee: give its IP address (ipv4 or ipv6); a name server under the domain itself keeps its addresses on the domain at registry "sandbox-repp" (domains[1] "koer.ee")');
  });

  it('a single REPP update adding a name server under the domain without addresses is refused naming its ipv4, nothing sent', async () => {
    const before = await t.upstreamCommands();
    const r = await t.gql(owner, 'mutation($k: String!) { updateDomain(idempotencyKey: $k, input: { name: "koer.ee", add: { nameservers: [{ name: "ns9.koer.ee" }] } }) { name } }', { k: randomUUID() });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.add.nameservers[0].ipv4' });
    // The domain's own name (its apex is in its zone too), second in the list: named at its place.
    const apex = await t.gql(owner, 'mutation($k: String!) { updateDomain(idempotencyKey: $k, input: { name: "koer.ee", add: { nameservers: [{ name: "ns1.other.net" }, { name: "koer.ee" }] } }) { name } }', { k: randomUUID() });
    expect(apex.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.add.nameservers[1].ipv4' });
    expect(apex.errors?.[0]?.message).toContain('koer.ee is the domain itself');
    expect(await t.upstreamCommands()).toEqual(before);
  });

  it('an EPP name server replacement with addresses at a registry of host objects is BAD_USER_INPUT naming to.ipv4', async () => {
    const [mine] = eppNames;
    const e = await refused(t, owner, GLUE, { d: [mine], to: { name: `ns1.${mine}`, ipv4: ['192.0.2.9'] } });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to.ipv4' });
    expect(e.message).toMatch(/^to\.ipv4: this registry takes name servers as host objects/);
  });

  it('a HeadlessDomains job adding clientDeleteProhibited names add[1]', async () => {
    const e = await refused(t, owner, STATUSES, { d: ['newregistrar-seed.hdtest'], add: ['clientTransferProhibited', 'clientDeleteProhibited'], remove: [] });
    expect(e.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', field: 'add[1]', registry: 'sandbox-headless' });
  });

  it("a mixed job (EPP domains and one Joker domain) is refused whole, naming the argument, the registry and the Joker domain's place", async () => {
    const d = [...eppNames, 'alpha.joker.test', 'beta.joker.test'];
    const e = await refused(t, owner, STATUSES, { d, add: ['clientHold'], remove: [] });
    expect(e.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', field: 'add[0]', registry: 'sandbox-joker' });
    expect(e.message).toContain('backend "sandbox-joker" (domains[2] "alpha.joker.test" and 1 more) does not support status clientHold');
  });

  it('a later bulk field of a mutation document is refused by the pre-pass: the createDomain before it does not run', async () => {
    const name = `bbd${Date.now().toString(36)}.tld`;
    const [ka, kb] = [randomUUID(), randomUUID()];
    const created = () => (t.gateway.sandboxes.sandboxes.get('sandbox-nomulus') as EppSandbox).applied('domain:create');
    const [before, createdBefore] = [await footprint(t, kb), created()];
    const r = await t.gql(owner, `mutation($ka: String!, $kb: String!, $n: String!) {
      a: createDomain(idempotencyKey: $ka, input: { name: $n, authInfo: "Bulk-Pw-2026" }) { name }
      b: bulkUpdateStatuses(idempotencyKey: $kb, domains: ["alpha.joker.test"], add: [clientHold]) { job { id } }
    }`, { ka, kb, n: name });
    expect(r.data).toBeNull();
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0]).toMatchObject({ path: ['b'], extensions: { code: 'UNSUPPORTED_BY_BACKEND', field: 'add[0]', registry: 'sandbox-joker' } });
    expect(await footprint(t, kb)).toEqual(before);
    expect(created()).toBe(createdBefore);
  });

  it('a job every backend takes still runs: EPP and HeadlessDomains with clientTransferProhibited', async () => {
    const r = await t.gql(owner, STATUSES, { k: randomUUID(), d: [...eppNames, 'newregistrar-seed.hdtest'], add: ['clientTransferProhibited'], remove: [] });
    expect(r.errors).toBeUndefined();
    const id = r.data.bulkUpdateStatuses.job.id;
    const job = await waitFinished(t, owner, id);
    expect(job).toMatchObject({ state: 'COMPLETED', counts: { done: 3, failed: 0 } });
    expect((await allItems(t, owner, id)).map((i) => i.state)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-nomulus') as EppSandbox;
    for (const n of eppNames) expect(sandbox.domain(n)!.statuses).toContain('clientTransferProhibited');
  }, 60_000);
});

describe('a Joker account configured without its transferContact', () => {
  let g: TestGateway;
  let owner: string;
  beforeAll(async () => {
    g = await startTestGateway({
      configure: (c) => {
        c.poll.enabled = false;
        const joker = c.backends.find((b) => b.kind === 'joker') as JokerBackendConfig;
        joker.accounts = Object.fromEntries(JOKER_SANDBOX_ACCOUNTS.map((x) => [x.registrarId, { uid: x.uid, password: x.apiKey }]));
      },
    });
    owner = g.keys.NewRegistrar!;
  }, 120_000);
  afterAll(() => g?.close());

  it('refuses a mixed bulkTransfer (an EPP domain, then Joker ones) whole, naming the first Joker domain; no auth code in the answer', async () => {
    const d = [{ name: 'fakesite.tld', authInfo: 'Epp-Code-1' }, { name: 'rival.joker.test', authInfo: 'Joker-Code-2' }, { name: 'spare.joker.test', authInfo: 'Joker-Code-3' }];
    const e = await refused(g, owner, TRANSFER, { d });
    expect(e.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', field: 'domains[1].name', registry: 'sandbox-joker' });
    expect(e.message).toContain('backend "sandbox-joker" (domains[1] "rival.joker.test" and 1 more) does not support transfers without a configured transferContact');
    expect(JSON.stringify(e)).not.toMatch(/Code-\d/);
  });
});
