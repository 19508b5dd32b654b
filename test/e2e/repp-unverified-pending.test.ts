/**
 * REPP with `verified: false` (the registrant confirms deletions and registrant changes): the trial
 * saw `deleteDomain` answer `transaction { resultCode: 1000 pending: false }` while the domain sat
 * in pendingDeleteConfirmation, so the client was told it was deleted at once. Now the deletion and
 * the registrant change answer 1001 `pending: true` (EPP's "action pending"), a retry with the same
 * key replays that, the domain read shows the pending status, and the registrant's confirmation
 * then removes the domain.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ReppBackendConfig } from '../../src/backends/repp/config.js';
import type { ReppSandbox } from '../../src/sandbox/repp/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let repp: ReppSandbox;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.enabled = false;
      c.backends = c.backends.filter((b) => b.kind === 'repp');
      (c.backends[0] as ReppBackendConfig).verified = false;
      c.routes = c.routes.filter((r) => r.backend === 'sandbox-repp');
      c.defaultBackend = 'sandbox-repp';
    },
  });
  repp = t.gateway.sandboxes.sandboxes.get('sandbox-repp') as ReppSandbox;
}, 60_000);
afterAll(() => t?.close());

const TX = 'transaction { resultCode pending message }';
const DELETE = `mutation($k: String!, $n: String!) { deleteDomain(idempotencyKey: $k, name: $n) { name replayed ${TX} } }`;

it('an unverified deletion answers pending (1001), the domain shows pendingDeleteConfirmation until the registrant confirms', async () => {
  const A = t.keys.NewRegistrar!;
  const k = randomUUID();
  const first = await t.gql(A, DELETE, { k, n: 'kass.ee' });
  expect(first.errors).toBeUndefined();
  expect(first.data.deleteDomain).toMatchObject({ name: 'kass.ee', replayed: false, transaction: { resultCode: 1001, pending: true } });
  expect(first.data.deleteDomain.transaction.message).toContain('registrant must confirm');
  const again = await t.gql(A, DELETE, { k, n: 'kass.ee' });
  expect(again.data.deleteDomain).toMatchObject({ replayed: true, transaction: { resultCode: 1001, pending: true } });

  const read = await t.gql(A, '{ domain(name: "kass.ee") { name statuses } }');
  expect(read.data.domain.statuses).toContain('pendingDeleteConfirmation');

  repp.registrantReplies('kass.ee', true);
  expect((await t.gql(A, '{ domain(name: "kass.ee") { name } }')).data.domain).toBeNull();
}, 60_000);

it('an unverified registrant change answers pending (1001); the domain shows pendingUpdate and keeps its registrant until confirmed', async () => {
  const A = t.keys.NewRegistrar!;
  const before = (await t.gql(A, '{ domain(name: "koer.ee") { registrant { id } statuses } }')).data.domain;
  const next = before.registrant.id === 'ATSAA:LIZ' ? 'ATSAA:KARL' : 'ATSAA:LIZ';
  const r = await t.gql(A, `mutation($k: String!, $r: String!) { updateDomain(idempotencyKey: $k, input: { name: "koer.ee", registrant: $r }) { ${TX} domain { registrant { id } statuses } } }`, { k: randomUUID(), r: next });
  expect(r.errors).toBeUndefined();
  expect(r.data.updateDomain.transaction).toMatchObject({ resultCode: 1001, pending: true });
  expect(r.data.updateDomain.domain).toMatchObject({ registrant: { id: before.registrant.id } });
  expect(r.data.updateDomain.domain.statuses).toContain('pendingUpdate');

  repp.registrantReplies('koer.ee', true);
  expect((await t.gql(A, '{ domain(name: "koer.ee") { registrant { id } } }')).data.domain.registrant.id).toBe(next);
}, 60_000);

it('changing only the auth code sends the current registrant, as the document requires ("registrant Yes"): applied at once (1000), the registrant unchanged, nothing for the registrant to confirm', async () => {
  const A = t.keys.NewRegistrar!;
  const before = repp.domain('biz.ee')!;
  const read = (await t.gql(A, '{ domain(name: "biz.ee") { statuses } }')).data.domain;
  const r = await t.gql(A, `mutation($k: String!) { updateDomain(idempotencyKey: $k, input: { name: "biz.ee", authInfo: "Uus-Kood-77" }) { ${TX} domain { authInfo registrant { id } statuses } } }`, { k: randomUUID() });
  expect(r.errors).toBeUndefined();
  expect(r.data.updateDomain.transaction).toMatchObject({ resultCode: 1000, pending: false });
  expect(r.data.updateDomain.domain).toEqual({ authInfo: 'Uus-Kood-77', registrant: { id: before.registrant }, statuses: read.statuses });
  expect(repp.domain('biz.ee')).toMatchObject({ transferCode: 'Uus-Kood-77', registrant: before.registrant });
  expect(repp.domain('biz.ee')!.statuses).not.toContain('pendingUpdate');
}, 60_000);
