/**
 * An EPP registry's period units come from its backend's config (`periodUnits`, default RFC
 * 5731's y and m): the zero-setup sandboxes take years only, as Nomulus does, so a period in
 * months is refused with BAD_USER_INPUT naming `period.unit` by the single mutations and by a
 * bulk submission, before anything is written or sent (the trial: a bulk renewal of 6 months was
 * accepted and its item failed upstream with 2306 "Periods ... must be specified in years").
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const MONTHS = { value: 6, unit: 'MONTHS' };
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
}, 60_000);
afterAll(() => t?.close());

/** What the refusal left behind: upstream commands, idempotency records, bulk jobs. */
async function footprint() {
  const prisma = t.gateway.services.prisma;
  return { commands: await t.upstreamCommands(), records: await prisma.idempotencyRecord.count(), jobs: await prisma.bulkJob.count() };
}

/** `registry`: the one the message and extensions.registry name (a user with several registries must tell which refused). */
async function refused(query: string, variables: Record<string, unknown>, field: string, registry: string) {
  for (const tld of ['example', 'tld']) await t.gql(t.keys.NewRegistrar!, `{ domain(name: "fakesite.${tld}") { name } }`); // both registries logged in
  const before = await footprint();
  const res = await t.gql(t.keys.NewRegistrar!, query, { k: randomUUID(), ...variables });
  expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field, registry });
  expect(res.errors?.[0]?.message).toMatch(new RegExp(`registry "${registry}"( \\(.*\\))? accepts YEARS only$`));
  expect(await footprint()).toEqual(before);
}

const REGISTRY: Record<string, string> = { example: 'sandbox-epp', tld: 'sandbox-nomulus' };

describe('a period in months at an EPP registry that takes years only', () => {
  for (const tld of ['example', 'tld']) {
    it(`renewDomain, createDomain and requestTransfer refuse it at .${tld}, nothing sent or written`, async () => {
      await refused('mutation($k: String!, $p: PeriodInput) { renewDomain(idempotencyKey: $k, input: { name: "fakesite.' + tld + '", period: $p }) { domain { name } } }', { p: MONTHS }, 'input.period.unit', REGISTRY[tld]!);
      await refused(
        'mutation($k: String!, $p: PeriodInput) { createDomain(idempotencyKey: $k, input: { name: "months-' + randomUUID().slice(0, 8) + '.' + tld + '", period: $p, authInfo: "Months-pw1" }) { domain { name } } }',
        { p: MONTHS },
        'input.period.unit',
        REGISTRY[tld]!,
      );
      await refused('mutation($k: String!, $p: PeriodInput) { requestTransfer(idempotencyKey: $k, domainName: "example.' + tld + '", authInfo: "fooBAR", period: $p) { transfer { status } } }', { p: MONTHS }, 'period.unit', REGISTRY[tld]!);
    });
  }

  it('bulkRenew and bulkTransfer refuse it before any job exists, naming the registry and its first domain in the list', async () => {
    await refused('mutation($k: String!, $p: PeriodInput) { bulkRenew(idempotencyKey: $k, period: $p, domains: [{ name: "fakesite.example" }, { name: "fakesite.tld" }]) { job { id } } }', { p: MONTHS }, 'period.unit', 'sandbox-epp');
    await refused('mutation($k: String!, $p: PeriodInput) { bulkTransfer(idempotencyKey: $k, period: $p, domains: [{ name: "example.example", authInfo: "fooBAR" }]) { job { id } } }', { p: MONTHS }, 'period.unit', 'sandbox-epp');
    const res = await t.gql(t.keys.NewRegistrar!, 'mutation($k: String!, $p: PeriodInput) { bulkRenew(idempotencyKey: $k, period: $p, domains: [{ name: "a.tld" }, { name: "fakesite.example" }, { name: "b.tld" }, { name: "c.tld" }]) { job { id } } }', { k: randomUUID(), p: MONTHS });
    expect(res.errors?.[0]?.message).toBe('period.unit: registry "sandbox-nomulus" (domains[0] "a.tld" and 2 more) accepts YEARS only');
  });

  it('a period in years is still taken', async () => {
    const res = await t.gql(t.keys.NewRegistrar!, 'mutation($k: String!) { renewDomain(idempotencyKey: $k, input: { name: "fakesite.example", period: { value: 1, unit: YEARS } }) { domain { name } } }', { k: randomUUID() });
    expect(res.errors).toBeUndefined();
    expect(res.data.renewDomain.domain.name).toBe('fakesite.example');
  });
});

describe('periodUnits is what the gateway believes', () => {
  it('a backend configured to take months sends them, and the sandbox (years only) refuses them upstream', async () => {
    const g = await startTestGateway({
      configure: (c) => {
        c.poll.enabled = false;
        for (const b of c.backends) if (b.kind === 'epp') b.periodUnits = ['y', 'm'];
      },
    });
    try {
      const res = await g.gql(g.keys.NewRegistrar!, 'mutation($k: String!, $p: PeriodInput) { renewDomain(idempotencyKey: $k, input: { name: "fakesite.example", period: $p }) { domain { name } } }', { k: randomUUID(), p: MONTHS });
      expect(res.errors?.[0]?.extensions?.code).toBe('PARAMETER_VALUE_POLICY_ERROR');
      expect(res.errors?.[0]?.message).toMatch(/specified in years/);
    } finally {
      await g.close();
    }
  }, 60_000);
});
