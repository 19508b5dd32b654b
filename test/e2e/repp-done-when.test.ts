/**
 * Issue 9's "Done when", as a user does it over HTTP against the zero-setup gateway: the REPP
 * account with its balance, one domains connection across EPP and REPP (with the REPP sandbox's
 * seeded names), a contact whose id the registry assigns, a .ee domain with name servers and a
 * DNSSEC key read back in one query, renew, name servers replaced, clientHold set and cleared, a
 * transfer with the transfer code that reaches the losing registrar's subscription, delete; and
 * the errors: a contact in use, a wrong transfer code, wrong Basic credentials.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { Subscriber } from '../helpers/subscriber.js';

const key = () => randomUUID();
const KEY = 'AwEAAddt2AkLfYGKgiEZB5SmIF8EvrjxNMH6HtxWEA4RJ9Ao6LCWheg8';

describe('REPP end to end (GraphQL over HTTP -> REPP over HTTPS with a client certificate -> sandbox)', () => {
  let t: TestGateway;
  let A: string; // NewRegistrar
  let B: string; // TheRegistrar
  const suffix = Date.now().toString(36);
  const domain = `pood-${suffix}.ee`;
  let contactId: string;

  beforeAll(async () => {
    t = await startTestGateway({ configure: (c) => void (c.poll.intervalMs = 200) });
    A = t.keys.NewRegistrar!;
    B = t.keys.TheRegistrar!;
  });
  afterAll(() => t?.close());

  it('shows the REPP account, its capabilities and its balance', async () => {
    const r = await t.gql(A, '{ viewer { accounts { registry kind tlds capabilities { contacts hostObjects dnssec balance listDomains contactIdsAssigned contactIdent } balance { amount currency } } } }');
    expect(r.errors).toBeUndefined();
    expect(r.data.viewer.accounts.find((a: any) => a.kind === 'repp')).toEqual({
      registry: 'sandbox-repp',
      kind: 'repp',
      tlds: ['ee', 'com.ee', 'pri.ee'],
      capabilities: { contacts: true, hostObjects: false, dnssec: true, balance: true, listDomains: true, contactIdsAssigned: true, contactIdent: true },
      balance: { amount: '420.0', currency: 'EUR' },
    });
  });

  it('one domains connection holds EPP and REPP domains, with the REPP sandbox seeded names', async () => {
    const epp = await t.gql(A, `mutation($k: String!) { createDomain(idempotencyKey: $k, input: { name: "epp-${suffix}.tld", authInfo: "Epp-pw-1" }) { name } }`, { k: key() });
    expect(epp.errors).toBeUndefined();
    const r = await t.gql(A, '{ domains(first: 100) { edges { node { name registry } } } }');
    expect(r.errors).toBeUndefined();
    const names = r.data.domains.edges.map((e: any) => `${e.node.registry}:${e.node.name}`);
    expect(names).toEqual(expect.arrayContaining([`sandbox-nomulus:epp-${suffix}.tld`, 'sandbox-repp:kass.ee', 'sandbox-repp:koer.ee', 'sandbox-repp:mari.pri.ee']));
    expect(names).not.toContain('sandbox-repp:666.ee'); // TheRegistrar's
  });

  it('creates a contact whose id the registry assigns, with its identity', async () => {
    const r = await t.gql(A, `mutation($k: String!, $input: CreateContactInput!) { createContact(idempotencyKey: $k, input: $input) { id contact { id email sponsor ident { code type countryCode } } transaction { resultCode } } }`, {
      k: key(),
      input: { registry: 'sandbox-repp', email: 'mari@example.ee', voice: '+372.5551111', authInfo: 'unused-pw1', postalInfo: [{ name: 'Mari Maasikas', city: 'Tallinn', cc: 'EE' }], ident: { code: '48001010000', type: 'PRIV', countryCode: 'EE' } },
    });
    expect(r.errors).toBeUndefined();
    contactId = r.data.createContact.id;
    expect(contactId).toMatch(/^ATSAA:[0-9A-F]{8}$/);
    expect(r.data.createContact.contact).toEqual({ id: contactId, email: 'mari@example.ee', sponsor: 'test', ident: { code: '48001010000', type: 'PRIV', countryCode: 'EE' } });
  });

  it('creates a .ee domain with name servers and a DNSSEC key and reads it back in one query', async () => {
    const c = await t.gql(A, `mutation($k: String!, $input: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $input) { name transaction { resultCode } } }`, {
      k: key(),
      input: {
        name: domain,
        registrant: contactId,
        contacts: [{ role: 'ADMIN', id: contactId }, { role: 'TECH', id: contactId }],
        nameservers: [{ name: `ns1.${domain}`, ipv4: ['192.0.2.1'], ipv6: ['2001:db8::1'] }, { name: 'ns2.example.net' }],
        authInfo: 'Pood-kood-1',
        dnssec: { keyData: [{ flags: 257, protocol: 3, algorithm: 13, publicKey: KEY }] },
      },
    });
    expect(c.errors).toBeUndefined();
    const q = await t.gql(A, `{ domain(name: "${domain}") { name sponsor statuses authInfo expiresAt registrant { id ident { code } } contacts { role id } nameservers { name ipv4 ipv6 } dnssecKeys { flags protocol algorithm publicKey } } }`);
    expect(q.errors).toBeUndefined();
    expect(q.data.domain).toMatchObject({
      name: domain,
      sponsor: 'test',
      statuses: ['ok'],
      authInfo: 'Pood-kood-1',
      registrant: { id: contactId, ident: { code: '48001010000' } },
      contacts: [{ role: 'ADMIN', id: contactId }, { role: 'TECH', id: contactId }],
      nameservers: [{ name: `ns1.${domain}`, ipv4: ['192.0.2.1'], ipv6: ['2001:db8::1'] }, { name: 'ns2.example.net', ipv4: [], ipv6: [] }],
      dnssecKeys: [{ flags: 257, protocol: 3, algorithm: 13, publicKey: KEY }],
    });
  });

  it('renews, replaces the name servers, sets and clears clientHold', async () => {
    const before = (await t.gql(A, `{ domain(name: "${domain}") { expiresAt } }`)).data.domain.expiresAt;
    const r = await t.gql(A, `mutation($k: String!) { renewDomain(idempotencyKey: $k, input: { name: "${domain}" }) { expiresAt transaction { resultCode } } }`, { k: key() });
    expect(r.errors).toBeUndefined();
    expect(new Date(r.data.renewDomain.expiresAt).getTime() - new Date(before).getTime()).toBeGreaterThan(364 * 86_400_000);
    const u = await t.gql(A, `mutation($k: String!) { updateDomain(idempotencyKey: $k, input: { name: "${domain}",
      add: { nameservers: [{ name: "ns3.example.net" }, { name: "ns4.example.net" }], statuses: [clientHold] },
      remove: { nameservers: [{ name: "ns1.${domain}" }, { name: "ns2.example.net" }] } }) { name } }`, { k: key() });
    expect(u.errors).toBeUndefined();
    const d = (await t.gql(A, `{ domain(name: "${domain}") { statuses nameservers { name } } }`)).data.domain;
    expect(d.nameservers.map((n: any) => n.name).sort()).toEqual(['ns3.example.net', 'ns4.example.net']);
    expect(d.statuses).toContain('clientHold');
    const clear = await t.gql(A, `mutation($k: String!) { updateDomain(idempotencyKey: $k, input: { name: "${domain}", remove: { statuses: [clientHold] } }) { name } }`, { k: key() });
    expect(clear.errors).toBeUndefined();
    expect((await t.gql(A, `{ domain(name: "${domain}") { statuses } }`)).data.domain.statuses).not.toContain('clientHold');
  });

  it('a contact in use cannot be deleted: ASSOCIATION_PROHIBITS_OPERATION, upstream 2305', async () => {
    const r = await t.gql(A, `mutation($k: String!) { deleteContact(idempotencyKey: $k, id: "${contactId}", registry: "sandbox-repp") { id } }`, { k: key() });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'ASSOCIATION_PROHIBITS_OPERATION', upstreamCode: 2305 });
  });

  it('a wrong transfer code is AUTHORIZATION_ERROR; the right one moves the domain and reaches the losing registrar\'s subscription', async () => {
    const wrong = await t.gql(B, `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "${domain}", authInfo: "Wrong-code-1") { transfer { status } } }`, { k: key() });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('AUTHORIZATION_ERROR');
    const losing = await new Subscriber(t.gateway.wsUrl, A).start({ objects: [domain] });
    try {
      const ok = await t.gql(B, `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "${domain}", authInfo: "Pood-kood-1") { transfer { status } } }`, { k: key() });
      expect(ok.errors).toBeUndefined();
      const [m] = await losing.waitFor(1);
      expect(m).toMatchObject({ type: 'TRANSFER_APPROVED', objectName: domain });
    } finally {
      await losing.stop();
    }
    expect((await t.gql(B, `{ domain(name: "${domain}") { sponsor authInfo } }`)).data.domain.sponsor).toBe('theregistrar');
  });

  it('the new sponsor deletes it', async () => {
    const r = await t.gql(B, `mutation($k: String!) { deleteDomain(idempotencyKey: $k, name: "${domain}") { name pending } }`, { k: key() });
    expect(r.errors).toBeUndefined();
    expect(r.data.deleteDomain).toEqual({ name: domain, pending: false });
    expect((await t.gql(B, `{ domain(name: "${domain}") { name } }`)).data.domain).toBeNull();
  });
});

describe('REPP with wrong Basic credentials', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({
      configure: (c) => {
        const repp = c.backends.find((b) => b.kind === 'repp')!;
        repp.accounts = { NewRegistrar: { username: 'test', password: 'not-the-password' } } as typeof repp.accounts;
        c.poll.enabled = false;
      },
    });
  });
  afterAll(() => t?.close());

  it('UPSTREAM_AUTHENTICATION_ERROR, without the password in the answer', async () => {
    const r = await t.gql(t.keys.NewRegistrar!, '{ domain(name: "kass.ee") { name } }');
    expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_AUTHENTICATION_ERROR');
    expect(JSON.stringify(r)).not.toContain('not-the-password');
  });
});
