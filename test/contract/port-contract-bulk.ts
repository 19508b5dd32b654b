/**
 * The port contract's cases for native bulk actions and account statements (capabilities bulk and
 * balance), run by runPortContract for every backend that has them: each bulk action is one
 * announced, reported command; the registry's per-name refusals come back in the answer.
 */
import { expect, test } from 'vitest';
import type { CallContext } from '../../src/core/model/index.js';
import type { RegistryPort } from '../../src/core/port.js';
import type { HarnessSetup, PortHarness, SeenEvent } from './port-contract.js';

export function bulkCases(h: PortHarness, get: () => { s: HarnessSetup; port: RegistryPort; events: SeenEvent[]; started: SeenEvent[] }, acme: CallContext): void {
  test('bulk renew: one announced command renews every name by the period', async () => {
    const { port, events, started } = get();
    const other = h.fresh('pikenda');
    await port.createDomain(acme, h.domainInput(other));
    const before = await Promise.all([h.acmeDomain, other].map(async (n) => (await port.infoDomain(acme, n)).data.expiresAt!.getTime()));
    events.length = 0;
    const r = await port.bulkRenew({ ...acme, idempotencyKey: 'k-bulk-renew' }, { names: [h.acmeDomain, other], period: { value: 1, unit: 'y' } });
    expect(r.data.renewed.sort()).toEqual([h.acmeDomain, other].sort());
    expect(started.map((e) => e.command)).toEqual(['bulk:renew']);
    expect(events.map((e) => e.command)).toEqual(['bulk:renew']);
    const after = await Promise.all([h.acmeDomain, other].map(async (n) => (await port.infoDomain(acme, n)).data.expiresAt!.getTime()));
    after.forEach((t, i) => expect(t).toBeGreaterThan(before[i] + 360 * 86_400_000));
  });

  test('bulk transfer: the right code moves its domain, a name it cannot move is refused by name; no code in any event', async () => {
    const { port, events } = get();
    const missing = h.fresh('puudub');
    const items = [{ name: h.rivalDomain.name, transferCode: h.rivalDomain.authInfo }, { name: missing, transferCode: 'wrong-code-123' }];
    const r = await port.bulkTransfer({ ...acme, idempotencyKey: 'k-bulk-transfer' }, items);
    expect(r.data.transferred).toEqual([h.rivalDomain.name]);
    expect(r.data.failed.map((f) => f.name)).toEqual([missing]);
    expect(r.data.failed[0].errors.length).toBeGreaterThan(0);
    expect((await port.infoDomain(acme, h.rivalDomain.name)).data.sponsor).toBe(port.upstreamId('acme'));
    expect(JSON.stringify(events)).not.toContain(h.rivalDomain.authInfo);
  });

  if (h.contactInput && h.contactInUse) {
    test('bulk tech contact replacement: every domain with the old tech contact gets the new one', async () => {
      const { port } = get();
      const { id } = (await port.createContact(acme, h.contactInput!('tehnik'))).data;
      const r = await port.bulkReplaceTechContact(acme, { current: h.contactInUse!, next: id });
      expect(r.data.affected).toContain(h.acmeDomain);
      const d = (await port.infoDomain(acme, h.acmeDomain)).data;
      expect(d.contacts.filter((c) => c.role === 'tech').map((c) => c.id)).toEqual([id]);
    });
  }

  test('bulk name server change: one host name replaced on the named domains only', async () => {
    const { port } = get();
    const name = h.fresh('nimeserver');
    const input = h.domainInput(name);
    await port.createDomain(acme, input);
    const from = input.nameservers[0].name;
    const r = await port.bulkChangeNameserver(acme, { from, to: h.extraNameserver, domains: [name] });
    expect(r.data.affected).toEqual([name]);
    const ns = (await port.infoDomain(acme, name)).data.nameservers.map((n) => n.name);
    expect(ns).toContain(h.extraNameserver.name);
    expect(ns).not.toContain(from);
  });

  test('balance with the transactions of a date range, newest first', async () => {
    const { port } = get();
    const all = (await port.balanceTransactions(acme, {})).data;
    expect(all.money).toEqual((await port.balance(acme)).data);
    expect(all.transactions.length).toBeGreaterThan(0);
    const times = all.transactions.map((t) => t.at.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const oldest = all.transactions.at(-1)!.at;
    const later = (await port.balanceTransactions(acme, { from: new Date(oldest.getTime() + 86_400_000) })).data;
    expect(later.transactions.length).toBeLessThan(all.transactions.length);
  });
}
