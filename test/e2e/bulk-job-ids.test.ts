/**
 * A bulk job's id, wherever the API takes one (the bulkJob query, cancelBulkJob, the bulkJob
 * subscription over graphql-ws): one that is not a UUID ("x", 100 or 10,000 characters) is
 * BAD_USER_INPUT naming `id`, quoting at most 32 characters of it, before any database read (and,
 * for cancelBulkJob, before the key's record is written); a well-formed one that is no job of the
 * viewer's (none, or another registrar's) is OBJECT_NOT_FOUND naming `id` for cancelBulkJob and
 * the subscription (the subscription's lacked `field`), and null for the query (its schema
 * contract: "null for an id that is not the viewer's"). Before, "x" read the database and answered
 * as an unknown job.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let A: string;
let B: string;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
  A = t.keys.NewRegistrar!;
  B = t.keys.TheRegistrar!;
});
afterAll(() => t?.close());
afterEach(() => vi.restoreAllMocks());

const QUERY = 'query($id: ID!) { bulkJob(id: $id) { id state } }';
const CANCEL = 'mutation($id: ID!, $k: String!) { cancelBulkJob(idempotencyKey: $k, id: $id) { id state } }';
const FOLLOW = 'subscription($id: ID!) { bulkJob(id: $id) { job { state } } }';

/** The bulkJob subscription's first answer over graphql-ws: its errors (refused) or 'events'. */
async function subscribeErrors(key: string, id: string): Promise<any[] | 'events'> {
  const client = createClient({ url: t.gateway.wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${key}` }, retryAttempts: 0 });
  try {
    return await new Promise((resolve, reject) => {
      client.subscribe(
        { query: FOLLOW, variables: { id } },
        {
          next: (r) => resolve(r.errors ? [...r.errors] : 'events'),
          error: (e) => (Array.isArray(e) ? resolve(e) : reject(e)),
          complete: () => undefined,
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

/** A job of the key's registrar (its one domain does not exist: the job fails fast, which does not matter here). */
async function submit(key: string): Promise<string> {
  const r = await t.gql(key, 'mutation($k: String!, $d: [String!]!) { bulkUpdateStatuses(idempotencyKey: $k, domains: $d, add: [clientHold]) { job { id } } }', { k: randomUUID(), d: [`nobody-${randomUUID().slice(0, 8)}.example`] });
  expect(r.errors).toBeUndefined();
  return r.data.bulkUpdateStatuses.job.id;
}

const MALFORMED: Array<[string, string]> = [
  ['"x"', 'x'],
  ['a number', '12345'],
  ['a UUID with a character too many', `${randomUUID()}0`],
  ['a UUID without its hyphens', randomUUID().replaceAll('-', '')],
  ['100 characters', 'j'.repeat(100)],
  ['10,000 characters', 'k'.repeat(10_000)],
];

describe('a bulk job id that is not a UUID', () => {
  it.each(MALFORMED)('%s: the query, cancelBulkJob and the subscription answer BAD_USER_INPUT on id, nothing read or written', async (_what, id) => {
    const store = t.gateway.services.bulk.store;
    const reads = (['find', 'findShared', 'job', 'jobShared'] as const).map((m) => vi.spyOn(store, m));
    const records = await t.gateway.services.prisma.idempotencyRecord.count();
    const query = await t.gql(A, QUERY, { id });
    const k = `cancel-${randomUUID()}`;
    const cancel = await t.gql(A, CANCEL, { id, k });
    const follow = await subscribeErrors(A, id);
    for (const errors of [query.errors, cancel.errors, follow]) {
      expect(Array.isArray(errors) && errors).toHaveLength(1);
      const [error] = errors as any[];
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
      // At most 32 characters of what was sent.
      if (id.length > 32) expect(error.message).not.toContain(id.slice(0, 33));
      else expect(error.message).toContain(JSON.stringify(id));
      expect(error.message.length).toBeLessThan(160);
    }
    expect(query.data?.bulkJob ?? null).toBeNull();
    for (const read of reads) expect(read).not.toHaveBeenCalled();
    expect(await t.gateway.services.prisma.idempotencyRecord.count()).toBe(records);
  });
});

describe('a well-formed id that is no job of the viewer', () => {
  it.each([
    ['no such job', async () => randomUUID()],
    ["another registrar's job", () => submit(B)],
  ])('%s: cancelBulkJob and the subscription answer OBJECT_NOT_FOUND on id; the query null', async (_what, idOf) => {
    const id = await idOf();
    const query = await t.gql(A, QUERY, { id });
    expect(query.errors).toBeUndefined();
    expect(query.data.bulkJob).toBeNull();
    const cancel = await t.gql(A, CANCEL, { id, k: `cancel-${randomUUID()}` });
    expect(cancel.errors?.[0]?.extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', field: 'id' });
    const follow = await subscribeErrors(A, id);
    expect(follow).toHaveLength(1);
    expect((follow as any[])[0].extensions).toMatchObject({ code: 'OBJECT_NOT_FOUND', field: 'id' });
  });

  it("the viewer's own job, its id in capitals: found by all three (ids are read in lowercase, as they are answered)", async () => {
    const id = await submit(A);
    const upper = id.toUpperCase();
    const query = await t.gql(A, QUERY, { id: upper });
    expect(query.errors).toBeUndefined();
    expect(query.data.bulkJob.id).toBe(id);
    expect(await subscribeErrors(A, upper)).toBe('events');
    const cancel = await t.gql(A, CANCEL, { id: upper, k: `cancel-${randomUUID()}` });
    expect(cancel.errors).toBeUndefined();
    expect(cancel.data.cancelBulkJob.id).toBe(id);
  });
});
