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
