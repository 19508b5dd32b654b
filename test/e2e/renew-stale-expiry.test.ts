/**
 * A renewal whose currentExpiry is not the domain's expiry (RFC 5731 section 3.2.3: the server
 * rejects a renew whose curExpDate does not match) answers one error on every backend:
 * BAD_USER_INPUT naming input.currentExpiry, with the domain's actual expiry in the message, and
 * nothing renewed. Found by a registrar frontend: the same stale date gave UPSTREAM_REJECTED_INPUT
 * (Nomulus 2004), PARAMETER_VALUE_POLICY_ERROR (REPP 2306, HeadlessDomains expiry_mismatch) and
 * NOT_ELIGIBLE (Joker, whose "expyear" renewal names no current expiry: a stale date of the same
 * year as the real one renewed the domain all the same). A bulkRenew item fails with the same code.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allItems, BULK_RENEW, waitFinished } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const DAY = 86_400_000;
/** One domain of NewRegistrar's on each backend kind: EPP (Nomulus), REPP, HeadlessDomains, Joker. */
const DOMAINS = ['fakesite.tld', 'kass.ee', 'newregistrar-seed.hdtest', 'alpha.joker.test'];
/** The actual expiry's day, and where that day is not its UTC date (REPP's Tallinn calendar) the expiresAt it is the day of. */
const MISMATCH = /^(input\.|domains\[\d+\]\.)currentExpiry: \d{4}-\d{2}-\d{2} does not match the domain's actual expiry \((\d{4}-\d{2}-\d{2})(?: in the registry's calendar: expiresAt (\S+))?\): nothing was renewed$/;

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.enabled = false;
      const joker = c.backends.find((b) => b.kind === 'joker') as { sandbox?: { domainDelayMs?: number } };
      joker.sandbox = { ...joker.sandbox, domainDelayMs: 0 }; // Joker processes a renewal at once
    },
  });
}, 60_000);
afterAll(() => t?.close());

const gql = (q: string, v?: Record<string, unknown>) => t.gql(t.keys.NewRegistrar!, q, v);
async function expiry(name: string): Promise<string> {
  const r = await gql('query($n: String!) { domain(name: $n) { expiresAt } }', { n: name });
  expect(r.errors).toBeUndefined();
  return r.data.domain.expiresAt;
}
/** A day before the real expiry: the same year, as a client that read the domain before someone renewed it. */
const stale = (exp: string) => new Date(new Date(exp).getTime() - DAY).toISOString();
const RENEW = 'mutation($k: String!, $n: String!, $c: DateTimeISO) { renewDomain(idempotencyKey: $k, input: { name: $n, currentExpiry: $c, period: { value: 1, unit: YEARS } }) { expiresAt } }';

describe('renewDomain with a stale currentExpiry', () => {
  for (const name of DOMAINS) {
    it(`${name}: BAD_USER_INPUT naming input.currentExpiry, nothing renewed, nothing logged as applied`, async () => {
      const before = await expiry(name);
      const k = randomUUID();
      const r = await gql(RENEW, { k, n: name, c: stale(before) });
      // The registry whose expiry it is, on every backend (Joker's said none: a frontend trial).
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.currentExpiry', registry: expect.stringMatching(/^sandbox-/) });
      expect(r.errors?.[0]?.message).toMatch(MISMATCH);
      // The day named is one the client can find in what it reads: its UTC date, or (REPP) the expiresAt quoted beside it.
      const [, , day, at] = MISMATCH.exec(r.errors![0]!.message)!;
      expect(at ?? `${day}T`).toBe(at ? before : `${before.slice(0, 10)}T`);
      expect(await expiry(name)).toBe(before);

      await t.gateway.commandLog.flush();
      const log = await gql('query($k: String!) { commandLog(first: 50, filter: { idempotencyKey: $k }) { edges { node { command outcome applied } } } }', { k });
      const renews = log.data.commandLog.edges.map((e: { node: { command: string; outcome: string; applied: boolean | null } }) => e.node).filter((e: { command: string }) => e.command === 'domain:renew');
      expect(renews.length).toBeGreaterThan(0);
      for (const e of renews) {
        expect(['FAILED', 'NOT_SENT']).toContain(e.outcome);
        expect(e.applied).not.toBe(true);
      }

      // A retry gets the same answer; the corrected request (under a new key) renews.
      const again = await gql(RENEW, { k, n: name, c: stale(before) });
      expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.currentExpiry' });
      expect(await expiry(name)).toBe(before);
      const fixed = await gql(RENEW, { k: randomUUID(), n: name, c: before });
      expect(fixed.errors).toBeUndefined();
      expect(fixed.data.renewDomain.expiresAt.slice(0, 4)).toBe(String(new Date(before).getUTCFullYear() + 1));
    });
  }
});

describe('bulkRenew items with a stale currentExpiry', () => {
  it('fail with BAD_USER_INPUT on every backend, nothing renewed', async () => {
    const before = Object.fromEntries(await Promise.all(DOMAINS.map(async (n) => [n, await expiry(n)] as const)));
    const r = await gql(BULK_RENEW, { k: randomUUID(), domains: DOMAINS.map((name) => ({ name, currentExpiry: stale(before[name]!) })) });
    expect(r.errors).toBeUndefined();
    const id = r.data.bulkRenew.job.id;
    await waitFinished(t, t.keys.NewRegistrar!, id);
    const items = await allItems(t, t.keys.NewRegistrar!, id);
    expect(items.map((i) => i.domainName)).toEqual(DOMAINS);
    for (const item of items) {
      expect(item).toMatchObject({ state: 'FAILED', error: { code: 'BAD_USER_INPUT', field: `domains[${item.position}].currentExpiry` } });
      expect(item.error.message.startsWith(`domains[${item.position}].currentExpiry: `)).toBe(true);
      expect(item.error.message).toMatch(MISMATCH);
      expect(await expiry(item.domainName)).toBe(before[item.domainName]);
    }
  });
});
