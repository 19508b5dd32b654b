/**
 * The pollMessages query drains the registrar's queues only for a page that reaches the end of
 * the stored messages. A subscriptions trial: every page took about 1 s (HeadlessDomains'
 * poller is paced to one GET /poll a second, and each query waited for a fresh round of every
 * account), so a walk through stored messages ran at a page a second. A message drained now is
 * stored after every stored one, so a page the store fills is the same without the round.
 * Counted at the EPP registry: its poll requests (`poll:req`), with the background poller's
 * rounds an hour apart.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let sandbox: EppSandbox;
const PW = 'Drain-pw-2026';
const names = Array.from({ length: 3 }, (_, i) => `drain-${i}-${randomUUID().slice(0, 8)}.tld`);

beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void (c.poll.intervalMs = 3_600_000) });
  sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-nomulus') as EppSandbox;
  const ok = async (key: string, query: string) => expect((await t.gql(key, query, { k: randomUUID() })).errors).toBeUndefined();
  for (const name of names) await ok(t.keys.NewRegistrar!, `mutation($k: String!) { createDomain(idempotencyKey: $k, input: { name: "${name}", authInfo: "${PW}" }) { name } }`);
  // A transfer request of each: NewRegistrar's queue gets a TRANSFER_REQUESTED message for each.
  for (const name of names) await ok(t.keys.TheRegistrar!, `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "${name}", authInfo: "${PW}") { transfer { status } } }`);
}, 120_000);
afterAll(() => t?.close());

it('a page the stored messages fill sends no poll request; the page that reaches their end drains the queues first', async () => {
  const A = t.keys.NewRegistrar!;
  const query = `query($after: String) { pollMessages(first: 1, after: $after, objects: ${JSON.stringify(names)}) { edges { cursor node { objectName type } } pageInfo { hasNextPage endCursor } } }`;
  // The first page: nothing of these stored yet, so it drains (and stores all three).
  const polls = () => sandbox.applied('poll:req');
  let before = polls();
  let r = await t.gql(A, query, { after: null });
  expect(r.errors).toBeUndefined();
  expect(polls()).toBeGreaterThan(before);
  const walked = [r.data.pollMessages.edges[0].node];
  // The next page is filled from the store: no poll request.
  before = polls();
  r = await t.gql(A, query, { after: r.data.pollMessages.pageInfo.endCursor });
  expect(r.data.pollMessages.pageInfo.hasNextPage).toBe(true);
  expect(polls()).toBe(before);
  walked.push(r.data.pollMessages.edges[0].node);
  // The last stored one: its page reaches the end, so the queues are drained first.
  before = polls();
  r = await t.gql(A, query, { after: r.data.pollMessages.pageInfo.endCursor });
  expect(r.data.pollMessages.pageInfo.hasNextPage).toBe(false);
  expect(polls()).toBeGreaterThan(before);
  walked.push(r.data.pollMessages.edges[0].node);
  expect(walked).toEqual(names.map((objectName) => ({ objectName, type: 'TRANSFER_REQUESTED' })));
}, 120_000);
