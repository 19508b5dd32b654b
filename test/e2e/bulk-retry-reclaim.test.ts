/**
 * An item that failed in a way worth another attempt (2400) is written PENDING and claimed again;
 * that second claim's run must go ahead. The runner forgot the claims of the items a flush wrote
 * once the write's answer was read, by item id: when the new claim's answer was read first (the
 * claim sees the PENDING row as soon as the write commits; on a loaded machine both answers are
 * read in one turn of the event loop), the flush forgot the new claim, the retry sent nothing
 * ("taken by another instance") and the item stayed RUNNING until its lease lapsed (30 s), then
 * ran in doubt: attempts 3 instead of 2 (test/e2e/bulk.test.ts 'streams each outcome once',
 * 'expected [] to have a length of 1', on PostgreSQL under load). Here the flush's answer is held
 * until the runner has claimed the item again, and the retry waits until that flush is done.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { itemKey, type ClaimedItem, type ItemOutcome } from '../../src/bulk/store.js';
import { allItems, BULK_RENEW, createDomains, waitFinished } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const lines: { level: number; msg: string }[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});

let t: TestGateway;
let sandbox: EppSandbox;
let key: string;

beforeAll(async () => {
  t = await startTestGateway({
    logger: pino({ level: 'warn' }, sink),
    configure: (c) => {
      // The runner starts once the test has put its hooks in place; a lease far longer than the test.
      c.bulk = { enabled: false, idleMs: 50, backoffMs: 1, leaseMs: 600_000, backendConcurrency: { 'sandbox-nomulus': 1 } };
      c.poll = { ...c.poll, enabled: false };
    },
  });
  sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-nomulus') as EppSandbox;
  key = t.keys['NewRegistrar']!;
}, 120_000);
afterAll(() => t?.close());

describe('an item claimed again after a transient failure', () => {
  it('runs its retry at once, also when the new claim is read before the write that made it PENDING', async () => {
    const { bulk, idempotency } = t.gateway.services;
    const store = bulk.store;
    const [name] = await createDomains(t, key, `rc${Date.now().toString(36)}`, 'tld', 1);
    const jobKey = randomUUID();
    const retryKey = itemKey(jobKey, 0);

    // The write of the PENDING outcome commits; its answer is held until the item is claimed again.
    let pendingWritten!: () => void;
    const written = new Promise<void>((r) => (pendingWritten = r));
    let releaseWrite!: () => void;
    const writeAnswered = new Promise<void>((r) => (releaseWrite = r));
    const settle = store.settle.bind(store);
    store.settle = async (holder: string, outcomes: ItemOutcome[]) => {
      const r = await settle(holder, outcomes);
      if (outcomes.some((o) => o.state === 'PENDING')) {
        pendingWritten();
        await writeAnswered;
      }
      return r;
    };
    const claims: ClaimedItem[] = [];
    const claim = store.claim.bind(store);
    store.claim = async (...args: Parameters<typeof claim>) => {
      const items = await claim(...args);
      claims.push(...items);
      return items;
    };
    // The retry (a later attempt goes through IdempotencyService.run) starts once the runner holds
    // the new claim; it goes on only after that held write's answer was read and handled.
    let retryStarted!: () => void;
    const started = new Promise<void>((r) => (retryStarted = r));
    let letRetryGo!: () => void;
    const go = new Promise<void>((r) => (letRetryGo = r));
    let retried: Promise<unknown> | undefined; // the retry's run: its answer, or what it threw
    const run = idempotency.run.bind(idempotency);
    idempotency.run = (async (req: Parameters<typeof run>[0], ...rest: unknown[]) => {
      if (req.key !== retryKey) return (run as (...a: unknown[]) => Promise<unknown>)(req, ...rest);
      retryStarted();
      await go;
      const p = (run as (...a: unknown[]) => Promise<unknown>)(req, ...rest);
      retried = p.catch((e: unknown) => e);
      return p;
    }) as typeof idempotency.run;

    const renews = sandbox.applied('domain:renew');
    sandbox.faults.next({ command: 'domain:renew', action: 'server-error' }); // 2400: nothing applied, worth another attempt
    const submitted = await t.gql(key, BULK_RENEW, { k: jobKey, domains: [{ name }] });
    expect(submitted.errors).toBeUndefined();
    const jobId: string = submitted.data.bulkRenew.job.id;
    await bulk.runner.start();

    await written;
    await started; // claimed again (attempts 2) while the write that made it PENDING is not answered yet
    expect(claims.filter((c) => c.jobId === jobId).map((c) => c.attempts)).toEqual([1, 2]);
    releaseWrite();
    await bulk.runner.flush(); // the held write's answer handled
    letRetryGo();
    while (!retried) await new Promise((r) => setImmediate(r));
    await retried;
    // The retry was sent (it used to be dropped, nothing sent, as if another instance held the item).
    expect(sandbox.applied('domain:renew') - renews).toBe(1);
    expect(lines.filter((l) => /taken by another instance/.test(l.msg))).toEqual([]);

    const done = await waitFinished(t, key, jobId);
    expect(done.counts).toEqual({ done: 1, failed: 0, pending: 0, running: 0, cancelled: 0 });
    expect((await allItems(t, key, jobId)).map((i) => [i.state, i.attempts])).toEqual([['SUCCEEDED', 2]]);
    expect(sandbox.applied('domain:renew') - renews).toBe(1);
  }, 60_000);
});
