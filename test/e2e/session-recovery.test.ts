/**
 * A session the registry no longer honours is replaced, and nothing the registry never processed
 * becomes a key's answer (issue 8, items 5 and 9): the EPP sandbox ends a live session's login
 * (2002 "Registrar is not logged in.", as registries end idle logins) before a read, a poll, a
 * mutation or the read a renewal makes first. Reads and the poller carry on over a fresh login; a
 * mutation key tried meanwhile applies exactly once; the command log shows every attempt settled,
 * none UNKNOWN, also for a command whose answer was lost and that no client retried.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { apiKeys, configFor, startInProcessGateway, startSharedSandbox, type InProcessGateway, type SharedSandbox } from '../helpers/processes.js';

const PW = 'Recover-Pw-1';
const CREATE = `mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "${PW}" }) { name } }`;
const RENEW = 'mutation($k: String!, $n: String!) { renewDomain(idempotencyKey: $k, input: { name: $n, period: { value: 1, unit: YEARS } }) { name expiresAt replayed } }';
const TRANSFER = `mutation($k: String!, $n: String!) { requestTransfer(idempotencyKey: $k, domainName: $n, authInfo: "${PW}") { transfer { status } } }`;
const READ = 'query($n: String!) { domain(name: $n) { name sponsor expiresAt } }';
const POLL = '{ pollMessages(first: 500) { edges { node { type objectName } } } }';
const LOG = 'query($k: String!) { commandLog(filter: { idempotencyKey: $k }) { edges { node { command resultCode outcome applied } } } }';

describe('sessions the registry ended', () => {
  let db: TestDatabase;
  let shared: SharedSandbox;
  let gw: InProcessGateway;
  let A: string; // NewRegistrar
  let B: string; // TheRegistrar
  let seq = 0;
  const fresh = () => `recover-${++seq}-${Date.now().toString(36)}.tld`;
  const sandbox = () => shared.sandbox;

  beforeAll(async () => {
    db = await freshDatabase();
    // One session per account, so the ended one is the one the next command gets.
    shared = await startSharedSandbox({ name: 'sandbox-nomulus', profile: 'nomulus', backend: { poolSize: 1 } });
    // The poller runs when the test drains it, the sweep of unknown outcomes when the test runs it
    // (both run once at start, then hourly).
    const config = configFor([shared], {
      poll: { intervalMs: 3_600_000, leaseMs: 3 * 3_600_000, maxBackoffMs: 3_600_000, enabled: true },
      idempotency: { leaseMs: 3_600_000 },
    });
    gw = await startInProcessGateway(config, db.prisma);
    ({ NewRegistrar: A, TheRegistrar: B } = (await apiKeys(db.prisma, config)) as Record<string, string>);
  });
  afterAll(async () => {
    await gw?.close();
    await shared?.stop();
    await db?.close();
  });

  async function created(): Promise<string> {
    const name = fresh();
    const r = await gw.gql(A, CREATE, { k: `setup-${name}`, n: name });
    expect(r.errors).toBeUndefined();
    return name;
  }
  async function log(key: string, apiKey = A) {
    const r = await gw.gql(apiKey, LOG, { k: key });
    expect(r.errors).toBeUndefined();
    return (r.data.commandLog.edges as Array<{ node: any }>).map((e) => e.node);
  }

  it('reads go on over a fresh login', async () => {
    const name = await created();
    sandbox().faults.next({ command: 'domain:info', action: 'end-login' });
    for (let i = 0; i < 2; i++) {
      const r = await gw.gql(A, READ, { n: name });
      expect(r.errors).toBeUndefined();
      expect(r.data.domain).toMatchObject({ name, sponsor: 'NewRegistrar' });
    }
  });

  it.each([
    ['its login ended (2002), in the same round', 'end-login', 1],
    ['2500 and the session closed, in the next round', 'close-session', 2],
    ['the connection closed, in the next round', 'drop-after-apply', 2],
  ] as const)('the poller goes on over a fresh login after %s, and stores what was queued', async (_why, action, rounds) => {
    const ingester = gw.gateway.services.ingester;
    await ingester.drainNow('NewRegistrar'); // nothing of the start-up round left in flight
    const name = await created();
    const t = await gw.gql(B, TRANSFER, { k: `transfer-${name}`, n: name }); // queues a message for NewRegistrar
    expect(t.errors).toBeUndefined();
    sandbox().faults.next({ command: 'poll:req', action });
    for (let i = 0; i < rounds; i++) await ingester.drainNow('NewRegistrar');
    const r = await gw.gql(A, POLL);
    expect(r.errors).toBeUndefined();
    expect(r.data.pollMessages.edges.map((e: any) => e.node)).toContainEqual({ type: 'TRANSFER_REQUESTED', objectName: name });
  });

  it('a mutation whose session ended is sent again on a fresh login: applied once, answered at once', async () => {
    const name = await created();
    const before = sandbox().applied('domain:renew');
    sandbox().faults.next({ command: 'domain:renew', action: 'end-login' });
    const key = `renew-once-${name}`;
    const first = await gw.gql(A, RENEW, { k: key, n: name });
    expect(first.errors).toBeUndefined();
    expect(first.data.renewDomain.replayed).toBe(false);
    expect(sandbox().applied('domain:renew') - before).toBe(1);
    expect((await log(key)).filter((e) => e.command === 'domain:renew').map((e) => [e.resultCode, e.outcome])).toEqual([[2002, 'FAILED'], [1000, 'SUCCEEDED']]);
  });

  it('a key tried while every login is refused is not spent: the retry applies exactly once', async () => {
    const name = await created();
    const before = sandbox().applied('domain:renew');
    // The renewal refused as not logged in on the old session and again on the fresh login.
    for (const command of ['domain:renew', 'domain:renew']) sandbox().faults.next({ command, action: 'end-login' });
    const key = `renew-key-${name}`;
    const first = await gw.gql(A, RENEW, { k: key, n: name });
    expect(first.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true, upstreamCode: 2002 });
    expect(sandbox().applied('domain:renew')).toBe(before);
    const retry = await gw.gql(A, RENEW, { k: key, n: name });
    expect(retry.errors).toBeUndefined();
    expect(retry.data.renewDomain.replayed).toBe(false);
    const again = await gw.gql(A, RENEW, { k: key, n: name });
    expect(again.data.renewDomain).toEqual({ ...retry.data.renewDomain, replayed: true });
    expect(sandbox().applied('domain:renew') - before).toBe(1);
    const renews = (await log(key)).filter((e) => e.command === 'domain:renew');
    expect(renews.map((e) => e.outcome)).toEqual(['FAILED', 'FAILED', 'SUCCEEDED']);

    // The same for the read a renewal makes first (its current expiry): the key is not spent either.
    const other = await created();
    for (const command of ['domain:info', 'domain:info']) sandbox().faults.next({ command, action: 'end-login' });
    const readKey = `renew-read-${other}`;
    expect((await gw.gql(A, RENEW, { k: readKey, n: other })).errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    const ok = await gw.gql(A, RENEW, { k: readKey, n: other });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.renewDomain.replayed).toBe(false);
  });

  it('a command whose answer was lost and that nobody retried is settled by the gateway itself', async () => {
    const name = await created();
    sandbox().faults.next({ command: 'domain:renew', action: 'drop-after-apply' });
    const key = `renew-lost-${name}`;
    const first = await gw.gql(A, RENEW, { k: key, n: name });
    expect(first.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    // No retry: the gateway's own sweep (on a timer, every idempotency lease; run here now) reconciles it.
    await gw.gateway.services.idempotency.settleAbandoned();
    const renews = (await log(key)).filter((e) => e.command === 'domain:renew');
    expect(renews).toEqual([{ command: 'domain:renew', resultCode: null, outcome: 'RECONCILED_APPLIED', applied: true }]);
    const retry = await gw.gql(A, RENEW, { k: key, n: name });
    expect(retry.data.renewDomain.replayed).toBe(true);
  });

  it('nothing in the command log is left UNKNOWN; the poll request whose connection closed got NO_ANSWER', async () => {
    for (const apiKey of [A, B]) {
      const r = await gw.gql(apiKey, '{ commandLog(first: 500) { edges { node { command outcome } } } }');
      expect(r.errors).toBeUndefined();
      const entries = r.data.commandLog.edges.map((e: any) => e.node);
      expect(entries.filter((e: any) => e.outcome === 'UNKNOWN')).toEqual([]);
      if (apiKey === A) expect(entries).toContainEqual({ command: 'poll:req', outcome: 'NO_ANSWER' });
    }
  });
});
