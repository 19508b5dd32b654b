/**
 * A registry's own period rule, beyond its period units, is checked before anything is sent: REPP
 * takes 3, 6 or 9 months or 1 to 10 years (its document's renew_period, "3m, 6m, 9m, 1y ... 10y"),
 * Joker whole years outside its monthly TLDs. The trial: `renewDomain` of a .ee name for 5 months
 * read the domain and sent the renewal, which REPP refused (UPSTREAM_REJECTED_INPUT 2004); of a
 * .joker.test name for 18 months it read the domain first and logged a renewal that was never sent
 * (outcome UNKNOWN). Now both are BAD_USER_INPUT naming the period, with nothing read, sent or written.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
  // Both registries logged in and read once, so what follows is only the request's own footprint.
  for (const name of ['kass.ee', 'alpha.joker.test']) expect((await t.gql(t.keys.NewRegistrar!, `{ domain(name: "${name}") { name } }`)).data.domain.name).toBe(name);
}, 60_000);
afterAll(() => t?.close());

/** What a refusal left behind: upstream commands, idempotency records, bulk jobs. */
async function footprint() {
  const prisma = t.gateway.services.prisma;
  return { commands: await t.upstreamCommands(), records: await prisma.idempotencyRecord.count(), jobs: await prisma.bulkJob.count() };
}

async function refused(query: string, variables: Record<string, unknown>, field: string, message: RegExp) {
  const before = await footprint();
  const res = await t.gql(t.keys.NewRegistrar!, query, { k: randomUUID(), ...variables });
  expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  expect(res.errors?.[0]?.message).toMatch(message);
  expect(await footprint()).toEqual(before);
}

const RENEW = 'mutation($k: String!, $n: String!, $p: PeriodInput) { renewDomain(idempotencyKey: $k, input: { name: $n, period: $p }) { domain { name } } }';
const REPP_RULE = /3, 6 or 9 months or 1 to 10 years/;

describe('REPP: 3, 6 or 9 months or whole years', () => {
  it('renewDomain and createDomain refuse 5 months before anything is sent', async () => {
    await refused(RENEW, { n: 'kass.ee', p: { value: 5, unit: 'MONTHS' } }, 'input.period', REPP_RULE);
    await refused(RENEW, { n: 'kass.ee', p: { value: 15, unit: 'MONTHS' } }, 'input.period', REPP_RULE);
    await refused(
      'mutation($k: String!, $n: String!, $p: PeriodInput) { createDomain(idempotencyKey: $k, input: { name: $n, period: $p, registrant: "ATSAA:KARL", authInfo: "Months-pw1" }) { domain { name } } }',
      { n: `months-${randomUUID().slice(0, 8)}.ee`, p: { value: 5, unit: 'MONTHS' } },
      'input.period',
      REPP_RULE,
    );
  });

  it('6 months is still sent and taken', async () => {
    const res = await t.gql(t.keys.NewRegistrar!, RENEW, { k: randomUUID(), n: 'kass.ee', p: { value: 6, unit: 'MONTHS' } });
    expect(res.errors).toBeUndefined();
    expect(res.data.renewDomain.domain.name).toBe('kass.ee');
  });
});

describe('Joker: whole years outside the monthly TLDs', () => {
  it('renewDomain refuses 18 months before the domain is read', async () => {
    await refused(RENEW, { n: 'alpha.joker.test', p: { value: 18, unit: 'MONTHS' } }, 'input.period', /takes whole years/);
  });
});

describe('bulkRenew', () => {
  const BULK = 'mutation($k: String!, $d: [BulkRenewItemInput!]!, $p: PeriodInput) { bulkRenew(idempotencyKey: $k, period: $p, domains: $d) { job { id } } }';
  it('refuses a period an item\'s registry does not take before any job exists', async () => {
    await refused(BULK, { d: [{ name: 'kass.ee' }, { name: 'koer.ee' }], p: { value: 5, unit: 'MONTHS' } }, 'period', REPP_RULE);
    await refused(BULK, { d: [{ name: 'alpha.joker.test' }], p: { value: 18, unit: 'MONTHS' } }, 'period', /takes whole years/);
  });

  it('a mixed list (.ee, .joker.test, .hdtest) of 6 months: the refusal names the registry and its first domain in the list, quoted at most 32 characters long', async () => {
    // The trial: "period: this registry accepts YEARS only", whichever of the list's registries it was.
    const joker = `${'j'.repeat(50)}.joker.test`;
    const hd = [`${'h'.repeat(40)}.hdtest`, 'b.hdtest', 'c.hdtest'];
    const SIX = { value: 6, unit: 'MONTHS' };
    const d = [{ name: 'kass.ee' }, { name: 'koer.ee' }, { name: joker }, { name: 'beta.joker.test' }, ...hd.map((name) => ({ name }))];
    await t.gql(t.keys.NewRegistrar!, BULK, { k: randomUUID(), d: [{ name: 'b.hdtest' }], p: SIX }); // HeadlessDomains' capabilities read (GET /status), once
    // REPP takes 6 months; Joker whole years at .joker.test: its first name there, and the other one.
    await refused(BULK, { d, p: SIX }, 'period', new RegExp(`^period: \\.joker\\.test takes whole years \\(12, 24, \\.\\.\\. months\\) at registry "sandbox-joker" \\(domains\\[2\\] "${'j'.repeat(32)}"… and 1 more\\)$`));
    const withoutJoker = d.filter((x) => !x.name.endsWith('.joker.test'));
    const res = await t.gql(t.keys.NewRegistrar!, BULK, { k: randomUUID(), d: withoutJoker, p: SIX });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'period.unit', registry: 'sandbox-headless' });
    expect(res.errors?.[0]?.message).toBe(`period.unit: registry "sandbox-headless" (domains[2] "${'h'.repeat(32)}"… and 2 more) accepts YEARS only`);
    const joke = await t.gql(t.keys.NewRegistrar!, BULK, { k: randomUUID(), d, p: SIX });
    expect(joke.errors?.[0]?.extensions?.registry).toBe('sandbox-joker');
  });

  it('renewDomain, createDomain and requestTransfer at HeadlessDomains (years only) name the registry too', async () => {
    const SIX = { value: 6, unit: 'MONTHS' };
    const ops: Array<[string, Record<string, unknown>, string]> = [
      [RENEW, { n: 'b.hdtest', p: SIX }, 'input.period.unit'],
      ['mutation($k: String!, $n: String!, $p: PeriodInput) { createDomain(idempotencyKey: $k, input: { name: $n, period: $p, authInfo: "Months-pw1" }) { domain { name } } }', { n: `m-${randomUUID().slice(0, 8)}.hdtest`, p: SIX }, 'input.period.unit'],
      ['mutation($k: String!, $n: String!, $p: PeriodInput) { requestTransfer(idempotencyKey: $k, domainName: $n, authInfo: "Months-pw1", period: $p) { transfer { status } } }', { n: 'b.hdtest', p: SIX }, 'period.unit'],
    ];
    for (const [query, variables, field] of ops) {
      const res = await t.gql(t.keys.NewRegistrar!, query, { k: randomUUID(), ...variables });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field, registry: 'sandbox-headless' });
      expect(res.errors?.[0]?.message).toBe(`${field}: registry "sandbox-headless" accepts YEARS only`);
    }
    const ee = await t.gql(t.keys.NewRegistrar!, RENEW, { k: randomUUID(), n: 'kass.ee', p: { value: 5, unit: 'MONTHS' } });
    expect(ee.errors?.[0]?.extensions).toMatchObject({ field: 'input.period', registry: 'sandbox-repp' });
    expect(ee.errors?.[0]?.message).toMatch(/at registry "sandbox-repp"$/);
  });
});
