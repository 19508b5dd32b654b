/**
 * The foundation issue's "Done when", as a user does it over HTTP: contacts, a host, a domain
 * with DNSSEC read back in one query, renew, status update, a transfer between the two sandbox
 * registrars, and the poll messages on both sides.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const DIGEST = '8CDB2B8A8D0B4E8E1D8E5E6A1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D';
const key = () => randomUUID();

describe('foundation end to end (GraphQL over HTTP -> EPP over TLS -> sandbox)', () => {
  let t: TestGateway;
  let A: string; // NewRegistrar's key
  let B: string; // TheRegistrar's key
  const suffix = Date.now().toString(36);
  const provider = `dns-${suffix}.example`;
  const domain = `shop-${suffix}.example`;
  const ns = `ns1.${provider}`;

  beforeAll(async () => {
    t = await startTestGateway();
    A = t.keys.NewRegistrar!;
    B = t.keys.TheRegistrar!;
  });
  afterAll(() => t?.close());

  it('knows the viewer', async () => {
    const r = await t.gql(A, '{ viewer { id accounts { registry upstreamId tlds capabilities { contacts dnssec } } } }');
    expect(r.errors).toBeUndefined();
    expect(r.data.viewer.id).toBe('NewRegistrar');
    const byName = Object.fromEntries(r.data.viewer.accounts.map((a: any) => [a.registry, a]));
    expect(byName['sandbox-epp'].capabilities).toEqual({ contacts: true, dnssec: true });
    expect(byName['sandbox-nomulus'].capabilities.contacts).toBe(false);
  });

  it('creates two contacts, a host, and a domain using them with DNSSEC, and reads it back in one query', async () => {
    const createContact = `mutation($k: String!, $input: CreateContactInput!) {
      createContact(idempotencyKey: $k, input: $input) { id contact { id email sponsor } transaction { resultCode clientTransactionId serverTransactionId } } }`;
    for (const id of [`reg-${suffix}`.slice(0, 16), `adm-${suffix}`.slice(0, 16)]) {
      const r = await t.gql(A, createContact, {
        k: key(),
        input: { id, email: `${id}@example.net`, authInfo: 'C0ntact-Pw', voice: '+1.7035555555', postalInfo: [{ type: 'int', name: 'Jane Doe', street: ['1 Main St'], city: 'Dulles', sp: 'VA', pc: '20166', cc: 'US' }] },
      });
      expect(r.errors).toBeUndefined();
      expect(r.data.createContact.contact).toMatchObject({ id, email: `${id}@example.net`, sponsor: 'NewRegistrar' });
      expect(r.data.createContact.transaction.resultCode).toBe(1000);
      expect(r.data.createContact.transaction.serverTransactionId).toBeTruthy();
    }
    const reg = `reg-${suffix}`.slice(0, 16);
    const adm = `adm-${suffix}`.slice(0, 16);
    const p = await t.gql(A, `mutation($k: String!) { createDomain(idempotencyKey: $k, input: {
      name: "${provider}", authInfo: "Pr0vider-Pw", registrant: "${reg}", contacts: [{ role: ADMIN, id: "${adm}" }, { role: TECH, id: "${adm}" }] }) { name } }`, { k: key() });
    expect(p.errors).toBeUndefined();
    const h = await t.gql(A, `mutation($k: String!) { createHost(idempotencyKey: $k, input: { name: "${ns}", ipv4: ["192.0.2.53"], ipv6: ["2001:DB8::53"] }) { name host { name ipv4 ipv6 } } }`, { k: key() });
    expect(h.errors).toBeUndefined();
    expect(h.data.createHost.host).toEqual({ name: ns, ipv4: ['192.0.2.53'], ipv6: ['2001:db8::53'] });

    const c = await t.gql(A, `mutation($k: String!, $input: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $input) { name domain { expiresAt } transaction { resultCode } } }`, {
      k: key(),
      input: {
        name: domain,
        period: { value: 2, unit: 'YEARS' },
        registrant: `reg-${suffix}`.slice(0, 16),
        contacts: [{ role: 'ADMIN', id: `adm-${suffix}`.slice(0, 16) }, { role: 'TECH', id: `adm-${suffix}`.slice(0, 16) }],
        nameservers: [{ name: ns }],
        authInfo: 'D0main-Pw',
        dnssec: { dsData: [{ keyTag: 12345, algorithm: 13, digestType: 2, digest: DIGEST }] },
      },
    });
    expect(c.errors).toBeUndefined();
    expect(c.data.createDomain.transaction.resultCode).toBe(1000);

    const q = await t.gql(A, `{ domain(name: "${domain}") {
      name sponsor statuses authInfo expiresAt createdAt
      registrant { id email }
      contacts { role id contact { email } }
      nameservers { name ipv4 ipv6 }
      dnssecKeys { keyTag algorithm digestType digest }
    } }`);
    expect(q.errors).toBeUndefined();
    const d = q.data.domain;
    expect(d).toMatchObject({ name: domain, sponsor: 'NewRegistrar', authInfo: 'D0main-Pw' });
    expect(d.registrant.id).toBe(`reg-${suffix}`.slice(0, 16));
    expect(d.contacts.map((x: any) => x.role).sort()).toEqual(['ADMIN', 'TECH']);
    expect(d.contacts[0].contact.email).toBe(`adm-${suffix}`.slice(0, 16) + '@example.net');
    expect(d.nameservers).toEqual([{ name: ns, ipv4: ['192.0.2.53'], ipv6: ['2001:db8::53'] }]);
    expect(d.dnssecKeys).toEqual([{ keyTag: 12345, algorithm: 13, digestType: 2, digest: DIGEST }]);
    const years = new Date(d.expiresAt).getUTCFullYear() - new Date(d.createdAt).getUTCFullYear();
    expect(years).toBe(2);
  });

  it('answers a registry\'s IPv6 addresses in RFC 5952 form, whatever spelling the registry used', async () => {
    // The sandbox's seeded ns1.example.example was stored as 1080:0:0:0:8:800:200C:417A (RFC 4291's example).
    const r = await t.gql(B, '{ host(name: "ns1.example.example") { ipv4 ipv6 } domain(name: "example.example") { nameservers { name ipv6 } } }');
    expect(r.errors).toBeUndefined();
    expect(r.data.host).toEqual({ ipv4: ['192.0.2.2'], ipv6: ['1080::8:800:200c:417a'] });
    expect(r.data.domain.nameservers).toContainEqual({ name: 'ns1.example.example', ipv6: ['1080::8:800:200c:417a'] });
  });

  it('renews by exactly the period', async () => {
    const before = (await t.gql(A, `{ domain(name: "${domain}") { expiresAt } }`)).data.domain.expiresAt;
    const r = await t.gql(A, `mutation($k: String!) { renewDomain(idempotencyKey: $k, input: { name: "${domain}", period: { value: 3, unit: YEARS } }) { expiresAt domain { expiresAt } } }`, { k: key() });
    expect(r.errors).toBeUndefined();
    const expected = new Date(before);
    expected.setUTCFullYear(expected.getUTCFullYear() + 3);
    expect(r.data.renewDomain.expiresAt).toBe(expected.toISOString());
    expect(r.data.renewDomain.domain.expiresAt).toBe(expected.toISOString());
  });

  it('updates statuses', async () => {
    const add = await t.gql(A, `mutation($k: String!) { updateDomain(idempotencyKey: $k, input: { name: "${domain}", add: { statuses: [clientHold, clientDeleteProhibited] } }) { domain { statuses } } }`, { k: key() });
    expect(add.errors).toBeUndefined();
    expect(add.data.updateDomain.domain.statuses).toEqual(expect.arrayContaining(['clientHold', 'clientDeleteProhibited']));
    const rem = await t.gql(A, `mutation($k: String!) { updateDomain(idempotencyKey: $k, input: { name: "${domain}", remove: { statuses: [clientHold] } }) { domain { statuses } } }`, { k: key() });
    expect(rem.data.updateDomain.domain.statuses).toContain('clientDeleteProhibited');
    expect(rem.data.updateDomain.domain.statuses).not.toContain('clientHold');
  });

  it('never shows the auth info to a registrar that does not sponsor the domain', async () => {
    const r = await t.gql(B, `{ domain(name: "${domain}") { name sponsor authInfo sponsoredByViewer } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data.domain).toMatchObject({ sponsor: 'NewRegistrar', authInfo: null, sponsoredByViewer: false });
  });

  it('transfers to the second registrar with the auth info, approved by the first, with poll messages on both sides', async () => {
    const wrong = await t.gql(B, `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "${domain}", authInfo: "Wr0ng-Pw") { transfer { status } } }`, { k: key() });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('AUTHORIZATION_ERROR');
    expect(wrong.errors?.[0]?.extensions?.upstreamCode).toBe(2202);

    const req = await t.gql(B, `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "${domain}", authInfo: "D0main-Pw") { transfer { status gainingRegistrar losingRegistrar actionAt } transaction { resultCode } } }`, { k: key() });
    expect(req.errors).toBeUndefined();
    expect(req.data.requestTransfer.transaction.resultCode).toBe(1001);
    expect(req.data.requestTransfer.transfer).toMatchObject({ status: 'pending', gainingRegistrar: 'TheRegistrar', losingRegistrar: 'NewRegistrar' });

    const seen = await t.gql(A, `{ transfer(domainName: "${domain}") { status } }`);
    expect(seen.data.transfer.status).toBe('pending');

    const ok = await t.gql(A, `mutation($k: String!) { approveTransfer(idempotencyKey: $k, domainName: "${domain}") { transfer { status } } }`, { k: key() });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.approveTransfer.transfer.status).toBe('clientApproved');

    const now = await t.gql(B, `{ domain(name: "${domain}") { sponsor sponsoredByViewer authInfo } domains { edges { node { name } } } }`);
    expect(now.data.domain).toMatchObject({ sponsor: 'TheRegistrar', sponsoredByViewer: true });
    expect(now.data.domains.edges.map((e: any) => e.node.name)).toContain(domain);

    const pollQuery = `{ pollMessages(first: 100) { edges { node { id type objectName message transfer { status } } } } }`;
    const losing = (await t.gql(A, pollQuery)).data.pollMessages.edges.map((e: any) => e.node).filter((m: any) => m.objectName === domain);
    const gaining = (await t.gql(B, pollQuery)).data.pollMessages.edges.map((e: any) => e.node).filter((m: any) => m.objectName === domain);
    expect(losing.map((m: any) => m.type)).toContain('TRANSFER_REQUESTED');
    expect(gaining.map((m: any) => m.type)).toContain('TRANSFER_APPROVED');

    const ack = await t.gql(B, `mutation($k: String!, $id: ID!) { ackPollMessage(idempotencyKey: $k, id: $id) { message { acknowledgedAt } remaining } }`, { k: key(), id: gaining[0].id });
    expect(ack.errors).toBeUndefined();
    expect(ack.data.ackPollMessage.message.acknowledgedAt).toBeTruthy();
    const after = (await t.gql(B, pollQuery)).data.pollMessages.edges.map((e: any) => e.node.id);
    expect(after).not.toContain(gaining[0].id);
  });
});
