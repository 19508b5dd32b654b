/**
 * Exactly-once under transport faults: for create, renew, transfer request, update and delete,
 * the sandbox drops the connection after applying, answers too late, answers 2400 without
 * applying, or answers 2500 and closes. A retry with the same key then answers as a clean first
 * attempt would (same payload fields), the sandbox applied the command exactly once, the command
 * log shows one applied command for the key, and the answer is replayed by a restarted gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import type { FaultAction } from '../../src/sandbox/epp/index.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { apiKeys, configFor, startInProcessGateway, startSharedSandbox, type InProcessGateway, type SharedSandbox } from '../helpers/processes.js';
import type { GraphQLResponse } from '../helpers/gateway.js';

const TX = 'transaction { clientTransactionId serverTransactionId resultCode message }';
const DOMAIN = 'domain { name sponsor statuses expiresAt createdAt updatedAt authInfo }';
const CREATE = `mutation($k: String!, $name: String!, $pw: String!) { createDomain(idempotencyKey: $k, input: { name: $name, authInfo: $pw }) { name replayed ${TX} ${DOMAIN} } }`;
const RENEW = `mutation($k: String!, $name: String!) { renewDomain(idempotencyKey: $k, input: { name: $name, period: { value: 1, unit: YEARS } }) { name expiresAt replayed ${TX} ${DOMAIN} } }`;
const UPDATE = `mutation($k: String!, $name: String!, $pw: String!) { updateDomain(idempotencyKey: $k, input: { name: $name, add: { statuses: [clientTransferProhibited] }, authInfo: $pw }) { name replayed ${TX} ${DOMAIN} } }`;
const DELETE = `mutation($k: String!, $name: String!) { deleteDomain(idempotencyKey: $k, name: $name) { name pending replayed ${TX} ${DOMAIN} } }`;
const TRANSFER = `mutation($k: String!, $name: String!, $pw: String!) { requestTransfer(idempotencyKey: $k, domainName: $name, authInfo: $pw) { replayed ${TX} transfer { domainName status gainingRegistrar losingRegistrar requestedAt actionAt expiresAt } } }`;
const LOG = `query($k: String!) { commandLog(filter: { idempotencyKey: $k }) { edges { node { command resultCode outcome applied reconciledAt idempotencyKey } } } }`;

const PW = 'Fault-Pw-1';
const NEW_PW = 'Fault-Pw-2';
const FAULTS: FaultAction[] = ['drop-after-apply', 'delay', 'server-error', 'close-session'];
/** The error a first attempt gets for each fault. */
const FIRST_ERROR: Record<FaultAction, string> = {
  'drop-after-apply': 'UPSTREAM_UNAVAILABLE',
  delay: 'UPSTREAM_UNAVAILABLE',
  'server-error': 'UPSTREAM_FAILURE',
  'close-session': 'UPSTREAM_FAILURE',
};

describe('exactly once under transport faults', () => {
  const clock = new FakeClock('2026-03-01T10:00:00Z');
  let db: TestDatabase;
  let shared: SharedSandbox;
  let gw: InProcessGateway;
  let A: string; // NewRegistrar
  let B: string; // TheRegistrar
  let seq = 0;
  const replays: Array<{ query: string; vars: Record<string, unknown>; answer: any; command: string; field: string }> = [];

  beforeAll(async () => {
    db = await freshDatabase();
    shared = await startSharedSandbox({ name: 'sandbox-nomulus', profile: 'nomulus', clock, backend: { commandTimeoutMs: 250, poolSize: 2 } });
    const config = configFor([shared]);
    gw = await startInProcessGateway(config, db.prisma, { clock });
    ({ NewRegistrar: A, TheRegistrar: B } = (await apiKeys(db.prisma, config)) as Record<string, string>);
  });
  afterAll(async () => {
    await gw?.close();
    await shared?.stop();
    await db?.close();
  });

  const fresh = (op: string) => `${op.toLowerCase()}-${++seq}-${Math.random().toString(36).slice(2, 8)}.tld`;

  async function created(key: string, name: string): Promise<void> {
    const r = await gw.gql(key, CREATE, { k: `setup-${name}`, name, pw: PW });
    expect(r.errors).toBeUndefined();
  }

  interface Op {
    command: string;
    field: string;
    query: string;
    key: () => string;
    prepare(name: string): Promise<void>;
  }
  const OPS: Record<string, Op> = {
    create: { command: 'domain:create', field: 'createDomain', query: CREATE, key: () => A, prepare: async () => {} },
    renew: { command: 'domain:renew', field: 'renewDomain', query: RENEW, key: () => A, prepare: (n) => created(A, n) },
    update: { command: 'domain:update', field: 'updateDomain', query: UPDATE, key: () => A, prepare: (n) => created(A, n) },
    delete: { command: 'domain:delete', field: 'deleteDomain', query: DELETE, key: () => A, prepare: (n) => created(A, n) },
    transferRequest: { command: 'domain:transfer:request', field: 'requestTransfer', query: TRANSFER, key: () => A, prepare: (n) => created(B, n) },
  };

  const varsFor = (op: Op, k: string, name: string) => ({ k, name, pw: op === OPS.update ? NEW_PW : PW });

  /** The payload with what differs between two objects and two transactions taken out. */
  function comparable(data: any, name: string): unknown {
    const { replayed: _r, transaction, ...rest } = data;
    return JSON.parse(JSON.stringify({ ...rest, resultCode: transaction.resultCode }).split(name).join('<name>'));
  }

  async function commandsFor(key: string, command: string) {
    const r = await gw.gql(A, LOG, { k: key });
    expect(r.errors).toBeUndefined();
    return (r.data.commandLog.edges as Array<{ node: any }>).map((e) => e.node).filter((n) => n.command === command);
  }

  for (const [opName, op] of Object.entries(OPS)) {
    for (const fault of FAULTS) {
      it(`${opName}: ${fault}`, async () => {
        // A clean first attempt, for comparison.
        const cleanName = fresh(opName);
        await op.prepare(cleanName);
        const clean = await gw.gql(op.key(), op.query, varsFor(op, `clean-${cleanName}`, cleanName));
        expect(clean.errors).toBeUndefined();

        const name = fresh(opName);
        await op.prepare(name);
        const key = `k-${name}`;
        const vars = varsFor(op, key, name);
        const before = shared.sandbox.applied(op.command);
        shared.sandbox.faults.next({ command: op.command, action: fault, delayMs: 500 });
        const first = await gw.gql(op.key(), op.query, vars);
        expect(first.errors?.[0]?.extensions?.code).toBe(FIRST_ERROR[fault]);
        expect(first.errors?.[0]?.extensions?.retryable).toBe(true);

        const retry: GraphQLResponse = await gw.gql(op.key(), op.query, vars);
        expect(retry.errors).toBeUndefined();
        const answer = retry.data[op.field];
        expect(comparable(answer, name)).toEqual(comparable(clean.data[op.field], cleanName));
        const applied = fault === 'drop-after-apply' || fault === 'delay';
        // Reconciled (nothing sent again) after an applied command; sent again after a refusal.
        expect(answer.replayed).toBe(applied);
        expect(shared.sandbox.applied(op.command) - before).toBe(1);

        const again = await gw.gql(op.key(), op.query, vars);
        expect(again.data[op.field]).toMatchObject({ ...answer, replayed: true });
        expect(shared.sandbox.applied(op.command) - before).toBe(1);

        const log = await commandsFor(key, op.command);
        expect(log.filter((c) => c.applied === true)).toHaveLength(1);
        expect(log.filter((c) => c.applied === null)).toHaveLength(0);
        expect(log.length).toBe(applied ? 1 : 2);
        if (applied) expect(log[0]).toMatchObject({ resultCode: null, outcome: 'RECONCILED_APPLIED' });
        else expect(log.map((c) => c.outcome)).toEqual(['FAILED', 'SUCCEEDED']);
        replays.push({ query: op.query, vars, answer, command: op.command, field: op.field });
      });
    }
  }

  it('a restarted gateway on the same database replays every answer and sends nothing', async () => {
    expect(replays).toHaveLength(Object.keys(OPS).length * FAULTS.length);
    await gw.close();
    // The restarted gateway also purges expired records every 100 ms (next test).
    const config = configFor([shared], { idempotency: { purgeIntervalMs: 100 } });
    gw = await startInProcessGateway(config, db.prisma, { clock });
    const counts = Object.fromEntries(Object.values(OPS).map((o) => [o.command, shared.sandbox.applied(o.command)]));
    for (const r of replays) {
      const res = await gw.gql(A, r.query, r.vars);
      expect(res.errors).toBeUndefined();
      const { domain: _d, ...stored } = r.answer;
      expect(res.data[r.field]).toMatchObject({ ...stored, replayed: true });
    }
    for (const o of Object.values(OPS)) expect(shared.sandbox.applied(o.command)).toBe(counts[o.command]);
  });

  it('the running gateway purges records once they expire (7 days by default)', async () => {
    const count = () => db.prisma.idempotencyRecord.count();
    expect(await count()).toBeGreaterThan(0);
    clock.advance(6 * 24 * 3600_000);
    await new Promise((r) => setTimeout(r, 300)); // a few purge rounds: nothing has expired yet
    expect(await count()).toBeGreaterThan(0);
    clock.advance(2 * 24 * 3600_000);
    await expect.poll(count, { timeout: 5_000 }).toBe(0);
  });
});
