/**
 * REPP mutations are exactly-once through GraphQL, like EPP's (issue 9, item 4): the REPP sandbox
 * applies a request and closes the connection without answering; the client's retry with the same
 * idempotency key answers as a clean first attempt would, and the registry applied the change once.
 * A created contact's id is the registry's (the lost answer would have named it): the retry finds
 * it in the registrar's contact list.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ReppSandbox } from '../../src/sandbox/repp/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let sandbox: ReppSandbox;
let A: string;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
  sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-repp') as ReppSandbox;
  A = t.keys.NewRegistrar!;
});
afterAll(() => t?.close());

const run = randomUUID().slice(0, 6);

/** Sends `query` with key `k` while the sandbox drops the answer of `route` once, then again with the same key. */
async function lostThenRetried(route: string, query: string, variables: Record<string, unknown>) {
  const before = sandbox.applied(route);
  sandbox.faults.next({ route, action: 'drop-after-apply' });
  const first = await t.gql(A, query, variables);
  expect(first.errors?.[0]?.extensions?.code).toBeDefined(); // the answer was lost: an error, not a result
  const retry = await t.gql(A, query, variables);
  expect(retry.errors).toBeUndefined();
  expect(sandbox.applied(route) - before).toBe(1);
  return retry.data;
}

it('createContact whose answer was lost: the retry answers the id the registry assigned; one contact exists', async () => {
  const email = `lost-${run}@example.ee`;
  const data = await lostThenRetried(
    'contact:create',
    `mutation($k: String!, $input: CreateContactInput!) { createContact(idempotencyKey: $k, input: $input) { id contact { email } } }`,
    { k: randomUUID(), input: { registry: 'sandbox-repp', email, voice: '+372.5552222', authInfo: 'unused-pw1', postalInfo: [{ name: 'Kadunud Vastus', city: 'Tartu', cc: 'EE' }], ident: { code: '38001010000', type: 'PRIV', countryCode: 'EE' } } },
  );
  expect(data.createContact.id).toMatch(/^ATSAA:[0-9A-F]{8}$/);
  expect(data.createContact.contact).toEqual({ email });
});

it('createDomain and renewDomain whose answers were lost: each applied once, the retry answers the domain', async () => {
  const name = `kadunud-${run}.ee`;
  const created = await lostThenRetried(
    'domain:create',
    `mutation($k: String!, $input: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $input) { name domain { expiresAt } } }`,
    { k: randomUUID(), input: { name, registrant: 'ATSAA:KARL', contacts: [{ role: 'ADMIN', id: 'ATSAA:KARL' }, { role: 'TECH', id: 'ATSAA:KARL' }], nameservers: [{ name: 'ns1.example.net' }, { name: 'ns2.example.net' }], authInfo: 'Kadunud-kood-1' } },
  );
  expect(created.createDomain.name).toBe(name);
  const expiry = sandbox.domain(name)!.expireTime;
  const renewed = await lostThenRetried(
    'domain:renew',
    `mutation($k: String!, $input: RenewDomainInput!) { renewDomain(idempotencyKey: $k, input: $input) { name expiresAt } }`,
    { k: randomUUID(), input: { name, currentExpiry: created.createDomain.domain.expiresAt, period: { value: 1, unit: 'YEARS' } } },
  );
  expect(new Date(renewed.renewDomain.expiresAt).getTime()).toBe(new Date(sandbox.domain(name)!.expireTime).getTime());
  expect(new Date(sandbox.domain(name)!.expireTime).getUTCFullYear()).toBe(new Date(expiry).getUTCFullYear() + 1);
});

it('a 503 that applied nothing is retried by the gateway itself, after Retry-After, within the budget: applied once, no error', async () => {
  const before = sandbox.applied('domain:hold:set');
  sandbox.faults.next({ route: 'domain:hold:set', action: 'status', status: 503, retryAfterSeconds: 0 });
  const r = await t.gql(A, `mutation($k: String!) { updateDomain(idempotencyKey: $k, input: { name: "kass.ee", add: { statuses: [clientHold] } }) { name } }`, { k: randomUUID() });
  expect(r.errors).toBeUndefined();
  expect((sandbox.faults as unknown as { take(route: string): unknown }).take('domain:hold:set')).toBeUndefined(); // the 503 was answered
  expect(sandbox.applied('domain:hold:set') - before).toBe(1);
  expect(sandbox.domain('kass.ee')!.statuses).toContain('clientHold');
});
