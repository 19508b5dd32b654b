/**
 * A mutation sent to Joker whose gateway stopped before the key's record took the answer (the
 * command log holding the 1001 with the Proc-ID, or no answer at all): the retry with the same key
 * must not send the request again while Joker may still carry out the first one. Fresh-user trial
 * defect (6 December): the retry's reconciliation read the domain, found it not yet there and sent
 * a second domain-register; the first was then processed and the second refused as "exists", so
 * the key answered OBJECT_EXISTS for the domain it had registered. Now the reconciliation also
 * asks Joker for the request sent with the lost command's clTRID (result-list cltrid=...): while
 * it is pending, the retry answers OUTCOME_UNKNOWN and sends nothing; once it is processed, the
 * retry answers from the registry's state (1000), or, when Joker refused it, sends the command again.
 * The crash is the state it leaves: the key's record put back to IN_PROGRESS, unanswered, its
 * owner's lease long lapsed; the command log's entry as the answer left it, or unanswered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JokerSandbox } from '../../src/sandbox/joker/index.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startGatewayWithHoldableSandbox } from '../helpers/held-sandbox.js';

const suffix = Date.now().toString(36);
let n = 0;
const key = () => `jq-${suffix}-${++n}`;
const CREATE = `mutation($k: String!, $i: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $i) { name replayed transaction { resultCode pending serverTransactionId } } }`;
const input = (name: string) => ({
  name,
  authInfo: 'unused-pw-1',
  registrant: 'CJOK-1',
  contacts: ['ADMIN', 'TECH', 'BILLING'].map((role) => ({ role, id: 'CJOK-1' })),
  nameservers: [{ name: 'ns1.sandbox-dns.test' }, { name: 'ns2.sandbox-dns.test' }],
});

describe('Joker: a retry after a crash that lost the answer of a queued request', () => {
  let t: TestGateway;
  let A: string;
  let sandbox: JokerSandbox;
  beforeAll(async () => {
    ({ t, key: A, sandbox } = await startGatewayWithHoldableSandbox('joker', { pollIntervalMs: 100, sandbox: { domainDelayMs: 0 } }));
  });
  afterAll(() => t?.close());

  const create = (k: string, name: string) => t.gql(A, CREATE, { k, i: input(name) });
  /** The state a gateway killed after the command log took the 1001 and before the key's record did leaves behind. */
  const crashBeforeTheRecord = (k: string) =>
    t.gateway.services.prisma.$executeRaw`UPDATE idempotency_records SET state = 'IN_PROGRESS', response = NULL, server_trid = NULL, client_trid = NULL, updated_at = now() - interval '1 hour'
      WHERE registrar_id = 'NewRegistrar' AND idempotency_key = ${k}`;
  /** Lets the sandbox process what fell due (its tick), then waits until the poller has stored the result of request `procId`. */
  const processedAndPolled = async (procId: string) => {
    expect(sandbox.pendingJobs()).toBe(0);
    while (!(await t.gateway.services.prisma.pollMessage.findFirst({ where: { upstreamId: procId } }))) await new Promise((r) => setTimeout(r, 50));
  };
  /** A domain of NewRegistrar's registered and processed, with both sandbox name servers. */
  const registered = async () => {
    const name = `q${++n}-${suffix}.joker.test`;
    expect((await create(key(), name)).errors).toBeUndefined();
    expect(sandbox.pendingJobs()).toBe(0);
    return name;
  };
  const UPDATE = 'mutation($k: String!, $i: UpdateDomainInput!) { updateDomain(idempotencyKey: $k, input: $i) { name replayed transaction { resultCode pending serverTransactionId } } }';
  const DELETE = 'mutation($k: String!, $n: String!) { deleteDomain(idempotencyKey: $k, name: $n) { name replayed transaction { resultCode pending serverTransactionId } } }';
  /** The state a gateway killed after sending the command and before its answer came leaves behind: the entry logged before sending, unanswered. */
  const crashBeforeTheAnswer = async (k: string) => {
    await crashBeforeTheRecord(k);
    await t.gateway.services.prisma.$executeRaw`UPDATE command_log SET result_code = NULL, server_trid = NULL, message = NULL, duration_ms = NULL
      WHERE registrar_id = 'NewRegistrar' AND idempotency_key = ${k} AND command = 'domain:create'`;
  };

  for (const [lost, crash] of [
    ['the answer (1001 and the Proc-ID) logged, the record not written', crashBeforeTheRecord],
    ['no answer logged', crashBeforeTheAnswer],
  ] as const) {
    it(`${lost}: while the request waits at Joker, OUTCOME_UNKNOWN and nothing sent again; once it is processed, the domain, 1000, without a second register`, async () => {
      const name = `q${++n}-${suffix}.joker.test`;
      const k = key();
      sandbox.hold();
      try {
        const first = await create(k, name);
        expect(first.errors).toBeUndefined();
        expect(first.data.createDomain.transaction).toMatchObject({ resultCode: 1001, pending: true });
        const procId: string = first.data.createDomain.transaction.serverTransactionId;
        await crash(k);
        const registers = sandbox.answered('domain-register');

        const retry = await create(k, name);
        expect(retry.errors?.[0]?.extensions?.code).toBe('OUTCOME_UNKNOWN');
        expect(retry.errors?.[0]?.message).toContain(`request ${procId}, sent as`);
        expect(retry.errors?.[0]?.message).toContain('has not processed it yet');
        expect(sandbox.answered('domain-register')).toBe(registers);
      } finally {
        sandbox.release();
      }
      const after = await create(k, name); // the sandbox processes what fell due at its next request (the retry's first read)
      expect(after.errors).toBeUndefined();
      expect(after.data.createDomain).toMatchObject({ name, replayed: true, transaction: { resultCode: 1000, pending: false } });
      expect(sandbox.domain(name)?.resellerUid).toBe('100001');
      const log = await t.gateway.services.prisma.commandLog.findMany({ where: { idempotencyKey: k, command: 'domain:create' } });
      expect(log).toHaveLength(1);
    });
  }

  it('a change Joker carries out as two requests under one clTRID (domain-modify, domain-lock): OUTCOME_UNKNOWN while they wait; then 1000, neither sent again', async () => {
    const UPDATE = 'mutation($k: String!, $i: UpdateDomainInput!) { updateDomain(idempotencyKey: $k, input: $i) { name replayed transaction { resultCode pending serverTransactionId } } }';
    const i = { name: 'alpha.joker.test', add: { statuses: ['clientTransferProhibited'] }, remove: { nameservers: [{ name: 'ns2.sandbox-dns.test' }] } };
    const k = key();
    const sent = () => sandbox.answered('domain-modify') + sandbox.answered('domain-lock');
    let before = 0;
    sandbox.hold();
    try {
      const first = await t.gql(A, UPDATE, { k, i });
      expect(first.errors).toBeUndefined();
      expect(first.data.updateDomain.transaction).toMatchObject({ resultCode: 1001, serverTransactionId: expect.stringMatching(/^\d+,\d+$/) });
      await crashBeforeTheRecord(k);
      before = sent();
      const retry = await t.gql(A, UPDATE, { k, i });
      expect(retry.errors?.[0]?.extensions?.code).toBe('OUTCOME_UNKNOWN');
      expect(retry.errors?.[0]?.message).toContain(`request ${first.data.updateDomain.transaction.serverTransactionId}, sent as`);
    } finally {
      sandbox.release();
    }
    const after = await t.gql(A, UPDATE, { k, i });
    expect(after.errors).toBeUndefined();
    expect(after.data.updateDomain).toMatchObject({ replayed: true, transaction: { resultCode: 1000 } });
    expect(sent()).toBe(before);
    expect(sandbox.domain('alpha.joker.test')).toMatchObject({ lock: true, ns: ['ns1.sandbox-dns.test'] });
  });

  it("a delete Joker refuses after the crash (a lock queued before it): answered pending with its Proc-ID while it waits, though Joker's read shows pendingDelete; then the refusal, as without a crash (fresh-user trial: it stayed a success for good)", async () => {
    const name = await registered();
    const k = key();
    let procId = '';
    sandbox.hold();
    try {
      expect((await t.gql(A, UPDATE, { k: key(), i: { name, add: { statuses: ['clientTransferProhibited'] } } })).data.updateDomain.transaction.resultCode).toBe(1001);
      const first = await t.gql(A, DELETE, { k, n: name });
      expect(first.data.deleteDomain.transaction).toMatchObject({ resultCode: 1001, pending: true });
      procId = first.data.deleteDomain.transaction.serverTransactionId;
      await crashBeforeTheRecord(k);
      const retry = await t.gql(A, DELETE, { k, n: name });
      expect(retry.errors).toBeUndefined();
      expect(retry.data.deleteDomain).toMatchObject({ replayed: true, transaction: { resultCode: 1001, pending: true, serverTransactionId: procId } });
    } finally {
      sandbox.release();
    }
    await processedAndPolled(procId);
    const after = await t.gql(A, DELETE, { k, n: name });
    expect(after.errors?.[0]?.extensions).toMatchObject({ code: 'STATUS_PROHIBITS_OPERATION' });
    expect(sandbox.domain(name)?.deleted).toBe(false);
    expect(sandbox.answered('domain-delete')).toBe(1);
  });

  it('an update Joker completed whose state no longer shows it (changed since, or a crash between its requests): sent again, an update being an end state', async () => {
    const name = await registered();
    const k = key();
    const drop = { name, remove: { nameservers: [{ name: 'ns2.sandbox-dns.test' }] } };
    let procId = '';
    sandbox.hold();
    try {
      const first = await t.gql(A, UPDATE, { k, i: drop });
      procId = first.data.updateDomain.transaction.serverTransactionId;
      await crashBeforeTheRecord(k);
    } finally {
      sandbox.release();
    }
    await processedAndPolled(procId);
    expect(sandbox.domain(name)?.ns).toEqual(['ns1.sandbox-dns.test']);
    // Someone puts the name server back under another key before the retry.
    expect((await t.gql(A, UPDATE, { k: key(), i: { name, add: { nameservers: [{ name: 'ns2.sandbox-dns.test' }] } } })).errors).toBeUndefined();
    expect(sandbox.pendingJobs()).toBe(0);
    const modifies = sandbox.answered('domain-modify');
    const retry = await t.gql(A, UPDATE, { k, i: drop });
    expect(retry.errors).toBeUndefined();
    expect(retry.data.updateDomain.replayed).toBe(false);
    expect(sandbox.answered('domain-modify')).toBe(modifies + 1);
    expect(sandbox.pendingJobs()).toBe(0);
    expect(sandbox.domain(name)?.ns).toEqual(['ns1.sandbox-dns.test']);
  });

  it('when Joker refused the queued request (the name was taken meanwhile): the command is sent again, and its own answer is the key\'s', async () => {
    const name = `q2-${suffix}.joker.test`;
    const [k1, k2] = [key(), key()];
    sandbox.hold();
    const first = await create(k1, name);
    const second = await create(k2, name); // queued too: the name is taken only when the first is processed
    sandbox.release();
    expect(first.data.createDomain.transaction.resultCode).toBe(1001);
    expect(second.data.createDomain.transaction.resultCode).toBe(1001);
    await crashBeforeTheRecord(k2);
    await t.gql(A, '{ viewer { id } }'); // the sandbox processes both at its next request
    const registers = sandbox.answered('domain-register');

    const retry = await create(k2, name);
    expect(retry.errors?.[0]?.extensions).toMatchObject({ code: 'OBJECT_EXISTS' });
    // sent again, and refused at once (an answer with a refusal is not counted as answered)
    expect(sandbox.answered('domain-register')).toBe(registers);
    const log = await t.gateway.services.prisma.commandLog.findMany({ where: { idempotencyKey: k2, command: 'domain:create' }, orderBy: { id: 'asc' } });
    expect(log.map((e) => e.resultCode)).toEqual([1001, 2302]);
  });
});
