/**
 * The Joker sandbox keeps its state beside the database, as the EPP sandboxes do
 * (`<sandboxStateDir>/<backend>.json`; the zero-setup start's DATA_DIR/sandbox): a gateway started
 * again on the same database and state finds the queued requests' results (Proc-IDs) its bulk items
 * AWAITING_REGISTRY wait for, so they settle instead of waiting idempotency.awaitHours (90 days)
 * and holding a bulk.maxOpenJobs slot. A request the sandbox had not processed when it stopped is
 * NACKed (2400 "command failed": not processed, nothing applied) once it starts again: as a 2400
 * answered at once, that leaves the key free (README, Idempotency contract), so its bulk item runs
 * again after its back-off and a single mutation's retry under the same key sends it again. Before,
 * the key kept the 2400 (`retryable: true`) for ever: a client retrying it as told looped, and the
 * item failed although nothing had been tried but the one unprocessed request.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JokerSandbox } from '../../src/sandbox/joker/index.js';
import { allItems, waitFinished } from '../helpers/bulk.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { keepBackends, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await freshDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-joker-state-'));
});
afterAll(async () => {
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

const start = (keepDatabase: boolean) =>
  startTestGateway({
    database: keepDatabase ? { ...db, close: async () => {} } : db,
    sandboxStateDir: dir,
    configure: (c) => {
      keepBackends(c, ['joker'], 'sandbox-joker');
      c.poll.intervalMs = 100;
      c.backends.find((b) => b.kind === 'joker')!.sandbox = { domainDelayMs: 0 }; // due at once: hold() decides when it is processed
    },
  });

const SINGLE = `mutation($k: String!) { renewDomain(idempotencyKey: $k, input: { name: "alpha.joker.test", period: { value: 1, unit: YEARS } }) { replayed expiresAt transaction { resultCode pending serverTransactionId } } }`;
/** The calendar date (YYYY-MM-DD) a year after the ISO time `iso`. */
const addYear = (iso: string) => `${Number(iso.slice(0, 4)) + 1}${iso.slice(4, 10)}`;
const RENEW = `mutation($k: String!) { bulkRenew(idempotencyKey: $k, domains: [{ name: "alpha.joker.test" }], period: { value: 1, unit: YEARS }) { job { id } } }`;

/** Submits a renewal of alpha.joker.test and answers the job id once its item awaits the registry. */
async function awaitingRenewal(t: TestGateway, key: string): Promise<string> {
  const r = await t.gql(key, RENEW, { k: randomUUID() });
  expect(r.errors).toBeUndefined();
  const id = r.data.bulkRenew.job.id as string;
  for (;;) {
    const [item] = await allItems(t, key, id);
    if (item.state === 'AWAITING_REGISTRY') return id;
    expect(['PENDING', 'RUNNING']).toContain(item.state);
    await new Promise((res) => setTimeout(res, 50));
  }
}

it('bulk items awaiting the Joker sandbox settle after a gateway restart on the same data', { timeout: 120_000 }, async () => {
  const first = await start(true);
  const A = first.keys.NewRegistrar!;
  const joker = first.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
  const before = joker.domain('alpha.joker.test')!.expires;
  joker.hold();
  const processed = await awaitingRenewal(first, A);
  joker.release();
  expect(joker.pendingJobs()).toBe(0); // processed at the registry; the gateway has not read its result yet
  const renewed = joker.domain('alpha.joker.test')!.expires;
  expect(renewed > before).toBe(true);
  joker.hold();
  const unprocessed = await awaitingRenewal(first, A);
  // A single renewal queued too, under key K.
  const K = randomUUID();
  const queued = await first.gql(A, SINGLE, { k: K });
  expect(queued.errors).toBeUndefined();
  expect(queued.data.renewDomain.transaction).toMatchObject({ resultCode: 1001, pending: true });
  await first.close(); // the sandbox stops with both renewals still queued

  const second = await start(false);
  try {
    const B = second.keys.NewRegistrar!;
    const joker2 = second.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
    expect(joker2.domain('alpha.joker.test')!.expires).toBe(renewed); // the registry's state came back, not its seed
    await waitFinished(second, B, processed);
    const [done] = await allItems(second, B, processed);
    expect(done.state).toBe('SUCCEEDED');
    expect(done.expiresAt.slice(0, 19)).toBe(renewed.slice(0, 19)); // DMAPI answers whole seconds
    // The bulk item NACKed "not processed" ran again: renewed once, a year after the first job's.
    await waitFinished(second, B, unprocessed);
    const [again] = await allItems(second, B, unprocessed);
    expect(again).toMatchObject({ state: 'SUCCEEDED', attempts: 2 });
    const oneMore = addYear(renewed);
    expect(joker2.domain('alpha.joker.test')!.expires.slice(0, 10)).toBe(oneMore);
    // The single renewal under K: once its NACK is stored, the same key sends it again (no replay of the 2400).
    const stored = async (procId: string) => {
      while (!(await second.gateway.services.prisma.pollMessage.findFirst({ where: { backend: 'sandbox-joker', upstreamId: procId } }))) await new Promise((res) => setTimeout(res, 50));
    };
    await stored(queued.data.renewDomain.transaction.serverTransactionId);
    const retried = await second.gql(B, SINGLE, { k: K });
    expect(retried.errors).toBeUndefined();
    expect(retried.data.renewDomain.replayed).toBe(false); // sent again (answered 1000, or queued: 1001)
    if (retried.data.renewDomain.transaction.resultCode === 1001) {
      await stored(retried.data.renewDomain.transaction.serverTransactionId);
      expect((await second.gql(B, SINGLE, { k: K })).data.renewDomain.transaction.resultCode).toBe(1000);
    }
    expect(joker2.domain('alpha.joker.test')!.expires.slice(0, 10)).toBe(addYear(`${oneMore}T00:00:00Z`));
  } finally {
    await second.close();
  }
});

it('a second gateway on the same sandbox state folder is refused while the first runs (the two would overwrite each other\'s registries), and starts once it stopped', { timeout: 120_000 }, async () => {
  const [a, b] = [await freshDatabase(), await freshDatabase()];
  const on = (database: TestDatabase, keep: boolean) =>
    startTestGateway({ database: keep ? { ...database, close: async () => {} } : database, sandboxStateDir: dir, configure: (c) => keepBackends(c, ['joker'], 'sandbox-joker') });
  const first = await on(a, false);
  try {
    await expect(on(b, true)).rejects.toThrow(`sandbox state ${dir} is already open in this process`);
  } finally {
    await first.close();
  }
  const again = await on(b, false);
  await again.close();
});
