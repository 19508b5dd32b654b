/**
 * Bad input gets a GraphQL error with a stable extensions.code naming the field, and nothing
 * is sent upstream (the command log, which records every upstream command, does not grow).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemKey } from '../../src/bulk/store.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { wsOnce } from '../helpers/ws.js';

const DIGEST = '8CDB2B8A8D0B4E8E1D8E5E6A1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D';

describe('bad input', () => {
  let t: TestGateway;
  let A: string;
  beforeAll(async () => {
    // No background polling: every command in the log comes from the requests under test.
    t = await startTestGateway({ configure: (c) => (c.poll.enabled = false) });
    A = t.keys.NewRegistrar!;
  });
  afterAll(() => t?.close());
  /** Rows a refused request must not have written (idempotency records, domain index, acks). */
  const written = async () => {
    const p = t.gateway.services.prisma;
    return [await p.idempotencyRecord.count(), await p.domainIndex.count(), await p.pollMessage.count({ where: { ackedAt: { not: null } } })];
  };

  const create = `mutation($k: String!, $input: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $input) { name } }`;
  const base = { name: 'fine.example', authInfo: 'G00d-Pw' };

  it.each([
    ['invalid LDH label', { ...base, name: 'bad_name.example' }, 'BAD_USER_INPUT', 'input.name'],
    ['label over 63', { ...base, name: `${'a'.repeat(64)}.example` }, 'BAD_USER_INPUT', 'input.name'],
    ['leading hyphen', { ...base, name: '-x.example' }, 'BAD_USER_INPUT', 'input.name'],
    ['unknown TLD', { ...base, name: 'fine.nosuchtld' }, 'UNKNOWN_TLD', 'input.name'],
    ['bad IPv4', { ...base, nameservers: [{ name: 'ns1.fine.example', ipv4: ['300.1.1.1'] }] }, 'BAD_USER_INPUT', 'input.nameservers[0].ipv4[0]'],
    ['bad IPv6', { ...base, nameservers: [{ name: 'ns1.fine.example', ipv6: ['2001:db8::zz'] }] }, 'BAD_USER_INPUT', 'input.nameservers[0].ipv6[0]'],
    ['period too long', { ...base, period: { value: 11, unit: 'YEARS' } }, 'BAD_USER_INPUT', 'input.period.value'],
    ['period zero', { ...base, period: { value: 0, unit: 'YEARS' } }, 'BAD_USER_INPUT', 'input.period.value'],
    ['DS digest length', { ...base, dnssec: { dsData: [{ keyTag: 1, algorithm: 13, digestType: 2, digest: 'ABCDEF' }] } }, 'BAD_USER_INPUT', 'input.dnssec.dsData[0].digest'],
    ['DS key tag', { ...base, dnssec: { dsData: [{ keyTag: 70000, algorithm: 13, digestType: 2, digest: DIGEST }] } }, 'BAD_USER_INPUT', 'input.dnssec.dsData[0].keyTag'],
    ['DNSKEY protocol', { ...base, dnssec: { keyData: [{ flags: 257, protocol: 4, algorithm: 13, publicKey: 'AwEAAQ==' }] } }, 'BAD_USER_INPUT', 'input.dnssec.keyData[0].protocol'],
    ['short auth info', { ...base, authInfo: 'abc' }, 'BAD_USER_INPUT', 'input.authInfo'],
    ['contacts on a registry without contacts', { ...base, name: 'fine.tld', registrant: 'someone1' }, 'UNSUPPORTED_BY_BACKEND', undefined],
  ])('%s', async (_why, input, code, field) => {
    const before = await t.upstreamCommands();
    const r = await t.gql(A, create, { k: `bad-${Math.random()}`, input });
    // null: refused before anything ran (BAD_USER_INPUT), or the payload's null (refused when the field ran: routing, capabilities)
    expect(r.data?.createDomain ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions?.code).toBe(code);
    if (field) expect(r.errors?.[0]?.extensions?.field).toBe(field);
    expect(await t.upstreamCommands()).toBe(before);
  });

  const bigDigest = 'A'.repeat(1_000_000);
  const bigKey = 'A'.repeat(1_000_000);
  it.each([
    ['1 MB DS digest', { ...base, dnssec: { dsData: [{ keyTag: 1, algorithm: 13, digestType: 2, digest: bigDigest }] } }, 'input.dnssec.dsData[0].digest'],
    ['unassigned digest type 99', { ...base, dnssec: { dsData: [{ keyTag: 1, algorithm: 13, digestType: 99, digest: DIGEST }] } }, 'input.dnssec.dsData[0].digestType'],
    ['SHA-1 length for SHA-384', { ...base, dnssec: { dsData: [{ keyTag: 1, algorithm: 14, digestType: 4, digest: 'A'.repeat(40) }] } }, 'input.dnssec.dsData[0].digest'],
    ['1 MB DNSKEY', { ...base, dnssec: { keyData: [{ flags: 257, protocol: 3, algorithm: 13, publicKey: bigKey }] } }, 'input.dnssec.keyData[0].publicKey'],
    ['unassigned algorithm', { ...base, dnssec: { keyData: [{ flags: 257, protocol: 3, algorithm: 99, publicKey: 'AwEAAQ==' }] } }, 'input.dnssec.keyData[0].algorithm'],
    ['DNSKEY with padding bits set (not xs:base64Binary)', { ...base, dnssec: { keyData: [{ flags: 257, protocol: 3, algorithm: 13, publicKey: 'AwEAAc==' }] } }, 'input.dnssec.keyData[0].publicKey'],
    ['glue with a zone index', { ...base, nameservers: [{ name: 'ns1.fine.example', ipv6: ['fe80::1%eth0'] }] }, 'input.nameservers[0].ipv6[0]'],
    ['link-local glue', { ...base, nameservers: [{ name: 'ns1.fine.example', ipv6: ['fe80::1'] }] }, 'input.nameservers[0].ipv6[0]'],
    ['a name IDNA2008 disallows', { ...base, name: '☃.example' }, 'input.name'],
    ['its A-label', { ...base, name: 'xn--n3h.example' }, 'input.name'],
    ['a name server IDNA2008 disallows', { ...base, nameservers: [{ name: 'ns.☃.example' }] }, 'input.nameservers[0].name'],
    ['auth info with NUL', { ...base, authInfo: 'G00d\u0000Pw' }, 'input.authInfo'],
  ])('refuses %s, naming the field, sending and writing nothing', async (_why, input, field) => {
    const before = [await t.upstreamCommands(), await written()];
    const r = await t.gql(A, create, { k: `bad-${Math.random()}`, input });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(r.errors![0]!.message.length).toBeLessThan(300);
    expect([await t.upstreamCommands(), await written()]).toEqual(before);
  });

  const createContact = `mutation($k: String!, $input: CreateContactInput!) { createContact(idempotencyKey: $k, input: $input) { id } }`;
  const postal = { type: 'loc', name: 'Jo Doe', street: ['1 Main St'], city: 'Tallinn', cc: 'EE' };
  const contact = { id: 'c-bad-1', postalInfo: [postal], email: 'jo@example.com', authInfo: 'G00d-Pw' };
  it.each([
    ['NUL in the e-mail', { ...contact, email: 'jo\u0000@example.com' }, 'input.email'],
    ['a lone surrogate in the e-mail', { ...contact, email: 'jo\ud800@example.com' }, 'input.email'],
    ['NUL in the name', { ...contact, postalInfo: [{ ...postal, name: 'Jo\u0000Doe' }] }, 'input.postalInfo[0].name'],
    ['a lone surrogate in the street', { ...contact, postalInfo: [{ ...postal, street: ['ok', 'Main \udfff'] }] }, 'input.postalInfo[0].street[1]'],
    ['a 256-character city', { ...contact, postalInfo: [{ ...postal, city: 'x'.repeat(256) }] }, 'input.postalInfo[0].city'],
    ['a 256-character street line', { ...contact, postalInfo: [{ ...postal, street: ['x'.repeat(256)] }] }, 'input.postalInfo[0].street[0]'],
    ['a 17-character postal code', { ...contact, postalInfo: [{ ...postal, pc: '1'.repeat(17) }] }, 'input.postalInfo[0].pc'],
    ['an 8 KB organisation', { ...contact, postalInfo: [{ ...postal, org: 'x'.repeat(8000) }] }, 'input.postalInfo[0].org'],
    ['the country code ZZ, which ISO 3166-1 does not assign', { ...contact, postalInfo: [{ ...postal, cc: 'ZZ' }] }, 'input.postalInfo[0].cc'],
    ['the country code UK (GB is the code)', { ...contact, postalInfo: [{ ...postal, cc: 'uk' }] }, 'input.postalInfo[0].cc'],
  ])('refuses a contact with %s before the registry or the database sees it', async (_why, input, field) => {
    const before = [await t.upstreamCommands(), await written()];
    const r = await t.gql(A, createContact, { k: `bad-${Math.random()}`, input });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect([await t.upstreamCommands(), await written()]).toEqual(before);
  });

  it.each([
    ['pollMessages(after:)', `{ pollMessages(after: "9223372036854775808") { edges { cursor } } }`, 'after'],
    ['commandLog(after:)', `{ commandLog(after: "9999999999999999999") { edges { cursor } } }`, 'after'],
    ['ackPollMessage(id:)', `mutation { ackPollMessage(idempotencyKey: "ack-big", id: "9223372036854775808") { remaining } }`, 'id'],
  ])('refuses an id above 2^63 - 1 in %s', async (_where, query, field) => {
    const before = await written();
    const r = await t.gql(A, query);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await written()).toEqual(before);
  });

  it('checks the auth info a domain is read with, in domain() and in Domain.transfer, and never echoes it', async () => {
    const name = `pw-${Date.now().toString(36)}.tld`;
    expect((await t.gql(A, create, { k: `pw-${name}`, input: { ...base, name } })).errors).toBeUndefined();
    const secret = `S3cret-${'x'.repeat(1_900_000)}`;
    let n = await t.upstreamCommands();
    const read = await t.gql(A, `query($n: String!, $pw: String) { domain(name: $n, authInfo: $pw) { name } }`, { n: name, pw: secret });
    expect(read.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'authInfo' });
    expect(await t.upstreamCommands()).toBe(n);
    const short = await t.gql(A, `query($n: String!) { domain(name: $n, authInfo: "S3cr") { name } }`, { n: `x${name}` });
    expect(short.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'authInfo' });
    expect(await t.upstreamCommands()).toBe(n);

    const transfer = `query($n: String!, $pw: String) { domain(name: $n) { transfer(authInfo: $pw) { status } } }`;
    expect((await t.gql(A, transfer, { n: name, pw: null })).errors).toBeUndefined();
    const parentOnly = (await t.upstreamCommands()) - n - 1; // the domain read; the transfer query is the 1
    n = await t.upstreamCommands();
    const viaField = await t.gql(A, transfer, { n: name, pw: secret });
    expect(viaField.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'authInfo' });
    expect(await t.upstreamCommands()).toBe(n + parentOnly);
    expect(JSON.stringify([read, short, viaField])).not.toContain('S3cret');
  });

  it('accepts an IDN and answers with A-label and U-label', async () => {
    const r = await t.gql(A, `{ checkDomains(names: ["bücher-${Date.now().toString(36)}.example"]) { name available registry } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data.checkDomains[0].name).toMatch(/^xn--bcher-.*\.example$/);
    expect(r.data.checkDomains[0].available).toBe(true);
  });

  it('names the list position of a bad name in checkDomains', async () => {
    const r = await t.gql(A, `{ checkDomains(names: ["ok.example", "not ok.example"]) { name } }`);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'names[1]' });
  });

  it('rejects an empty idempotency key', async () => {
    const r = await t.gql(A, create, { k: '', input: base });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
  });

  // graphql-js refuses these before anything runs (GRAPHQL_VALIDATION_FAILED); the error names the
  // argument as the gateway's own errors do, over HTTP and graphql-ws alike.
  it.each([
    ['a required argument left out', `mutation { deleteDomain(name: "fine.example") { name } }`, 'idempotencyKey'],
    ['two left out: each error names its own', `mutation { createHost { name } }`, ['input', 'idempotencyKey']],
    ['a literal of the wrong type', `mutation { createDomain(idempotencyKey: 7, input: { name: "fine.example", authInfo: "G00d-Pw" }) { name } }`, 'idempotencyKey'],
    ['a wrong type inside an input list', `mutation { createDomain(idempotencyKey: "k", input: { name: "fine.example", authInfo: "G00d-Pw", nameservers: [{ name: "ns1.fine.example" }, { name: 5 }] }) { name } }`, 'input.nameservers[1].name'],
    ['a required input field left out', `mutation { createDomain(idempotencyKey: "k", input: { authInfo: "G00d-Pw" }) { name } }`, 'input.name'],
    ['an unknown argument', `{ checkDomains(names: ["ok.example"], nmes: []) { name } }`, 'nmes'],
    ["a directive's required argument left out", `{ viewer @include { id } }`, 'if'],
    ['a variable of the wrong type', `mutation($k: String) { deleteDomain(name: "fine.example", idempotencyKey: $k) { name } }`, 'idempotencyKey'],
  ])('%s: GRAPHQL_VALIDATION_FAILED naming the argument, on HTTP and graphql-ws', async (_why, query, field) => {
    const fields = Array.isArray(field) ? field : [field];
    const before = [await t.upstreamCommands(), ...(await written())];
    const http = await t.gql(A, query, { k: 'unused' });
    const ws = await wsOnce(t.gateway.wsUrl, A, query, { k: 'unused' });
    for (const r of [http, ws]) {
      expect(r.data).toBeUndefined();
      expect(r.errors?.map((e) => e.extensions)).toEqual(fields.map((f) => ({ code: 'GRAPHQL_VALIDATION_FAILED', field: f })));
    }
    expect([await t.upstreamCommands(), ...(await written())]).toEqual(before);
  });

  // Variables that do not fit the operation: refused before anything runs (BAD_USER_INPUT), naming
  // the argument the value reaches, quoting at most a short prefix of it, never a secret.
  const renew = `mutation($items: [BulkRenewItemInput!]!, $k: String!) { bulkRenew(domains: $items, idempotencyKey: $k) { job { id } } }`;
  const transfer = `mutation($items: [BulkTransferItemInput!]!, $k: String!) { bulkTransfer(domains: $items, idempotencyKey: $k) { job { id } } }`;
  const longDate = `not-a-date${'x'.repeat(5000)}`;
  it.each([
    ['a bad date deep in a list, 5,000 characters long', renew, { items: [{ name: 'a.tld' }, { name: 'b.tld', currentExpiry: longDate }], k: 'v-1' }, 'domains[1].currentExpiry', '"not-a-datexxxxxxxxxxxxxxxxxxxxxx"…'],
    ['a required variable not given', renew, { items: [{ name: 'a.tld' }] }, 'idempotencyKey', '$k'],
    ['null for a non-null variable', renew, { items: null, k: 'v-1' }, 'domains', 'null'],
    ['an input field misspelt (the one it lacks is named)', renew, { items: [{ nam: 'a.tld' }], k: 'v-1' }, 'domains[0].name', 'not provided'],
    ['a number for a string', renew, { items: [{ name: 'a.tld' }], k: 5 }, 'idempotencyKey', 'String'],
  ])('%s: BAD_USER_INPUT naming the argument, on HTTP and graphql-ws', async (_why, query, variables, field, says) => {
    const before = [await t.upstreamCommands(), ...(await written())];
    for (const r of [await t.gql(A, query, variables), await wsOnce(t.gateway.wsUrl, A, query, variables)]) {
      expect(r.errors).toHaveLength(1);
      expect(r.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(r.errors![0].message.startsWith(`${field}: `)).toBe(true);
      expect(r.errors![0].message).toContain(says);
      expect(r.errors![0].message.length).toBeLessThan(300);
    }
    expect([await t.upstreamCommands(), ...(await written())]).toEqual(before);
  });

  it.each([
    ['a number', 7654321987],
    ['an object', { pw: 'S3cret-Obj3ct-Code' }],
  ])('an auth code of the wrong type (%s) is never echoed, on HTTP and graphql-ws', async (_why, authInfo) => {
    const variables = { items: [{ name: 'a.tld', authInfo }], k: 'v-2' };
    for (const r of [await t.gql(A, transfer, variables), await wsOnce(t.gateway.wsUrl, A, transfer, variables)]) {
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'domains[0].authInfo' });
      const text = JSON.stringify(r.errors);
      expect(text).not.toContain('7654321987');
      expect(text).not.toContain('S3cret');
    }
  });

  // The variable feeds the secret argument itself (not a field inside an input object).
  it.each([
    ['requestTransfer(authInfo:), a list', `mutation($a: String!) { requestTransfer(domainName: "fine.example", authInfo: $a, idempotencyKey: "v-3") { replayed } }`, ['S3cret-Li5t-Code']],
    ['requestTransfer(authInfo:), an object', `mutation($a: String!) { requestTransfer(domainName: "fine.example", authInfo: $a, idempotencyKey: "v-3") { replayed } }`, { pw: 'S3cret-Obj3ct-Code' }],
    ['requestTransfer(authInfo:), a number', `mutation($a: String!) { requestTransfer(domainName: "fine.example", authInfo: $a, idempotencyKey: "v-3") { replayed } }`, 7654321987],
    ['domain(authInfo:), a number', `query($a: String) { domain(name: "fine.example", authInfo: $a) { name } }`, 7654321987],
  ])('an auth code argument fed a variable of the wrong type (%s) is never echoed, on HTTP and graphql-ws', async (_why, query, a) => {
    for (const r of [await t.gql(A, query, { a }), await wsOnce(t.gateway.wsUrl, A, query, { a })]) {
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'authInfo' });
      const text = JSON.stringify(r.errors);
      expect(text).not.toContain('7654321987');
      expect(text).not.toContain('S3cret');
    }
  });

  it('a short wrong value is quoted once, and the rest of the message is left as it was', async () => {
    const renewOne = `mutation($i: RenewDomainInput!) { renewDomain(idempotencyKey: "v-4", input: $i) { name } }`;
    for (const [unit, says] of [
      ['e', 'Value "e" does not exist in "PeriodUnit" enum.'],
      ['y', 'Value "y" does not exist in "PeriodUnit" enum.'],
    ]) {
      const variables = { i: { name: 'fine.example', period: { value: 1, unit } } };
      for (const r of [await t.gql(A, renewOne, variables), await wsOnce(t.gateway.wsUrl, A, renewOne, variables)]) {
        expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.period.unit' });
        expect(r.errors?.[0]?.message).toBe(`input.period.unit: ${says}`);
      }
    }
    const items = { items: [{ name: ['a-list-of-one.tld'] }], k: 'v-5' };
    for (const r of [await t.gql(A, renew, items), await wsOnce(t.gateway.wsUrl, A, renew, items)]) {
      expect(r.errors?.[0]?.message).toBe('domains[0].name: String cannot represent a non string value: ["a-list-of-one.tld"]');
    }
  });

  it.each([
    ['an unknown argument', `{ domain(name: "fine.example", ${'a'.repeat(100_000)}: 1) { name } }`, {}, 'GRAPHQL_VALIDATION_FAILED', 'aaaa'],
    ['an unknown input field in the variables', renew, { items: [{ name: 'a.tld', ['b'.repeat(100_000)]: 1 }], k: 'v-6' }, 'BAD_USER_INPUT', 'domains[0].bbbb'],
  ])('a name of 100,000 characters (%s) is cut in extensions.field as in the message, on HTTP and graphql-ws', async (_why, query, variables, code, starts) => {
    for (const r of [await t.gql(A, query, variables), await wsOnce(t.gateway.wsUrl, A, query, variables)]) {
      expect(r.errors?.[0]?.extensions?.code).toBe(code);
      const field = r.errors![0].extensions!.field as string;
      expect(field.startsWith(starts)).toBe(true);
      expect(field.length).toBeLessThanOrEqual(128);
      expect(JSON.stringify(r.errors).length).toBeLessThan(1000);
    }
  });

  it('a nullable variable with a default sent as null where the argument is non-null: BAD_USER_INPUT naming the argument, on HTTP and graphql-ws', async () => {
    const first = 'query($n: Int = 5) { domains(first: $n) { edges { cursor } } }';
    for (const r of [await t.gql(A, first, { n: null }), await wsOnce(t.gateway.wsUrl, A, first, { n: null })]) {
      expect(r.errors).toHaveLength(1);
      expect(r.errors![0]).toMatchObject({ message: 'first: must not be null (it is Int!; the variable $n is null)', extensions: { code: 'BAD_USER_INPUT', field: 'first' }, locations: [{ line: 1, column: 37 }] });
    }
    // Inside an input object's literal: the argument is named, its literal quoted short.
    const inObject = `mutation($x: String = "fine.example") { renewDomain(idempotencyKey: "v-9", input: {name: $x, currentExpiry: "2030-01-01", period: {value: 1, unit: YEARS}}) { name } }`;
    const before = await written();
    for (const r of [await t.gql(A, inObject, { x: null }), await wsOnce(t.gateway.wsUrl, A, inObject, { x: null })]) {
      expect(r.errors).toHaveLength(1);
      expect(r.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input' });
      expect(r.errors![0]!.message).toBe('input: a variable in its value is null where a value is required ({name: $x, currentExpiry: "2030-…)');
    }
    expect(await written()).toEqual(before);
  });

  it('a validation error not about an argument names no field, though its field lacks one', async () => {
    const query = `mutation { deleteDomain(name: "fine.example") }`; // no selection, and no idempotencyKey
    for (const r of [await t.gql(A, query), await wsOnce(t.gateway.wsUrl, A, query)]) {
      const errors = r.errors!.map((e) => [e.message.includes('selection') ? 'selection' : 'argument', e.extensions]);
      expect(errors.sort()).toEqual([
        ['argument', { code: 'GRAPHQL_VALIDATION_FAILED', field: 'idempotencyKey' }],
        ['selection', { code: 'GRAPHQL_VALIDATION_FAILED' }],
      ]);
    }
  });

  it('refuses a client key in the namespace of the keys derived for bulk items, before anything is sent or written', async () => {
    const before = [await t.upstreamCommands(), ...(await written())];
    // The exact key an item of a job keyed "job-1" runs under, and the prefix in another case.
    for (const [k, query, variables] of [
      [itemKey('job-1', 0), create, { input: base }],
      ['BULK:mine', `mutation($k: String!) { bulkRenew(idempotencyKey: $k, domains: [{ name: "fine.example" }]) { job { id } } }`, {}],
    ] as const) {
      const r = await t.gql(A, query, { ...variables, k });
      expect(r.data).toBeNull();
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
      expect(r.errors?.[0]?.message).toContain('reserved');
    }
    expect([await t.upstreamCommands(), ...(await written())]).toEqual(before);
    expect(await t.gateway.services.prisma.bulkJob.count({ where: { idempotencyKey: 'BULK:mine' } })).toBe(0);
  });

  it('maps upstream result codes to stable codes, keeping the upstream code and message', async () => {
    const name = `dup-${Date.now().toString(36)}.tld`;
    const first = await t.gql(A, create, { k: `a-${name}`, input: { ...base, name } });
    expect(first.errors).toBeUndefined();
    const dup = await t.gql(A, create, { k: `b-${name}`, input: { ...base, name } });
    expect(dup.errors?.[0]?.extensions).toMatchObject({ code: 'OBJECT_EXISTS', upstreamCode: 2302 });
    expect(dup.errors?.[0]?.extensions?.upstreamMessage).toBeTruthy();

    const missing = await t.gql(A, `mutation { deleteDomain(idempotencyKey: "del-${name}x", name: "nope-${name}") { name } }`);
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', upstreamCode: 2303 });

    const notMine = await t.gql(t.keys.TheRegistrar!, `mutation { deleteDomain(idempotencyKey: "del2-${name}", name: "${name}") { name } }`);
    expect(notMine.errors?.[0]?.extensions).toMatchObject({ code: 'AUTHORIZATION_ERROR', upstreamCode: 2201 });

    const contactOnNomulus = await t.gql(A, `{ contact(id: "abc123", registry: "sandbox-nomulus") { id } }`);
    expect(contactOnNomulus.errors?.[0]?.extensions?.code).toBe('UNSUPPORTED_BY_BACKEND');
  });

  it('refuses requests without a valid API key', async () => {
    const none = await t.gql(null, '{ viewer { id } }');
    expect(none.status).toBe(401);
    expect(none.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const wrong = await t.gql('rgw_not-a-real-key', '{ viewer { id } }');
    expect(wrong.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // Each 401 carries its challenge (RFC 9110 section 11.6.1; RFC 6750 section 3).
    for (const authorization of [undefined, 'Bearer rgw_not-a-real-key']) {
      const res = await fetch(t.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: '{"query":"{ viewer { id } }"}' });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="registry-gateway"');
    }
  });

  it('never echoes the auth info in an error', async () => {
    const r = await t.gql(A, create, { k: 'x-secret', input: { ...base, name: 'bad_x.example', authInfo: 'Sup3r-Secret-Pw' } });
    expect(JSON.stringify(r)).not.toContain('Sup3r-Secret-Pw');
  });
});
