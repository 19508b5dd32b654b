/**
 * A request sent with an argument left out and retried with that argument's default is the same
 * request: a transfer's `period` left out is the registry's default, one year, so `requestTransfer`
 * and `bulkTransfer` retried with `period: { value: 1, unit: YEARS }` (or the other way round)
 * replay the first answer instead of IDEMPOTENCY_KEY_REUSED, and nothing is sent twice. Records
 * and jobs written before (their fingerprint over the period as given, null when left out) still
 * answer a retry of their own request in either form. Another period is still another request.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentFingerprints } from '../../src/idempotency/fingerprint-key.js';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { createDomains, waitFinished } from '../helpers/bulk.js';
import type { EppBackendConfig } from '../../src/config.types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const AUTH = 'Bulk-Pw-2026'; // createDomains' auth code
const ONE_YEAR = '{ value: 1, unit: YEARS }';
const single = (period: string | null) =>
  `mutation($k: String!, $n: String!) { requestTransfer(idempotencyKey: $k, domainName: $n, authInfo: "${AUTH}"${period ? `, period: ${period}` : ''}) { replayed transaction { resultCode clientTransactionId } } }`;
const bulk = (period: string | null) =>
  `mutation($k: String!, $d: [BulkTransferItemInput!]!) { bulkTransfer(idempotencyKey: $k, domains: $d${period ? `, period: ${period}` : ''}) { replayed job { id } } }`;

let t: TestGateway;
let sandbox: EppSandbox;
let us: string;
let them: string;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.bulk = { backoffMs: 20 };
      // 2 years below is another request with the same key (IDEMPOTENCY_KEY_REUSED): a registry that
      // takes any transfer period, not the sandbox's one-year policy, refused before the key is read.
      for (const b of c.backends) if (b.name === 'sandbox-nomulus') (b as EppBackendConfig).transferPeriods = 'any';
    },
  });
  sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-nomulus') as EppSandbox;
  us = t.keys['NewRegistrar']!;
  them = t.keys['TheRegistrar']!;
}, 120_000);
afterAll(() => t?.close());

const transfers = () => sandbox.applied('domain:transfer:request');
const theirDomains = (prefix: string, n: number) => createDomains(t, them, `${prefix}${Date.now().toString(36)}`, 'tld', n);

describe('requestTransfer', () => {
  it('left out, then retried with period 1 year (and the other way round): the first answer replayed, one transfer sent', async () => {
    const [a, b] = await theirDomains('dp', 2);
    for (const [name, first, retry] of [[a!, null, ONE_YEAR], [b!, ONE_YEAR, null]] as const) {
      const k = randomUUID();
      const before = transfers();
      const sent = await t.gql(us, single(first), { k, n: name });
      expect(sent.errors).toBeUndefined();
      expect(sent.data.requestTransfer).toMatchObject({ replayed: false, transaction: { resultCode: 1001 } });
      const again = await t.gql(us, single(retry), { k, n: name });
      expect(again.errors, `${first ?? 'left out'} then ${retry ?? 'left out'}`).toBeUndefined();
      expect(again.data.requestTransfer).toEqual({ ...sent.data.requestTransfer, replayed: true });
      expect(transfers() - before).toBe(1);
    }
  }, 60_000);

  it('a record stored before the change (period left out, fingerprinted as null) still replays a retry in either form; 2 years is another request', async () => {
    const [name] = await theirDomains('do', 1);
    const k = randomUUID();
    const sent = await t.gql(us, single(null), { k, n: name });
    expect(sent.errors).toBeUndefined();
    // What the release before wrote for this request: the fingerprint of the arguments as given.
    const old = deploymentFingerprints(t.gateway.services.config).of('requestTransfer', { name, authInfo: AUTH, period: null });
    await t.gateway.services.prisma.idempotencyRecord.update({ where: { registrarId_idempotencyKey: { registrarId: 'NewRegistrar', idempotencyKey: k } }, data: { fingerprint: old } });
    const before = transfers();
    for (const retry of [null, ONE_YEAR]) {
      const again = await t.gql(us, single(retry), { k, n: name });
      expect(again.errors, `retry ${retry ?? 'left out'}`).toBeUndefined();
      expect(again.data.requestTransfer.replayed).toBe(true);
    }
    const other = await t.gql(us, single('{ value: 2, unit: YEARS }'), { k, n: name });
    expect(other.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(transfers()).toBe(before);
  }, 60_000);
});

describe('bulkTransfer', () => {
  it('left out, then retried with period 1 year (and the other way round): the same job, each domain transferred once', async () => {
    const names = await theirDomains('db', 4);
    const before = transfers();
    for (const [domains, first, retry] of [[names.slice(0, 2), null, ONE_YEAR], [names.slice(2), ONE_YEAR, null]] as const) {
      const k = randomUUID();
      const d = domains.map((name) => ({ name, authInfo: AUTH }));
      const sent = await t.gql(us, bulk(first), { k, d });
      expect(sent.errors).toBeUndefined();
      const again = await t.gql(us, bulk(retry), { k, d });
      expect(again.errors, `${first ?? 'left out'} then ${retry ?? 'left out'}`).toBeUndefined();
      expect(again.data.bulkTransfer).toEqual({ replayed: true, job: { id: sent.data.bulkTransfer.job.id } });
      const job = await waitFinished(t, us, sent.data.bulkTransfer.job.id);
      expect(job.counts).toMatchObject({ done: 2, failed: 0 });
    }
    expect(transfers() - before).toBe(4);
  }, 60_000);

  it('a job stored before the change (period left out, fingerprinted as null) still answers a retry in either form; 2 years is another request', async () => {
    const names = await theirDomains('dj', 1);
    const k = randomUUID();
    const d = names.map((name) => ({ name, authInfo: AUTH }));
    const sent = await t.gql(us, bulk(null), { k, d });
    expect(sent.errors).toBeUndefined();
    await waitFinished(t, us, sent.data.bulkTransfer.job.id);
    const old = deploymentFingerprints(t.gateway.services.config).of('bulk:TRANSFER', { params: { period: null }, items: names.map((name) => ({ name, authInfo: AUTH })) });
    await t.gateway.services.prisma.bulkJob.update({ where: { registrarId_idempotencyKey: { registrarId: 'NewRegistrar', idempotencyKey: k } }, data: { fingerprint: old } });
    for (const retry of [null, ONE_YEAR]) {
      const again = await t.gql(us, bulk(retry), { k, d });
      expect(again.errors, `retry ${retry ?? 'left out'}`).toBeUndefined();
      expect(again.data.bulkTransfer).toEqual({ replayed: true, job: { id: sent.data.bulkTransfer.job.id } });
    }
    const other = await t.gql(us, bulk('{ value: 2, unit: YEARS }'), { k, d });
    expect(other.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
  }, 60_000);
});
