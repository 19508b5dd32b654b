/**
 * A registry that applies a change and then answers something the gateway cannot read (EPP: a
 * 1000 result without the <resData> its command returns; REPP: a
 * 1000 result without the document's `data`; HeadlessDomains: a 201 without the registration, a
 * 4xx without its error body; Joker: a contact-create accepted without its Handle) is not a refusal: the client gets
 * UPSTREAM_UNAVAILABLE (retryable), not an error the idempotency key would replay forever, and the
 * retry with the same key reads the registry and answers the change as applied (replayed), made
 * once. The sandboxes garble the answer after applying the request, over their real sockets.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import type { HeadlessSandbox } from '../../src/sandbox/headless/index.js';
import type { JokerSandbox } from '../../src/sandbox/joker/index.js';
import type { ReppSandbox } from '../../src/sandbox/repp/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let repp: ReppSandbox;
let headless: HeadlessSandbox;
let joker: JokerSandbox;
let nomulus: EppSandbox;
let A: string;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
  repp = t.gateway.sandboxes.sandboxes.get('sandbox-repp') as ReppSandbox;
  headless = t.gateway.sandboxes.sandboxes.get('sandbox-headless') as HeadlessSandbox;
  joker = t.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
  nomulus = t.gateway.sandboxes.sandboxes.get('sandbox-nomulus') as EppSandbox;
  A = t.keys.NewRegistrar!;
});
afterAll(() => t?.close());

const run = randomUUID().slice(0, 6);
const CREATE = `mutation($k: String!, $input: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $input) { name replayed domain { name } } }`;

/** Sends `query` once (its answer garbled by the sandbox) and again with the same key: the first is UPSTREAM_UNAVAILABLE, the retry the applied answer. */
async function unreadableThenRetried(query: string, variables: Record<string, unknown>) {
  const first = await t.gql(A, query, variables);
  expect(first.data?.createDomain ?? null).toBeNull();
  expect(first.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
  const retry = await t.gql(A, query, variables);
  expect(retry.errors).toBeUndefined();
  return retry.data;
}

const RENEW = `mutation($k: String!, $input: RenewDomainInput!) { renewDomain(idempotencyKey: $k, input: $input) { name expiresAt replayed } }`;
const KEY_LOG = 'query($k: String!, $c: String!) { commandLog(filter: { idempotencyKey: $k, command: $c }) { edges { node { outcome applied } } } }';

it('EPP renewDomain answered 1000 without <domain:renData>: UPSTREAM_UNAVAILABLE, not a failure the key replays; the retry with the key answers the renewal (replayed), renewed once', async () => {
  const name = `unreadable-renew-${run}.tld`;
  const created = await t.gql(A, CREATE, { k: randomUUID(), input: { name, authInfo: 'Unreadable-pw-2' } });
  expect(created.errors).toBeUndefined();
  const expiry = nomulus.domain(name)!.expiresAt;
  const before = nomulus.applied('domain:renew');
  nomulus.faults.next({ command: 'domain:renew', action: 'omit-resdata' });
  const k = randomUUID();
  const input = { name, period: { value: 1, unit: 'YEARS' } };
  const first = await t.gql(A, RENEW, { k, input });
  expect(first.data?.renewDomain ?? null).toBeNull();
  expect(first.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true, registry: 'sandbox-nomulus' });
  const retry = await t.gql(A, RENEW, { k, input });
  expect(retry.errors).toBeUndefined();
  const renewed = new Date(expiry);
  renewed.setUTCFullYear(renewed.getUTCFullYear() + 1);
  expect(retry.data.renewDomain).toEqual({ name, expiresAt: renewed.toISOString(), replayed: true });
  expect(nomulus.applied('domain:renew') - before).toBe(1);
  expect(nomulus.domain(name)!.expiresAt.toISOString()).toBe(renewed.toISOString());
  const log = await t.gql(A, KEY_LOG, { k, c: 'domain:renew' });
  expect(log.data.commandLog.edges.map((e: { node: unknown }) => e.node)).toEqual([{ outcome: 'RECONCILED_APPLIED', applied: true }]);
});

it('EPP createDomain answered 1000 without <domain:creData>: UPSTREAM_UNAVAILABLE, the retry answers the domain (replayed), created once', async () => {
  const name = `unreadable-create-${run}.tld`;
  const before = nomulus.applied('domain:create');
  nomulus.faults.next({ command: 'domain:create', action: 'omit-resdata' });
  const data = await unreadableThenRetried(CREATE, { k: randomUUID(), input: { name, authInfo: 'Unreadable-pw-3' } });
  expect(data.createDomain).toEqual({ name, replayed: true, domain: { name } });
  expect(nomulus.applied('domain:create') - before).toBe(1);
  const again = await t.gql(A, CREATE, { k: randomUUID(), input: { name, authInfo: 'Unreadable-pw-3' } });
  expect(again.errors?.[0]?.extensions?.code).toBe('OBJECT_EXISTS');
});

const reppInput = (name: string) => ({
  name,
  registrant: 'ATSAA:KARL',
  contacts: [
    { role: 'ADMIN', id: 'ATSAA:KARL' },
    { role: 'TECH', id: 'ATSAA:KARL' },
  ],
  nameservers: [{ name: 'ns1.example.net' }, { name: 'ns2.example.net' }],
  authInfo: 'Loetamatu-kood-1',
});

it('REPP createDomain answered 1000 without the created name: UPSTREAM_UNAVAILABLE, the retry answers the domain (replayed), created once', async () => {
  const name = `loetamatu-${run}.ee`;
  const before = repp.applied('domain:create');
  repp.faults.next({ route: 'domain:create', action: 'garble-after-apply', body: JSON.stringify({ code: 1000, message: 'Command completed successfully', data: {} }) });
  const data = await unreadableThenRetried(CREATE, { k: randomUUID(), input: reppInput(name) });
  expect(data.createDomain).toEqual({ name, replayed: true, domain: { name } });
  expect(repp.applied('domain:create') - before).toBe(1);
  expect(repp.domain(name)).toBeDefined();
  // A new key for the same name is the registry's refusal: the one registration is the first one.
  const again = await t.gql(A, CREATE, { k: randomUUID(), input: reppInput(name) });
  expect(again.errors?.[0]?.extensions?.code).toBe('OBJECT_EXISTS');
});

it('Joker contact-create accepted without the Handle it returns: UPSTREAM_UNAVAILABLE, the retry answers the contact the registry made (replayed), made once', async () => {
  const email = `no-handle-${run}@example.test`;
  const before = joker.answered('contact-create');
  joker.garbleAfterApply('contact-create', 'Status-Code: 0\nStatus-Text: Command completed successfully\n\n');
  const query = `mutation($k: String!, $i: CreateContactInput!) { createContact(idempotencyKey: $k, input: $i) { id replayed contact { email } } }`;
  const input = { registry: 'sandbox-joker', email, voice: '+372.5550102', authInfo: 'unused-pw-2', postalInfo: [{ name: 'Handle Lost', street: ['1 Road'], city: 'Town', pc: '12345', cc: 'EE' }] };
  const first = await t.gql(A, query, { k: 'no-handle-' + run, i: input });
  expect(first.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
  const retry = await t.gql(A, query, { k: 'no-handle-' + run, i: input });
  expect(retry.errors).toBeUndefined();
  expect(retry.data.createContact).toMatchObject({ replayed: true, contact: { email } });
  expect(retry.data.createContact.id).toMatch(/^CJOK-\d+$/);
  expect(joker.answered('contact-create') - before).toBe(1);
});

const headlessInput = (name: string) => ({ name, authInfo: 'Unreadable-pw-1', nameservers: [{ name: 'ns1.example.net' }], registrantInfo: { name: 'Ann', email: 'ann@example.net' } });

it('HeadlessDomains createDomain answered 201 without the registration: UPSTREAM_UNAVAILABLE, the retry answers the domain (replayed), created once', async () => {
  const name = `unreadable-${run}.hdtest`;
  headless.garbleAfterApply('POST', '/domains', JSON.stringify({ command_id: 'cmd_garbled' }), 201);
  const data = await unreadableThenRetried(CREATE, { k: randomUUID(), input: headlessInput(name) });
  expect(data.createDomain).toEqual({ name, replayed: true, domain: { name } });
  expect(headless.registration(name)).toBeDefined();
  const again = await t.gql(A, CREATE, { k: randomUUID(), input: headlessInput(name) });
  expect(again.errors?.[0]?.extensions?.code).toBe('OBJECT_EXISTS');
});

it('HeadlessDomains createDomain answered 400 without its error body (not JSON): UPSTREAM_UNAVAILABLE, not a refusal the key replays; the retry answers the domain', async () => {
  const name = `proxy-page-${run}.hdtest`;
  headless.garbleAfterApply('POST', '/domains', '<html><body>400 Bad Request</body></html>', 400);
  const data = await unreadableThenRetried(CREATE, { k: randomUUID(), input: headlessInput(name) });
  expect(data.createDomain).toEqual({ name, replayed: true, domain: { name } });
  expect(headless.registration(name)).toBeDefined();
});

it('a REPP read sent and not answered (connection closed) is NO_ANSWER in the command log, not NOT_SENT: it reached the registry', async () => {
  repp.faults.next({ route: 'domain:info', action: 'drop-after-apply' });
  const r = await t.gql(A, '{ domain(name: "kass.ee") { name } }');
  expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
  // Reads are written in batches: wait for the entry rather than for a time.
  const LOG = 'query { commandLog(filter: { command: "domain:info", objectName: "kass.ee" }, first: 50) { edges { node { outcome applied } } } }';
  let outcomes: string[] = [];
  for (let i = 0; i < 200 && outcomes.length === 0; i++) {
    const log = await t.gql(A, LOG);
    outcomes = log.data.commandLog.edges.map((e: { node: { outcome: string } }) => e.node.outcome);
    if (outcomes.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(outcomes).toEqual(['NO_ANSWER']);
});

it('Joker domain-register accepted, then its result-retrieve refused (429): the registration is pending, not a failure that frees the key; the retry replays it, registered once', async () => {
  const name = `retrieve-refused-${run}.joker.test`;
  const vars = { k: randomUUID(), n: name };
  const query = 'mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, registrant: "CJOK-1", contacts: [{ role: ADMIN, id: "CJOK-1" }, { role: TECH, id: "CJOK-1" }, { role: BILLING, id: "CJOK-1" }], nameservers: [{ name: "ns1.sandbox-dns.test" }], authInfo: "Retrieve-pw-1" }) { name replayed transaction { resultCode pending } } }';
  const before = joker.answered('domain-register');
  joker.tooManyRequests('result-retrieve', 1);
  const first = await t.gql(A, query, vars);
  expect(first.errors).toBeUndefined();
  expect(first.data.createDomain).toEqual({ name, replayed: false, transaction: { resultCode: 1001, pending: true } });
  const retry = await t.gql(A, query, vars);
  expect(retry.data.createDomain).toMatchObject({ name, replayed: true, transaction: { pending: true } });
  expect(joker.answered('domain-register') - before).toBe(1);
});
