/**
 * Reading many Joker domains costs one DMAPI request each, not two: a domain's pending statuses
 * come from the reseller's requests still being processed (result-list pending=1), read once for
 * the request instead of once per domain (`objid=<name>`) before its query-whois. The trial:
 * `domains(first: 200)` over 31 Joker domains sent 31 query-whois and 31 result-list. A mutation's
 * read-back still sees its own pending request, even after the same request read the list.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JokerSandbox } from '../../src/sandbox/joker/index.js';
import { keepBackends, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let joker: JokerSandbox;
const names: string[] = [];
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.enabled = false;
      keepBackends(c, ['joker'], 'sandbox-joker');
      (c.backends[0] as { sandbox?: { domainDelayMs?: number } }).sandbox = { domainDelayMs: 0 };
    },
  });
  joker = t.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
  for (let i = 0; i < 6; i++) {
    const r = await t.gql(
      t.keys.NewRegistrar!,
      'mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, registrant: "CJOK-1", contacts: [{ role: ADMIN, id: "CJOK-1" }, { role: TECH, id: "CJOK-1" }, { role: BILLING, id: "CJOK-1" }], nameservers: [{ name: "ns1.sandbox-dns.test" }], authInfo: "Pending-pw-1" }) { name } }',
      { k: randomUUID(), n: `pending-${i}-${randomUUID().slice(0, 6)}.joker.test` },
    );
    expect(r.errors).toBeUndefined();
    names.push(r.data.createDomain.name);
  }
}, 60_000);
afterAll(() => t?.close());

const sent = () => ({ list: joker.answered('result-list'), whois: joker.answered('query-whois') });

it('a page of Joker domains costs one result-list and one query-whois per domain, and still shows each pending request', async () => {
  joker.hold();
  try {
    const [a, b] = names;
    // Two renewals Joker only queues, in one request: each read-back shows its own pending request.
    const r = await t.gql(
      t.keys.NewRegistrar!,
      `mutation($k1: String!, $k2: String!) {
        x: renewDomain(idempotencyKey: $k1, input: { name: "${a}", period: { value: 1, unit: YEARS } }) { transaction { pending } domain { name statuses } }
        y: renewDomain(idempotencyKey: $k2, input: { name: "${b}", period: { value: 1, unit: YEARS } }) { transaction { pending } domain { name statuses } }
      }`,
      { k1: randomUUID(), k2: randomUUID() },
    );
    expect(r.errors).toBeUndefined();
    expect([r.data.x.transaction.pending, r.data.y.transaction.pending]).toEqual([true, true]);
    expect(r.data.x.domain.statuses).toContain('pendingRenew');
    expect(r.data.y.domain.statuses).toContain('pendingRenew');

    const before = sent();
    const page = await t.gql(t.keys.NewRegistrar!, '{ domains(first: 200) { edges { node { name statuses expiresAt } } } }');
    expect(page.errors).toBeUndefined();
    const statuses = new Map<string, string[]>(page.data.domains.edges.map((e: { node: { name: string; statuses: string[] } }) => [e.node.name, e.node.statuses]));
    for (const n of names) expect(statuses.has(n)).toBe(true);
    expect(statuses.get(a)).toContain('pendingRenew');
    expect(statuses.get(b)).toContain('pendingRenew');
    for (const n of names.slice(2)) expect(statuses.get(n)).toEqual(['ok']);
    const after = sent();
    expect(after.whois - before.whois).toBe(statuses.size);
    expect(after.list - before.list).toBe(1);
  } finally {
    joker.release();
  }
});
