/**
 * A name-server or tech-contact replacement taken back in doubt whose update the registry had
 * applied (a fresh-user trial: bulkReplaceNameserver over 300 Nomulus domains, the gateway killed
 * -9 1.5 s in): the item read the domain again, found no `from`, and answered SUCCEEDED with
 * `skipped: "ns1.example.net is not a name server of the domain"` and no transaction, for domains the
 * job had changed. Now such an item, when the registry modified the domain at or after the job's
 * start, is SUCCEEDED as reconciled (`reconciled:<key>`, "no answer was kept for this key;
 * reconciled: domain:info shows ... in place of ..."), as a renewal taken back in doubt is. A domain
 * never modified that already had `to` and not `from` is skipped, in doubt or not; an item's first
 * attempt never reports a change it did not send.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { allItems, startGatewayRunnerStopped, waitFinished } from '../helpers/bulk.js';
import type { TestGateway } from '../helpers/gateway.js';

const REPLACE_NS = `mutation($k: String!, $d: [String!], $from: String!, $to: String!) { bulkReplaceNameserver(idempotencyKey: $k, domains: $d, from: $from, to: { name: $to }) { job { id } } }`;
const CREATE = 'mutation($k: String!, $n: String!, $ns: [NameserverInput!]!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Bulk-Pw-2026", nameservers: $ns }) { name } }';
const UPDATE = 'mutation($k: String!, $input: UpdateDomainInput!) { updateDomain(idempotencyKey: $k, input: $input) { name } }';
const ITEMS = `query($id: ID!) { bulkJob(id: $id) { items(first: 10) { edges { node { domainName state attempts skipped transaction { clientTransactionId resultCode message } } } } } }`;

let t: TestGateway;
let sandbox: EppSandbox;
let key: string;
beforeAll(async () => {
  ({ t, sandbox, key } = await startGatewayRunnerStopped({ leaseMs: 1_500, idleMs: 50, backoffMs: 20 }));
}, 120_000);
afterAll(() => t?.close());

async function create(name: string, ns: string) {
  const r = await t.gql(key, CREATE, { k: randomUUID(), n: name, ns: [{ name: ns }] });
  expect(r.errors).toBeUndefined();
}

it('an item in doubt whose update the registry applied is SUCCEEDED as reconciled, not skipped; a domain never modified is skipped', async () => {
  const tag = `rid${Date.now().toString(36)}`;
  const [applied, untouched, already, first] = ['a', 'b', 'c', 'd'].map((x) => `${tag}-${x}.tld`);
  await create(applied!, 'ns1.example.net');
  await create(untouched!, 'ns1.example.net');
  await create(already!, 'ns2.example.net'); // as the job asks from the start, never modified
  await create(first!, 'ns1.example.net');
  // `first` is changed by hand before its job, so it has been modified and lacks `from` when its item runs first.
  expect((await t.gql(key, UPDATE, { k: randomUUID(), input: { name: first, add: { nameservers: [{ name: 'ns2.example.net' }] }, remove: { nameservers: [{ name: 'ns1.example.net' }] } } })).errors).toBeUndefined();

  const { prisma, bulk } = t.gateway.services;
  const inDoubt = await t.gql(key, REPLACE_NS, { k: randomUUID(), d: [applied, untouched, already], from: 'ns1.example.net', to: 'ns2.example.net' });
  expect(inDoubt.errors).toBeUndefined();
  const inDoubtJob: string = inDoubt.data.bulkReplaceNameserver.job.id;
  const firstRun = await t.gql(key, REPLACE_NS, { k: randomUUID(), d: [first], from: 'ns1.example.net', to: 'ns2.example.net' });
  const firstJob: string = firstRun.data.bulkReplaceNameserver.job.id;

  // The earlier attempt of `applied`'s item: its update reached the registry, its answer was lost
  // with the process that held the three items (RUNNING under a lapsed lease, attempts 1).
  expect((await t.gql(key, UPDATE, { k: randomUUID(), input: { name: applied, add: { nameservers: [{ name: 'ns2.example.net' }] }, remove: { nameservers: [{ name: 'ns1.example.net' }] } } })).errors).toBeUndefined();
  const held = await prisma.bulkItem.updateMany({ where: { jobId: inDoubtJob }, data: { state: 'RUNNING', holder: 'gone-instance', leaseUntil: new Date(Date.now() - 1_000), attempts: 1 } });
  expect(held.count).toBe(3);
  const updates = sandbox.applied('domain:update');

  await bulk.runner.start();
  await waitFinished(t, key, inDoubtJob); // bounded by the test's timeout
  await waitFinished(t, key, firstJob);

  const items = Object.fromEntries(((await t.gql(key, ITEMS, { id: inDoubtJob })).data.bulkJob.items.edges as { node: { domainName: string } }[]).map((e) => [e.node.domainName, e.node]));
  expect(items[applied!]).toMatchObject({
    state: 'SUCCEEDED',
    skipped: null,
    transaction: { resultCode: 1000, clientTransactionId: expect.stringMatching(/^reconciled:/), message: 'no answer was kept for this key; reconciled: domain:info shows ns2.example.net in place of ns1.example.net' },
  });
  expect(items[untouched!]).toMatchObject({ state: 'SUCCEEDED', skipped: null, transaction: { resultCode: 1000, clientTransactionId: expect.not.stringMatching(/^reconciled:/) } });
  expect(items[already!]).toMatchObject({ state: 'SUCCEEDED', skipped: 'ns1.example.net is not a name server of the domain', transaction: null });
  // One update sent: `untouched`'s. Every domain has ns2 and not ns1.
  expect(sandbox.applied('domain:update') - updates).toBe(1);
  const [firstItem] = await allItems(t, key, firstJob);
  expect(firstItem).toMatchObject({ domainName: first, state: 'SUCCEEDED', attempts: 1, transaction: null });
  expect((await t.gql(key, ITEMS, { id: firstJob })).data.bulkJob.items.edges[0].node.skipped).toBe('ns1.example.net is not a name server of the domain');
  for (const name of [applied, untouched, already, first]) {
    const d = await t.gql(key, 'query($n: String!) { domain(name: $n) { nameservers { name } } }', { n: name });
    expect(d.data.domain.nameservers).toEqual([{ name: 'ns2.example.net' }]);
  }
}, 120_000);
