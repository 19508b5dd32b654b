/**
 * An update a registry takes as several requests (REPP: up to nine; HeadlessDomains: PATCH, then
 * PUT nameservers; Joker: domain-modify, then domain-lock) and refuses half way says what it had
 * applied, instead of answering like a clean refusal. A trial as a frontend team found both: at
 * REPP, `updateDomain` with a new auth code and an unknown tech contact answered OBJECT_NOT_FOUND,
 * the command log said FAILED (applied: false), and the auth code had changed (another registrar
 * then transferred the domain with it); at HeadlessDomains, clientHold plus 13 name servers added to
 * a domain with two answered the registry's "at most 13" refusal while the domain was on clientHold.
 * Now the refusal keeps its code and carries `extensions.partlyApplied` (the input's parts applied
 * before it) and says so in its message, the command log's entry is PARTIAL (applied), and a retry
 * with the key replays the same; HeadlessDomains' name servers are counted before anything is sent.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noBackgroundWork, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let A: string;
beforeAll(async () => {
  t = await startTestGateway({ configure: noBackgroundWork });
  A = t.keys.NewRegistrar!;
}, 120_000);
afterAll(() => t?.close());

const run = randomUUID().slice(0, 8);
const UPDATE = 'mutation($k: String!, $i: UpdateDomainInput!) { updateDomain(idempotencyKey: $k, input: $i) { name } }';
const LOG = 'query($k: String!) { commandLog(filter: { idempotencyKey: $k }) { edges { node { command outcome applied message } } } }';

async function logOf(key: string): Promise<Array<{ command: string; outcome: string; applied: boolean | null; message: string | null }>> {
  await t.gateway.commandLog.flush();
  const r = await t.gql(A, LOG, { k: key });
  expect(r.errors).toBeUndefined();
  return r.data.commandLog.edges.map((e: { node: unknown }) => e.node);
}

describe('REPP', () => {
  const name = `partly-${run}.ee`;
  beforeAll(async () => {
    const r = await t.gql(A, 'mutation($k: String!, $i: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $i) { name } }', {
      k: randomUUID(),
      i: { name, registrant: 'ATSAA:KARL', contacts: [{ role: 'ADMIN', id: 'ATSAA:KARL' }], nameservers: [{ name: 'ns1.example.net' }, { name: 'ns2.example.net' }], authInfo: 'First-pw-1' },
    });
    expect(r.errors).toBeUndefined();
  }, 60_000);

  it('a new auth code applied before an unknown contact was refused: OBJECT_NOT_FOUND with partlyApplied, the entry PARTIAL, the same on a retry', async () => {
    const k = randomUUID();
    const input = { name, authInfo: 'Second-pw-2', add: { contacts: [{ role: 'TECH', id: 'ATSAA:NOPE0003' }] } };
    const r = await t.gql(A, UPDATE, { k, i: input });
    expect(r.data?.updateDomain ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', registry: 'sandbox-repp', partlyApplied: ['input.authInfo'] });
    expect(r.errors?.[0]?.message).toContain('applied before that: input.authInfo');
    expect(JSON.stringify(r)).not.toContain('Second-pw-2');
    // What the answer says is what the registry holds: the new code, no tech contact.
    const d = await t.gql(A, 'query($n: String!) { domain(name: $n) { authInfo contacts { role id } } }', { n: name });
    expect(d.data.domain.authInfo).toBe('Second-pw-2');
    expect(d.data.domain.contacts.map((c: { role: string }) => c.role)).toEqual(['ADMIN']);
    const log = await logOf(k);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ command: 'domain:update', outcome: 'PARTIAL', applied: true });
    expect(log[0]!.message).toContain('applied before it: input.authInfo');
    // The key's answer is the refusal as it was: replayed, nothing sent again.
    const before = await t.upstreamCommands();
    const again = await t.gql(A, UPDATE, { k, i: input });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', partlyApplied: ['input.authInfo'] });
    expect(again.errors?.[0]?.message).toBe(r.errors?.[0]?.message);
    expect(await t.upstreamCommands()).toBe(before);
  }, 60_000);

  it('a refusal of the first request applied nothing: no partlyApplied, the entry FAILED', async () => {
    const k = randomUUID();
    const r = await t.gql(A, UPDATE, { k, i: { name, add: { contacts: [{ role: 'TECH', id: 'ATSAA:NOPE0004' }] } } });
    expect(r.errors?.[0]?.extensions?.code).toBe('OBJECT_NOT_FOUND');
    expect(r.errors?.[0]?.extensions).not.toHaveProperty('partlyApplied');
    expect(r.errors?.[0]?.message).not.toContain('applied before');
    expect(await logOf(k)).toMatchObject([{ command: 'domain:update', outcome: 'FAILED', applied: false }]);
  }, 60_000);
});

describe('HeadlessDomains', () => {
  const name = `partly-${run}.hdtest`;
  beforeAll(async () => {
    const r = await t.gql(A, 'mutation($k: String!, $i: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $i) { name } }', {
      k: randomUUID(),
      i: { name, authInfo: 'Headless-pw-1', nameservers: [{ name: 'ns1.example.net' }, { name: 'ns2.example.net' }] },
    });
    expect(r.errors).toBeUndefined();
  }, 60_000);

  it('clientHold with name servers beyond 13 in all is refused before anything changes: the domain is not on hold', async () => {
    const k = randomUUID();
    const added = Array.from({ length: 13 }, (_, i) => ({ name: `ns${i + 3}.example.net` }));
    const r = await t.gql(A, UPDATE, { k, i: { name, add: { statuses: ['clientHold'], nameservers: added } } });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.add.nameservers' });
    expect(r.errors?.[0]?.message).toContain('at most 13 name servers; this update would leave it 15 (2 it keeps and 13 added)');
    const d = await t.gql(A, 'query($n: String!) { domain(name: $n) { statuses nameservers { name } } }', { n: name });
    expect(d.data.domain.statuses).not.toContain('clientHold');
    expect(d.data.domain.nameservers.map((n: { name: string }) => n.name).sort()).toEqual(['ns1.example.net', 'ns2.example.net']);
    expect(await logOf(k)).toMatchObject([{ command: 'domain:update', outcome: 'NOT_SENT', applied: false }]);
    // Within the count, both parts go through.
    const ok = await t.gql(A, UPDATE, { k: randomUUID(), i: { name, add: { statuses: ['clientHold'], nameservers: added.slice(0, 11) } } });
    expect(ok.errors).toBeUndefined();
  }, 60_000);
});
