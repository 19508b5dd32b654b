/**
 * Values a registry or the gateway's database cannot take are refused as BAD_USER_INPUT naming
 * the field, before any upstream command or database write (a security tester's findings):
 *
 * - dates outside the UTC years 0001-9999: renewDomain's and bulkRenew's currentExpiry went to the
 *   registry (xs:date has no year 0000: Nomulus answers 2001), leaving a FAILED command log entry,
 *   a stored idempotent answer, or a bulk job whose item failed; the commandLog filter's from/to
 *   were INTERNAL_SERVER_ERROR (PostgreSQL 22008) with a level-50 stack trace logged per request;
 * - an empty or blank auth code was taken as none (domain, transfer, Domain.transfer), or made an
 *   update "nothing to change" on `input`;
 * - the IPv4-compatible `::1.2.3.4` was refused as "::ffff:102:304 is a ipv4Mapped address".
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK_RENEW } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let A: string;
/** Levels of the lines the gateway logged. */
const levels: number[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) levels.push((JSON.parse(line) as { level: number }).level);
      done();
    },
  });
  // No background polling: every command in the log comes from the requests under test.
  t = await startTestGateway({ configure: (c) => (c.poll.enabled = false), logger: pino({ level: 'info' }, sink) });
  A = t.keys.NewRegistrar!;
});
afterAll(() => t?.close());

/** Rows a refused request must not have written: command log entries, idempotency records, bulk jobs. */
const written = async () => {
  const p = t.gateway.services.prisma;
  return [await t.upstreamCommands(), await p.idempotencyRecord.count(), await p.bulkJob.count()];
};

const RENEW = `mutation($k: String!, $input: RenewDomainInput!) { renewDomain(idempotencyKey: $k, input: $input) { expiresAt } }`;

describe('dates outside the years 0001-9999 (UTC)', () => {
  it.each([
    ['year 0000, a date alone', '0000-01-01'],
    ['year 0000, a date-time', '0000-12-31T23:59:59Z'],
    ['year 0001 before its offset, year 0000 in UTC', '0001-01-01T00:00:00+01:00'],
    ['year 9999 after its offset, year 10000 in UTC', '9999-12-31T23:30:00-01:00'],
  ])('renewDomain currentExpiry: %s is BAD_USER_INPUT on input.currentExpiry, quoted as sent, nothing logged, stored or sent', async (_why, value) => {
    const before = await written();
    for (const r of [
      await t.gql(A, RENEW, { k: randomUUID(), input: { name: 'example.example', currentExpiry: value } }),
      await t.gql(A, `mutation { renewDomain(idempotencyKey: "${randomUUID()}", input: { name: "example.example", currentExpiry: "${value}" }) { expiresAt } }`),
    ]) {
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.currentExpiry' });
      expect(r.errors![0]!.message).toContain(`"${value}"`);
      expect(r.errors![0]!.message).toContain('0001 to 9999');
    }
    expect(await written()).toEqual(before);
  });

  it('bulkRenew: an item\'s currentExpiry in year 0000 is BAD_USER_INPUT on domains[i].currentExpiry; no job, no command', async () => {
    const before = await written();
    const r = await t.gql(A, BULK_RENEW, { k: randomUUID(), domains: [{ name: 'one.tld', currentExpiry: '2030-12-02' }, { name: 'two.tld', currentExpiry: '0000-03-01' }] });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'domains[1].currentExpiry' });
    expect(r.errors![0]!.message).toContain('"0000-03-01"');
    expect(await written()).toEqual(before);
  });

  it.each(['from', 'to'])('commandLog filter.%s in year 0000 is BAD_USER_INPUT naming it, in the document and in a variable, with nothing logged as an error', async (k) => {
    const logged = levels.length;
    const literal = await t.gql(A, `{ commandLog(filter: { ${k}: "0000-01-01T00:00:00Z" }) { edges { node { command } } } }`);
    const variable = await t.gql(A, `query($f: CommandLogFilter) { commandLog(filter: $f) { edges { node { command } } } }`, { f: { [k]: '0000-12-31T23:59:59Z' } });
    for (const r of [literal, variable]) expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: `filter.${k}` });
    expect(levels.slice(logged).filter((l) => l >= 50)).toEqual([]);
    const ok = await t.gql(A, `{ commandLog(filter: { ${k}: "0001-01-01T00:00:00Z" }) { edges { node { command } } } }`);
    expect(ok.errors).toBeUndefined();
  });
});

describe('an empty or blank auth code is a too-short one, not none', () => {
  it.each([
    ['domain(authInfo: "")', `{ domain(name: "example.example", authInfo: "") { name } }`, 'authInfo'],
    ['domain(authInfo: a blank block string)', `{ domain(name: "example.example", authInfo: """   """) { name } }`, 'authInfo'],
    ['transfer(authInfo: "")', `{ transfer(domainName: "example.example", authInfo: "") { status } }`, 'authInfo'],
    ['updateDomain input.authInfo ""', `mutation { updateDomain(idempotencyKey: "${randomUUID()}", input: { name: "example.example", authInfo: "" }) { name } }`, 'input.authInfo'],
  ])('%s is BAD_USER_INPUT naming the field, nothing sent', async (_why, query, field) => {
    const before = await written();
    const r = await t.gql(A, query);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(r.errors![0]!.message).toMatch(/6 to 64 characters|leading or trailing spaces/);
    expect(await written()).toEqual(before);
  });

  it('Domain.transfer(authInfo: "") is BAD_USER_INPUT on authInfo, not a transfer read without it', async () => {
    const r = await t.gql(A, `{ domain(name: "example.example") { transfer(authInfo: "") { status } } }`);
    expect(r.errors?.some((e) => e.extensions?.code === 'BAD_USER_INPUT' && e.extensions?.field === 'authInfo')).toBe(true);
  });
});

describe('IPv4-compatible IPv6 addresses', () => {
  it('::1.2.3.4 is refused as IPv4-compatible, quoted as sent, for a host and for glue', async () => {
    const before = await written();
    const host = await t.gql(A, `mutation($k: String!) { createHost(idempotencyKey: $k, input: { name: "ns1.example.example", ipv6: ["::1.2.3.4"] }) { name } }`, { k: randomUUID() });
    const glue = await t.gql(A, `mutation($k: String!) { createDomain(idempotencyKey: $k, input: { name: "fine.example", authInfo: "G00d-Pw", nameservers: [{ name: "ns1.fine.example", ipv6: ["0:0:0:0:0:0:1.2.3.4"] }] }) { name } }`, { k: randomUUID() });
    expect(host.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.ipv6[0]' });
    expect(host.errors![0]!.message).toBe('input.ipv6[0]: "::1.2.3.4" is an IPv4-compatible IPv6 address (deprecated, RFC 4291 section 2.5.5.1), which cannot be a name server\'s address: give the IPv4 address');
    expect(glue.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.nameservers[0].ipv6[0]' });
    expect(glue.errors![0]!.message).toContain('"0:0:0:0:0:0:1.2.3.4" is an IPv4-compatible');
    expect(await written()).toEqual(before);
  });
});
