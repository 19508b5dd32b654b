/**
 * A page of .ee domains with their registrant and contacts reads the contacts from REPP's contact
 * list with details (`GET /repp/v1/contacts?details=true`, 200 a page) instead of one
 * `GET /repp/v1/contacts/:id` each. The trial: `domains(first: 100)` over 50 .ee domains sharing
 * 13 contacts cost 1 domain list and 13 contact infos; it now costs 1 domain list and 1 contact
 * list, with the same answers. Contacts the list does not have (another registrar's) are still
 * read one by one and answer null, as before.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keepBackends, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.enabled = false;
      keepBackends(c, ['repp'], 'sandbox-repp');
    },
  });
}, 60_000);
afterAll(() => t?.close());

/** Commands sent so far, by "command". */
async function commands(): Promise<Record<string, number>> {
  await t.gateway.commandLog.flush();
  const rows = await t.gateway.services.prisma.commandLog.groupBy({ by: ['command'], _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.command, r._count._all]));
}

async function delta<T>(fn: () => Promise<T>): Promise<{ value: T; sent: Record<string, number> }> {
  const before = await commands();
  const value = await fn();
  const after = await commands();
  return { value, sent: Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - (before[k] ?? 0)]).filter(([, n]) => n !== 0)) };
}

const PAGE = `{ domains(first: 100) { edges { node { name registrant { id email name: postalInfo { name } } contacts { role id contact { id email voice } } } } } }`;

it('a page of .ee domains sharing contacts costs one domain list and one contact list', async () => {
  const A = t.keys.NewRegistrar!;
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const r = await t.gql(A, 'mutation($k: String!, $i: CreateContactInput!) { createContact(idempotencyKey: $k, input: $i) { id } }', {
      k: randomUUID(),
      i: { postalInfo: [{ name: `List Person ${i}`, city: 'Tallinn', cc: 'EE' }], voice: '+372.5550000', email: `list${i}@example.ee`, authInfo: 'List-pw-1', ident: { code: `3800101000${i}`, type: 'PRIV', countryCode: 'EE' } },
    });
    expect(r.errors).toBeUndefined();
    ids.push(r.data.createContact.id);
  }
  for (let i = 0; i < 12; i++) {
    const r = await t.gql(A, 'mutation($k: String!, $i: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $i) { name } }', {
      k: randomUUID(),
      i: { name: `list-${i}-${randomUUID().slice(0, 6)}.ee`, registrant: ids[i % 6], contacts: [{ role: 'ADMIN', id: ids[(i + 1) % 6] }, { role: 'TECH', id: ids[(i + 2) % 6] }], authInfo: 'List-pw-1' },
    });
    expect(r.errors).toBeUndefined();
  }

  const { value: page, sent } = await delta(() => t.gql(A, PAGE));
  expect(page.errors).toBeUndefined();
  expect(sent).toEqual({ 'domain:list': 1, 'contact:list': 1 });

  // The same answers as reading each contact by itself.
  const edges = page.data.domains.edges as { node: { registrant: { id: string; email: string } | null; contacts: { id: string; contact: { id: string; email: string; voice: string } | null }[] } }[];
  const seen = new Set<string>();
  for (const e of edges) {
    for (const c of [e.node.registrant, ...e.node.contacts.map((x) => x.contact)]) {
      expect(c).not.toBeNull();
      seen.add(c!.id);
    }
  }
  expect(seen.size).toBeGreaterThanOrEqual(7);
  for (const id of seen) {
    const one = await t.gql(A, 'query($id: String!) { contact(id: $id) { id email voice } }', { id });
    const listed = edges.flatMap((e) => [e.node.registrant, ...e.node.contacts.map((x) => x.contact)]).find((c) => c?.id === id);
    expect(one.data.contact.email).toBe(listed!.email);
    if ('voice' in listed!) expect(one.data.contact.voice).toBe(listed!.voice);
  }
});

it("another registrar's contacts are not in its list: read one by one, null as before", async () => {
  // The ids of kass.ee's contacts, as its sponsor reads them (another registrar reading the domain sees none: its name and sponsor only).
  const own = await t.gql(t.keys.NewRegistrar!, '{ domain(name: "kass.ee") { registrant { id } contacts { id } } }');
  const ids = [own.data.domain.registrant.id, ...own.data.domain.contacts.map((c: { id: string }) => c.id)] as string[];
  expect(ids.length).toBeGreaterThan(0);
  const seen = await t.gql(t.keys.TheRegistrar!, '{ domain(name: "kass.ee") { name registrant { id } contacts { id } } }');
  expect(seen.data.domain).toEqual({ name: 'kass.ee', registrant: null, contacts: [] });
  const query = `{ ${ids.map((id, i) => `c${i}: contact(id: ${JSON.stringify(id)}, registry: "sandbox-repp") { id }`).join(' ')} }`;
  const { value, sent } = await delta(() => t.gql(t.keys.TheRegistrar!, query));
  expect(value.errors).toBeUndefined();
  for (const c of Object.values(value.data)) expect(c).toBeNull();
  expect(sent['contact:info']).toBeGreaterThan(0);
});
