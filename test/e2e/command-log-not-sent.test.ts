/**
 * The command log says NOT_SENT for a command the gateway refused before it left: the trial found
 * the `.hdtest` names of a `checkDomains` that the requests' share of HeadlessDomains' rate limit
 * refused (RATE_LIMITED, "without sending them", README) logged as NO_ANSWER ("got no answer"),
 * and a createDomain refused the same way logged as UNKNOWN, an outcome the gateway then had to
 * reconcile for a command the registry never saw. The sandbox's own count shows nothing was sent.
 * Likewise a state-changing command whose driver failed before its first change (Joker: a renewal
 * by months whose currentExpiry is not the domain's, refused after reading it) was logged UNKNOWN
 * and stayed so, since no idempotency record is kept for bad input to reconcile it by.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import type { HeadlessSandbox } from '../../src/sandbox/headless/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let sandbox: HeadlessSandbox;
const HOUR = 3_600_000;
// Registry and gateway count the hour's window on this one clock, held in the middle of a window: on
// the wall clock a run that met the hour's turn had its checks wait for the next window (within the
// rate-limit budget) and none refused.
const clock = new FakeClock(new Date(Math.floor(Date.now() / HOUR) * HOUR + HOUR / 2));
beforeAll(async () => {
  t = await startTestGateway({
    clock,
    configure: (c) => {
      c.poll.enabled = false;
      const hd = c.backends.find((b) => b.kind === 'headless') as { sandbox?: { rateLimit?: { limit: number; windowMs: number } }; rateLimit?: { limit: number; windowSeconds: number; pollerShare: number } };
      // 20 requests an hour, 2 of them the poller's: the requests' share is spent by the checks below.
      hd.sandbox = { ...hd.sandbox, rateLimit: { limit: 20, windowMs: HOUR } };
      hd.rateLimit = { limit: 20, windowSeconds: HOUR / 1000, pollerShare: 0.1 };
      const joker = c.backends.find((b) => b.kind === 'joker') as { sandbox?: { domainDelayMs?: number } };
      joker.sandbox = { ...joker.sandbox, domainDelayMs: 0 };
    },
  });
  sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-headless') as HeadlessSandbox;
}, 60_000);
afterAll(() => t?.close());

async function entries(filter: Record<string, unknown>) {
  await t.gateway.commandLog.flush();
  const r = await t.gql(t.keys.NewRegistrar!, 'query($f: CommandLogFilter) { commandLog(first: 500, filter: $f) { edges { node { command objectName outcome applied } } } }', { f: filter });
  expect(r.errors).toBeUndefined();
  return r.data.commandLog.edges.map((e: { node: unknown }) => e.node) as { command: string; objectName: string; outcome: string; applied: boolean | null }[];
}

describe('commands the rate-limit share refused before sending', () => {
  it('each check it refused is NOT_SENT, and the registry saw none of them', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `spent-${i}.hdtest`);
    const res = await t.gql(t.keys.NewRegistrar!, 'query($n: [String!]!) { checkDomains(names: $n) { name available } }', { n: names });
    const refused = names.filter((_, i) => res.data.checkDomains[i] === null);
    expect(refused.length).toBeGreaterThan(0);
    expect(res.errors?.every((e) => e.extensions?.code === 'RATE_LIMITED')).toBe(true);
    const sent = sandbox.traffic('NewRegistrar').requests;
    expect(sent).toBeLessThanOrEqual(20);

    const log = await entries({ command: 'domain:check' });
    for (const name of refused) expect(log.find((e) => e.objectName === name)).toMatchObject({ outcome: 'NOT_SENT', applied: false });
    for (const name of names.filter((n) => !refused.includes(n))) expect(log.find((e) => e.objectName === name)?.outcome).toBe('SUCCEEDED');

    expect(sandbox.traffic('NewRegistrar').requests).toBe(sent); // the registry saw none of it
  });
});

describe('a state-changing command that failed before its first change', () => {
  it('is NOT_SENT, not UNKNOWN', async () => {
    const name = `months-${randomUUID().slice(0, 8)}.dmapi.test`; // a monthly TLD of the sandbox: months go as "period" after an expiry check
    const created = await t.gql(
      t.keys.NewRegistrar!,
      'mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, registrant: "CJOK-1", contacts: [{ role: ADMIN, id: "CJOK-1" }, { role: TECH, id: "CJOK-1" }, { role: BILLING, id: "CJOK-1" }], nameservers: [{ name: "ns1.sandbox-dns.test" }], authInfo: "Months-pw-1" }) { name } }',
      { k: randomUUID(), n: name },
    );
    expect(created.errors).toBeUndefined();
    const key = randomUUID();
    const renew = await t.gql(
      t.keys.NewRegistrar!,
      'mutation($k: String!, $n: String!) { renewDomain(idempotencyKey: $k, input: { name: $n, period: { value: 6, unit: MONTHS }, currentExpiry: "2001-01-01T00:00:00Z" }) { name } }',
      { k: key, n: name },
    );
    expect(renew.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.currentExpiry' });
    const log = await entries({ idempotencyKey: key });
    expect(log.find((e) => e.command === 'domain:renew')).toMatchObject({ outcome: 'NOT_SENT', applied: false });
  });
});
