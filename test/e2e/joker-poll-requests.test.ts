/**
 * What one poll round costs at Joker, where every DMAPI request counts against the reseller's
 * request limits: one `result-list`, then per answered result one `result-retrieve` and one
 * `result-delete`. The trial: the poller listed the queue before and after every message (a
 * result-list per pollRequest and another per pollAck, plus a last empty one), about three lists
 * for each message it moved. Counted by the Joker sandbox (requests it answered), over HTTPS.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JokerBackendConfig } from '../../src/backends/joker/config.js';
import type { JokerSandbox } from '../../src/sandbox/joker/index.js';
import { keepBackends, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { whileHeld } from '../helpers/held-sandbox.js';

let t: TestGateway;
let joker: JokerSandbox;
let A: string;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      // One round when the gateway starts, then only the rounds `pollMessages` asks for (drainNow).
      c.poll.intervalMs = 3_600_000;
      keepBackends(c, ['joker'], 'sandbox-joker');
      (c.backends[0] as JokerBackendConfig).sandbox = { domainDelayMs: 0 };
    },
  });
  joker = t.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
  A = t.keys.NewRegistrar!;
}, 60_000);
afterAll(() => t?.close());

const sent = () => ({ list: joker.answered('result-list'), retrieve: joker.answered('result-retrieve'), delete: joker.answered('result-delete') });
const delta = (a: ReturnType<typeof sent>, b: ReturnType<typeof sent>) => ({ list: b.list - a.list, retrieve: b.retrieve - a.retrieve, delete: b.delete - a.delete });
/** pollMessages drains the registrar's queues first (one round), then reads the store. */
const stored = async (names: string[]) => {
  const r = await t.gql(A, 'query($o: [String!]) { pollMessages(objects: $o) { edges { node { type objectName upstreamId } } } }', { o: names });
  expect(r.errors).toBeUndefined();
  return r.data.pollMessages.edges.map((e: { node: { type: string; objectName: string } }) => e.node);
};

it('a poll round costs one result-list, and one result-retrieve and one result-delete per new result', async () => {
  // The start-up rounds are over: NewRegistrar's (pollMessages drains it), and TheRegistrar's,
  // which the sandbox's counts include too (it has a Joker account) and which nothing else waits for.
  await stored([]);
  await t.gateway.services.ingester.drainNow('TheRegistrar');
  const names = [0, 1, 2].map((i) => `round-${i}-${randomUUID().slice(0, 6)}.joker.test`);
  // Three registrations the registry only queues: three results for the poller.
  await whileHeld(joker, async () => {
    for (const n of names) {
      const r = await t.gql(
        A,
        'mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, registrant: "CJOK-1", contacts: [{ role: ADMIN, id: "CJOK-1" }, { role: TECH, id: "CJOK-1" }, { role: BILLING, id: "CJOK-1" }], nameservers: [{ name: "ns1.sandbox-dns.test" }], authInfo: "Round-pw-1" }) { transaction { pending } } }',
        { k: randomUUID(), n },
      );
      expect(r.errors).toBeUndefined();
      expect(r.data.createDomain.transaction.pending).toBe(true);
    }
  });

  const before = sent();
  const got = await stored(names);
  expect(got.map((m: { objectName: string }) => m.objectName).sort()).toEqual([...names].sort());
  expect(got.every((m: { type: string }) => m.type === 'PENDING_ACTION_COMPLETED')).toBe(true);
  expect(delta(before, sent())).toEqual({ list: 1, retrieve: 3, delete: 3 });
  expect(joker.pendingJobs()).toBe(0);

  // A round with nothing new: the one list.
  const idle = sent();
  expect(await stored(names)).toHaveLength(3);
  expect(delta(idle, sent())).toEqual({ list: 1, retrieve: 0, delete: 0 });
}, 60_000);
