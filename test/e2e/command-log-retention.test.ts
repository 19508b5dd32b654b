/**
 * The command log does not grow without limit:
 * - an idle poller writes nothing: a poll request that found the queue empty (EPP 1300, REPP's,
 *   HeadlessDomains' and Joker's empty answers) is not an entry; one that got a message is, with
 *   its acknowledgement (README "Command log", "Live poll messages");
 * - entries older than `commandLog.retentionDays` (default 90) are deleted by the hourly
 *   housekeeping, newer ones stay (the gateway's clock, not wall-clock waits).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const LOG = `query($filter: CommandLogFilter) {
  commandLog(filter: $filter, first: 500) { edges { node { registry operation command objectName resultCode outcome message } } }
}`;
const DAY = 86_400_000;

describe('command log growth', () => {
  let t: TestGateway;
  let A: string;
  let B: string;
  const clock = new FakeClock('2026-03-01T00:00:00Z');

  beforeAll(async () => {
    t = await startTestGateway({
      clock,
      configure: (c) => {
        // Rounds only when pollMessages asks (drainNow), besides the one at start.
        c.poll.intervalMs = 3_600_000;
        c.poll.leaseMs = 4 * 3_600_000;
        c.limits.rateLimit = false;
      },
    });
    A = t.keys.NewRegistrar!;
    B = t.keys.TheRegistrar!;
  }, 60_000);
  afterAll(() => t?.close());

  async function entries(key: string, filter: Record<string, unknown>) {
    const r = await t.gql(key, LOG, { filter });
    expect(r.errors).toBeUndefined();
    return r.data.commandLog.edges.map((e: { node: any }) => e.node) as any[];
  }
  /** One poll round, a poll interval after the last (HeadlessDomains paces its poller on the gateway's clock). */
  async function pollRound(key: string) {
    clock.advance(5_000);
    const r = await t.gql(key, '{ pollMessages(first: 50) { edges { node { id } } } }');
    expect(r.errors).toBeUndefined();
  }

  it('an idle poller writes no entries: 5 rounds over every registry leave the log as it was', async () => {
    for (const key of [A, B]) {
      await pollRound(key); // whatever was queued (a sandbox's seeded message) is drained now
      const before = await entries(key, { operation: 'poll' });
      for (let i = 0; i < 5; i++) await pollRound(key);
      expect(await entries(key, { operation: 'poll' })).toEqual(before);
      // What is there is a request that got a message (or failed) and the acknowledgements, never an empty queue's answer.
      expect(before.filter((e) => e.command === 'poll:req').map((e) => e.resultCode)).not.toContain(1300);
    }
  }, 120_000);

  it('a round that gets a message is written: the request with its message and the ack', async () => {
    // REPP's sandbox queues a message for NewRegistrar (koer.ee), drained by the first round.
    const polled = await entries(A, { operation: 'poll' });
    expect(polled).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ registry: 'sandbox-repp', command: 'poll:req', outcome: 'SUCCEEDED' }),
        expect.objectContaining({ registry: 'sandbox-repp', command: 'poll:ack', outcome: 'SUCCEEDED' }),
      ]),
    );
  });

  it('entries older than the retention (90 days by default) are purged; newer ones stay', async () => {
    const check = async (name: string) => expect((await t.gql(A, `{ checkDomains(names: ["${name}"]) { name } }`)).errors).toBeUndefined();
    await check('old-entry.example');
    // A renewal's entries carry its idempotency key: kept while the key's record is (reconciliation reads them).
    const renew = await t.gql(A, 'mutation { renewDomain(idempotencyKey: "kept-renew", input: { name: "fakesite.tld", period: { value: 1, unit: YEARS } }) { expiresAt } }');
    expect(renew.errors).toBeUndefined();
    clock.advance(2 * DAY);
    await check('new-entry.example');
    clock.advance(89 * DAY); // the first is 91 days old, the second 89
    expect((await entries(A, { command: 'domain:check' })).map((e) => e.objectName)).toEqual(['old-entry.example', 'new-entry.example']);
    expect(await t.gateway.commandLog.purgeExpired()).toBeGreaterThan(0);
    const left = await entries(A, { command: 'domain:check' });
    expect(left.map((e) => e.objectName)).toEqual(['new-entry.example']);
    // The first poll rounds' entries (logged at the start, 91 days ago) went too.
    expect(await entries(A, { operation: 'poll' })).toEqual([]);
    expect((await entries(A, { idempotencyKey: 'kept-renew' })).map((e) => e.command).sort()).toEqual(['domain:info', 'domain:renew']); // a read may be listed after the renewal it prepared
    // Once the housekeeping has purged the expired record (7 days), its entries go with the next purge.
    expect(await t.gateway.services.idempotency.purgeExpired()).toBeGreaterThan(0);
    await t.gateway.commandLog.purgeExpired();
    expect(await entries(A, { idempotencyKey: 'kept-renew' })).toEqual([]);
  });
});
