/**
 * A mutation's payload reads the object it acted on (`domain`, `contact`, `host`) from the
 * registry only when the client selects it: a client that asks for the transaction alone pays
 * for the command and nothing else; one that asks for the object gets it as the registry holds
 * it after the command, read once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keepBackends, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.enabled = false;
      keepBackends(c, ['epp']);
    },
  });
});
afterAll(() => t?.close());

/** Commands the gateway has sent so far, by command (whichever EPP backend took it). */
async function commands(): Promise<Record<string, number>> {
  await t.gateway.commandLog.flush();
  const rows = await t.gateway.services.prisma.commandLog.groupBy({ by: ['command'], _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.command, r._count._all]));
}

/** Runs `query` and returns its data with the commands it sent. */
async function sent(query: string, variables: Record<string, unknown>) {
  const before = await commands();
  const r = await t.gql(t.keys.NewRegistrar!, query, variables);
  expect(r.errors).toBeUndefined();
  const after = await commands();
  const delta: Record<string, number> = {};
  for (const [c, n] of Object.entries(after)) if (n !== (before[c] ?? 0)) delta[c] = n - (before[c] ?? 0);
  return { data: r.data, delta };
}

it('domain mutations read the domain only when `domain` is selected, renew and delete included', async () => {
  const name = `lazy-${randomUUID().slice(0, 8)}.tld`;
  const create = `mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "L4zy-Pw-1" }) { name transaction { resultCode } SEL } }`;
  const bare = await sent(create.replace('SEL', ''), { k: randomUUID(), n: name });
  expect(bare.delta).toEqual({ 'domain:create': 1 });

  const update = `mutation($k: String!, $n: String!, $s: [ClientStatus!]!) { updateDomain(idempotencyKey: $k, input: { name: $n, add: { statuses: $s } }) { replayed SEL } }`;
  const u1 = await sent(update.replace('SEL', ''), { k: randomUUID(), n: name, s: ['clientHold'] });
  expect(u1.delta).toEqual({ 'domain:update': 1 });
  const u2 = await sent(update.replace('SEL', 'domain { name statuses }').replace('add:', 'remove:'), { k: randomUUID(), n: name, s: ['clientHold'] });
  expect(u2.delta).toEqual({ 'domain:update': 1, 'domain:info': 1 });
  expect(u2.data.updateDomain.domain.name).toBe(name);
  expect(u2.data.updateDomain.domain.statuses).not.toContain('clientHold');

  // RenewDomainPayload extends DomainPayload: the same lazy `domain`. The current expiry is given,
  // so the renewal itself reads nothing first.
  const info = await t.gql(t.keys.NewRegistrar!, `query($n: String!) { domain(name: $n) { expiresAt } }`, { n: name });
  const renew = `mutation($k: String!, $n: String!, $e: DateTimeISO!) { renewDomain(idempotencyKey: $k, input: { name: $n, currentExpiry: $e, period: { value: 1, unit: YEARS } }) { expiresAt SEL } }`;
  const r1 = await sent(renew.replace('SEL', ''), { k: randomUUID(), n: name, e: info.data.domain.expiresAt });
  expect(r1.delta).toEqual({ 'domain:renew': 1 });
  const r2 = await sent(renew.replace('SEL', 'domain { expiresAt }'), { k: randomUUID(), n: name, e: r1.data.renewDomain.expiresAt });
  expect(r2.delta).toEqual({ 'domain:renew': 1, 'domain:info': 1 });
  expect(r2.data.renewDomain.domain.expiresAt).toBe(r2.data.renewDomain.expiresAt);

  const del = await sent(`mutation($k: String!, $n: String!) { deleteDomain(idempotencyKey: $k, name: $n) { pending domain { name statuses } } }`, { k: randomUUID(), n: name });
  // Marked for deletion (redemption): read as it stands; gone at once: null, and nothing read.
  if (del.data.deleteDomain.pending) {
    expect(del.delta).toEqual({ 'domain:delete': 1, 'domain:info': 1 });
    expect(del.data.deleteDomain.domain.statuses).toContain('pendingDelete');
  } else {
    expect(del.delta).toEqual({ 'domain:delete': 1 });
    expect(del.data.deleteDomain.domain).toBeNull();
  }
});

it('contact and host mutations read the object only when it is selected', async () => {
  const id = `lz${randomUUID().slice(0, 8)}`;
  const contact = `mutation($k: String!, $id: String!) { createContact(idempotencyKey: $k, input: { id: $id, postalInfo: [{ name: "Lazy Reader", city: "Tallinn", cc: "EE" }], email: "lazy@example.com", authInfo: "L4zy-Pw-2" }) { id SEL } }`;
  const c1 = await sent(contact.replace('SEL', ''), { k: randomUUID(), id });
  expect(c1.delta).toEqual({ 'contact:create': 1 });
  const c2 = await sent(contact.replace('SEL', 'contact { id email }'), { k: randomUUID(), id: `${id}b` });
  expect(c2.delta).toEqual({ 'contact:create': 1, 'contact:info': 1 });
  expect(c2.data.createContact.contact).toEqual({ id: `${id}b`, email: 'lazy@example.com' });

  const host = `mutation($k: String!, $n: String!) { createHost(idempotencyKey: $k, input: { name: $n }) { name SEL } }`;
  const h = `ns-${randomUUID().slice(0, 8)}.example.net`;
  const h1 = await sent(host.replace('SEL', ''), { k: randomUUID(), n: h });
  expect(h1.delta).toEqual({ 'host:create': 1 });
  const h2 = await sent(host.replace('SEL', 'host { name }'), { k: randomUUID(), n: `b${h}` });
  expect(h2.delta).toEqual({ 'host:create': 1, 'host:info': 1 });
  expect(h2.data.createHost.host).toEqual({ name: `b${h}` });
});
