/**
 * A transfer nobody answers is approved by the registry when its period runs out: both sides get
 * the server-approval poll message, and the domain moves to the gaining registrar's list.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const clock = new FakeClock(new Date());
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ clock });
});
afterAll(() => t?.close());

it('auto-approves after the transfer period and moves the domain', async () => {
  const name = `auto-${randomUUID().slice(0, 8)}.tld`;
  const A = t.keys.NewRegistrar!;
  const B = t.keys.TheRegistrar!;
  expect((await t.gql(A, `mutation($k: String!) { createDomain(idempotencyKey: $k, input: { name: "${name}", authInfo: "Aut0-Approve" }) { name } }`, { k: randomUUID() })).errors).toBeUndefined();
  const req = await t.gql(B, `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "${name}", authInfo: "Aut0-Approve") { transfer { status actionAt } } }`, { k: randomUUID() });
  expect(req.data.requestTransfer.transfer.status).toBe('pending');

  clock.set(new Date(Date.parse(req.data.requestTransfer.transfer.actionAt) + 60_000));

  // Query fields run in parallel: read the messages (which pulls the queues) before the list.
  const q = `{ pollMessages(objects: ["${name}"]) { edges { node { type transfer { status } } } } }`;
  const list = `{ domains { edges { node { name sponsor } } } }`;
  const gaining = { ...(await t.gql(B, q)).data, ...(await t.gql(B, list)).data };
  expect(gaining.pollMessages.edges.map((e: any) => e.node.type)).toContain('TRANSFER_AUTO_APPROVED');
  expect(gaining.domains.edges.map((e: any) => e.node)).toContainEqual({ name, sponsor: 'TheRegistrar' });
  const losing = { ...(await t.gql(A, q)).data, ...(await t.gql(A, list)).data };
  expect(losing.pollMessages.edges.map((e: any) => e.node.type)).toEqual(['TRANSFER_REQUESTED', 'TRANSFER_AUTO_APPROVED']);
  expect(losing.domains.edges.map((e: any) => e.node.name)).not.toContain(name);
});
