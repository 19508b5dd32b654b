/**
 * A zero-setup gateway started again on the same database, as `npm start` twice on one ./data:
 * the REPP, Joker and HeadlessDomains sandboxes live in memory and begin from their seed, but the
 * poll messages they queue after the restart must still reach the gateway. The gateway keeps one
 * poll message per registry id (REPP notification id, Joker Proc-ID, HeadlessDomains audit row
 * id), so a sandbox that numbered them from its seed again would have its new messages dropped as
 * duplicates of the first run's. Both runs cause the same kinds of message; each must arrive.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JokerSandbox } from '../../src/sandbox/joker/index.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(() => db?.close());

/** A gateway on the test's database; the first one leaves it open for the second, as a stopped process leaves ./data. */
const start = (keepDatabase: boolean) =>
  startTestGateway({
    database: keepDatabase ? { ...db, close: async () => {} } : db,
    configure: (c) => {
      c.poll.intervalMs = 100;
      const joker = c.backends.find((b) => b.kind === 'joker')!;
      joker.sandbox = { domainDelayMs: 0 }; // processed at the next request
      const hd = c.backends.find((b) => b.kind === 'headless')!;
      hd.sandbox = { applyDelayMs: 0 };
    },
  });

/** The registrar's stored poll messages about `name` (acknowledged or not), once there are `min`; the test's timeout bounds the wait. */
async function messagesAbout(t: TestGateway, key: string, name: string, min = 1): Promise<Array<{ registry: string; upstreamId: string; type: string }>> {
  for (;;) {
    const r = await t.gql(key, 'query($o: [String!]) { pollMessages(objects: $o, includeAcknowledged: true, first: 50) { edges { node { registry upstreamId type objectName } } } }', { o: [name] });
    expect(r.errors).toBeUndefined();
    const found = r.data.pollMessages.edges.map((e: any) => e.node);
    if (found.length >= min) return found;
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** One message from each in-memory sandbox, about names the run picks. */
async function causeMessages(t: TestGateway, run: { hd: string; ee: string; jokerMessages: number }) {
  const A = t.keys.NewRegistrar!;
  const B = t.keys.TheRegistrar!;
  const ok = async (key: string, query: string, variables: Record<string, unknown>) => {
    const r = await t.gql(key, query, { k: randomUUID(), ...variables });
    expect(r.errors).toBeUndefined();
    return r.data;
  };
  // HeadlessDomains: the create's own audit row.
  await ok(A, 'mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Create-pw-1", registrantInfo: { name: "Ada", email: "ada@example.net" } }) { name } }', { n: run.hd });
  // Joker: a renewal held in the registry's queue (Proc-ID) answers pending; its result is a PENDING_ACTION_COMPLETED poll message.
  const joker = t.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
  joker.hold();
  try {
    const renew = await ok(A, 'mutation($k: String!) { renewDomain(idempotencyKey: $k, input: { name: "alpha.joker.test", period: { value: 1, unit: YEARS } }) { transaction { pending } } }', {});
    expect(renew.renewDomain.transaction.pending).toBe(true);
  } finally {
    joker.release();
  }
  // REPP: TheRegistrar transfers one of NewRegistrar's seeded domains away; REPP notifies NewRegistrar.
  const code = (await ok(A, 'query($n: String!) { domain(name: $n) { authInfo } }', { n: run.ee })).domain.authInfo;
  await ok(B, 'mutation($k: String!, $n: String!, $a: String!) { requestTransfer(idempotencyKey: $k, domainName: $n, authInfo: $a) { transfer { status } } }', { n: run.ee, a: code });
  return [await messagesAbout(t, A, run.hd), await messagesAbout(t, A, 'alpha.joker.test', run.jokerMessages), await messagesAbout(t, A, run.ee)];
}

it('poll messages of the REPP, Joker and HeadlessDomains sandboxes still arrive after the gateway starts again on the same database', { timeout: 180_000 }, async () => {
  const first = await start(true);
  const before = await causeMessages(first, { hd: `first-${randomUUID().slice(0, 8)}.hdtest`, ee: 'kass.ee', jokerMessages: 1 });
  expect(before.map((m) => m[0].registry)).toEqual(['sandbox-headless', 'sandbox-joker', 'sandbox-repp']);
  await first.close();

  const second = await start(false);
  try {
    // Fresh seeds: alpha.joker.test is NewRegistrar's again (its second renewal's message joins the
    // first run's); these.ee is another of NewRegistrar's seeded REPP domains.
    const after = await causeMessages(second, { hd: `second-${randomUUID().slice(0, 8)}.hdtest`, ee: 'these.ee', jokerMessages: 2 });
    expect(after.map((m) => m[0].registry)).toEqual(['sandbox-headless', 'sandbox-joker', 'sandbox-repp']);
    expect(after[1].map((m) => m.type)).toEqual(['PENDING_ACTION_COMPLETED', 'PENDING_ACTION_COMPLETED']);
  } finally {
    await second.close();
  }
});
