/**
 * `Domain.transfer` costs no second read where the registry's domain read already carries the
 * transfer: HeadlessDomains' `GET /domains/{domain}` (the registration's transfer intent) and
 * Joker's query-whois with the reseller's pending requests. The trial: `domains(first: 500) {
 * node { transfer { status } } }` sent, besides one domain read each, 30 HeadlessDomains transfer
 * queries (the same GET again, counted against the registry's rate limit) and 31 Joker ones (the
 * same query-whois again). The answers are those the transfer query gives (`transfer(domainName:)`).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JokerSandbox } from '../../src/sandbox/joker/index.js';
import { keepBackends, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let joker: JokerSandbox;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.enabled = false;
      keepBackends(c, ['joker', 'headless'], 'sandbox-joker');
    },
  });
  joker = t.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
}, 60_000);
afterAll(() => {
  joker?.release();
  return t?.close();
});

async function commands(): Promise<Record<string, number>> {
  await t.gateway.commandLog.flush();
  const rows = await t.gateway.services.prisma.commandLog.groupBy({ by: ['backend', 'command'], _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [`${r.backend} ${r.command}`, r._count._all]));
}

const FIELDS = 'domainName status gainingRegistrar losingRegistrar';

it("a domain's transfer at HeadlessDomains and Joker comes with its read, and is what the transfer query answers", async () => {
  const A = t.keys.NewRegistrar!;
  const B = t.keys.TheRegistrar!;
  // A .hdtest name of A's, which B asks to transfer (an intent, pending until the backend applies it).
  const moving = `moving-${randomUUID().slice(0, 6)}.hdtest`;
  const created = await t.gql(A, 'mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Moving-pw-1", nameservers: [{ name: "ns1.example.net" }] }) { name } }', { k: randomUUID(), n: moving });
  expect(created.errors).toBeUndefined();
  const still = `still-${randomUUID().slice(0, 6)}.hdtest`;
  expect((await t.gql(A, 'mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Still-pw-1", nameservers: [{ name: "ns1.example.net" }] }) { name } }', { k: randomUUID(), n: still })).errors).toBeUndefined();
  expect((await t.gql(B, 'mutation($k: String!, $n: String!) { requestTransfer(idempotencyKey: $k, domainName: $n, authInfo: "Moving-pw-1") { transfer { status } } }', { k: randomUUID(), n: moving })).errors).toBeUndefined();
  // B asks for A's alpha.joker.test, which Joker holds unprocessed.
  joker.hold();
  expect((await t.gql(B, 'mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "alpha.joker.test", authInfo: "Alpha-Auth-1") { transfer { status } } }', { k: randomUUID() })).errors).toBeUndefined();

  const names = [moving, still, 'alpha.joker.test', 'rival.joker.test'];
  for (const key of [A, B]) {
    const aliases = names.map((n, i) => `d${i}: domain(name: "${n}") { name transfer { ${FIELDS} } }`).join(' ');
    const before = await commands();
    const read = await t.gql(key, `{ ${aliases} }`);
    const after = await commands();
    expect(read.errors).toBeUndefined();
    const sent = Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - (before[k] ?? 0)]).filter(([, n]) => n !== 0));
    expect(sent).toEqual({ 'sandbox-headless domain:info': 2, 'sandbox-joker domain:info': 2 });

    const queried = await t.gql(key, `{ ${names.map((n, i) => `t${i}: transfer(domainName: "${n}") { ${FIELDS} }`).join(' ')} }`);
    expect(queried.errors).toBeUndefined();
    names.forEach((_, i) => expect(read.data[`d${i}`].transfer).toEqual(queried.data[`t${i}`]));
  }
  const seenByB = await t.gql(B, `{ a: domain(name: "${moving}") { transfer { status } } b: domain(name: "alpha.joker.test") { transfer { status } } }`);
  expect([seenByB.data.a.transfer.status, seenByB.data.b.transfer.status]).toEqual(['pending', 'pending']);
});
