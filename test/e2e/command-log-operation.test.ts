/**
 * CommandLogEntry.operation names the gateway operation that caused each command (README
 * "Command log"), never the command itself: a mutation's payload read-back is logged under the
 * mutation, a query's reads under its root field (several root fields: all their names, each
 * matched by the filter), a bulk job's reads and changes under the job's mutation.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BULK_RENEW, waitFinished } from '../helpers/bulk.js';
import { keepBackends, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let key: string;
beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.enabled = false;
      c.bulk = { backoffMs: 20 };
      keepBackends(c, ['epp']);
    },
  });
  key = t.keys.NewRegistrar!;
});
afterAll(() => t?.close());

const LOG = `query($f: CommandLogFilter) { commandLog(filter: $f, first: 500) { edges { node { operation command objectName idempotencyKey } } } }`;

type Entry = { operation: string; command: string; objectName: string | null; idempotencyKey: string | null };

async function entries(filter: Record<string, unknown>): Promise<Entry[]> {
  const r = await t.gql(key, LOG, { f: filter });
  expect(r.errors).toBeUndefined();
  return r.data.commandLog.edges.map((e: { node: Entry }) => e.node);
}

async function ok(query: string, variables: Record<string, unknown>) {
  const r = await t.gql(key, query, variables);
  expect(r.errors).toBeUndefined();
  return r.data;
}

/** "operation command" of each entry, sorted: the log lists reads in batches, after changes sent meanwhile (README "Command log"). */
const pairs = (es: Entry[]) => es.map((e) => `${e.operation} ${e.command}`).sort();

it("logs a mutation's payload read-back under the mutation, beside the mutation's own command", async () => {
  const name = `op-${randomUUID().slice(0, 8)}.tld`;
  await ok(`mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "0p-Log-Pw-1" }) { name domain { name } } }`, { k: randomUUID(), n: name });
  const info = await ok(`query($n: String!) { domain(name: $n) { expiresAt } }`, { n: name });
  const k = randomUUID();
  const renewed = await ok(
    `mutation($k: String!, $n: String!, $e: DateTimeISO!) { renewDomain(idempotencyKey: $k, input: { name: $n, currentExpiry: $e, period: { value: 1, unit: YEARS } }) { expiresAt domain { expiresAt } } }`,
    { k, n: name, e: info.domain.expiresAt },
  );
  expect(renewed.renewDomain.domain.expiresAt).toBe(renewed.renewDomain.expiresAt);

  expect(pairs(await entries({ objectName: name }))).toEqual([
    'createDomain domain:create',
    'createDomain domain:info',
    'domain domain:info',
    'renewDomain domain:info',
    'renewDomain domain:renew',
  ]);
  // An operator filtering by the mutation sees both of its commands, the key on the change only.
  const renewal = await entries({ objectName: name, operation: 'renewDomain' });
  expect(renewal.map((e) => [e.command, e.idempotencyKey]).sort()).toEqual([
    ['domain:info', null],
    ['domain:renew', k],
  ]);
});

it('logs the reads of a query with several root fields under all their names, each one matched by the filter', async () => {
  const name = `op-${randomUUID().slice(0, 8)}.tld`;
  const free = `op-free-${randomUUID().slice(0, 8)}.tld`;
  await ok(`mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "0p-Log-Pw-2" }) { name } }`, { k: randomUUID(), n: name });
  await ok(`query($n: String!, $f: String!) { a: domain(name: $n) { name } b: checkDomains(names: [$f]) { available } }`, { n: name, f: free });
  expect(pairs(await entries({ objectName: name }))).toEqual(['createDomain domain:create', 'domain,checkDomains domain:info']);
  expect(pairs(await entries({ objectName: free, operation: 'checkDomains' }))).toEqual(['domain,checkDomains domain:check']);
  expect(pairs(await entries({ objectName: name, operation: 'domain' }))).toEqual(['domain,checkDomains domain:info']);
  expect(await entries({ objectName: name, operation: 'check' })).toEqual([]);
});

it("logs a bulk job's reads and renewals under the job's mutation", async () => {
  const name = `op-${randomUUID().slice(0, 8)}.tld`;
  await ok(`mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "0p-Log-Pw-3" }) { name } }`, { k: randomUUID(), n: name });
  // No current expiry: the item reads it first (domain:info), then renews.
  const job = (await ok(BULK_RENEW, { k: randomUUID(), domains: [{ name }] })).bulkRenew.job;
  const done = await waitFinished(t, key, job.id);
  expect(done.state).toBe('COMPLETED');
  expect(pairs(await entries({ objectName: name }))).toEqual(['bulkRenew domain:info', 'bulkRenew domain:renew', 'createDomain domain:create']);
});

const ENTITIES = `query($r: [_Any!]!, $f: [String!]!) { _entities(representations: $r) { ... on Domain { name } } checkDomains(names: $f) { available } }`;

it("takes back every operation an entry shows: a federation router's _entities, a query's comma-joined root fields (exactly that list)", async () => {
  const name = `op-${randomUUID().slice(0, 8)}.tld`;
  const free = `op-free-${randomUUID().slice(0, 8)}.tld`;
  await ok(`mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "0p-Log-Pw-4" }) { name } }`, { k: randomUUID(), n: name });
  await ok(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Domain { name } } }`, { r: [{ __typename: 'Domain', name }] });
  await ok(ENTITIES, { r: [{ __typename: 'Domain', name }], f: [free] });

  // A user copies the operation an entry shows into the filter: the same entries come back.
  const reads = await entries({ objectName: name, command: 'domain:info' });
  expect(reads.map((e) => e.operation).sort()).toEqual(['_entities', '_entities,checkDomains']);
  for (const shown of reads.map((e) => e.operation)) {
    expect((await entries({ objectName: name, operation: shown })).map((e) => e.operation)).toContain(shown);
  }
  // One name matches it alone and in a list; a list matches exactly that list, in the order entries show it.
  expect(pairs(await entries({ objectName: name, operation: '_entities' }))).toEqual(['_entities domain:info', '_entities,checkDomains domain:info']);
  expect(pairs(await entries({ objectName: name, operation: '_entities,checkDomains' }))).toEqual(['_entities,checkDomains domain:info']);
  expect(pairs(await entries({ objectName: free, operation: '_entities, checkDomains' }))).toEqual(['_entities,checkDomains domain:check']);
  expect(await entries({ objectName: name, operation: 'checkDomains,_entities' })).toEqual([]);
  expect(await entries({ objectName: name, operation: 'entities' })).toEqual([]);

  // "_" is no wildcard: an entry one character off (written here, as no root field is named so) does not match.
  await t.gateway.services.prisma.commandLog.create({
    data: { registrarId: 'NewRegistrar', backend: 'sandbox-epp', operation: 'xentities,checkDomains', command: 'domain:info', objectName: name, clientTrid: `op-${randomUUID()}`, createdAt: new Date() },
  });
  expect(pairs(await entries({ objectName: name, operation: '_entities' }))).toEqual(['_entities domain:info', '_entities,checkDomains domain:info']);
  // Entries written before operations were recorded show the command: it is taken too.
  expect(await entries({ objectName: name, operation: 'domain:info' })).toEqual([]);
});

it('refuses an operation filter no entry can show, naming the field and quoting at most 32 characters', async () => {
  const long = `renewDomain;${'x'.repeat(40)}`;
  for (const bad of ['renew Domain', 'domain,,checkDomains', 'domain,', ',domain', '1domain', 'renewDomain%', long, 'a,'.repeat(600) + 'a']) {
    // first: 1, a cheap request: eight of the 500-entry ones would spend the key's rate limit.
    const r = await t.gql(key, `query($f: CommandLogFilter) { commandLog(filter: $f, first: 1) { edges { node { operation } } } }`, { f: { operation: bad } });
    expect(r.data?.commandLog ?? null).toBeNull();
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.operation' });
    const message = r.errors![0]!.message;
    if (bad.length > 32) {
      expect(message).toContain(`${JSON.stringify(bad.slice(0, 32))}…`);
      expect(message).not.toContain(bad.slice(0, 33));
    } else expect(message).toContain(JSON.stringify(bad));
  }
});
