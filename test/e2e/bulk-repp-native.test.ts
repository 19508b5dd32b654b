/**
 * Bulk jobs on a REPP backend go through REPP's own bulk endpoints (issue 10 item 4, "REPP through
 * its native endpoints"), over HTTPS against the REPP sandbox: bulkRenew, bulkTransfer,
 * bulkReplaceNameserver and bulkReplaceTechContact apply every item once and cost ceil(N / chunk)
 * bulk requests (counted by the sandbox and in the command log), single-domain commands none;
 * per-item refusals carry the registry's code and message; a chunk whose answer was lost after the
 * registry applied it is reconciled by reading the domains, not sent again.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReppBackendConfig } from '../../src/config.types.js';
import type { ReppSandbox } from '../../src/sandbox/repp/index.js';
import { allItems, BULK_RENEW, waitFinished } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const CHUNK = 3;
let t: TestGateway;
let sandbox: ReppSandbox;
let A: string; // NewRegistrar (ATSAA)
let B: string; // TheRegistrar (1111111)
const run = Date.now().toString(36);

beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      // Only the REPP sandbox: a job over "every domain" then holds .ee domains only.
      c.backends = c.backends.filter((b) => b.kind === 'repp');
      (c.backends[0] as ReppBackendConfig).bulkLimit = CHUNK;
      c.routes = c.routes.filter((r) => r.backend === 'sandbox-repp');
      c.defaultBackend = 'sandbox-repp';
      c.poll.enabled = false;
      c.bulk = { backoffMs: 20, idleMs: 100 };
    },
  });
  sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-repp') as ReppSandbox;
  A = t.keys.NewRegistrar!;
  B = t.keys.TheRegistrar!;
}, 120_000);
afterAll(() => t?.close());

const OWN = { registrant: 'ATSAA:KARL', contacts: [{ role: 'ADMIN', id: 'ATSAA:KARL' }, { role: 'TECH', id: 'ATSAA:KARL' }] };
const THEIRS = { registrant: '1111111:65B7EB55', contacts: [{ role: 'ADMIN', id: '1111111:65B7EB55' }, { role: 'TECH', id: '1111111:8E3736F2' }] };

/** Creates `n` .ee domains through the gateway; returns their names. */
async function createDomains(key: string, prefix: string, n: number, extra: Record<string, unknown> = OWN, ns = ['ns1.example.net', 'ns2.example.net']): Promise<string[]> {
  const names = Array.from({ length: n }, (_, i) => `${prefix}-${run}-${i}.ee`);
  for (const name of names) {
    const r = await t.gql(key, `mutation($k: String!, $input: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $input) { name } }`, {
      k: randomUUID(),
      input: { name, ...extra, nameservers: ns.map((n) => ({ name: n })), authInfo: `Kood-${name}` },
    });
    if (r.errors) throw new Error(`createDomain ${name}: ${JSON.stringify(r.errors)}`);
  }
  return names;
}

/** The sandbox's single-domain changes (REPP route keys). */
const SINGLE = ['domain:renew', 'domain:update', 'domain:transfer', 'domain:contacts:add', 'domain:contacts:remove', 'domain:nameservers:add', 'domain:nameservers:delete', 'domain:nameservers'];

/** Bulk requests of one endpoint the sandbox applied (its route key) and the command log holds (the gateway's command name), and the single-domain changes applied. */
async function counts(route: string, command = route) {
  await t.gateway.commandLog.flush();
  return {
    applied: sandbox.applied(route),
    logged: await t.gateway.services.prisma.commandLog.count({ where: { command } }),
    single: SINGLE.reduce((n, k) => n + sandbox.applied(k), 0),
  };
}

const delta = (a: Awaited<ReturnType<typeof counts>>, b: Awaited<ReturnType<typeof counts>>) => ({ applied: b.applied - a.applied, logged: b.logged - a.logged, single: b.single - a.single });
/**
 * Expects the applied bulk renew requests of a job: one per chunk of CHUNK items in submission order
 * (one claim takes the job's items in order) with an item renewed on its first attempt, and an item
 * left to another attempt by a transient failure before anything was sent for it (its read) renewed
 * in a later request: at least one more, at most one more per such item.
 */
function expectRenewRequests(applied: number, items: any[]): void {
  const renewed = items.filter((i) => i.state === 'SUCCEEDED');
  const first = new Set(renewed.filter((i) => i.attempts === 1).map((i) => Math.floor(i.position / CHUNK))).size;
  const later = renewed.filter((i) => i.attempts > 1).length;
  expect(applied).toBeGreaterThanOrEqual(first + Math.min(1, later));
  expect(applied).toBeLessThanOrEqual(first + later);
}
const year = (name: string) => new Date(sandbox.domain(name)!.expireTime).getUTCFullYear();

async function submit(key: string, query: string, variables: Record<string, unknown>) {
  const r = await t.gql(key, query, { k: randomUUID(), ...variables });
  expect(r.errors).toBeUndefined();
  const id = (Object.values(r.data)[0] as any).job.id as string;
  const job = await waitFinished(t, key, id);
  return { job, items: await allItems(t, key, id) };
}

describe('bulkRenew through POST /repp/v1/domains/renew/bulk', () => {
  it('renews N domains once each with ceil(N / chunk) bulk requests and no single renewals', async () => {
    const names = await createDomains(A, 'uus', 7);
    const before = new Map(names.map((n) => [n, year(n)]));
    const c0 = await counts('bulk:renew');
    const { job, items } = await submit(A, BULK_RENEW, { domains: names.map((name) => ({ name })) });
    expect(job.counts).toEqual({ done: 7, failed: 0, pending: 0, running: 0, cancelled: 0 });
    expect(delta(c0, await counts('bulk:renew'))).toEqual({ applied: Math.ceil(7 / CHUNK), logged: Math.ceil(7 / CHUNK), single: 0 });
    for (const n of names) expect(year(n)).toBe(before.get(n)! + 1);
    for (const i of items) {
      expect(i).toMatchObject({ state: 'SUCCEEDED', attempts: 1, transaction: { resultCode: 1000 } });
      expect(new Date(i.expiresAt).getTime()).toBe(new Date(sandbox.domain(i.domainName)!.expireTime).getTime());
    }
  }, 120_000);

  it("gives each item the expiry the registry holds when the period crosses a daylight-saving change (local midnight in Tallinn)", async () => {
    // The registrar's balance as it was: the later tests create domains on what is left of it.
    const store = (sandbox as unknown as { store: { domains: Map<string, { expiresAt: Date }>; registrar(id: string): { balanceCents: number } } }).store;
    const balance = store.registrar('NewRegistrar').balanceCents;
    const names = await createDomains(A, 'kell', 2);
    // Winter expiries (EET, +2: local midnight is 22:00Z); 6 months later is summer (EEST, +3: 21:00Z).
    for (const n of names) store.domains.get(n)!.expiresAt = new Date('2032-01-03T22:00:00.000Z');
    const r = await t.gql(A, BULK_RENEW.replace('{ value: 1, unit: YEARS }', '{ value: 6, unit: MONTHS }'), { k: randomUUID(), domains: names.map((name) => ({ name })) });
    expect(r.errors).toBeUndefined();
    const id = (r.data.bulkRenew as { job: { id: string } }).job.id;
    expect((await waitFinished(t, A, id)).counts).toMatchObject({ done: 2, failed: 0 });
    for (const i of await allItems(t, A, id)) {
      expect(sandbox.domain(i.domainName)!.expireTime).toBe('2032-07-04T00:00:00.000+03:00');
      expect(i.expiresAt).toBe('2032-07-03T21:00:00.000Z');
      const read = await t.gql(A, 'query($n: String!) { domain(name: $n) { expiresAt } }', { n: i.domainName });
      expect(read.data.domain.expiresAt).toBe(i.expiresAt);
    }
    store.registrar('NewRegistrar').balanceCents = balance;
  }, 120_000);

  it('fails only the refused items, with the registry code and message; renews the others once', async () => {
    const names = await createDomains(A, 'osa', 4);
    const before = new Map([...names, '666.ee'].map((n) => [n, year(n)]));
    const domains = [...names, '666.ee'].map((name) => ({ name })); // 666.ee is TheRegistrar's
    const c0 = await counts('bulk:renew');
    const { job, items } = await submit(A, BULK_RENEW, { domains });
    expect(job.counts).toMatchObject({ done: 4, failed: 1 });
    const refused = items.find((i) => i.domainName === '666.ee');
    // REPP refused the chunk naming 666.ee as a domain it does not have (2303); the read showed it TheRegistrar's.
    expect(refused).toMatchObject({ state: 'FAILED', attempts: 1, error: { code: 'AUTHORIZATION_ERROR' } });
    for (const n of names) expect(year(n)).toBe(before.get(n)! + 1);
    expect(year('666.ee')).toBe(before.get('666.ee')); // untouched
    const d = delta(c0, await counts('bulk:renew'));
    // [0,1,2] and [3] after the refusal of [3, 666.ee] named 666.ee; an item whose chunk left it
    // to another attempt (a transient failure before sending, e.g. its read) goes in a later request.
    expectRenewRequests(d.applied, items);
    expect(d.single).toBe(0);
  }, 120_000);

  it('fails an item whose currentExpiry is not the domain\'s before its chunk is sent, naming domains[i].currentExpiry', async () => {
    const names = await createDomains(A, 'aeg', 3);
    const before = new Map(names.map((n) => [n, year(n)]));
    const stale = `${year(names[2]!) - 1}-01-01`;
    const { job, items } = await submit(A, BULK_RENEW, { domains: [{ name: names[0] }, { name: names[1] }, { name: names[2], currentExpiry: stale }] });
    expect(job.counts).toMatchObject({ done: 2, failed: 1 });
    const wrong = items.find((i) => i.position === 2);
    expect(wrong).toMatchObject({ state: 'FAILED', error: { code: 'BAD_USER_INPUT', field: 'domains[2].currentExpiry' } });
    expect(wrong.error.message).toMatch(/^domains\[2\]\.currentExpiry: /);
    expect(year(names[2]!)).toBe(before.get(names[2]!)); // nothing renewed for it
    for (const n of names.slice(0, 2)) expect(year(n)).toBe(before.get(n)! + 1);
  }, 120_000);

  it('an item left to another attempt by a transient failure before its chunk is sent is renewed once, in a later request', async () => {
    const names = await createDomains(A, 'hilja', 4);
    const before = new Map([...names, '666.ee'].map((n) => [n, year(n)]));
    sandbox.faults.next({ route: 'domain:info', action: 'status', status: 500 }); // one item's read fails: retryable, nothing sent for it
    const c0 = await counts('bulk:renew');
    const { job, items } = await submit(A, BULK_RENEW, { domains: [...names, '666.ee'].map((name) => ({ name })) });
    expect(job.counts).toMatchObject({ done: 4, failed: 1 });
    expect(items.find((i) => i.domainName === '666.ee')).toMatchObject({ state: 'FAILED', error: { code: 'AUTHORIZATION_ERROR' } });
    for (const n of names) expect(year(n)).toBe(before.get(n)! + 1);
    expect(year('666.ee')).toBe(before.get('666.ee'));
    expect(items.filter((i) => i.attempts === 2)).toHaveLength(1);
    const d = delta(c0, await counts('bulk:renew'));
    expectRenewRequests(d.applied, items);
    expect(d.single).toBe(0);
  }, 120_000);

  it('a refusal of the whole request that names no domain is split until it lands on its own item', async () => {
    // TheRegistrar's balance pays: 9 years is within the registry's 10-year limit for a fresh domain, not for one renewed once.
    const [fresh, over] = await createDomains(B, 'piir', 2, THEIRS);
    const once = await t.gql(B, 'mutation($k: String!, $n: String!) { renewDomain(idempotencyKey: $k, input: { name: $n, period: { value: 1, unit: YEARS } }) { name } }', { k: randomUUID(), n: over });
    expect(once.errors).toBeUndefined();
    const before = new Map([fresh!, over!].map((n) => [n, year(n)]));
    const c0 = await counts('bulk:renew');
    const r = await t.gql(B, `mutation($k: String!, $domains: [BulkRenewItemInput!]!) { bulkRenew(idempotencyKey: $k, domains: $domains, period: { value: 9, unit: YEARS }) { job { id } } }`, {
      k: randomUUID(),
      domains: [{ name: fresh }, { name: over }],
    });
    expect(r.errors).toBeUndefined();
    const job = await waitFinished(t, B, r.data.bulkRenew.job.id);
    expect(job.counts).toMatchObject({ done: 1, failed: 1 });
    const items = await allItems(t, B, r.data.bulkRenew.job.id);
    expect(items.find((i) => i.domainName === over)).toMatchObject({ state: 'FAILED', attempts: 1, error: { code: 'PARAMETER_VALUE_POLICY_ERROR', upstreamCode: 2306 } });
    expect(year(fresh!)).toBe(before.get(fresh!)! + 9);
    expect(year(over!)).toBe(before.get(over!));
    // [fresh, over] refused as a whole, then [fresh] applied and [over] refused on its own.
    expect(delta(c0, await counts('bulk:renew'))).toEqual({ applied: 1, logged: 3, single: 0 });
  }, 120_000);

  it('a chunk applied whose answer was lost is reconciled from the expiry, not sent again', async () => {
    const names = await createDomains(A, 'kadu', 2 * CHUNK); // two full chunks: whichever is dropped, CHUNK items
    const before = new Map(names.map((n) => [n, year(n)]));
    sandbox.faults.next({ route: 'bulk:renew', action: 'drop-after-apply' });
    const c0 = await counts('bulk:renew');
    const { job, items } = await submit(A, BULK_RENEW, { domains: names.map((name) => ({ name })) });
    expect(job.counts).toEqual({ done: 2 * CHUNK, failed: 0, pending: 0, running: 0, cancelled: 0 });
    expect(delta(c0, await counts('bulk:renew'))).toEqual({ applied: 2, logged: 2, single: 0 });
    for (const n of names) expect(year(n)).toBe(before.get(n)! + 1);
    const again = items.filter((i) => i.attempts === 2);
    expect(again).toHaveLength(CHUNK); // the chunk whose answer was lost: read on its second attempt
    for (const i of again) expect(i.transaction.resultCode).toBe(1000);
  }, 120_000);
});

describe('cancelBulkJob on a REPP job', () => {
  it('chunks already sent finish; the chunk not yet sent is cancelled and nothing is sent for it', async () => {
    const n = 5 * CHUNK; // 5 chunks; the backend's 4 sessions carry 4 at once
    const names = await createDomains(B, 'loobu', n, THEIRS);
    const before = new Map(names.map((x) => [x, year(x)]));
    for (let i = 0; i < 4; i++) sandbox.faults.next({ route: 'bulk:renew', action: 'hold-after-apply' });
    const c0 = await counts('bulk:renew');
    const r = await t.gql(B, BULK_RENEW, { k: randomUUID(), domains: names.map((name) => ({ name })) });
    const id = r.data.bulkRenew.job.id;
    while (sandbox.applied('bulk:renew') - c0.applied < 4) await new Promise((res) => setTimeout(res, 10));
    const cancelled = await t.gql(B, `mutation($id: ID!, $k: String!) { cancelBulkJob(idempotencyKey: $k, id: $id) { state } }`, { id, k: randomUUID() });
    expect(cancelled.data.cancelBulkJob.state).toBe('CANCELLED');
    sandbox.faults.release(); // the 4 chunks applied are answered now
    const done = await waitFinished(t, B, id);
    expect(done.counts).toEqual({ done: 4 * CHUNK, failed: 0, pending: 0, running: 0, cancelled: CHUNK });
    expect(delta(c0, await counts('bulk:renew'))).toEqual({ applied: 4, logged: 4, single: 0 });
    const items = await allItems(t, B, id);
    for (const i of items) {
      if (i.state === 'CANCELLED') expect([i.error.code, year(i.domainName)]).toEqual(['CANCELLED', before.get(i.domainName)]);
      else expect(year(i.domainName)).toBe(before.get(i.domainName)! + 1);
    }
  }, 120_000);
});

const BULK_TRANSFER = `mutation($k: String!, $domains: [BulkTransferItemInput!]!) { bulkTransfer(idempotencyKey: $k, domains: $domains) { job { id } } }`;

describe('bulkTransfer through POST /repp/v1/domains/transfer', () => {
  it('moves each domain once in ceil(N / chunk) requests; a wrong code fails its item with the registry code and message', async () => {
    const names = await createDomains(B, 'vii', 5, THEIRS);
    const c0 = await counts('bulk:transfer');
    const domains = names.map((name, i) => ({ name, authInfo: i === 4 ? 'vale-kood-1' : `Kood-${name}` }));
    const { job, items } = await submit(A, BULK_TRANSFER, { domains });
    expect(job.counts).toMatchObject({ done: 4, failed: 1, pending: 0 });
    expect(delta(c0, await counts('bulk:transfer'))).toEqual({ applied: Math.ceil(5 / CHUNK), logged: Math.ceil(5 / CHUNK), single: 0 });
    for (const n of names.slice(0, 4)) expect(sandbox.domain(n)!.registrar).toBe('NewRegistrar');
    expect(sandbox.domain(names[4]!)!.registrar).toBe('TheRegistrar');
    const wrong = await t.gql(A, `query($id: ID!) { bulkJob(id: $id) { items(first: 10, states: [FAILED]) { edges { node { domainName attempts error { code message upstreamCode field } } } } } }`, { id: job.id });
    expect(wrong.data.bulkJob.items.edges.map((e: any) => e.node)).toEqual([
      { domainName: names[4], attempts: 1, error: { code: 'AUTHORIZATION_ERROR', message: 'Invalid authorization information', upstreamCode: 2202, field: 'domains[4].authInfo' } },
    ]);
    expect(items.filter((i) => i.state === 'SUCCEEDED')).toHaveLength(4);
    const mine = await t.gql(A, '{ domains(first: 200) { edges { node { name } } } }');
    expect(mine.data.domains.edges.map((e: any) => e.node.name)).toEqual(expect.arrayContaining(names.slice(0, 4)));
  }, 120_000);

  it("the chunk's command-log entry says how many of its domains the registry did not transfer, and why", async () => {
    const names = await createDomains(B, 'viil', CHUNK, THEIRS); // one chunk
    const domains = names.map((name, i) => ({ name, authInfo: i === 1 ? 'vale-kood-2' : `Kood-${name}` }));
    const { job } = await submit(A, BULK_TRANSFER, { domains });
    expect(job.counts).toMatchObject({ done: CHUNK - 1, failed: 1 });
    await t.gateway.commandLog.flush();
    const log = await t.gql(A, `query($f: CommandLogFilter) { commandLog(filter: $f, first: 100) { edges { node { command objectName resultCode message outcome applied } } } }`, {
      f: { command: 'bulk:transfer', operation: 'bulkTransfer' },
    });
    expect(log.errors).toBeUndefined();
    const entries = log.data.commandLog.edges.map((e: any) => e.node).filter((n: any) => n.objectName === names.join(','));
    expect(entries).toEqual([
      {
        command: 'bulk:transfer',
        objectName: names.join(','),
        resultCode: 1000, // the request was processed: the two other domains moved
        message: `Command completed successfully; 1 of ${CHUNK} domains not transferred: ${names[1]} (2202 Invalid authorization information)`,
        // Some domains moved, one did not (the entry said SUCCEEDED, the failure in its message only).
        outcome: 'PARTIAL',
        applied: true,
      },
    ]);
    expect(JSON.stringify(log.data)).not.toContain('vale-kood-2');
  }, 120_000);

  it("a chunk none of whose domains the registry transferred has a FAILED command-log entry, not applied", async () => {
    const names = await createDomains(B, 'viim', CHUNK, THEIRS); // one chunk
    const { job } = await submit(A, BULK_TRANSFER, { domains: names.map((name, i) => ({ name, authInfo: `vale-kood-${i}` })) });
    expect(job.counts).toMatchObject({ done: 0, failed: CHUNK });
    for (const n of names) expect(sandbox.domain(n)!.registrar).toBe('TheRegistrar');
    await t.gateway.commandLog.flush();
    const log = await t.gql(A, `query($f: CommandLogFilter) { commandLog(filter: $f, first: 100) { edges { node { command objectName resultCode message outcome applied } } } }`, {
      f: { command: 'bulk:transfer', operation: 'bulkTransfer' },
    });
    const entries = log.data.commandLog.edges.map((e: any) => e.node).filter((n: any) => n.objectName === names.join(','));
    expect(entries).toHaveLength(1);
    // Before, SUCCEEDED and applied, with every failure in the message only.
    expect(entries[0]).toMatchObject({ command: 'bulk:transfer', resultCode: 1000, outcome: 'FAILED', applied: false });
    expect(entries[0].message).toMatch(new RegExp(`^Command completed successfully; ${CHUNK} of ${CHUNK} domains not transferred: `));
    expect(JSON.stringify(log.data)).not.toContain('vale-kood');
  }, 120_000);

  it('a transfer chunk applied whose answer was lost is reconciled (the domains are ours), not sent again', async () => {
    const names = await createDomains(B, 'viik', CHUNK, THEIRS);
    sandbox.faults.next({ route: 'bulk:transfer', action: 'drop-after-apply' });
    const c0 = await counts('bulk:transfer');
    const { job, items } = await submit(A, BULK_TRANSFER, { domains: names.map((name) => ({ name, authInfo: `Kood-${name}` })) });
    expect(job.counts).toEqual({ done: CHUNK, failed: 0, pending: 0, running: 0, cancelled: 0 });
    expect(delta(c0, await counts('bulk:transfer'))).toEqual({ applied: 1, logged: 1, single: 0 }); // sent again, it would fail "already belongs"
    for (const n of names) expect(sandbox.domain(n)!.registrar).toBe('NewRegistrar');
    for (const i of items) expect(i).toMatchObject({ state: 'SUCCEEDED', attempts: 2 });
  }, 120_000);
});

const BULK_NS = `mutation($k: String!, $domains: [String!]) { bulkReplaceNameserver(idempotencyKey: $k, from: "ns1.example.net", to: { name: "ns9.example.org" }, domains: $domains) { job { id } } }`;

describe('bulkReplaceNameserver through PUT /repp/v1/registrar/nameservers', () => {
  it('replaces the server on the listed domains in ceil(N / chunk) requests; a domain without it is skipped', async () => {
    const names = await createDomains(A, 'ns', 4);
    const [without] = await createDomains(A, 'nsx', 1, OWN, ['ns3.example.net', 'ns2.example.net']);
    const c0 = await counts('bulk:nameservers');
    const { job, items } = await submit(A, BULK_NS, { domains: [...names, without] });
    expect(job.counts).toEqual({ done: 5, failed: 0, pending: 0, running: 0, cancelled: 0 });
    expect(delta(c0, await counts('bulk:nameservers'))).toEqual({ applied: Math.ceil(5 / CHUNK), logged: Math.ceil(5 / CHUNK), single: 0 });
    for (const n of names) expect(sandbox.domain(n)!.nameservers.map((x) => x.hostname).sort()).toEqual(['ns2.example.net', 'ns9.example.org']);
    expect(sandbox.domain(without!)!.nameservers.map((x) => x.hostname).sort()).toEqual(['ns2.example.net', 'ns3.example.net']);
    const skipped = await t.gql(A, `query($id: ID!) { bulkJob(id: $id) { items(first: 10) { edges { node { domainName skipped } } } } }`, { id: job.id });
    expect(skipped.data.bulkJob.items.edges.find((e: any) => e.node.domainName === without).node.skipped).toMatch(/ns1\.example\.net/);
    expect(items.every((i) => i.state === 'SUCCEEDED')).toBe(true);
  }, 120_000);

  it('a domain that has the new server already (REPP\'s request skips it) loses the old one through one single-domain update, as on the other backends', async () => {
    const [both] = await createDomains(A, 'nsb', 1, OWN, ['ns1.example.net', 'ns9.example.org', 'ns2.example.net']);
    const c0 = await counts('bulk:nameservers');
    const { job, items } = await submit(A, BULK_NS, { domains: [both] });
    expect(job.counts).toMatchObject({ done: 1, failed: 0 });
    expect(items[0]).toMatchObject({ state: 'SUCCEEDED', transaction: { resultCode: 1000 } });
    expect(sandbox.domain(both!)!.nameservers.map((x) => x.hostname).sort()).toEqual(['ns2.example.net', 'ns9.example.org']);
    expect(delta(c0, await counts('bulk:nameservers'))).toEqual({ applied: 1, logged: 1, single: 1 }); // the bulk request (REPP skipped the domain) and one update
  }, 60_000);
});

/** Each item's `skipped` reason by domain name. */
async function skippedOf(id: string): Promise<Map<string, string | null>> {
  const r = await t.gql(A, `query($id: ID!) { bulkJob(id: $id) { items(first: 1000) { edges { node { domainName skipped } } } } }`, { id });
  expect(r.errors).toBeUndefined();
  return new Map(r.data.bulkJob.items.edges.map((e: any) => [e.node.domainName, e.node.skipped]));
}

const BULK_TECH = `mutation($k: String!, $from: String!, $to: String!, $domains: [String!]) { bulkReplaceTechContact(idempotencyKey: $k, from: $from, to: $to, domains: $domains) { job { id } } }`;

describe('bulkReplaceTechContact', () => {
  it('over every domain: one PATCH /repp/v1/domains/contacts for the whole job; each domain with the contact changed once', async () => {
    const names = await createDomains(A, 'tehn', 4, { registrant: 'ATSAA:KARL', contacts: [{ role: 'ADMIN', id: 'ATSAA:KARL' }, { role: 'TECH', id: 'ATSAA:B839862D' }] });
    const c0 = await counts('bulk:tech_contacts', 'bulk:tech-contacts');
    const { job, items } = await submit(A, BULK_TECH, { from: 'ATSAA:B839862D', to: 'ATSAA:LIZ', domains: null });
    expect(job.counts.failed).toBe(0);
    expect(job.counts.done).toBeGreaterThan(CHUNK); // every .ee domain of the registrar's: several chunks
    expect(delta(c0, await counts('bulk:tech_contacts', 'bulk:tech-contacts'))).toEqual({ applied: 1, logged: 1, single: 0 });
    for (const n of names) expect(sandbox.domain(n)!.tech).toEqual(['ATSAA:LIZ']);
    for (const n of names) expect(items.find((i) => i.domainName === n)).toMatchObject({ state: 'SUCCEEDED', transaction: { resultCode: 1000 } });
  }, 120_000);

  it('over every domain, a from the registry does not have (PATCH refused, 2303): every domain is skipped as on the other backends; a to it does not have is refused at submission, naming to, nothing written or sent', async () => {
    const [mine] = await createDomains(A, 'tehz', 1); // tech ATSAA:KARL
    const tech0 = sandbox.domain(mine!)!.tech;
    const c0 = await counts('bulk:tech_contacts', 'bulk:tech-contacts');
    const absent = await submit(A, BULK_TECH, { from: 'ATSAA:NOSUCH', to: 'ATSAA:LIZ', domains: null });
    expect(absent.job.counts).toMatchObject({ failed: 0, done: absent.items.length });
    expect(absent.items.length).toBeGreaterThan(CHUNK); // several chunks: the later ones settle from the one refusal
    const skips = await skippedOf(absent.job.id);
    expect(absent.items.every((i) => skips.get(i.domainName)?.includes('ATSAA:NOSUCH is not a tech contact'))).toBe(true);
    expect(sandbox.domain(mine!)!.tech).toEqual(tech0);
    expect(delta(c0, await counts('bulk:tech_contacts', 'bulk:tech-contacts'))).toMatchObject({ applied: 0, single: 0 });

    // Before, every domain with ATSAA:KARL failed at the registry (2303) and the others were skipped:
    // a job that could do nothing. Now the registry is asked once (its contact check) and the job refused.
    const c1 = await counts('bulk:tech_contacts', 'bulk:tech-contacts');
    const k = randomUUID();
    const noTo = await t.gql(A, BULK_TECH, { k, from: 'ATSAA:KARL', to: 'ATSAA:NOSUCH', domains: null });
    expect(noTo.errors?.[0]).toMatchObject({ message: 'to: contact "ATSAA:NOSUCH" does not exist at registry "sandbox-repp"', extensions: { code: 'OBJECT_NOT_FOUND', field: 'to', registry: 'sandbox-repp' } });
    expect(await t.gateway.services.prisma.bulkJob.count({ where: { idempotencyKey: k } })).toBe(0);
    expect(delta(c1, await counts('bulk:tech_contacts', 'bulk:tech-contacts'))).toMatchObject({ applied: 0, single: 0 });
    expect(sandbox.domain(mine!)!.tech).toEqual(tech0);
  }, 120_000);

  it('on listed domains, a from the registry does not have: each listed domain is skipped, nothing sent', async () => {
    const names = await createDomains(A, 'tehy', 2);
    const c0 = await counts('domain:update');
    const { job, items } = await submit(A, BULK_TECH, { from: 'ATSAA:NOSUCH', to: 'ATSAA:LIZ', domains: names });
    expect(job.counts).toMatchObject({ done: 2, failed: 0 });
    const skips = await skippedOf(job.id);
    for (const i of items) expect(skips.get(i.domainName)).toContain('ATSAA:NOSUCH is not a tech contact');
    expect(delta(c0, await counts('domain:update')).single).toBe(0);
  }, 120_000);

  it('on listed domains: one update per domain (the endpoint cannot be limited to a list), the other domains untouched', async () => {
    const names = await createDomains(A, 'tehl', 2, { registrant: 'ATSAA:KARL', contacts: [{ role: 'ADMIN', id: 'ATSAA:KARL' }, { role: 'TECH', id: 'ATSAA:84F23FD1' }] });
    const [other] = await createDomains(A, 'tehm', 1, { registrant: 'ATSAA:KARL', contacts: [{ role: 'ADMIN', id: 'ATSAA:KARL' }, { role: 'TECH', id: 'ATSAA:84F23FD1' }] });
    const c0 = await counts('bulk:tech_contacts', 'bulk:tech-contacts');
    const { job } = await submit(A, BULK_TECH, { from: 'ATSAA:84F23FD1', to: 'ATSAA:LIZ', domains: names });
    expect(job.counts).toMatchObject({ done: 2, failed: 0 });
    expect(delta(c0, await counts('bulk:tech_contacts', 'bulk:tech-contacts'))).toMatchObject({ applied: 0, logged: 0 });
    for (const n of names) expect(sandbox.domain(n)!.tech).toEqual(['ATSAA:LIZ']);
    expect(sandbox.domain(other!)!.tech).toEqual(['ATSAA:84F23FD1']);
  }, 120_000);

  it('over every domain, a domain an earlier job changed already is skipped from the PATCH answer in hand: not reported changed, not read', async () => {
    // A user's two runs: the CLI's listed replacement on half the domains (one update each), then
    // the same replacement on every domain (REPP's PATCH). REPP's answer lists every domain it
    // changed or skipped; the listed half were in neither, and nothing was sent for them.
    const contact = async (name: string) => {
      const r = await t.gql(A, 'mutation($k: String!, $i: CreateContactInput!) { createContact(idempotencyKey: $k, input: $i) { id } }', {
        k: randomUUID(),
        i: { postalInfo: [{ name, city: 'Tallinn', cc: 'EE' }], voice: '+372.5550000', email: `${name.toLowerCase().replace(" ", ".")}@example.ee`, authInfo: 'Tech-pw-1', ident: { code: '38001010008', type: 'PRIV', countryCode: 'EE' } },
      });
      expect(r.errors).toBeUndefined();
      return r.data.createContact.id as string;
    };
    // A job, run to its end, and its items by name (pages of 200: the key's rate limit counts what a page may hold).
    const run = async (variables: Record<string, unknown>) => {
      const r = await t.gql(A, BULK_TECH, { k: randomUUID(), ...variables });
      expect(r.errors).toBeUndefined();
      const id = r.data.bulkReplaceTechContact.job.id as string;
      const job = await waitFinished(t, A, id);
      const page = await t.gql(A, `query($id: ID!) { bulkJob(id: $id) { items(first: 200) { edges { node { domainName state skipped transaction { clientTransactionId resultCode message } } } pageInfo { hasNextPage } } } }`, { id });
      expect(page.errors).toBeUndefined();
      expect(page.data.bulkJob.items.pageInfo.hasNextPage).toBe(false);
      return { job, item: new Map<string, any>(page.data.bulkJob.items.edges.map((e: any) => [e.node.domainName, e.node])) };
    };
    const [from, to] = [await contact('Tech From'), await contact('Tech To')];
    const names = await createDomains(A, 'rt', 6, { registrant: 'ATSAA:KARL', contacts: [{ role: 'ADMIN', id: 'ATSAA:KARL' }, { role: 'TECH', id: from }] });
    const listed = await run({ from, to, domains: names.slice(0, 3) });
    expect(listed.job.counts).toMatchObject({ done: 3, failed: 0 });
    const reads = async () => {
      await t.gateway.commandLog.flush();
      return t.gateway.services.prisma.commandLog.count({ where: { command: 'domain:info', objectName: { in: names } } });
    };
    const [c0, reads0] = [await counts('bulk:tech_contacts', 'bulk:tech-contacts'), await reads()];
    const { item } = await run({ from, to, domains: null });
    expect(delta(c0, await counts('bulk:tech_contacts', 'bulk:tech-contacts'))).toMatchObject({ applied: 1, logged: 1 });
    for (const n of names) expect(sandbox.domain(n)!.tech).toEqual([to]);
    for (const n of names.slice(0, 3)) expect(item.get(n), n).toEqual({ domainName: n, state: 'SUCCEEDED', skipped: `${from} is not a tech contact of the domain`, transaction: null });
    for (const n of names.slice(3)) expect(item.get(n), n).toMatchObject({ state: 'SUCCEEDED', skipped: null, transaction: { resultCode: 1000, clientTransactionId: expect.not.stringMatching(/^reconciled:/) } });
    // REPP's answer said it: no domain of the job was read to find out (reconciliation is for a lost answer).
    expect((await reads()) - reads0).toBe(0);

    // The PATCH back whose answer is lost: the job's domains are read and reconciled as changed by
    // the job (not called skipped), whichever chunk sent it; the later chunk's own request changed nothing.
    sandbox.faults.next({ route: 'bulk:tech_contacts', action: 'drop-after-apply' });
    const back = await run({ from: to, to: from, domains: null });
    expect(back.job.counts).toMatchObject({ failed: 0 });
    for (const n of names) expect(sandbox.domain(n)!.tech).toEqual([from]);
    for (const n of names) expect(back.item.get(n), n).toMatchObject({ state: 'SUCCEEDED', skipped: null, transaction: { resultCode: 1000 } });
  }, 120_000);
});

// Last in the file: the tests above spend NewRegistrar's balance, so the registry starts again from its seed.
describe('bulkRenew renew_period', () => {
  it('whole years given in months (12, then 24 MONTHS) are sent as the document\'s renew_period "1y", "2y" (it lists 3m, 6m, 9m, 1y ... 10y): renewed, one bulk request each', async () => {
    sandbox.reset();
    const [name] = await createDomains(A, 'kuud', 1);
    for (const months of [12, 24]) {
      const before = year(name!);
      const c0 = await counts('bulk:renew');
      const r = await t.gql(A, `mutation($k: String!, $d: [BulkRenewItemInput!]!, $p: PeriodInput) { bulkRenew(idempotencyKey: $k, domains: $d, period: $p) { job { id } } }`, {
        k: randomUUID(),
        d: [{ name }],
        p: { value: months, unit: 'MONTHS' },
      });
      expect(r.errors).toBeUndefined();
      const job = await waitFinished(t, A, r.data.bulkRenew.job.id);
      expect(job.counts).toEqual({ done: 1, failed: 0, pending: 0, running: 0, cancelled: 0 });
      expect(year(name!)).toBe(before + months / 12);
      expect(delta(c0, await counts('bulk:renew'))).toEqual({ applied: 1, logged: 1, single: 0 });
    }
  }, 120_000);
});
