/**
 * Bulk mutations through GraphQL (issue 10 items 4-6) on the zero-setup gateway: a bulkRenew job
 * answered at once, followed over graphql-ws to its end, read back as a connection filtered by
 * state; each domain renewed exactly once (the registry's own count and dates), a transient 2400
 * retried, a definite 2303 not; the same key answers the same job; only the owner sees it;
 * cancellation leaves the items not started CANCELLED with nothing sent for them.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { allItems, BULK_RENEW, createDomains, followJob, JOB_ITEMS, waitFinished } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { wsOnce } from '../helpers/ws.js';

let t: TestGateway;
let sandbox: EppSandbox;
let owner: string;
let other: string;

beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void (c.bulk = { backoffMs: 20, backendConcurrency: { 'sandbox-nomulus': 2 } }) });
  sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-nomulus') as EppSandbox;
  owner = t.keys['NewRegistrar']!;
  other = t.keys['TheRegistrar']!;
}, 120_000);
afterAll(() => t?.close());

describe('bulkRenew', () => {
  it('renews every domain exactly once, retries a transient failure, not a refusal, and streams each outcome once', async () => {
    const names = await createDomains(t, owner, `br${Date.now().toString(36)}`, 'tld', 10);
    const before = new Map(names.map((n) => [n, sandbox.domain(n)!.expiresAt.getTime()]));
    const renewsBefore = sandbox.applied('domain:renew');
    sandbox.faults.next({ command: 'domain:renew', action: 'server-error' }); // 2400: not applied, worth another attempt
    const domains = [...names.map((name) => ({ name })), { name: `missing-${randomUUID().slice(0, 8)}.tld` }];
    const key = randomUUID();
    const submitted = await t.gql(owner, BULK_RENEW, { k: key, domains });
    expect(submitted.errors).toBeUndefined();
    const job = submitted.data.bulkRenew.job;
    // The answer is the job as written: every item pending (the runner starts once it is committed).
    expect(job).toMatchObject({ kind: 'RENEW', total: 11, counts: { done: 0, failed: 0, pending: 11, running: 0, cancelled: 0 } });
    const { events, errors } = await followJob(t.gateway.wsUrl, owner, job.id);
    expect(errors).toEqual([]);
    const last = events.at(-1);
    expect(last.job).toMatchObject({ state: 'COMPLETED', counts: { done: 10, failed: 1, pending: 0, running: 0, cancelled: 0 } });
    const outcomes = events.flatMap((e) => e.outcomes);
    expect(outcomes.map((o: any) => o.position).sort((a: number, b: number) => a - b)).toEqual([...Array(11).keys()]);
    expect(outcomes.find((o: any) => o.position === 10)).toMatchObject({ state: 'FAILED', attempts: 1, error: { code: 'OBJECT_NOT_FOUND' } });

    expect(sandbox.applied('domain:renew') - renewsBefore).toBe(10);
    for (const n of names) expect(new Date(sandbox.domain(n)!.expiresAt).getUTCFullYear()).toBe(new Date(before.get(n)!).getUTCFullYear() + 1);
    const items = await allItems(t, owner, job.id);
    expect(items.filter((i) => i.attempts === 2)).toHaveLength(1); // the 2400 was tried again
    expect(items.filter((i) => i.state === 'SUCCEEDED').every((i) => i.transaction.resultCode === 1000 && i.transaction.pending === false && i.expiresAt)).toBe(true);

    const failed = await t.gql(owner, JOB_ITEMS, { id: job.id, states: ['FAILED'], first: 10 });
    expect(failed.data.bulkJob.items.edges.map((e: any) => e.node.domainName)).toEqual([domains[10]!.name]);
    const page = await t.gql(owner, JOB_ITEMS, { id: job.id, states: ['SUCCEEDED'], first: 4, after: '2' });
    expect(page.data.bulkJob.items.edges.map((e: any) => e.node.position)).toEqual([3, 4, 5, 6]);
    // `states` given is the items in those states: an empty list is none (it answered every item; a bulk-tool trial).
    const none = await t.gql(owner, JOB_ITEMS, { id: job.id, states: [], first: 10 });
    expect(none.data.bulkJob.items).toMatchObject({ edges: [], pageInfo: { hasNextPage: false } });

    const again = await t.gql(owner, BULK_RENEW, { k: key, domains });
    expect(again.data.bulkRenew).toMatchObject({ replayed: true, job: { id: job.id } });
    const reused = await t.gql(owner, BULK_RENEW, { k: key, domains: domains.slice(1) });
    expect(reused.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(sandbox.applied('domain:renew') - renewsBefore).toBe(10);
  }, 120_000);

  it('fails an item whose currentExpiry is not the domain\'s, naming domains[i].currentExpiry, and one whose domain the registry does not hold, naming domains[i].name', async () => {
    const names = await createDomains(t, owner, `bf${Date.now().toString(36)}`, 'tld', 3);
    const expiry = (n: string) => sandbox.domain(n)!.expiresAt.toISOString();
    const stale = new Date(sandbox.domain(names[1]!)!.expiresAt.getTime() - 366 * 86_400_000).toISOString();
    const before = new Map(names.map((n) => [n, expiry(n)]));
    const renewsBefore = sandbox.applied('domain:renew');
    const missing = `missing-${randomUUID().slice(0, 8)}.tld`;
    const domains = [{ name: names[0]!, currentExpiry: expiry(names[0]!) }, { name: names[1]!, currentExpiry: stale }, { name: names[2]! }, { name: missing }];
    const submitted = await t.gql(owner, BULK_RENEW, { k: randomUUID(), domains });
    expect(submitted.errors).toBeUndefined();
    const job = await waitFinished(t, owner, submitted.data.bulkRenew.job.id);
    expect(job.counts).toMatchObject({ done: 2, failed: 2 });
    const items = await allItems(t, owner, job.id);
    const at = (p: number) => items.find((i) => i.position === p)!;
    expect(at(1)).toMatchObject({ state: 'FAILED', error: { code: 'BAD_USER_INPUT', field: 'domains[1].currentExpiry' } });
    expect(at(1).error.message).toMatch(/^domains\[1\]\.currentExpiry: .*does not match the domain's actual expiry/);
    expect(at(3)).toMatchObject({ state: 'FAILED', error: { code: 'OBJECT_NOT_FOUND', field: 'domains[3].name' } });
    expect(at(0).error).toBeNull();
    expect(sandbox.domain(names[1]!)!.expiresAt.toISOString()).toBe(before.get(names[1]!)); // nothing renewed for it
    expect(sandbox.applied('domain:renew') - renewsBefore).toBe(2);
  }, 120_000);

  it('shows a job only to its registrar', async () => {
    const [name] = await createDomains(t, owner, `own${Date.now().toString(36)}`, 'tld', 1);
    const { data } = await t.gql(owner, BULK_RENEW, { k: randomUUID(), domains: [{ name }] });
    const id = data.bulkRenew.job.id;
    await waitFinished(t, owner, id);
    expect((await t.gql(other, JOB_ITEMS, { id, first: 1 })).data.bulkJob).toBeNull();
    const cancel = await t.gql(other, `mutation($id: ID!, $k: String!) { cancelBulkJob(idempotencyKey: $k, id: $id) { id } }`, { id, k: randomUUID() });
    expect(cancel.errors?.[0]?.extensions?.code).toBe('OBJECT_NOT_FOUND');
    const { events, errors } = await followJob(t.gateway.wsUrl, other, id);
    expect(events).toEqual([]);
    expect((errors[0] as any).extensions?.code).toBe('OBJECT_NOT_FOUND');
  }, 60_000);

  it('refuses bad input naming the field before writing a job', async () => {
    const jobs = await t.gateway.services.prisma.bulkJob.count();
    const r = await t.gql(owner, BULK_RENEW, { k: randomUUID(), domains: [{ name: 'fine.tld' }, { name: 'bad..name.tld' }] });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'domains[1].name' });
    const dup = await t.gql(owner, BULK_RENEW, { k: randomUUID(), domains: [{ name: 'same.tld' }, { name: 'SAME.tld' }] });
    expect(dup.errors?.[0]?.extensions?.field).toMatch(/^domains/);
    expect(await t.gateway.services.prisma.bulkJob.count()).toBe(jobs);
  });

  it('names the listed domain a refusal is about, the same way for every check, before writing a job', async () => {
    // A duplicate and a name no registry serves were named `domains[2]` in bulkRenew (whose items
    // are objects, where a bad name is `domains[2].name`), and a listed domain at a registry
    // without contact objects in bulkReplaceTechContact only `domains`: which of 5,000 lines?
    const jobs = await t.gateway.services.prisma.bulkJob.count();
    const dup = await t.gql(owner, BULK_RENEW, { k: randomUUID(), domains: [{ name: 'same.tld' }, { name: 'other.tld' }, { name: 'SAME.tld' }] });
    expect(dup.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'domains[2].name' });
    expect(dup.errors?.[0]?.message).toBe('domains[2].name: is listed twice (also domains[0].name)');
    const tld = await t.gql(owner, BULK_RENEW, { k: randomUUID(), domains: [{ name: 'fine.tld' }, { name: 'x.nowhere-served' }] });
    expect(tld.errors?.[0]?.extensions).toMatchObject({ code: 'UNKNOWN_TLD', field: 'domains[1].name' });
    const listDup = await t.gql(owner, `mutation($k: String!, $d: [String!]!) { bulkUpdateStatuses(idempotencyKey: $k, domains: $d, add: [clientHold]) { job { id } } }`, { k: randomUUID(), d: ['a.tld', 'A.TLD'] });
    expect(listDup.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'domains[1]' });
    const TECH = `mutation($k: String!, $d: [String!]) { bulkReplaceTechContact(idempotencyKey: $k, domains: $d, from: "jd1234", to: "sah8013") { job { id } } }`;
    const tech = await t.gql(owner, TECH, { k: randomUUID(), d: ['fakesite.example', 'test.example', 'fakesite.tld'] });
    expect(tech.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'domains[2]' });
    expect(tech.errors?.[0]?.message).toMatch(/^domains\[2\]: fakesite\.tld is at registry sandbox-nomulus, which has no contact objects/);
    // A registry whose kind has no contact objects (HeadlessDomains) is named before one whose greeting says so (Nomulus), wherever it is listed.
    const headless = await t.gql(owner, TECH, { k: randomUUID(), d: ['fakesite.example', 'test.example', 'fakesite.tld', 'x.hdtest'] });
    expect(headless.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'domains[3]' });
    expect(headless.errors?.[0]?.message).toMatch(/^domains\[3\]: x\.hdtest is at registry sandbox-headless, which has no contact objects/);
    expect(await t.gateway.services.prisma.bulkJob.count()).toBe(jobs);
  });

  it('refuses an item that does not fit its input type, among 5,000 good ones, over HTTP and graphql-ws, before writing a job', async () => {
    // The cost check coerces the variables first and refuses a bad item before any resolver runs,
    // naming the argument's path (src/limits/variable-errors.ts).
    const jobs = await t.gateway.services.prisma.bulkJob.count();
    const domains = Array.from({ length: 5_000 }, (_, i) => ({ name: `fit${i}.tld`, currentExpiry: '2027-06-01T00:00:00.000Z' }));
    domains[4_321] = { name: 'unfit.tld', currentExpiry: 'next june' };
    const variables = { k: randomUUID(), domains };
    const http = await t.gql(owner, BULK_RENEW, variables);
    const ws = await wsOnce(t.gateway.wsUrl, owner, BULK_RENEW, variables);
    expect(http.status).toBe(400);
    expect(http.data).toBeUndefined();
    for (const errors of [http.errors!, ws.errors!]) {
      expect(errors).toHaveLength(1);
      expect(errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'domains[4321].currentExpiry' });
      expect(errors[0].message).toMatch(/^domains\[4321\]\.currentExpiry: .*"next june"/);
    }
    expect(await t.gateway.services.prisma.bulkJob.count()).toBe(jobs);
  }, 60_000);
});

describe('bulkReplaceTechContact on every domain', () => {
  it('leaves out the domains at registries without contact objects instead of refusing the job', async () => {
    const tag = `tc${Date.now().toString(36)}`;
    const [noContacts] = await createDomains(t, owner, tag, 'tld', 1); // Nomulus: no contact objects
    for (const id of [`${tag}a`, `${tag}b`]) {
      const c = await t.gql(owner, `mutation($k: String!, $id: String!) { createContact(idempotencyKey: $k, input: { id: $id, email: "tc@example.net", authInfo: "C0ntact-Pw", postalInfo: [{ type: "int", name: "Tech", street: ["1 Road"], city: "Dulles", cc: "US" }] }) { id } }`, { k: randomUUID(), id });
      expect(c.errors).toBeUndefined();
    }
    const withTech = `${tag}-x.example`;
    const d = await t.gql(owner, `mutation($k: String!, $n: String!, $c: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Bulk-Pw-2026", registrant: $c, contacts: [{ role: ADMIN, id: $c }, { role: TECH, id: $c }] }) { name } }`, { k: randomUUID(), n: withTech, c: `${tag}a` });
    expect(d.errors).toBeUndefined();
    const r = await t.gql(owner, `mutation($k: String!, $from: String!, $to: String!) { bulkReplaceTechContact(idempotencyKey: $k, domains: null, from: $from, to: $to) { job { id } } }`, { k: randomUUID(), from: `${tag}a`, to: `${tag}b` });
    expect(r.errors).toBeUndefined();
    const id = r.data.bulkReplaceTechContact.job.id;
    await waitFinished(t, owner, id);
    const items = await allItems(t, owner, id);
    const names = items.map((i) => i.domainName);
    expect(names).toContain(withTech);
    expect(names).not.toContain(noContacts);
    expect(names.filter((n: string) => n.endsWith('.tld') || n.endsWith('.hdtest'))).toEqual([]);
    expect(items.find((i) => i.domainName === withTech)).toMatchObject({ state: 'SUCCEEDED', transaction: { resultCode: 1000, pending: false } });
    const read = await t.gql(owner, `query($n: String!) { domain(name: $n) { contacts { role contact { id } } } }`, { n: withTech });
    expect(read.data.domain.contacts).toEqual([{ role: 'ADMIN', contact: { id: `${tag}a` } }, { role: 'TECH', contact: { id: `${tag}b` } }]);
  }, 120_000);

  it('refuses a new contact (`to`) that none of the job\'s registries holds, naming `to`, before writing a job or sending an update', async () => {
    const eppSandbox = t.gateway.sandboxes.sandboxes.get('sandbox-epp') as EppSandbox;
    const updates = () => eppSandbox.applied('domain:update');
    const before = updates();
    const missing = `nx${Date.now().toString(36)}`;
    const submit = (k: string, d: string[] | null) => t.gql(owner, `mutation($k: String!, $d: [String!], $to: String!) { bulkReplaceTechContact(idempotencyKey: $k, domains: $d, from: "jd1234", to: $to) { job { id } } }`, { k, d, to: missing });
    const listed = randomUUID();
    const one = await submit(listed, ['fakesite.example', 'test.example']);
    expect(one.errors?.[0]).toMatchObject({ message: `to: contact "${missing}" does not exist at registry "sandbox-epp"`, extensions: { code: 'OBJECT_NOT_FOUND', field: 'to', registry: 'sandbox-epp' } });
    // Over every domain: each registry with contact objects where the registrar has domains was asked.
    const every = randomUUID();
    const all = await submit(every, null);
    expect(all.errors?.[0]?.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', field: 'to' });
    expect(all.errors?.[0]?.message).toMatch(new RegExp(`^to: contact "${missing}" does not exist at any registry of the job's domains \\(.*"sandbox-epp".*\\)$`));
    for (const k of [listed, every]) expect(await t.gateway.services.prisma.bulkJob.count({ where: { idempotencyKey: k } })).toBe(0);
    expect(updates()).toBe(before);
  }, 60_000);
});

describe('bulk replacements and status changes', () => {
  const REPLACE_NS = `mutation($k: String!, $d: [String!], $from: String!, $to: String!) { bulkReplaceNameserver(idempotencyKey: $k, domains: $d, from: $from, to: { name: $to }) { job { id } } }`;
  const REPLACE_TECH = `mutation($k: String!, $d: [String!], $from: String!, $to: String!) { bulkReplaceTechContact(idempotencyKey: $k, domains: $d, from: $from, to: $to) { job { id } } }`;
  const STATUSES = `mutation($k: String!, $d: [String!]!, $add: [ClientStatus!]!, $remove: [ClientStatus!]!) { bulkUpdateStatuses(idempotencyKey: $k, domains: $d, add: $add, remove: $remove) { job { id } } }`;

  it('refuses a replacement by the same value and a status both added and removed, naming the field, before writing a job', async () => {
    // Replacing ns1 by ns1 removed ns1 from every listed domain (the item removed `from` and added
    // nothing, `to` being there already); adding and removing a status sent a command per domain
    // that the registry refused (2306).
    const jobs = await t.gateway.services.prisma.bulkJob.count();
    const updates = sandbox.applied('domain:update');
    const ns = await t.gql(owner, REPLACE_NS, { k: randomUUID(), d: null, from: 'ns1.example.net', to: 'NS1.Example.NET' });
    expect(ns.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to.name' });
    const badTo = await t.gql(owner, REPLACE_NS, { k: randomUUID(), d: null, from: 'ns1.example.net', to: 'ns1..example.net' });
    expect(badTo.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to.name' }); // `to` is one name server, not a list
    const tech = await t.gql(owner, REPLACE_TECH, { k: randomUUID(), d: null, from: 'jd1234', to: 'jd1234' });
    expect(tech.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    const both = await t.gql(owner, STATUSES, { k: randomUUID(), d: ['fakesite.tld'], add: ['clientHold', 'clientTransferProhibited'], remove: ['clientTransferProhibited'] });
    expect(both.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'remove[0]' });
    expect(await t.gateway.services.prisma.bulkJob.count()).toBe(jobs);
    expect(sandbox.applied('domain:update')).toBe(updates);
  });

  it('refuses addresses (glue) on a `to` not under every listed domain, naming the first such domain, before writing a job; a job over every domain takes none', async () => {
    // The item's domain:update was sent and refused (2303, FAILED OBJECT_NOT_FOUND), where updateDomain
    // with that name server is BAD_USER_INPUT before anything is sent.
    const GLUE = `mutation($k: String!, $d: [String!], $to: NameserverInput!) { bulkReplaceNameserver(idempotencyKey: $k, domains: $d, from: "ns1.new-dns.net", to: $to) { job { id } } }`;
    const [mine] = await createDomains(t, owner, `glue${Date.now().toString(36)}`, 'tld', 1);
    const jobs = await t.gateway.services.prisma.bulkJob.count();
    const sent = () => sandbox.applied('domain:update') + sandbox.applied('domain:info');
    const sent0 = sent();
    const single = await t.gql(owner, `mutation($k: String!, $n: String!) { updateDomain(idempotencyKey: $k, input: { name: $n, add: { nameservers: [{ name: "ns1.x.net", ipv4: ["192.0.2.1"] }] } }) { domain { name } } }`, { k: randomUUID(), n: mine });
    expect(single.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.add.nameservers[0].ipv4' });
    const out = await t.gql(owner, GLUE, { k: randomUUID(), d: ['n0.tld'], to: { name: 'ns1.x.net', ipv4: ['192.0.2.1'] } });
    expect(out.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to.ipv4' });
    expect(out.errors?.[0]?.message).toBe('to.ipv4: addresses (glue) are only allowed for a name server under the domain itself: "ns1.x.net" is not under domains[0] "n0.tld"');
    const second = await t.gql(owner, GLUE, { k: randomUUID(), d: [mine, 'other.tld'], to: { name: `ns1.${mine}`, ipv6: ['2001:db8::1'] } });
    expect(second.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to.ipv6' });
    expect(second.errors?.[0]?.message).toMatch(/is not under domains\[1\] "other\.tld"$/);
    const every = await t.gql(owner, GLUE, { k: randomUUID(), d: null, to: { name: `ns1.${mine}`, ipv4: ['192.0.2.1'] } });
    expect(every.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to.ipv4' });
    expect(every.errors?.[0]?.message).toMatch(/^to\.ipv4: addresses \(glue\) are only allowed for a name server under the domain itself, and a job over every domain/);
    expect(await t.gateway.services.prisma.bulkJob.count()).toBe(jobs);
    expect(sent()).toBe(sent0);
    // Under the one listed domain, at this registry of host objects (host-1.0 in its greeting): the
    // addresses are the host's own, so they are refused too, as the single update is (before, the
    // item SUCCEEDED and the addresses were dropped without a word: the domain named the host).
    const under = await t.gql(owner, GLUE, { k: randomUUID(), d: [mine], to: { name: `ns1.${mine}`, ipv4: ['192.0.2.1'] } });
    expect(under.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to.ipv4' });
    expect(under.errors?.[0]?.message).toMatch(/^to\.ipv4: this registry takes name servers as host objects .*createHost or updateHost/);
    const singleUnder = await t.gql(owner, `mutation($k: String!, $n: String!, $ns: String!) { updateDomain(idempotencyKey: $k, input: { name: $n, add: { nameservers: [{ name: $ns, ipv4: ["192.0.2.1"] }] } }) { domain { name } } }`, { k: randomUUID(), n: mine, ns: `ns1.${mine}` });
    expect(singleUnder.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.add.nameservers[0].ipv4' });
    expect(singleUnder.errors?.[0]?.message).toContain('host objects');
    expect(await t.gateway.services.prisma.bulkJob.count()).toBe(jobs);
    expect(sent()).toBe(sent0);
  }, 60_000);

  it("refuses at submission what the backend cannot send for the job's arguments, naming the bulk mutation's own argument (add[1], remove[0], to.ipv4), not the single update's input", async () => {
    // Each item ran updateDomain, whose refusals name input.add.statuses[1] and the like: the job was
    // written and every item FAILED. The backend's argument rules now refuse the submission itself
    // (src/bulk/submit.ts refuseBackendArguments; test/e2e/bulk-backend-arguments.test.ts).
    const jobs = await t.gateway.services.prisma.bulkJob.count();
    // HeadlessDomains has clientHold and clientTransferProhibited only; Joker the transfer lock only.
    const added = await t.gql(owner, STATUSES, { k: randomUUID(), d: ['newregistrar-seed.hdtest'], add: ['clientTransferProhibited', 'clientDeleteProhibited'], remove: [] });
    expect(added.errors?.[0]?.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', field: 'add[1]', registry: 'sandbox-headless' });
    const removed = await t.gql(owner, STATUSES, { k: randomUUID(), d: ['alpha.joker.test'], add: [], remove: ['clientHold'] });
    expect(removed.errors?.[0]?.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', field: 'remove[0]', registry: 'sandbox-joker' });
    // Joker's name servers are host objects: a glue address on the domain's own name server is refused there.
    const GLUE = `mutation($k: String!, $d: [String!], $to: NameserverInput!) { bulkReplaceNameserver(idempotencyKey: $k, domains: $d, from: "ns1.sandbox-dns.test", to: $to) { job { id } } }`;
    const glue = await t.gql(owner, GLUE, { k: randomUUID(), d: ['alpha.joker.test'], to: { name: 'ns3.alpha.joker.test', ipv4: ['192.0.2.9'] } });
    expect(glue.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'to.ipv4' }, message: expect.stringMatching(/^to\.ipv4: Joker name servers are host objects/) });
    expect(await t.gateway.services.prisma.bulkJob.count()).toBe(jobs);
  }, 60_000);

  it("fails the item whose new name server (`to`) the registry does not hold, naming `to`, as the job's other item errors name their field", async () => {
    const name = `nsx${Date.now().toString(36)}.tld`;
    const created = await t.gql(owner, `mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Bulk-Pw-2026", nameservers: [{ name: "ns1.example.net" }] }) { name } }`, { k: randomUUID(), n: name });
    expect(created.errors).toBeUndefined();
    const r = await t.gql(owner, REPLACE_NS, { k: randomUUID(), d: [name], from: 'ns1.example.net', to: `nx-${Date.now().toString(36)}.example.net` });
    expect(r.errors).toBeUndefined();
    await waitFinished(t, owner, r.data.bulkReplaceNameserver.job.id);
    const [item] = await allItems(t, owner, r.data.bulkReplaceNameserver.job.id);
    expect(item).toMatchObject({ state: 'FAILED', error: { code: 'OBJECT_NOT_FOUND', field: 'to', upstreamCode: 2303 } });
  }, 60_000);

  it('fails the item of a domain another registrar sponsors, as updateDomain does, instead of calling it skipped', async () => {
    // example.tld and example.example are TheRegistrar's, with ns1.example.net and tech contact
    // sah8013; the registry shows NewRegistrar neither, which read as "not a name server of the domain".
    const updates = () => sandbox.applied('domain:update') + (t.gateway.sandboxes.sandboxes.get('sandbox-epp') as EppSandbox).applied('domain:update');
    const before = updates();
    const ns = await t.gql(owner, REPLACE_NS, { k: randomUUID(), d: ['example.tld'], from: 'ns1.example.net', to: 'ns2.example.net' });
    const tech = await t.gql(owner, REPLACE_TECH, { k: randomUUID(), d: ['example.example'], from: 'sah8013', to: 'jd1234' });
    for (const r of [ns.data.bulkReplaceNameserver, tech.data.bulkReplaceTechContact]) {
      await waitFinished(t, owner, r.job.id);
      const [item] = await allItems(t, owner, r.job.id);
      expect(item).toMatchObject({ state: 'FAILED', attempts: 1, error: { code: 'AUTHORIZATION_ERROR', message: expect.stringContaining('sponsored by another registrar') } });
    }
    expect(updates()).toBe(before);
    const read = await t.gql(other, `{ a: domain(name: "example.tld") { nameservers { name } } b: domain(name: "example.example") { contacts { role contact { id } } } }`);
    expect(read.data.a.nameservers.map((n: any) => n.name)).toContain('ns1.example.net');
    expect(read.data.b.contacts).toContainEqual({ role: 'TECH', contact: { id: 'sah8013' } });
  }, 60_000);
});

describe('one idempotency key, one request', () => {
  it('a bulk job\'s key is IDEMPOTENCY_KEY_REUSED for a single mutation, and a single mutation\'s for a bulk job, nothing sent', async () => {
    const [name] = await createDomains(t, owner, `ik${Date.now().toString(36)}`, 'tld', 1);
    const renews = sandbox.applied('domain:renew');
    const jobKey = randomUUID();
    const job = await t.gql(owner, BULK_RENEW, { k: jobKey, domains: [{ name }] });
    await waitFinished(t, owner, job.data.bulkRenew.job.id);
    const single = await t.gql(owner, `mutation($k: String!, $n: String!) { renewDomain(idempotencyKey: $k, input: { name: $n }) { domain { name } } }`, { k: jobKey, n: name });
    expect(single.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotencyKey' });
    expect(sandbox.applied('domain:renew') - renews).toBe(1); // the job's renewal only

    const updateKey = randomUUID();
    const update = await t.gql(owner, `mutation($k: String!, $n: String!) { updateDomain(idempotencyKey: $k, input: { name: $n, add: { statuses: [clientHold] } }) { domain { name } } }`, { k: updateKey, n: name });
    expect(update.errors).toBeUndefined();
    const jobs = await t.gateway.services.prisma.bulkJob.count();
    const bulk = await t.gql(owner, `mutation($k: String!, $n: String!) { bulkUpdateStatuses(idempotencyKey: $k, domains: [$n], remove: [clientHold]) { job { id } } }`, { k: updateKey, n: name });
    expect(bulk.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotencyKey' });
    expect(await t.gateway.services.prisma.bulkJob.count()).toBe(jobs);
  }, 60_000);
});

describe('one idempotency key, one request, sent at the same moment', () => {
  it('a renewDomain and a bulkRenew fired together with one key, 25 times: exactly one wins, the other is IDEMPOTENCY_KEY_REUSED with nothing sent or written', async () => {
    const ROUNDS = 25;
    const names = await createDomains(t, owner, `ir${Date.now().toString(36)}`, 'tld', ROUNDS);
    const renews = sandbox.applied('domain:renew');
    const RENEW = `mutation($k: String!, $n: String!) { renewDomain(idempotencyKey: $k, input: { name: $n }) { domain { name } } }`;
    let bulkWon = 0;
    for (const [i, name] of names.entries()) {
      const k = randomUUID();
      const single = () => t.gql(owner, RENEW, { k, n: name });
      const bulk = () => t.gql(owner, BULK_RENEW, { k, domains: [{ name }] });
      // Both requests on their way before either is answered; which one is written first alternates.
      const [s, b] = i % 2 === 0 ? await Promise.all([single(), bulk()]) : await Promise.all([bulk(), single()]).then(([y, x]) => [x, y]);
      const winners = [s, b].filter((r) => !r.errors);
      expect(winners, `round ${i}: ${JSON.stringify([s.errors, b.errors])}`).toHaveLength(1);
      expect(([s, b].find((r) => r.errors)!.errors![0]!.extensions as any).code).toBe('IDEMPOTENCY_KEY_REUSED');
      const job = await t.gateway.services.prisma.bulkJob.findUnique({ where: { registrarId_idempotencyKey: { registrarId: 'NewRegistrar', idempotencyKey: k } } });
      if (b.errors) expect(job).toBeNull(); // the losing submission wrote no job
      else {
        bulkWon++;
        await waitFinished(t, owner, b.data.bulkRenew.job.id);
      }
    }
    // One renewal per round: the loser sent nothing.
    expect(sandbox.applied('domain:renew') - renews).toBe(ROUNDS);
    expect(await t.gateway.services.prisma.bulkItem.count({ where: { job: { registrarId: 'NewRegistrar', kind: 'RENEW' }, name: { in: names } } })).toBe(bulkWon);
  }, 120_000);
});

describe('cancelBulkJob', () => {
  it('cancels the items not started (nothing sent for them); the running one finishes', async () => {
    const names = await createDomains(t, owner, `cx${Date.now().toString(36)}`, 'tld', 6);
    const renewsBefore = sandbox.applied('domain:renew');
    // Two items run at once: both renewals are applied, their answers held until the cancel is in.
    for (let i = 0; i < 2; i++) sandbox.faults.next({ command: 'domain:renew', action: 'hold-after-apply' });
    const r = await t.gql(owner, BULK_RENEW, { k: randomUUID(), domains: names.map((name) => ({ name })) });
    const id = r.data.bulkRenew.job.id;
    while (sandbox.applied('domain:renew') < renewsBefore + 2) await new Promise((res) => setTimeout(res, 20));
    const CANCEL = `mutation($id: ID!, $k: String!) { cancelBulkJob(idempotencyKey: $k, id: $id) { id state finishedAt counts { done failed pending running awaiting cancelled } } }`;
    const cancelKey = randomUUID();
    const cancelled = await t.gql(owner, CANCEL, { id, k: cancelKey });
    expect(cancelled.data.cancelBulkJob).toMatchObject({ state: 'CANCELLED', finishedAt: null, counts: { done: 0, failed: 0 } });
    expect(cancelled.data.cancelBulkJob.counts.running).toBeGreaterThanOrEqual(2); // the held two, and any claimed waiting for a session
    sandbox.faults.release();
    const done = await waitFinished(t, owner, id);
    const items = await allItems(t, owner, id);
    const applied = sandbox.applied('domain:renew') - renewsBefore;
    expect(done.counts.done).toBe(applied);
    expect(done.counts.cancelled).toBe(6 - applied);
    expect(applied).toBe(2);
    for (const i of items.filter((x) => x.state === 'CANCELLED')) {
      expect(i.error).toMatchObject({ code: 'CANCELLED', message: expect.stringContaining('nothing was sent') });
      // Claimed ahead (the runner claims more than it runs) and found cancelled: no attempt made (found by a fresh user: 1).
      expect(i.attempts).toBe(0);
    }
    // The same request again (a lost answer retried) answers what the first answered, the counts of
    // then (some running), not those of now (2 done, none running); another key is another request, answered as of now.
    const again = await t.gql(owner, CANCEL, { id, k: cancelKey });
    expect(again.errors).toBeUndefined();
    expect(again.data.cancelBulkJob).toEqual(cancelled.data.cancelBulkJob);
    const later = await t.gql(owner, CANCEL, { id, k: randomUUID() });
    expect(later.data.cancelBulkJob).toMatchObject({ state: 'CANCELLED', finishedAt: expect.any(String), counts: { done: 2, running: 0, cancelled: 4 } });
  }, 60_000);

  it('an item waiting to be tried again after a failed attempt is cancelled without claiming nothing was sent', async () => {
    // A gateway of its own whose back-off outlasts the test: the failed item waits, PENDING, for the cancel.
    const slow = await startTestGateway({ configure: (c) => void (c.bulk = { backoffMs: 3_600_000, backendConcurrency: { 'sandbox-nomulus': 1 } }) });
    try {
      const key = slow.keys['NewRegistrar']!;
      const box = slow.gateway.sandboxes.sandboxes.get('sandbox-nomulus') as EppSandbox;
      const names = await createDomains(slow, key, `cw${Date.now().toString(36)}`, 'tld', 2);
      box.faults.next({ command: 'domain:renew', action: 'server-error' }); // 2400 on the first: worth another try, in an hour
      const r = await slow.gql(key, BULK_RENEW, { k: randomUUID(), domains: names.map((name) => ({ name })) });
      const id = r.data.bulkRenew.job.id;
      // A state, not a time: the first item failed once and waits; the second is renewed.
      for (;;) {
        const items = await allItems(slow, key, id);
        if (items.some((i) => i.state === 'PENDING' && i.attempts === 1) && items.some((i) => i.state === 'SUCCEEDED')) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      const cancelled = await slow.gql(key, `mutation($id: ID!, $k: String!) { cancelBulkJob(idempotencyKey: $k, id: $id) { state } }`, { id, k: randomUUID() });
      expect(cancelled.data.cancelBulkJob.state).toBe('CANCELLED');
      const done = await waitFinished(slow, key, id);
      expect(done.counts).toMatchObject({ done: 1, cancelled: 1, pending: 0, running: 0 });
      const [waiting] = await allItems(slow, key, id, ['CANCELLED']);
      expect(waiting.error.code).toBe('CANCELLED');
      expect(waiting.error.message).toContain('waited to be tried again');
      expect(waiting.error.message).not.toContain('nothing was sent');
      expect(box.applied('domain:renew')).toBe(1);
    } finally {
      await slow.close();
    }
  }, 120_000);
});
