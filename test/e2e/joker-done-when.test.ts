/**
 * Issue 13's "Done when", as a new user does it over GraphQL against the zero-setup gateway, on
 * the Joker sandbox's TLD (.joker.test): two contacts and two hosts, a domain registered with
 * them (answered PENDING with the Proc-ID, completed by a poll event a graphql-ws `pollMessages`
 * subscription receives; a retry with the same key answers pending before and the final answer
 * after), read, renewed by 2 years (24 months upstream), name servers replaced, locked and
 * unlocked, a transfer-in of another sandbox domain with its auth code (pending, then completed),
 * deleted; a session that expired between two requests renewed unnoticed; a wrong API key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JokerSandbox } from '../../src/sandbox/joker/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startGatewayWithHoldableSandbox, whileHeld } from '../helpers/held-sandbox.js';
import { Subscriber } from '../helpers/subscriber.js';

let n = 0;
const key = () => `joker-${Date.now().toString(36)}-${++n}`;
const TX = 'transaction { resultCode pending serverTransactionId }';
const FIELDS = 'name sponsor statuses expiresAt registrant { id } contacts { role contact { id } } nameservers { name }';
const DOMAIN = `domain { ${FIELDS} }`;

describe('Joker end to end (GraphQL -> DMAPI over HTTPS -> sandbox, asynchronous requests through poll)', () => {
  let t: TestGateway;
  let A: string;
  let sub: Subscriber;
  let sandbox: JokerSandbox;
  const suffix = Date.now().toString(36);
  const domain = `d-${suffix}.joker.test`;
  const hosts = [`ns1.h-${suffix}.test`, `ns2.h-${suffix}.test`];
  const contacts: string[] = [];

  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const r = await t.gql(A, query, variables);
    expect(r.errors).toBeUndefined();
    return r.data;
  };
  /** Waits for the next poll event about `name` of `type` (the subscription's running list). */
  const event = async (count: number, type = 'PENDING_ACTION_COMPLETED') => {
    const got = await sub.waitFor(count);
    expect(got.length).toBeGreaterThanOrEqual(count);
    expect(got[count - 1].type).toBe(type);
    return got[count - 1];
  };

  /** Runs a mutation while the registry holds its queue, so its answer is the pending one whatever the machine's load; then lets the registry process it. */
  const queued = <T>(fn: () => Promise<T>): Promise<T> => whileHeld(sandbox, fn);

  beforeAll(async () => {
    // processed at the next request, unless held (queued())
    ({ t, key: A, sandbox } = await startGatewayWithHoldableSandbox('joker', { pollIntervalMs: 150, sandbox: { domainDelayMs: 0 } }));
    sub = await new Subscriber(t.gateway.wsUrl, A).start({ objects: [domain, 'spare.joker.test'] });
  });
  afterAll(async () => {
    await sub?.stop();
    await t?.close();
  });

  it('shows the Joker account, its TLDs and its balance (Account-Balance)', async () => {
    const d = await gql('{ viewer { accounts { registry kind tlds balance { amount currency } } } }');
    expect(d.viewer.accounts.find((a: any) => a.kind === 'joker')).toEqual({ registry: 'sandbox-joker', kind: 'joker', tlds: ['joker.test', 'dmapi.test'], balance: { amount: '1000.00', currency: 'EUR' } });
  });

  it('creates two contacts (handles assigned by the registry) and two hosts', async () => {
    for (const [name, email] of [['Ann Owner', 'ann@example.test'], ['Ben Tech', 'ben@example.test']]) {
      const d = await gql(`mutation($k: String!, $i: CreateContactInput!) { createContact(idempotencyKey: $k, input: $i) { id contact { id email } ${TX} } }`, {
        k: key(),
        i: { registry: 'sandbox-joker', email, voice: '+372.5551234', authInfo: 'unused-pw-1', postalInfo: [{ name, street: ['1 Road'], city: 'Town', pc: '12345', cc: 'EE' }] },
      });
      expect(d.createContact).toMatchObject({ id: expect.stringMatching(/^CJOK-\d+$/), contact: { email }, transaction: { resultCode: 1000, pending: false } });
      contacts.push(d.createContact.id);
    }
    for (const [i, name] of hosts.entries()) {
      const d = await gql(`mutation($k: String!, $i: CreateHostInput!) { createHost(idempotencyKey: $k, input: $i) { name host { name ipv4 } ${TX} } }`, { k: key(), i: { registry: 'sandbox-joker', name, ipv4: [`192.0.2.${10 + i}`] } });
      expect(d.createHost).toMatchObject({ name, host: { name, ipv4: [`192.0.2.${10 + i}`] }, transaction: { resultCode: 1000 } });
    }
  });

  it('a domain naming a contact that does not exist is refused, naming it; nothing is created', async () => {
    const r = await t.gql(A, `mutation($k: String!) { createDomain(idempotencyKey: $k, input: { name: "x-${suffix}.joker.test", authInfo: "unused-pw-1", registrant: "${contacts[0]}", contacts: [{ role: ADMIN, id: "CJOK-99999" }, { role: TECH, id: "${contacts[1]}" }, { role: BILLING, id: "${contacts[1]}" }], nameservers: [{ name: "${hosts[0]}" }] }) { name } }`, { k: key() });
    expect(r.errors?.[0]?.extensions?.code).toBe('OBJECT_NOT_FOUND');
    expect(r.errors?.[0]?.message).toContain('admin-c contact CJOK-99999');
  });

  let createKey: string;
  const createVars = () => ({ k: createKey, i: { name: domain, authInfo: 'unused-pw-1', registrant: contacts[0], contacts: [{ role: 'ADMIN', id: contacts[0] }, { role: 'TECH', id: contacts[1] }, { role: 'BILLING', id: contacts[1] }], nameservers: hosts.map((name) => ({ name })) } });
  const CREATE = `mutation($k: String!, $i: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $i) { name replayed ${TX} ${DOMAIN} } }`;

  it('registers the domain: PENDING with the Proc-ID, completed by a poll event; the key replays pending, then final', async () => {
    createKey = key();
    const first = await queued(async () => {
      const r = (await gql(CREATE, createVars())).createDomain;
      expect(r.transaction).toMatchObject({ resultCode: 1001, pending: true, serverTransactionId: expect.stringMatching(/^\d+$/) });
      expect(r.domain.statuses).toEqual(['pendingCreate']);
      const again = (await gql(CREATE, createVars())).createDomain;
      expect(again).toMatchObject({ replayed: true, transaction: { resultCode: 1001, pending: true } });
      return r;
    });
    const m = await event(1);
    expect(m.objectName).toBe(domain);
    const final = (await gql(CREATE, createVars())).createDomain;
    expect(final).toMatchObject({ replayed: true, transaction: { resultCode: 1000, pending: false, serverTransactionId: first.transaction.serverTransactionId } });
  });

  let expiry: Date;
  it('reads it back: contacts, name servers, expiry, sponsor', async () => {
    const d = (await gql(`{ domain(name: "${domain}") { ${FIELDS} } }`)).domain;
    expect(d).toMatchObject({ name: domain, sponsor: '100001', statuses: ['ok'], registrant: { id: contacts[0] } });
    expect(d.contacts.map((c: any) => [c.role, c.contact.id]).sort()).toEqual([['ADMIN', contacts[0]], ['BILLING', contacts[1]], ['TECH', contacts[1]]]);
    expect(d.nameservers.map((x: any) => x.name).sort()).toEqual(hosts);
    expiry = new Date(d.expiresAt);
  });

  it('renews by 2 years: 24 months later once the result arrives', async () => {
    const r = await queued(async () => (await gql(`mutation($k: String!) { renewDomain(idempotencyKey: $k, input: { name: "${domain}", period: { value: 2, unit: YEARS } }) { ${TX} domain { statuses } } }`, { k: key() })).renewDomain);
    expect(r.transaction.pending).toBe(true);
    expect(r.domain.statuses).toContain('pendingRenew');
    await event(2);
    const after = new Date((await gql(`{ domain(name: "${domain}") { expiresAt } }`)).domain.expiresAt);
    const want = new Date(expiry);
    want.setUTCMonth(want.getUTCMonth() + 24);
    expect(after.toISOString()).toBe(want.toISOString());
  });

  it('replaces its name servers (the whole new set goes upstream)', async () => {
    const add = ['ns1.sandbox-dns.test', 'ns2.sandbox-dns.test'].map((name) => ({ name }));
    const r = await queued(async () => (await gql(`mutation($k: String!, $i: UpdateDomainInput!) { updateDomain(idempotencyKey: $k, input: $i) { ${TX} } }`, { k: key(), i: { name: domain, add: { nameservers: add }, remove: { nameservers: hosts.map((name) => ({ name })) } } })).updateDomain);
    expect(r.transaction.pending).toBe(true);
    await event(3);
    expect(sandbox.domain(domain)!.ns).toEqual(['ns1.sandbox-dns.test', 'ns2.sandbox-dns.test']);
    expect((await gql(`{ domain(name: "${domain}") { nameservers { name } } }`)).domain.nameservers.map((x: any) => x.name).sort()).toEqual(['ns1.sandbox-dns.test', 'ns2.sandbox-dns.test']);
  });

  it('locks and unlocks it (clientTransferProhibited)', async () => {
    const UPDATE = `mutation($k: String!, $i: UpdateDomainInput!) { updateDomain(idempotencyKey: $k, input: $i) { ${TX} } }`;
    await queued(() => gql(UPDATE, { k: key(), i: { name: domain, add: { statuses: ['clientTransferProhibited'] } } }));
    await event(4);
    expect((await gql(`{ domain(name: "${domain}") { statuses } }`)).domain.statuses).toEqual(['clientTransferProhibited']);
    await queued(() => gql(UPDATE, { k: key(), i: { name: domain, remove: { statuses: ['clientTransferProhibited'] } } }));
    await event(5);
    expect((await gql(`{ domain(name: "${domain}") { statuses } }`)).domain.statuses).toEqual(['ok']);
  });

  it('a session that expired between two requests is renewed without the client noticing', async () => {
    const logins = sandbox.answered('login');
    sandbox.expireSessions();
    expect((await gql(`{ domain(name: "${domain}") { name } }`)).domain.name).toBe(domain);
    expect(sandbox.answered('login')).toBeGreaterThan(logins);
  });

  it('requests a transfer-in of another sandbox domain with its auth code: pending, then completed (TRANSFER_APPROVED); a retry with its key then replays the completed transfer', async () => {
    const REQUEST = `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "spare.joker.test", authInfo: "Spare-Auth-3") { replayed transfer { status } ${TX} } }`;
    const k = key();
    const r = await queued(async () => (await gql(REQUEST, { k })).requestTransfer);
    expect(r).toMatchObject({ replayed: false, transfer: { status: 'pending' }, transaction: { pending: true } });
    const m = await event(6, 'TRANSFER_APPROVED');
    expect(m.objectName).toBe('spare.joker.test');
    expect(m.transfer?.status).toBe('clientApproved');
    expect((await gql('{ domain(name: "spare.joker.test") { sponsor } }')).domain.sponsor).toBe('100001');
    // The replay's transfer is the completed one, not the pending answer beside a final 1000.
    expect((await gql(REQUEST, { k })).requestTransfer).toMatchObject({ replayed: true, transfer: { status: 'clientApproved' }, transaction: { resultCode: 1000, pending: false } });
  });

  it('deletes it: pending, then the DELETED event; the domain is in its redemption period', async () => {
    const r = await queued(async () => (await gql(`mutation($k: String!) { deleteDomain(idempotencyKey: $k, name: "${domain}") { pending ${TX} } }`, { k: key() })).deleteDomain);
    expect(r).toMatchObject({ pending: true, transaction: { pending: true } });
    await event(7, 'DELETED');
    expect((await gql(`{ domain(name: "${domain}") { statuses rgpStatuses } }`)).domain).toEqual({ statuses: ['pendingDelete'], rgpStatuses: ['redemptionPeriod'] });
    // Still the registrar's, and restorable: `domains` lists it (a trial's UI lost it from "my domains").
    const listed = (await gql('{ domains(first: 500) { edges { node { name statuses } } } }')).domains.edges.map((e: { node: { name: string; statuses: string[] } }) => e.node);
    expect(listed).toContainEqual({ name: domain, statuses: ['pendingDelete'] });
  });
});

describe('Joker with a wrong API key', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({
      configure: (c) => {
        const joker = c.backends.find((b) => b.kind === 'joker')!;
        joker.accounts = { NewRegistrar: { uid: '100001', password: 'not-the-api-key' } } as typeof joker.accounts;
        c.poll.enabled = false;
      },
    });
  });
  afterAll(() => t?.close());

  it('UPSTREAM_AUTHENTICATION_ERROR, without the key in the answer', async () => {
    const r = await t.gql(t.keys.NewRegistrar!, '{ domain(name: "alpha.joker.test") { name } }');
    expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_AUTHENTICATION_ERROR');
    expect(JSON.stringify(r)).not.toContain('not-the-api-key');
  });
});
