/**
 * An owner held up before sending for longer than its lease does not send (exactly once under
 * stalls). Two gateway instances share one database and one registry (an EPP sandbox on loopback).
 * Instance A owns a createDomain's key, but its one session for the registrar is busy (a read
 * whose answer the sandbox holds), so its create waits; meanwhile no lease renewal lands (the
 * leases' wall clock, GatewayOptions.leaseClock, is moved past the lease instead of waiting). A
 * request with the same key on instance B declares A dead, reconciles (nothing applied) and sends
 * the create. When A's session frees, A's fence finds its lease gone: A sends nothing and answers
 * IDEMPOTENCY_IN_PROGRESS (retryable), and a retry there replays B's answer. The sandbox's own
 * counter and the command log are the judges; what holds A is the sandbox's hold, not a delay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import type { EppBackendConfig } from '../../src/config.types.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { apiKeys, configFor, startInProcessGateway, startSharedSandbox, type InProcessGateway, type SharedSandbox } from '../helpers/processes.js';

const CREATE = `mutation($k: String!, $name: String!) { createDomain(idempotencyKey: $k, input: { name: $name, authInfo: "Stall-Pw-1" }) { name replayed transaction { clientTransactionId resultCode } } }`;
const INFO = `query($name: String!) { domain(name: $name) { name } }`;
const CREATES = `query($k: String!) { commandLog(filter: { idempotencyKey: $k, command: "domain:create" }) { edges { node { command resultCode outcome clientTransactionId } } } }`;
/** Long enough that no heartbeat (every third of it, in real time) runs during the test: renewals that do not land. */
const LEASE_MS = 600_000;

describe('an idempotency owner held up past its lease', () => {
  let db: TestDatabase;
  let shared: SharedSandbox;
  let a: InProcessGateway;
  let b: InProcessGateway;
  let key: string;
  let wall = Date.now();
  const leaseClock = () => wall;

  beforeAll(async () => {
    db = await freshDatabase();
    shared = await startSharedSandbox({ name: 'sandbox-nomulus', profile: 'nomulus' });
    const config = configFor([shared], {
      idempotency: { leaseMs: LEASE_MS, waitMs: 30_000 },
      limits: { ...defaultConfig().limits, rateLimit: false },
      poll: { ...defaultConfig().poll, enabled: false },
      bulk: { enabled: false },
    });
    // Instance A has one session per registrar: a command held there keeps A's next one waiting.
    const one = { ...config, backends: config.backends.map((c) => ({ ...(c as EppBackendConfig), poolSize: 1 })) };
    a = await startInProcessGateway(one, db.prisma, { leaseClock });
    b = await startInProcessGateway(config, db.prisma, { leaseClock });
    key = (await apiKeys(db.prisma, config)).NewRegistrar!;
  }, 60_000);
  afterAll(async () => {
    shared?.sandbox.faults.release();
    await a?.close();
    await b?.close();
    await shared?.stop();
    await db?.close();
  });

  it('the stalled owner sends nothing and answers IDEMPOTENCY_IN_PROGRESS; the request that took over applies the create once', async () => {
    const tag = Date.now().toString(36);
    const busy = `busy-${tag}.tld`;
    const name = `stalled-${tag}.tld`;
    const k = `stall-${name}`;
    expect((await a.gql(key, CREATE, { k: `setup-${busy}`, name: busy })).errors).toBeUndefined(); // A's session is logged in
    const creates = shared.sandbox.applied('domain:create');

    // A's one session reads a domain whose answer the sandbox holds until released.
    const infos = shared.sandbox.applied('domain:info');
    shared.sandbox.faults.next({ command: 'domain:info', action: 'hold-after-apply' });
    const holding = a.gql(key, INFO, { name: busy });
    await expect.poll(() => shared.sandbox.applied('domain:info'), { timeout: 10_000 }).toBe(infos + 1);

    // The owner on A: its record is written, its create waits for A's session.
    const owner = a.gql(key, CREATE, { k, name });
    const record = () => db.prisma.idempotencyRecord.findUnique({ where: { registrarId_idempotencyKey: { registrarId: 'NewRegistrar', idempotencyKey: k } } });
    await expect.poll(async () => (await record())?.state, { timeout: 10_000 }).toBe('IN_PROGRESS');

    // Held up for longer than the lease, no renewal landing: B's request declares A dead, finds
    // nothing applied at the registry and sends the create itself.
    wall += LEASE_MS + 1_000;
    const second = await b.gql(key, CREATE, { k, name });
    expect(second.errors).toBeUndefined();
    expect(second.data.createDomain).toMatchObject({ name, replayed: false, transaction: { resultCode: 1000 } });
    expect(shared.sandbox.applied('domain:create') - creates).toBe(1);

    // A's session frees: the stalled owner gets to its send, proves its lease first, and cannot.
    shared.sandbox.faults.release();
    expect((await holding).errors).toBeUndefined();
    const first = await owner;
    expect(first.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS', retryable: true, field: 'idempotencyKey' });
    expect(first.errors).toHaveLength(1);

    // The registry saw one create under the key (B's), applied once; the record keeps B's answer.
    expect(shared.sandbox.applied('domain:create') - creates).toBe(1);
    expect(shared.sandbox.domain(name)?.sponsor).toBe('NewRegistrar');
    const log = await b.gql(key, CREATES, { k });
    expect(log.errors).toBeUndefined();
    expect(log.data.commandLog.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { command: 'domain:create', resultCode: 1000, outcome: 'SUCCEEDED', clientTransactionId: second.data.createDomain.transaction.clientTransactionId },
    ]);
    expect(await record()).toMatchObject({ state: 'SUCCEEDED', clientTrid: second.data.createDomain.transaction.clientTransactionId });

    // Retried where it failed, the key answers what B got.
    const retry = await a.gql(key, CREATE, { k, name });
    expect(retry.errors).toBeUndefined();
    expect(retry.data.createDomain).toEqual({ ...second.data.createDomain, replayed: true });
    expect(shared.sandbox.applied('domain:create') - creates).toBe(1);
  }, 60_000);
});
