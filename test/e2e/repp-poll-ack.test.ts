/**
 * REPP's mark-as-read (PUT /repp/v1/registrar/notifications/:id, the counterpart of an EPP poll
 * ack) changes the registry's state: a 500 after it was sent may have marked the message read, so
 * its command-log entry is NO_ANSWER (sent, outcome not known), not NOT_SENT ("never reached the
 * registry"). The poller's next round does not store the message twice, and the registry holds it
 * read. Over HTTPS against the REPP sandbox, which marks the message read and then answers 500.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ReppSandbox } from '../../src/sandbox/repp/index.js';
import { keepBackends, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let repp: ReppSandbox;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      keepBackends(c, ['repp'], 'sandbox-repp');
      // The poller runs when the test drains it (once at start, then hourly).
      c.poll = { ...c.poll, enabled: true, intervalMs: 3_600_000, leaseMs: 3 * 3_600_000, maxBackoffMs: 3_600_000 };
      c.bulk = { ...c.bulk, enabled: false };
    },
  });
  repp = t.gateway.sandboxes.sandboxes.get('sandbox-repp') as ReppSandbox;
}, 60_000);
afterAll(() => t?.close());

const LOG = 'query($id: String!) { commandLog(filter: { command: "poll:ack", objectName: $id }) { edges { node { outcome applied } } } }';

it('a mark-as-read answered 500 is NO_ANSWER in the command log (sent, may have applied), not NOT_SENT; the message is stored once and the registry holds it read', async () => {
  const A = t.keys.NewRegistrar!;
  const ingester = t.gateway.services.ingester;
  await ingester.drainNow('NewRegistrar'); // the seed's messages read and acknowledged
  expect(repp.notifications('NewRegistrar')).toEqual([]);
  // TheRegistrar takes koer.ee: REPP tells NewRegistrar (the losing registrar) in a notification.
  const moved = await t.gql(t.keys.TheRegistrar!, 'mutation($k: String!, $c: String!) { requestTransfer(idempotencyKey: $k, domainName: "koer.ee", authInfo: $c) { transfer { status } } }', {
    k: randomUUID(),
    c: repp.domain('koer.ee')!.transferCode,
  });
  expect(moved.errors).toBeUndefined();
  const [message] = repp.notifications('NewRegistrar');
  expect(message!.text).toContain('koer.ee');
  const id = String(message!.id);

  repp.faults.next({ route: 'notification:read', action: 'error-after-apply' });
  await ingester.drainNow('NewRegistrar');
  await t.gateway.commandLog.flush();
  const log = await t.gql(A, LOG, { id });
  expect(log.errors).toBeUndefined();
  expect(log.data.commandLog.edges.map((e: { node: unknown }) => e.node)).toEqual([{ outcome: 'NO_ANSWER', applied: null }]);
  expect(repp.notifications('NewRegistrar')).toEqual([]); // marked read before the 500

  await ingester.drainNow('NewRegistrar');
  const polled = await t.gql(A, '{ pollMessages(first: 500) { edges { node { upstreamId objectName } } } }');
  expect(polled.errors).toBeUndefined();
  expect(polled.data.pollMessages.edges.filter((e: { node: { upstreamId: string } }) => e.node.upstreamId === id)).toEqual([{ node: { upstreamId: id, objectName: 'koer.ee' } }]);
}, 60_000);
