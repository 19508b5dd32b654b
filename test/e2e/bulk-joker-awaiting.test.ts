/**
 * Bulk items on Joker, whose DMAPI queues modifying requests (answer with a Proc-ID, the result
 * later through result-list): over GraphQL and graphql-ws against the zero-setup gateway and its
 * Joker sandbox over HTTPS. While the sandbox holds its queue, the items are AWAITING_REGISTRY
 * (1001 with the Proc-ID, no expiry yet) and the job is not finished; once released, the poller
 * stores each completion and the items are settled from it: a transfer with a wrong auth code
 * FAILED with Joker's code and text, one with the right code and a renewal SUCCEEDED (the
 * renewal's expiry the registry's); counts and finishedAt follow. The settlement is in the
 * database: an instance that never ran the items ingests the results and settles them. The wait
 * is bounded, on the gateway's (fake) clock: an item's record outlives the 7-day idempotency TTL
 * while its result is awaited, and an item still awaiting after idempotency.awaitHours is
 * FAILED with OUTCOME_UNKNOWN.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JokerBackendConfig } from '../../src/backends/joker/config.js';
import { itemKey } from '../../src/bulk/store.js';
import { FakeClock } from '../../src/core/clock.js';
import { JokerSandbox } from '../../src/sandbox/joker/index.js';
import { atStandaloneJoker } from '../helpers/dmapi.js';
import { allItems, waitFinished } from '../helpers/bulk.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let sandbox: JokerSandbox;
let key: string;

const COUNTS = 'counts { done failed pending running awaiting cancelled }';
const JOB = `query($id: ID!) { bulkJob(id: $id) { state finishedAt ${COUNTS}
  items(first: 10) { edges { node { position domainName state attempts expiresAt transaction { resultCode pending serverTransactionId } error { code message upstreamCode field } } } } } }`;
const SUBSCRIPTION = `subscription($id: ID!) { bulkJob(id: $id) { job { state ${COUNTS} } outcomes { position state transaction { resultCode pending } error { code upstreamCode } } } }`;

beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.intervalMs = 150;
      c.bulk = { idleMs: 100 };
      const joker = c.backends.find((b) => b.kind === 'joker')!;
      joker.sandbox = { domainDelayMs: 0 }; // processed at the next request, unless held
    },
  });
  sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
  key = t.keys.NewRegistrar!;
}, 120_000);
afterAll(() => t?.close());

async function job(id: string): Promise<any> {
  const r = await t.gql(key, JOB, { id });
  expect(r.errors).toBeUndefined();
  return r.data.bulkJob;
}

/** Reads the job until `until` holds (a state the test waits for; the test's timeout bounds it). */
async function jobWhen(id: string, until: (j: any) => boolean): Promise<any> {
  for (;;) {
    const j = await job(id);
    if (until(j)) return j;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The job's subscription: `events` grows as they come; `done` resolves with all of them once it ends. */
function follow(id: string): { events: any[]; done: Promise<any[]> } {
  const client = createClient({ url: t.gateway.wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${key}` }, retryAttempts: 0 });
  const events: any[] = [];
  const done = new Promise<any[]>((resolve, reject) => {
    client.subscribe(
      { query: SUBSCRIPTION, variables: { id } },
      {
        next: (r) => (r.errors ? reject(new Error(JSON.stringify(r.errors))) : events.push((r.data as any).bulkJob)),
        error: (e) => void Promise.resolve(client.dispose()).then(() => reject(e)),
        complete: () => void Promise.resolve(client.dispose()).then(() => resolve(events)),
      },
    );
  });
  return { events, done };
}

describe('bulk items Joker only queued', () => {
  it('bulkTransfer: both items await the registry while it holds them, then the wrong auth code FAILED with its reason, the right one SUCCEEDED', async () => {
    sandbox.hold();
    let released = false;
    try {
      const submitted = await t.gql(key, `mutation($k: String!, $d: [BulkTransferItemInput!]!) { bulkTransfer(idempotencyKey: $k, domains: $d) { job { id total } } }`, {
        k: randomUUID(),
        d: [
          { name: 'rival.joker.test', authInfo: 'Not-The-Auth-9' },
          { name: 'spare.joker.test', authInfo: 'Spare-Auth-3' },
        ],
      });
      expect(submitted.errors).toBeUndefined();
      const id = submitted.data.bulkTransfer.job.id;
      const sub = follow(id);

      const held = await jobWhen(id, (j) => j.counts.awaiting === 2);
      expect(held).toMatchObject({ state: 'RUNNING', finishedAt: null, counts: { done: 0, failed: 0, pending: 0, running: 0, awaiting: 2, cancelled: 0 } });
      for (const { node } of held.items.edges) {
        expect(node).toMatchObject({ state: 'AWAITING_REGISTRY', error: null, transaction: { resultCode: 1001, pending: true, serverTransactionId: expect.stringMatching(/^\d+$/) } });
      }
      expect(sandbox.domain('spare.joker.test')!.resellerUid).toBe('100002'); // nothing applied yet
      expect((await allItems(t, key, id, ['AWAITING_REGISTRY'])).map((i) => i.domainName)).toEqual(['rival.joker.test', 'spare.joker.test']);
      // The subscription has shown both items awaiting before the registry may settle them: it
      // was opened before, but nothing said it had read the job yet, and a subscription that
      // first reads the job once the items are settled rightly shows them settled only. Held,
      // they stay awaiting until it has (the test's timeout bounds the wait).
      const shown = (state: string) => sub.events.flatMap((e) => e.outcomes).filter((o: any) => o.state === state).length;
      while (shown('AWAITING_REGISTRY') < 2) await new Promise((r) => setTimeout(r, 50));

      sandbox.release();
      released = true;
      await waitFinished(t, key, id);
      expect(await job(id)).toMatchObject({ state: 'COMPLETED', finishedAt: expect.any(String), counts: { done: 1, failed: 1, pending: 0, running: 0, awaiting: 0, cancelled: 0 } });
      const [rival, spare] = (await job(id)).items.edges.map((e: any) => e.node);
      // The wrong code named as the registry's refusal at once names it (EPP's 2202): the item's auth code.
      expect(rival).toMatchObject({ domainName: 'rival.joker.test', state: 'FAILED', error: { code: 'AUTHORIZATION_ERROR', upstreamCode: 2202, field: 'domains[0].authInfo' }, transaction: { resultCode: 2202, pending: false } });
      expect(rival.error.message).toContain('Invalid authorization information');
      expect(spare).toMatchObject({ domainName: 'spare.joker.test', state: 'SUCCEEDED', error: null, transaction: { resultCode: 1000, pending: false } });
      expect(sandbox.domain('spare.joker.test')!.resellerUid).toBe('100001');
      expect(sandbox.domain('rival.joker.test')!.resellerUid).toBe('100002');

      // The poll message of the refused transfer says the same.
      const polls = await t.gateway.services.prisma.pollMessage.findMany({ where: { registrarId: 'NewRegistrar', objectName: 'rival.joker.test' } });
      expect(polls.map((p) => p.message).join('\n')).toMatch(/domain-transfer-in-reseller rival\.joker\.test .* failed: .*Invalid authorization information/);

      // The subscription showed each item awaiting, then settled; its last event, the job finished.
      const events = await sub.done;
      const seen = events.flatMap((e) => e.outcomes.map((o: any) => `${o.position}:${o.state}`));
      expect(seen.filter((s) => s.startsWith('0:'))).toEqual(['0:AWAITING_REGISTRY', '0:FAILED']);
      expect(seen.filter((s) => s.startsWith('1:'))).toEqual(['1:AWAITING_REGISTRY', '1:SUCCEEDED']);
      expect(events.at(-1).job).toMatchObject({ state: 'COMPLETED', counts: { done: 1, failed: 1, awaiting: 0 } });
    } finally {
      if (!released) sandbox.release();
    }
  }, 60_000);

  it("bulkRenew: no expiry while Joker holds the renewal; after it, the registry's new expiry, and only then is the job finished", async () => {
    const before = new Date(sandbox.domain('alpha.joker.test')!.expires);
    sandbox.hold();
    let released = false;
    try {
      const submitted = await t.gql(key, `mutation($k: String!) { bulkRenew(idempotencyKey: $k, domains: [{ name: "alpha.joker.test" }], period: { value: 1, unit: YEARS }) { job { id } } }`, { k: randomUUID() });
      expect(submitted.errors).toBeUndefined();
      const id = submitted.data.bulkRenew.job.id;
      const held = await jobWhen(id, (j) => j.counts.awaiting === 1);
      expect(held).toMatchObject({ state: 'RUNNING', finishedAt: null });
      expect(held.items.edges[0].node).toMatchObject({ state: 'AWAITING_REGISTRY', expiresAt: null, transaction: { resultCode: 1001, pending: true } });
      expect(sandbox.domain('alpha.joker.test')!.expires).toBe(before.toISOString());

      sandbox.release();
      released = true;
      await waitFinished(t, key, id);
      expect(await job(id)).toMatchObject({ state: 'COMPLETED', finishedAt: expect.any(String), counts: { done: 1, failed: 0, awaiting: 0 } });
      const after = sandbox.domain('alpha.joker.test')!.expires;
      const want = new Date(before);
      want.setUTCFullYear(want.getUTCFullYear() + 1);
      expect(after).toBe(want.toISOString());
      // The registry's date as the domain reads: Joker's dates are whole seconds (query-whois).
      const shown = (await t.gql(key, '{ domain(name: "alpha.joker.test") { expiresAt } }')).data.domain.expiresAt;
      expect(shown).toBe(new Date(Math.floor(Date.parse(after) / 1000) * 1000).toISOString());
      expect((await job(id)).items.edges[0].node).toMatchObject({ state: 'SUCCEEDED', expiresAt: shown, transaction: { resultCode: 1000, pending: false } });
    } finally {
      if (!released) sandbox.release();
    }
  }, 60_000);

  it('an item that needs no change (the transfer lock on a locked domain) is skipped: nothing sent, no command-log entry', async () => {
    const [name] = sandbox.addDomains('100001', 1, 'nochange');
    const LOCK = `mutation($k: String!, $d: [String!]!) { bulkUpdateStatuses(idempotencyKey: $k, domains: $d, add: [clientTransferProhibited], remove: []) { job { id } } }`;
    const ITEM = `query($id: ID!) { bulkJob(id: $id) { items(first: 1) { edges { node { state skipped transaction { resultCode } } } } } }`;
    const run = async (k: string) => {
      const r = await t.gql(key, LOCK, { k, d: [name] });
      expect(r.errors).toBeUndefined();
      await waitFinished(t, key, r.data.bulkUpdateStatuses.job.id);
      return (await t.gql(key, ITEM, { id: r.data.bulkUpdateStatuses.job.id })).data.bulkJob.items.edges[0].node;
    };
    expect(await run(randomUUID())).toMatchObject({ state: 'SUCCEEDED', skipped: null, transaction: { resultCode: 1000 } });
    expect(sandbox.domain(name!)!.lock).toBe(true);

    const locks = sandbox.answered('domain-lock');
    const k = randomUUID();
    // Before, the item was a SUCCEEDED update with a transaction, and the command log had a
    // domain:update entry, SUCCEEDED "nothing to change", for a command never sent.
    expect(await run(k)).toEqual({ state: 'SUCCEEDED', skipped: 'the domain already is as the job asks: nothing was sent', transaction: null });
    expect(sandbox.answered('domain-lock')).toBe(locks);
    expect(await t.gateway.services.prisma.commandLog.count({ where: { idempotencyKey: itemKey(k, 0), command: 'domain:update' } })).toBe(0);
  }, 60_000);
});

/**
 * The settlement is in the database: one instance runs the items (its poller off) and stops
 * while Joker holds them; another, which never ran them, ingests the completions and settles them.
 */
describe('an item one instance ran is settled by another that ingested its completion', () => {
  let db: TestDatabase;
  let registry: JokerSandbox;
  const gateways: TestGateway[] = [];
  let jokerUrl = '';
  let jokerCa = '';
  beforeAll(async () => {
    db = await freshDatabase();
    registry = new JokerSandbox({ domainDelayMs: 0 });
    ({ url: jokerUrl, ca: jokerCa } = await registry.start());
  }, 60_000);
  afterAll(async () => {
    for (const g of gateways) await g.close();
    await registry?.stop();
    await db?.close();
  });

  /** A gateway on the shared database whose Joker backend is `registry` (as a real registry: no in-process sandbox). */
  async function instance(id: string, poll: boolean): Promise<TestGateway> {
    const g = await startTestGateway({
      database: { prisma: db.prisma, close: async () => undefined },
      configure: (c) => {
        c.poll = { ...c.poll, enabled: poll, intervalMs: 150 };
        c.bulk = { idleMs: 100, instanceId: id };
        atStandaloneJoker(c.backends.find((b) => b.kind === 'joker') as JokerBackendConfig, jokerUrl, jokerCa);
      },
    });
    gateways.push(g);
    return g;
  }
  it('bulkTransfer run by A (no poller), A stopped; B ingests the results and settles both items', async () => {
    const a = await instance('runs-items', false);
    registry.hold();
    try {
      const submitted = await a.gql(a.keys.NewRegistrar!, `mutation($k: String!, $d: [BulkTransferItemInput!]!) { bulkTransfer(idempotencyKey: $k, domains: $d) { job { id } } }`, {
        k: randomUUID(),
        d: [
          { name: 'rival.joker.test', authInfo: 'Not-The-Auth-9' },
          { name: 'spare.joker.test', authInfo: 'Spare-Auth-3' },
        ],
      });
      expect(submitted.errors).toBeUndefined();
      const id = submitted.data.bulkTransfer.job.id;
      for (;;) {
        const j = (await a.gql(a.keys.NewRegistrar!, JOB, { id })).data.bulkJob;
        if (j.counts.awaiting === 2) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await gateways.shift()!.close();
      const b = await instance('settles-items', true);
      registry.release();
      await waitFinished(b, b.keys.NewRegistrar!, id);
      const j = (await b.gql(b.keys.NewRegistrar!, JOB, { id })).data.bulkJob;
      expect(j).toMatchObject({ state: 'COMPLETED', counts: { done: 1, failed: 1, awaiting: 0 } });
      expect(j.items.edges.map((e: any) => [e.node.domainName, e.node.state, e.node.error?.upstreamCode ?? null])).toEqual([
        ['rival.joker.test', 'FAILED', 2202],
        ['spare.joker.test', 'SUCCEEDED', null],
      ]);
      expect(registry.domain('spare.joker.test')!.resellerUid).toBe('100001');
    } finally {
      registry.release();
    }
  }, 120_000);
});

/**
 * Time on the gateway's injected clock (the Joker sandbox's too): the test moves it by days; the
 * runner looks for overdue items every 100 ms of real time, so nothing waits for days.
 */
describe('items Joker keeps queued for days', () => {
  const DAY = 86_400_000;
  const clock = new FakeClock(new Date());
  let g: TestGateway;
  let joker: JokerSandbox;
  let owner: string;
  beforeAll(async () => {
    g = await startTestGateway({
      clock,
      configure: (c) => {
        c.poll.intervalMs = 150;
        c.bulk = { idleMs: 100, overdueCheckMs: 100 };
        c.idempotency = { ...c.idempotency, ttlHours: 168, awaitHours: 30 * 24 };
        c.backends.find((b) => b.kind === 'joker')!.sandbox = { domainDelayMs: 0 };
      },
    });
    joker = g.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
    owner = g.keys.NewRegistrar!;
  }, 120_000);
  afterAll(() => g?.close());

  const RENEW = `mutation($k: String!) { bulkRenew(idempotencyKey: $k, domains: [{ name: "alpha.joker.test" }], period: { value: 1, unit: YEARS }) { job { id } } }`;
  const item = async (id: string) => (await g.gql(owner, JOB, { id })).data.bulkJob;
  async function awaiting(k: string): Promise<string> {
    const submitted = await g.gql(owner, RENEW, { k });
    expect(submitted.errors).toBeUndefined();
    const id = submitted.data.bulkRenew.job.id;
    while ((await item(id)).counts.awaiting !== 1) await new Promise((r) => setTimeout(r, 50));
    return id;
  }
  const record = (k: string) => g.gateway.services.prisma.idempotencyRecord.findUnique({ where: { registrarId_idempotencyKey: { registrarId: 'NewRegistrar', idempotencyKey: itemKey(k, 0) } } });

  it("the record of an item still awaiting survives the 7-day TTL's purge, so Joker's result on day 8 settles it", async () => {
    joker.hold();
    try {
      const k = randomUUID();
      const id = await awaiting(k);
      clock.advance(8 * DAY);
      await g.gateway.services.idempotency.purgeExpired();
      expect(await record(k)).toMatchObject({ state: 'SUCCEEDED' });
      joker.release();
      await waitFinished(g, owner, id);
      expect(await item(id)).toMatchObject({ state: 'COMPLETED', counts: { done: 1, failed: 0, awaiting: 0 } });
      expect((await item(id)).items.edges[0].node).toMatchObject({ state: 'SUCCEEDED', error: null, transaction: { resultCode: 1000, pending: false } });
    } finally {
      joker.release();
    }
  }, 60_000);

  it('an item with no result within idempotency.awaitHours is FAILED with OUTCOME_UNKNOWN, and its job finishes', async () => {
    joker.hold();
    try {
      const k = randomUUID();
      const id = await awaiting(k);
      clock.advance(29 * DAY); // within awaitHours (30 days): the record stays
      await g.gateway.services.idempotency.purgeExpired();
      expect(await record(k)).toMatchObject({ state: 'SUCCEEDED' });
      clock.advance(2 * DAY);
      await waitFinished(g, owner, id);
      const j = await item(id);
      expect(j).toMatchObject({ state: 'COMPLETED', finishedAt: expect.any(String), counts: { done: 0, failed: 1, awaiting: 0 } });
      const node = j.items.edges[0].node;
      expect(node).toMatchObject({ state: 'FAILED', error: { code: 'OUTCOME_UNKNOWN', upstreamCode: null }, transaction: { resultCode: 1001, pending: true } });
      expect(node.error.message).toContain(`request ${node.transaction.serverTransactionId}`);
      expect(node.error.message).toContain('stopped waiting');
      // Past awaitHours the record goes with the next purge like any expired one.
      await g.gateway.services.idempotency.purgeExpired();
      expect(await record(k)).toBeNull();
    } finally {
      joker.release();
    }
  }, 60_000);

  it("an overdue bulkTransfer item is FAILED and its sealed auth code is dropped from its row (it was kept for as long as the job)", async () => {
    joker.hold();
    try {
      const submitted = await g.gql(owner, `mutation($k: String!) { bulkTransfer(idempotencyKey: $k, domains: [{ name: "rival.joker.test", authInfo: "Overdue-Code-1" }]) { job { id } } }`, { k: randomUUID() });
      const id = submitted.data.bulkTransfer.job.id;
      while ((await item(id)).counts.awaiting !== 1) await new Promise((r) => setTimeout(r, 50));
      const row = () => g.gateway.services.prisma.bulkItem.findFirstOrThrow({ where: { jobId: id } });
      expect((await row()).input).toMatchObject({ authInfo: expect.stringMatching(/^sealed:aes-256-gcm:/) });
      clock.advance(31 * DAY);
      await waitFinished(g, owner, id);
      expect((await item(id)).items.edges[0].node).toMatchObject({ state: 'FAILED', error: { code: 'OUTCOME_UNKNOWN' } });
      expect((await row()).input).not.toHaveProperty('authInfo');
    } finally {
      joker.release();
    }
  }, 60_000);
});
