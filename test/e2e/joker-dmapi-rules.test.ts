/**
 * DMAPI rules the Joker driver once missed (review defects), over GraphQL against Joker sandboxes
 * over HTTPS that follow the document:
 * - query-whois knows only Joker's registrations ("Only object registered with Joker.Com may be
 *   queried"), so `checkDomains` answers a name it does not know as not known to be available
 *   (`available: false`, reason `unknown: ...`), never as free;
 * - a transfer-in sends autorenew=0: DMAPI's default there is 1 ("If not set explicitly, defaults
 *   to 1"), so a domain moved in was renewed and charged on its own;
 * - query-contact-list answers at most 10,000 handles unless "from" or "to" is given: the driver
 *   asks from the page's first item, so a contact past the cap is found (here the reconciliation
 *   of a contact-create whose answer was lost, against a sandbox whose cap is lowered to 3);
 * - .de takes DNSSEC keys as protocol:alg:flags:pubkey-base64, not DS records: a DS change there is
 *   UNSUPPORTED_BY_BACKEND before anything is sent, instead of DS data in the wrong form.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JokerBackendConfig } from '../../src/backends/joker/config.js';
import { JokerSandbox } from '../../src/sandbox/joker/index.js';
import { atStandaloneJoker } from '../helpers/dmapi.js';
import { keepBackends, noBackgroundWork, startTestGateway, type TestGateway } from '../helpers/gateway.js';

const run = randomUUID().slice(0, 6);
const CONTACTS = `registrant: "CJOK-1", contacts: [{ role: ADMIN, id: "CJOK-1" }, { role: TECH, id: "CJOK-1" }, { role: BILLING, id: "CJOK-1" }]`;

describe('the zero-setup Joker sandbox, also serving .de', () => {
  let t: TestGateway;
  let joker: JokerSandbox;
  let A: string;
  beforeAll(async () => {
    t = await startTestGateway({
      configure: (c) => {
        noBackgroundWork(c);
        keepBackends(c, ['joker'], 'sandbox-joker');
        c.routes.push({ suffix: 'de', backend: 'sandbox-joker' });
        (c.backends[0] as JokerBackendConfig).sandbox = { domainDelayMs: 0 };
      },
    });
    joker = t.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
    A = t.keys.NewRegistrar!;
  }, 60_000);
  afterAll(() => t?.close());

  it('checkDomains: a name Joker does not know is not known to be available; a registered one is taken', async () => {
    const free = `nobody-${run}.joker.test`;
    const r = await t.gql(A, 'query($n: [String!]!) { checkDomains(names: $n) { name available reason registry } }', { n: ['alpha.joker.test', free] });
    expect(r.errors).toBeUndefined();
    expect(r.data.checkDomains).toEqual([
      { name: 'alpha.joker.test', available: false, reason: 'registered', registry: 'sandbox-joker' },
      { name: free, available: false, reason: 'unknown: not registered at Joker; DMAPI cannot tell whether another registrar holds it', registry: 'sandbox-joker' },
    ]);
  });

  it('a transferred-in domain is not set to renew on its own', async () => {
    expect(joker.domain('spare.joker.test')!.autorenew).toBe(false);
    const r = await t.gql(A, `mutation($k: String!) { requestTransfer(idempotencyKey: $k, domainName: "spare.joker.test", authInfo: "Spare-Auth-3") { transfer { status } } }`, { k: randomUUID() });
    expect(r.errors).toBeUndefined();
    expect(joker.domain('spare.joker.test')).toMatchObject({ resellerUid: '100001', autorenew: false });
  });

  it('a DS change on .de is UNSUPPORTED_BY_BACKEND naming the field, nothing sent; on .joker.test it is sent', async () => {
    const de = `ds-${run}.de`;
    const made = await t.gql(A, `mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, ${CONTACTS}, nameservers: [{ name: "ns1.sandbox-dns.test" }], authInfo: "Unused-pw-1" }) { name } }`, { k: randomUUID(), n: de });
    expect(made.errors).toBeUndefined();
    const ds = { keyTag: 12345, algorithm: 13, digestType: 2, digest: 'A'.repeat(64) };
    const UPDATE = `mutation($k: String!, $n: String!, $ds: [DsDataInput!]!) { updateDomain(idempotencyKey: $k, input: { name: $n, add: { dsData: $ds } }) { domain { name } } }`;
    const before = await t.upstreamCommands();
    const r = await t.gql(A, UPDATE, { k: randomUUID(), n: de, ds: [ds] });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', field: 'input.add.dsData' });
    expect(r.errors?.[0]?.message).toContain('protocol:alg:flags:pubkey-base64');
    expect(joker.domain(de)!.ds).toEqual([]);
    await t.upstreamCommands(); // flushed
    const logged = await t.gateway.services.prisma.commandLog.findMany({ orderBy: { id: 'asc' }, skip: before });
    expect(logged.filter((c) => c.sent)).toEqual([]); // nothing went upstream

    // A DS record's own key data has no DMAPI field: refused, where it was dropped (the DS sent without it).
    const withKey = { ...ds, keyTag: 23456, keyData: { flags: 257, protocol: 3, algorithm: 13, publicKey: 'AwEAAa'.padEnd(88, 'x') } };
    const nested = await t.gql(A, UPDATE, { k: randomUUID(), n: 'alpha.joker.test', ds: [ds, withKey] });
    expect(nested.errors?.[0]?.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', field: 'input.add.dsData[1].keyData' });
    expect(joker.domain('alpha.joker.test')!.ds).toEqual([]);

    const ok = await t.gql(A, UPDATE, { k: randomUUID(), n: 'alpha.joker.test', ds: [ds] });
    expect(ok.errors).toBeUndefined();
    expect(joker.domain('alpha.joker.test')!.ds).toEqual([`12345:13:2:${'A'.repeat(64)}`]);
  });
});

describe("a reseller's contact list longer than DMAPI lists unasked", () => {
  let t: TestGateway;
  let joker: JokerSandbox;
  let A: string;
  beforeAll(async () => {
    joker = new JokerSandbox({ domainDelayMs: 0, contactListCap: 3 });
    const { url, ca } = await joker.start();
    t = await startTestGateway({
      configure: (c) => {
        noBackgroundWork(c);
        keepBackends(c, ['joker'], 'sandbox-joker');
        atStandaloneJoker(c.backends[0] as JokerBackendConfig, url, ca);
      },
    });
    A = t.keys.NewRegistrar!;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await joker?.stop();
  });

  it("a contact-create whose answer was lost, past the list's cap: the retry finds it (replayed), made once", async () => {
    joker.addContacts('100001', 3); // with the seeded CJOK-1, 4 contacts: the cap shows 3
    const email = `past-cap-${run}@example.test`;
    const query = `mutation($k: String!, $i: CreateContactInput!) { createContact(idempotencyKey: $k, input: $i) { id replayed contact { email } } }`;
    const input = { registry: 'sandbox-joker', email, voice: '+372.5550103', authInfo: 'unused-pw-3', postalInfo: [{ name: 'Past Cap', street: ['1 Road'], city: 'Town', pc: '12345', cc: 'EE' }] };
    const sent = joker.answered('contact-create');
    joker.garbleAfterApply('contact-create', 'Status-Code: 0\nStatus-Text: Command completed successfully\n\n');
    const first = await t.gql(A, query, { k: `past-cap-${run}`, i: input });
    expect(first.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    const retry = await t.gql(A, query, { k: `past-cap-${run}`, i: input });
    expect(retry.errors).toBeUndefined();
    expect(retry.data.createContact).toMatchObject({ replayed: true, contact: { email } });
    expect(joker.answered('contact-create') - sent).toBe(1);
  });
});
