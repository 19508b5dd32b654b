/**
 * A name more than one label below the zone it routes to (Router.unregistrable) can never be a
 * domain at any registry, so every domain operation decides it before anything is recorded or
 * sent, as createDomain, requestTransfer, bulkTransfer and checkDomains did already
 * (unregistrable-names.test.ts). Before, renewDomain of `sub.x.example` sent a domain:info and
 * answered the registry's OBJECT_NOT_FOUND (HeadlessDomains: a PARAMETER_VALUE_POLICY_ERROR about
 * a namespace), approveTransfer wrote an idempotency record first, bulkRenew made a job whose item
 * failed upstream, and `domain(name)` sent a read (HeadlessDomains: answered that error instead of
 * null).
 * - Mutations: BAD_USER_INPUT naming the field, `<field>: not registrable: it is 2 labels below ...`.
 * - Bulk jobs: refused at submission naming the item (`domains[i].name`, `domains[i]`), no job.
 * - Reads: what a domain the registry does not have answers (null; OBJECT_NOT_FOUND for
 *   `domain(name, authInfo)`), nothing sent.
 * The command log (the `commandLog` query) shows no command for the name.
 */
import { randomUUID } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type GraphQLResponse, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let A: string;
const run = randomUUID().slice(0, 6);
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
  A = t.keys.NewRegistrar!;
}, 120_000);
afterAll(() => t?.close());

/** The viewer's command log entries for `name` (the `commandLog` query). */
async function commandsFor(name: string): Promise<string[]> {
  const r = await t.gql(A, 'query($n: String!) { commandLog(first: 50, filter: { objectName: $n }) { edges { node { command } } } }', { n: name });
  expect(r.errors).toBeUndefined();
  return r.data.commandLog.edges.map((e: { node: { command: string } }) => e.node.command);
}

/** A deeper name's refusal: BAD_USER_INPUT on `field`, the message naming the zone (or saying `why`), nothing recorded or sent. */
async function expectRefused(r: GraphQLResponse, field: string, zone: string, names: string[], key?: string, why = `it is 2 labels below "\\.${zone.replace(/\./g, '\\.')}"`) {
  // Refused when the field runs (routing): its payload is null (README, Errors: several mutations in one document).
  expect(Object.values(r.data ?? {}).every((v) => v === null)).toBe(true);
  expect(r.errors).toHaveLength(1);
  expect(r.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  expect(r.errors![0]!.message).toMatch(new RegExp(`^${field.replace(/[.[\]]/g, '\\$&')}: not registrable: ${why}`));
  for (const n of names) expect(await commandsFor(n)).toEqual([]);
  if (key) expect(await t.gateway.services.prisma.idempotencyRecord.count({ where: { idempotencyKey: key } })).toBe(0);
}

// One deeper name per backend kind, each below a zone routed to it (REPP: .pri.ee, routed besides .ee).
const BACKENDS = [
  ['EPP', 'example'],
  ['EPP (Nomulus)', 'tld'],
  ['Joker', 'joker.test'],
  ['REPP', 'pri.ee'],
  ['HeadlessDomains', 'hdtest'],
] as const;

const MUTATIONS = [
  ['renewDomain', 'input.name', 'mutation($k: String!, $n: String!) { renewDomain(idempotencyKey: $k, input: { name: $n }) { name } }'],
  ['updateDomain (statuses)', 'input.name', 'mutation($k: String!, $n: String!) { updateDomain(idempotencyKey: $k, input: { name: $n, add: { statuses: [clientTransferProhibited] } }) { name } }'],
  [
    'updateDomain (name servers, DNSSEC, contacts, registrant, auth info)',
    'input.name',
    'mutation($k: String!, $n: String!) { updateDomain(idempotencyKey: $k, input: { name: $n, add: { nameservers: [{ name: "ns1.example.net" }], contacts: [{ role: TECH, id: "jd1234" }] }, removeAllDnssec: true, registrant: "jd1234", authInfo: "Deeper-pw2" }) { name } }',
  ],
  ['deleteDomain', 'name', 'mutation($k: String!, $n: String!) { deleteDomain(idempotencyKey: $k, name: $n) { name } }'],
  ['restoreDomain', 'name', 'mutation($k: String!, $n: String!) { restoreDomain(idempotencyKey: $k, name: $n) { name } }'],
  ['approveTransfer', 'domainName', 'mutation($k: String!, $n: String!) { approveTransfer(idempotencyKey: $k, domainName: $n) { replayed } }'],
  ['rejectTransfer', 'domainName', 'mutation($k: String!, $n: String!) { rejectTransfer(idempotencyKey: $k, domainName: $n) { replayed } }'],
  ['cancelTransfer', 'domainName', 'mutation($k: String!, $n: String!) { cancelTransfer(idempotencyKey: $k, domainName: $n) { replayed } }'],
] as const;

describe('domain mutations', () => {
  it.each(MUTATIONS.flatMap(([op, field, query]) => BACKENDS.map(([kind, zone]) => [op, kind, field, query, zone] as const)))(
    '%s on %s: BAD_USER_INPUT naming the field, no idempotency record, no command',
    async (_op, _kind, field, query, zone) => {
      const name = `sub.m-${run}.${zone}`;
      const k = randomUUID();
      await expectRefused(await t.gql(A, query, { k, n: name }), field, zone, [name], k);
    },
  );

  it('a name directly under a zone the backend knows besides its routes (REPP .med.ee) still goes to the registry; one below it does not', async () => {
    const RENEW = MUTATIONS[0][2];
    const direct = `z-${run}.med.ee`;
    const r = await t.gql(A, RENEW, { k: randomUUID(), n: direct });
    expect(r.errors?.[0]?.extensions?.code).toBe('OBJECT_NOT_FOUND'); // the registry's answer: no such domain
    expect(await commandsFor(direct)).not.toEqual([]);
    const deeper = `a.z-${run}.med.ee`;
    await expectRefused(await t.gql(A, RENEW, { k: randomUUID(), n: deeper }), 'input.name', 'med.ee', [deeper]);
  });
});

/**
 * A .ee name of letters outside the .ee registry's set (its domain regulation: a-z, 0-9, hyphen, õ
 * ä ö ü š ž) can never be a domain there either (RegistryPort.unregistrable, REPP's rule). A fresh
 * user's trial: checkDomains answered it not registrable but logged a domain:check it never sent,
 * and renew, update, delete and the transfers sent it to REPP (an idempotency record, a FAILED
 * command, OBJECT_NOT_FOUND).
 */
describe('a .ee name outside the .ee letter set', () => {
  const LETTERS = "holds characters outside the \\.ee registry's set";
  const cyrillic = (tag: string) => `жж${tag}-${run}.ee`;
  const aLabel = (n: string) => domainToASCII(n);

  it.each(MUTATIONS)('%s: BAD_USER_INPUT naming the field, no idempotency record, no command', async (op, field, query) => {
    const name = cyrillic(`m${MUTATIONS.findIndex(([o]) => o === op)}`);
    const k = randomUUID();
    await expectRefused(await t.gql(A, query, { k, n: name }), field, 'ee', [aLabel(name)], k, LETTERS);
  });

  it('bulkRenew: the item is refused naming it, no job written', async () => {
    const name = cyrillic('b');
    const jobs = await t.gateway.services.prisma.bulkJob.count();
    const r = await t.gql(A, 'mutation($k: String!, $d: [BulkRenewItemInput!]!) { bulkRenew(idempotencyKey: $k, domains: $d) { job { id } } }', { k: randomUUID(), d: [{ name: `ok-${run}.ee` }, { name }] });
    await expectRefused(r, 'domains[1].name', 'ee', [aLabel(name)], undefined, LETTERS);
    expect(await t.gateway.services.prisma.bulkJob.count()).toBe(jobs);
  });

  it('checkDomains answers it not registrable and logs no command; domain(name) answers null, nothing sent', async () => {
    const name = cyrillic('c');
    const r = await t.gql(A, 'query($n: [String!]!) { checkDomains(names: $n) { available reason } }', { n: [name] });
    expect(r.errors).toBeUndefined();
    expect(r.data.checkDomains[0]).toMatchObject({ available: false, reason: expect.stringMatching(new RegExp(`^not registrable: ${LETTERS}`)) });
    const read = await t.gql(A, 'query($n: String!) { domain(name: $n) { name } }', { n: name });
    expect(read).toMatchObject({ data: { domain: null } });
    expect(read.errors).toBeUndefined();
    await t.gateway.commandLog.flush();
    expect(await commandsFor(aLabel(name))).toEqual([]);
  });
});

describe('bulk jobs naming domains', () => {
  const JOBS = [
    ['bulkRenew', 'domains[1].name', 'mutation($k: String!, $d: [BulkRenewItemInput!]!) { bulkRenew(idempotencyKey: $k, domains: $d) { job { id } } }'],
    ['bulkReplaceNameserver', 'domains[1]', 'mutation($k: String!, $d: [String!]!) { bulkReplaceNameserver(idempotencyKey: $k, from: "ns1.example.net", to: { name: "ns2.example.net" }, domains: $d) { job { id } } }'],
    ['bulkReplaceTechContact', 'domains[1]', 'mutation($k: String!, $d: [String!]!) { bulkReplaceTechContact(idempotencyKey: $k, from: "jd1234", to: "sah8013", domains: $d) { job { id } } }'],
    ['bulkUpdateStatuses', 'domains[1]', 'mutation($k: String!, $d: [String!]!) { bulkUpdateStatuses(idempotencyKey: $k, domains: $d, add: [clientTransferProhibited]) { job { id } } }'],
  ] as const;

  it.each(JOBS.flatMap(([op, field, query]) => [BACKENDS[0], BACKENDS[2]].map(([kind, zone]) => [op, kind, field, query, zone] as const)))(
    '%s on %s: a deeper item is BAD_USER_INPUT naming it, no job written, nothing sent',
    async (op, _kind, field, query, zone) => {
      const ok = `ok-${run}-${randomUUID().slice(0, 4)}.${zone}`;
      const deep = `sub.b-${run}.${zone}`;
      const jobs = await t.gateway.services.prisma.bulkJob.count();
      const d = op === 'bulkRenew' ? [{ name: ok }, { name: deep }] : [ok, deep];
      await expectRefused(await t.gql(A, query, { k: randomUUID(), d }), field, zone, [ok, deep]);
      expect(await t.gateway.services.prisma.bulkJob.count()).toBe(jobs);
    },
  );
});

describe('reads by name', () => {
  const READS = [
    ['domain(name)', '{ domain(name: "%N%") { name } }'],
    ['transfer(domainName)', '{ transfer(domainName: "%N%") { status } }'],
    ['transfer(domainName, authInfo)', '{ transfer(domainName: "%N%", authInfo: "Some-Auth1") { status } }'],
    ['_entities (federation)', 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Domain { name } } }'],
  ] as const;

  /** What a read answers: its data and its errors' codes and fields. */
  const answer = (r: GraphQLResponse) => ({ data: r.data, errors: r.errors?.map((e) => ({ code: e.extensions?.code, field: e.extensions?.field })) });

  it.each(READS.flatMap(([read, query]) => BACKENDS.map(([kind, zone]) => [read, kind, query, zone] as const)))(
    '%s on %s: a deeper name answers as a domain the registry does not have, nothing sent',
    async (_read, kind, query, zone) => {
      const deep = `sub.r${READS.findIndex(([, q]) => q === query)}-${run}.${zone}`;
      const read = (n: string) => t.gql(A, query.replace('%N%', n), query.includes('_entities') ? { r: [{ __typename: 'Domain', name: n }] } : undefined);
      const r = await read(deep);
      expect(r.errors).toBeUndefined();
      expect(Object.values(r.data)).toEqual([query.includes('_entities') ? [null] : null]);
      // The same as for a name directly under the zone that the registry does not have (Joker refuses
      // any authInfo in a read, UNSUPPORTED_BY_BACKEND, whether the domain exists or not).
      if (!(kind === 'Joker' && query.includes('authInfo'))) expect(answer(r)).toEqual(answer(await read(`r-${run}.${zone}`)));
      expect(await commandsFor(deep)).toEqual([]);
    },
  );

  it.each(BACKENDS)('domain(name, authInfo) on %s: OBJECT_NOT_FOUND as for a domain the registry does not have, nothing sent', async (kind, zone) => {
    const DOMAIN = 'query($n: String!) { domain(name: $n, authInfo: "Some-Auth1") { name } }';
    const deep = `sub.a-${run}.${zone}`;
    const r = await t.gql(A, DOMAIN, { n: deep });
    expect(r.data).toEqual({ domain: null });
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['OBJECT_NOT_FOUND']);
    expect(r.errors![0]!.extensions).toMatchObject({ field: 'name' });
    expect(r.errors![0]!.message).toMatch(/not registrable/);
    // Joker refuses any authInfo in a read (UNSUPPORTED_BY_BACKEND); the others answer a name they do not have so.
    const absent = await t.gql(A, DOMAIN, { n: `a-${run}.${zone}` });
    expect(absent.errors?.map((e) => e.extensions?.code)).toEqual([kind === 'Joker' ? 'UNSUPPORTED_BY_BACKEND' : 'OBJECT_NOT_FOUND']);
    expect(await commandsFor(deep)).toEqual([]);
  });

  it('domain(name) under a zone the backend knows besides its routes (REPP .med.ee) is read; one label deeper is not', async () => {
    const DOMAIN = 'query($n: String!) { domain(name: $n) { name } }';
    const direct = `d-${run}.med.ee`;
    expect((await t.gql(A, DOMAIN, { n: direct })).data).toEqual({ domain: null });
    expect(await commandsFor(direct)).not.toEqual([]);
    const deeper = `a.d-${run}.med.ee`;
    expect((await t.gql(A, DOMAIN, { n: deeper })).data).toEqual({ domain: null });
    expect(await commandsFor(deeper)).toEqual([]);
  });
});
