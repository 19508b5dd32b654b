/**
 * A pollMessages subscription's replay (the stored messages after its `after`) is paid for by its
 * API key, ROW (10) points a row read, as the pollMessages query pays for its page's rows. A
 * subscriptions trial: a replay cost its subscription's 5 points whatever it read, and one key's
 * 3,000 subscriptions replaying 38 messages each, every 3 s, within every documented limit, held
 * another registrar's `{ viewer { id } }` up to 2.5 s. Here a fresh key of the registrar (its own
 * budget, a window of an hour: nothing refills it during the test) subscribes with a cursor; once
 * the replay has arrived, a query the budget would take without the replay's rows is refused
 * RATE_LIMITED. A replay that finds the key's budget spent waits for its next window and goes on
 * in order (test/unit/limits/pay-rows.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Subscriber } from '../helpers/subscriber.js';

const POINTS = 3_000;
const MESSAGES = 30;
const PW = 'Replay-pw-2026';
let t: TestGateway;
let ids: string[];
const names = Array.from({ length: MESSAGES }, (_, i) => `replay-${i}-${randomUUID().slice(0, 8)}.tld`);

beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void ((c.limits.maxCost = POINTS - 1), (c.limits.rateLimit = { points: POINTS, durationSec: 3_600 })) });
  const ok = async (key: string, query: string) => expect((await t.gql(key, query, { k: randomUUID() })).errors).toBeUndefined();
  for (const name of names) await ok(t.keys.NewRegistrar!, `mutation($k: String!) { createDomain(idempotencyKey: $k, input: { name: "${name}", authInfo: "${PW}" }) { name } }`);
  for (const name of names) await ok(t.keys.TheRegistrar!, `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "${name}", authInfo: "${PW}") { transfer { status } } }`);
  // Stored (the query drains the queues), oldest first.
  const r = await t.gql(t.keys.NewRegistrar!, `query($o: [String!]) { pollMessages(first: ${MESSAGES}, objects: $o) { edges { node { id } } } }`, { o: names });
  expect(r.errors).toBeUndefined();
  ids = r.data.pollMessages.edges.map((e: { node: { id: string } }) => e.node.id);
  expect(ids).toHaveLength(MESSAGES);
}, 180_000);
afterAll(() => t?.close());

it("a replay's rows are paid for by the subscribing key: a query its budget took before the replay is refused after it", async () => {
  const key = (await createApiKey(t.gateway.services.prisma, 'NewRegistrar', 'replay')).key;
  const sub = await new Subscriber(t.gateway.wsUrl, key).start({ after: ids[0]!, objects: names });
  const replayed = await sub.waitFor(MESSAGES - 1);
  expect(replayed.map((m) => m.id)).toEqual(ids.slice(1));
  // The subscription cost a few points and its replay 29 x 10: some 2,700 left. Without the
  // replay's rows the key would have some 2,990: this query (15 + 10 x 280 = 2,815) would fit.
  const probe = await t.gql(key, '{ pollMessages(first: 280) { edges { node { id } } } }');
  expect(probe.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
  await sub.stop();
}, 120_000);
