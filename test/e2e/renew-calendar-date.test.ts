/**
 * A renewal's currentExpiry is a date (EPP curExpDate, RFC 5731 section 3.2.3): given as a date
 * alone, `2028-12-02`, in a variable, in the document, or in a bulkRenew item, it is taken (as
 * that day's 00:00 UTC; only the date is sent and compared). Before, it was refused with
 * graphql-scalars' "DateTime cannot represent an invalid date-time-string". A string that is
 * neither a date nor a date-time is refused naming the field and the forms taken, with examples,
 * before anything is sent; the command log's `from`/`to`, which need an instant, refuse a date
 * alone with their own error.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK_RENEW, createDomains, waitFinished, allItems } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let A: string;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => (c.poll.enabled = false) });
  A = t.keys.NewRegistrar!;
});
afterAll(() => t?.close());

const RENEW = `mutation($k: String!, $input: RenewDomainInput!) { renewDomain(idempotencyKey: $k, input: $input) { expiresAt transaction { resultCode } } }`;
const expiryOf = async (name: string): Promise<string> => (await t.gql(A, `{ domain(name: "${name}") { expiresAt } }`)).data.domain.expiresAt;
const addYear = (iso: string) => `${Number(iso.slice(0, 4)) + 1}${iso.slice(4, 10)}`;

describe('renewDomain currentExpiry', () => {
  it('takes a date alone, in a variable and in the document', async () => {
    const [name] = await createDomains(t, A, `cal${randomUUID().slice(0, 6)}`, 'tld', 1);
    const before = await expiryOf(name!);
    const r = await t.gql(A, RENEW, { k: randomUUID(), input: { name, currentExpiry: before.slice(0, 10) } });
    expect(r.errors).toBeUndefined();
    expect(r.data.renewDomain.transaction.resultCode).toBe(1000);
    expect(r.data.renewDomain.expiresAt.slice(0, 10)).toBe(addYear(before));

    const now = (await expiryOf(name!)).slice(0, 10);
    const literal = await t.gql(A, `mutation { renewDomain(idempotencyKey: "${randomUUID()}", input: { name: "${name}", currentExpiry: "${now}" }) { expiresAt } }`);
    expect(literal.errors).toBeUndefined();
    expect(literal.data.renewDomain.expiresAt.slice(0, 10)).toBe(addYear(now));
  });

  it.each([
    ['a date written the other way', '02.12.2028'],
    ['a day the calendar lacks', '2028-02-30'],
    ['a month the calendar lacks', '2027-13-01'],
    ['a date without its zero', '2028-12-2'],
  ])('refuses %s naming input.currentExpiry and the forms taken, quoting it as sent, sending nothing', async (_what, value) => {
    const sent = await t.upstreamCommands();
    const r = await t.gql(A, RENEW, { k: randomUUID(), input: { name: 'any-name.tld', currentExpiry: value } });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.currentExpiry' });
    expect(r.errors![0]!.message).toContain(`"${value}"`);
    expect(r.errors![0]!.message).toContain('2028-12-02T10:15:30Z');
    expect(r.errors![0]!.message).toContain('a date alone: 2028-12-02');
    expect(await t.upstreamCommands()).toBe(sent);
  });
});

describe('bulkRenew currentExpiry', () => {
  it.each(['2027-02-30', '2027-13-01'])('refuses %s naming the item\'s currentExpiry, quoting it as sent (never as a date-time), before any job exists', async (value) => {
    const jobs = await t.gateway.services.prisma.bulkJob.count();
    const r = await t.gql(A, BULK_RENEW, { k: randomUUID(), domains: [{ name: 'one.tld', currentExpiry: '2030-12-02' }, { name: 'two.tld', currentExpiry: value }] });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'domains[1].currentExpiry' });
    expect(r.errors![0]!.message).toContain(`"${value}"`);
    expect(r.errors![0]!.message).not.toContain(`${value}T`);
    expect(await t.gateway.services.prisma.bulkJob.count()).toBe(jobs);
  });

  it('takes a date alone for each item', async () => {
    const names = await createDomains(t, A, `bcal${randomUUID().slice(0, 6)}`, 'tld', 2);
    const expiries = await Promise.all(names.map(expiryOf));
    const r = await t.gql(A, BULK_RENEW, { k: randomUUID(), domains: names.map((name, i) => ({ name, currentExpiry: expiries[i]!.slice(0, 10) })) });
    expect(r.errors).toBeUndefined();
    await waitFinished(t, A, r.data.bulkRenew.job.id);
    const items = await allItems(t, A, r.data.bulkRenew.job.id);
    expect(items.map((i) => [i.domainName, i.state, i.expiresAt?.slice(0, 10)])).toEqual(names.map((n, i) => [n, 'SUCCEEDED', addYear(expiries[i]!)]));
  });
});

describe('commandLog from/to', () => {
  it('refuses a date alone, naming the field (which instant of the day is not known)', async () => {
    const r = await t.gql(A, `{ commandLog(filter: { from: "2026-12-02" }) { edges { node { command } } } }`);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.from' });
    expect(r.errors![0]!.message).toContain('2026-12-02T00:00:00Z');
    const ok = await t.gql(A, `{ commandLog(filter: { from: "2026-12-02T00:00:00Z" }) { edges { node { command } } } }`);
    expect(ok.errors).toBeUndefined();
  });
});
