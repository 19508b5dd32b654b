/**
 * A transfer period the registry cannot apply is refused, not dropped. REPP, HeadlessDomains and
 * Joker take no period on a transfer (their own rule applies); `requestTransfer(period: 2 years)`
 * and `bulkTransfer(period: 2 years)` went through with the period left out, so the client was
 * told nothing about what it got. Now UNSUPPORTED_BY_BACKEND naming `period`, before anything is
 * sent or written; one year, the default, is still taken (it is what leaving it out asks for).
 *
 * Nomulus takes a period on a transfer but one year only (2306 "Domain transfer period must be one
 * year.", as the EPP sandboxes): a bulkTransfer of 2 years failed every item at the registry, each
 * error without a field. An EPP backend configured `transferPeriods: "one-year"` (the sandboxes'
 * default) refuses it the same way, once, before anything is sent; "any" sends it (here the
 * contacts sandbox, sandbox-epp, is configured so, and its registry refuses the period itself).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import type { EppBackendConfig } from '../../src/config.types.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.enabled = false;
      for (const b of c.backends) if (b.name === 'sandbox-epp') (b as EppBackendConfig).transferPeriods = 'any';
    },
  });
}, 120_000);
afterAll(() => t?.close());

const REQUEST = 'mutation($k: String!, $n: String!, $a: String!, $p: PeriodInput) { requestTransfer(idempotencyKey: $k, domainName: $n, authInfo: $a, period: $p) { transfer { status } } }';
const BULK = 'mutation($k: String!, $d: [BulkTransferItemInput!]!, $p: PeriodInput) { bulkTransfer(idempotencyKey: $k, domains: $d, period: $p) { job { id } } }';
const TWO_YEARS = { value: 2, unit: 'YEARS' };

it('requestTransfer with a period other than one year at REPP, HeadlessDomains and Joker: UNSUPPORTED_BY_BACKEND naming period, nothing sent; one year goes to the registry', async () => {
  const B = t.keys.TheRegistrar!;
  const hd = `tp-${randomUUID().slice(0, 8)}.hdtest`;
  const created = await t.gql(t.keys.NewRegistrar!, 'mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Right-pw-1", nameservers: [{ name: "ns1.example.net" }] }) { name } }', { k: randomUUID(), n: hd });
  expect(created.errors).toBeUndefined();
  for (const [name, registry] of [['domain2.ee', 'sandbox-repp'], [hd, 'sandbox-headless'], ['alpha.joker.test', 'sandbox-joker']]) {
    const before = await t.upstreamCommands();
    const r = await t.gql(B, REQUEST, { k: randomUUID(), n: name, a: 'Wrong-pw-1', p: TWO_YEARS });
    expect(r.errors?.[0]?.extensions, name).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', registry, field: 'period' });
    expect(r.errors?.[0]?.message).toMatch(/transfer period other than one year/);
    expect(await t.upstreamCommands(), name).toBe(before);
  }
  // One year is what leaving it out asks for: it goes to the registry (which refuses the wrong code).
  const before = await t.upstreamCommands();
  const oneYear = await t.gql(B, REQUEST, { k: randomUUID(), n: 'domain2.ee', a: 'Wrong-pw-1', p: { value: 1, unit: 'YEARS' } });
  expect(oneYear.errors?.[0]?.extensions?.code).not.toBe('UNSUPPORTED_BY_BACKEND');
  expect(await t.upstreamCommands()).toBeGreaterThan(before);
  // So are twelve months (refused as "other than one year" before).
  const sent = await t.upstreamCommands();
  const months = await t.gql(B, REQUEST, { k: randomUUID(), n: 'domain2.ee', a: 'Wrong-pw-1', p: { value: 12, unit: 'MONTHS' } });
  expect(months.errors?.[0]?.extensions?.code).not.toBe('UNSUPPORTED_BY_BACKEND');
  expect(months.errors?.[0]?.extensions?.registry).toBe('sandbox-repp'); // the registry's own answer
  expect(await t.upstreamCommands()).toBeGreaterThan(sent);
});

it('bulkTransfer with a period other than one year and an item at such a registry: refused before the job is written', async () => {
  const B = t.keys.TheRegistrar!;
  const key = randomUUID();
  const before = await t.upstreamCommands();
  const r = await t.gql(B, BULK, { k: key, p: TWO_YEARS, d: [{ name: 'example.example', authInfo: 'Wrong-pw-1' }, { name: 'domain2.ee', authInfo: 'Wrong-pw-1' }, { name: 'domain3.ee', authInfo: 'Wrong-pw-1' }] });
  expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', registry: 'sandbox-repp', field: 'period' });
  // Which of the list's domains: the first at that registry, and how many more.
  expect(r.errors?.[0]?.message).toMatch(/^backend "sandbox-repp" \(domains\[1\] "domain2\.ee" and 1 more\) does not support a transfer period other than one year/);
  expect(await t.upstreamCommands()).toBe(before);
  expect(await t.gateway.services.prisma.bulkJob.count({ where: { idempotencyKey: key } })).toBe(0);
});

it('at an EPP registry that takes one-year transfers only (Nomulus): requestTransfer and bulkTransfer of 2 years are refused naming period, nothing sent or written', async () => {
  const B = t.keys.TheRegistrar!;
  {
    const before = await t.upstreamCommands();
    const r = await t.gql(B, REQUEST, { k: randomUUID(), n: 'example.tld', a: 'Wrong-pw-1', p: TWO_YEARS });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', registry: 'sandbox-nomulus', field: 'period' });
    expect(r.errors?.[0]?.message).toBe('backend "sandbox-nomulus" does not support a transfer period other than one year (its policy: a transfer adds one year; leave period out)');
    expect(await t.upstreamCommands()).toBe(before);
  }
  const key = randomUUID();
  const before = await t.upstreamCommands();
  const bulk = await t.gql(B, BULK, { k: key, p: TWO_YEARS, d: [{ name: 'example.tld', authInfo: 'Wrong-pw-1' }, { name: 'other.tld', authInfo: 'Wrong-pw-1' }] });
  expect(bulk.errors?.[0]?.extensions).toMatchObject({ code: 'UNSUPPORTED_BY_BACKEND', registry: 'sandbox-nomulus', field: 'period' });
  expect(bulk.errors?.[0]?.message).toMatch(/^backend "sandbox-nomulus" \(domains\[0\] "example\.tld" and 1 more\) does not support a transfer period other than one year/);
  expect(await t.upstreamCommands()).toBe(before);
  expect(await t.gateway.services.prisma.bulkJob.count({ where: { idempotencyKey: key } })).toBe(0);
  // One year still goes to the registry (which refuses the wrong code).
  const oneYear = await t.gql(B, REQUEST, { k: randomUUID(), n: 'example.tld', a: 'Wrong-pw-1', p: { value: 1, unit: 'YEARS' } });
  expect(oneYear.errors?.[0]?.extensions).toMatchObject({ registry: 'sandbox-nomulus', upstreamCode: 2202 });
  expect(await t.upstreamCommands()).toBeGreaterThan(before);
});

it('an EPP backend configured transferPeriods "any" sends a 2-year transfer request to its registry, which answers for itself', async () => {
  const before = await t.upstreamCommands();
  const r = await t.gql(t.keys.TheRegistrar!, REQUEST, { k: randomUUID(), n: 'example.example', a: 'Wrong-pw-1', p: TWO_YEARS });
  expect(r.errors?.[0]?.extensions).toMatchObject({ registry: 'sandbox-epp', upstreamCode: 2202 });
  expect(await t.upstreamCommands()).toBeGreaterThan(before);
});
