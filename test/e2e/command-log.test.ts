/**
 * The command log over GraphQL: every upstream command of the viewer (and only the viewer's),
 * with transaction ids, result, duration and times; filters by object, operation, command,
 * idempotency key and time; cursor pagination. No secret used in a command (auth info, the
 * registry login password) appears in the log table, the idempotency records or the GraphQL output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_REGISTRARS } from '../../src/sandbox/epp/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';

const ENTRY = 'id registrar registry operation command objectName idempotencyKey clientTransactionId serverTransactionId resultCode message durationMs startedAt finishedAt outcome applied reconciledAt';
const LOG = `query($filter: CommandLogFilter, $first: Int, $after: String) {
  commandLog(filter: $filter, first: $first, after: $after) { edges { cursor node { ${ENTRY} } } pageInfo { hasNextPage endCursor } }
}`;

const SECRETS = {
  contact: 'Contact-Secret-9q',
  domain: 'Domain-Secret-9q',
  changed: 'Domain-Secret-10q',
  wrong: 'Wrong-Secret-11q',
};

describe('command log', () => {
  let t: TestGateway;
  let A: string; // NewRegistrar
  let B: string; // TheRegistrar
  const run = Date.now().toString(36);
  const domain = `log-${run}.example`;
  const contact = `c${run}`.slice(0, 16);
  let created: { clientTransactionId: string; serverTransactionId: string };
  let startedAt: Date;

  beforeAll(async () => {
    // Not a rate-limit test: 500-entry pages cost 2,500 points of the default 5,000 per 10 s.
    t = await startTestGateway({ configure: (c) => void (c.limits.rateLimit = false) });
    A = t.keys.NewRegistrar!;
    B = t.keys.TheRegistrar!;
    startedAt = new Date();
    const ok = async (key: string, query: string, vars: Record<string, unknown>) => {
      const r = await t.gql(key, query, vars);
      expect(r.errors).toBeUndefined();
      return r.data;
    };
    await ok(A, `mutation($k: String!, $i: CreateContactInput!) { createContact(idempotencyKey: $k, input: $i) { id } }`, {
      k: `contact-${run}`,
      i: { id: contact, postalInfo: [{ name: 'Log Tester', city: 'Town', cc: 'US', street: ['1 Main St'] }], email: 'log@example.net', authInfo: SECRETS.contact },
    });
    const d = await ok(A, `mutation($k: String!, $i: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $i) { transaction { clientTransactionId serverTransactionId } } }`, {
      k: `create-${run}`,
      i: { name: domain, authInfo: SECRETS.domain, registrant: contact, contacts: [{ role: 'ADMIN', id: contact }, { role: 'TECH', id: contact }] },
    });
    created = d.createDomain.transaction;
    await ok(A, `mutation($k: String!, $n: String!, $pw: String!) { updateDomain(idempotencyKey: $k, input: { name: $n, authInfo: $pw }) { name } }`, { k: `update-${run}`, n: domain, pw: SECRETS.changed });
    // A transfer request with the wrong auth info (refused: 2202), then with the right one.
    const wrong = await t.gql(B, `mutation($k: String!, $n: String!, $pw: String!) { requestTransfer(idempotencyKey: $k, domainName: $n, authInfo: $pw) { replayed } }`, { k: `wrong-${run}`, n: domain, pw: SECRETS.wrong });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('AUTHORIZATION_ERROR');
    await ok(B, `mutation($k: String!, $n: String!, $pw: String!) { requestTransfer(idempotencyKey: $k, domainName: $n, authInfo: $pw) { transfer { status } } }`, { k: `transfer-${run}`, n: domain, pw: SECRETS.changed });
    await ok(B, `query($n: String!, $pw: String!) { domain(name: $n, authInfo: $pw) { name } }`, { n: domain, pw: SECRETS.changed });
  });
  afterAll(() => t?.close());

  async function entries(key: string, filter: Record<string, unknown> = {}, first = 500) {
    const r = await t.gql(key, LOG, { filter, first });
    expect(r.errors).toBeUndefined();
    return r.data.commandLog.edges.map((e: { node: any }) => e.node) as any[];
  }

  it('shows each command with registrar, registry, operation, object, key, transaction ids, result, duration and times', async () => {
    const [e] = await entries(A, { idempotencyKey: `create-${run}` });
    expect(e).toMatchObject({
      registrar: 'NewRegistrar',
      registry: 'sandbox-epp',
      operation: 'createDomain',
      command: 'domain:create',
      objectName: domain,
      idempotencyKey: `create-${run}`,
      clientTransactionId: created.clientTransactionId,
      serverTransactionId: created.serverTransactionId,
      resultCode: 1000,
      outcome: 'SUCCEEDED',
      applied: true,
      reconciledAt: null,
    });
    expect(e.durationMs).toBeGreaterThanOrEqual(0);
    expect(new Date(e.startedAt).getTime()).toBeLessThanOrEqual(new Date(e.finishedAt).getTime());
    expect(new Date(e.finishedAt).getTime()).toBeGreaterThanOrEqual(startedAt.getTime() - 1000);
  });

  it('a refused command is logged with its result code as not applied', async () => {
    const [e] = await entries(B, { idempotencyKey: `wrong-${run}` });
    expect(e).toMatchObject({ command: 'domain:transfer:request', resultCode: 2202, outcome: 'FAILED', applied: false });
  });

  it("is the viewer's own: neither registrar sees the other's commands", async () => {
    const mine = await entries(A);
    const theirs = await entries(B);
    expect(mine.length).toBeGreaterThan(0);
    expect(theirs.length).toBeGreaterThan(0);
    expect(new Set(mine.map((e) => e.registrar))).toEqual(new Set(['NewRegistrar']));
    expect(new Set(theirs.map((e) => e.registrar))).toEqual(new Set(['TheRegistrar']));
    expect(mine.some((e) => e.idempotencyKey === `transfer-${run}`)).toBe(false);
  });

  it('filters by object, operation, command, key and time', async () => {
    const byObject = await entries(A, { objectName: domain });
    expect(byObject.length).toBeGreaterThanOrEqual(2);
    expect(byObject.every((e) => e.objectName === domain)).toBe(true);
    expect((await entries(A, { operation: 'updateDomain' })).map((e) => e.idempotencyKey)).toContain(`update-${run}`);
    expect((await entries(A, { operation: 'updateDomain' })).every((e) => e.operation === 'updateDomain')).toBe(true);
    expect((await entries(A, { command: 'contact:create' })).map((e) => e.objectName)).toEqual([contact]);
    const all = await entries(A, { objectName: domain });
    const after = await entries(A, { objectName: domain, from: new Date(Date.now() + 60_000).toISOString() });
    const before = await entries(A, { objectName: domain, to: new Date(startedAt.getTime() - 60_000).toISOString() });
    const within = await entries(A, { objectName: domain, from: new Date(startedAt.getTime() - 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });
    expect(after).toEqual([]);
    expect(before).toEqual([]);
    expect(within).toEqual(all);
  });

  it('pages with cursors, oldest first, without gaps or repeats', async () => {
    const all = await entries(A);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const r: any = await t.gql(A, LOG, { first: 2, after });
      expect(r.errors).toBeUndefined();
      const page = r.data.commandLog;
      seen.push(...page.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    // The poller may log more commands while the pages are read: they come after, never between.
    expect(seen.slice(0, all.length)).toEqual(all.map((e) => e.id));
    expect([...seen].sort((a, b) => Number(a) - Number(b))).toEqual(seen);
    expect(new Set(seen).size).toBe(seen.length);
    const bad = await t.gql(A, LOG, { after: 'nope' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it("holds a mutation's command from the moment it is sent; the same entry completes when the answer comes", async () => {
    // A domain of its own: the one above has a transfer pending, during which the registry refuses
    // a renewal (2304, as Nomulus does).
    const slow = `slow-${run}.example`;
    const made = await t.gql(A, `mutation($k: String!, $i: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $i) { name } }`, {
      k: `create-slow-${run}`,
      i: { name: slow, authInfo: SECRETS.domain, registrant: contact, contacts: [{ role: 'ADMIN', id: contact }, { role: 'TECH', id: contact }] },
    });
    expect(made.errors).toBeUndefined();
    const sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-epp') as EppSandbox;
    sandbox.faults.next({ command: 'domain:renew', action: 'delay', delayMs: 1_500 });
    const key = `slow-renew-${run}`;
    const renew = t.gql(A, `mutation($k: String!) { renewDomain(idempotencyKey: $k, input: { name: "${slow}", period: { value: 1, unit: YEARS } }) { name } }`, { k: key });
    // The renew (its domain:info before it is answered at once and logged when answered).
    const entries = async () => (await t.gql(A, LOG, { filter: { idempotencyKey: key, command: 'domain:renew' } })).data.commandLog.edges.map((e: { node: any }) => e.node);
    let inFlight: any[] = [];
    for (const deadline = Date.now() + 1_200; inFlight.length === 0 && Date.now() < deadline; ) {
      inFlight = await entries();
      if (inFlight.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(inFlight).toHaveLength(1);
    expect(inFlight[0]).toMatchObject({ command: 'domain:renew', outcome: 'UNKNOWN', applied: null, resultCode: null, durationMs: null, finishedAt: null });
    expect((await renew).errors).toBeUndefined();
    const done = await entries();
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ id: inFlight[0].id, outcome: 'SUCCEEDED', resultCode: 1000, startedAt: inFlight[0].startedAt });
    expect(done[0].durationMs).toBeGreaterThanOrEqual(1_400);
    expect(Date.parse(done[0].finishedAt) - Date.parse(done[0].startedAt)).toBe(done[0].durationMs);
  });

  it('never holds a secret: not in the table, the idempotency records, or the GraphQL output', async () => {
    const secrets = [...Object.values(SECRETS), ...SANDBOX_REGISTRARS.map((r) => r.password)];
    const { prisma } = t.gateway.services;
    await t.gateway.commandLog.flush();
    const dump = (rows: unknown[]) => JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    const tables = dump(await prisma.commandLog.findMany()) + dump(await prisma.idempotencyRecord.findMany());
    const graphql = JSON.stringify([await entries(A), await entries(B)]);
    expect(tables.length).toBeGreaterThan(1000);
    for (const s of secrets) {
      expect(tables).not.toContain(s);
      expect(graphql).not.toContain(s);
    }
  });
});
