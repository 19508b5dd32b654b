/**
 * What a registry's own "not processed" answer leaves behind. The trial: HeadlessDomains answered
 * HTTP 429 (its rate limit, spent by another client of the same API key) to a createDomain past
 * the gateway's wait budget; the command was logged UNKNOWN, an outcome to reconcile with the
 * registry, although a 429 is the registry refusing the request before processing it. Now the
 * client gets RATE_LIMITED (retryable, retryAfter from the registry's Retry-After), the command
 * log says the registry refused it (FAILED, resultCode 2502 "limit exceeded", applied: false),
 * no idempotency record is kept, and the retry with the same key once the limit allows is sent
 * and applied exactly once, with no reconciliation read. Likewise REPP's 429 and 503, Joker's
 * refusals with Error lines (DMAPI "Basics": processing didn't take place) and EPP's 2502
 * (RFC 5730 section 3: session limit exceeded, the command was not processed). Real sandboxes
 * over real sockets; the registries' clocks are one fake clock the test moves.
 */
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import type { HeadlessSandbox } from '../../src/sandbox/headless/index.js';
import type { JokerSandbox } from '../../src/sandbox/joker/index.js';
import type { ReppSandbox } from '../../src/sandbox/repp/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const HOUR = 3_600_000;
/** HeadlessDomains requests per hour per key, in the sandbox. */
const LIMIT = 12;
let t: TestGateway;
let A: string;
let hd: HeadlessSandbox;
let hdCfg: { url: string; tls?: { ca?: string } };
const clock = new FakeClock(new Date(Math.floor(Date.now() / HOUR) * HOUR));

beforeAll(async () => {
  t = await startTestGateway({
    clock,
    configure: (c) => {
      c.poll.enabled = false;
      const h = c.backends.find((b) => b.kind === 'headless') as unknown as { url: string; tls?: { ca?: string }; sandbox?: { applyDelayMs?: number; rateLimit?: { limit: number; windowMs: number } } };
      h.sandbox = { ...h.sandbox, applyDelayMs: 0, rateLimit: { limit: LIMIT, windowMs: HOUR } };
      hdCfg = h;
      // REPP: no waiting out a 429 or 503 within the request (the gateway's own retries are test/unit/backends/repp/client.test.ts's).
      const repp = c.backends.find((b) => b.kind === 'repp') as unknown as { retry?: { maxAttempts?: number } };
      repp.retry = { ...repp.retry, maxAttempts: 1 };
      const joker = c.backends.find((b) => b.kind === 'joker') as unknown as { sandbox?: { domainDelayMs?: number } };
      joker.sandbox = { ...joker.sandbox, domainDelayMs: 0 };
    },
  });
  A = t.keys.NewRegistrar!;
  hd = t.gateway.sandboxes.sandboxes.get('sandbox-headless') as HeadlessSandbox;
}, 60_000);
afterAll(() => t?.close());

interface LogNode {
  command: string;
  outcome: string;
  applied: boolean | null;
  resultCode: number | null;
  message: string | null;
}
async function logOf(key: string): Promise<LogNode[]> {
  await t.gateway.commandLog.flush();
  const r = await t.gql(A, 'query($f: CommandLogFilter) { commandLog(first: 100, filter: $f) { edges { node { command outcome applied resultCode message } } } }', { f: { idempotencyKey: key } });
  expect(r.errors).toBeUndefined();
  return r.data.commandLog.edges.map((e: { node: LogNode }) => e.node);
}
const record = (key: string) => t.gateway.services.prisma.idempotencyRecord.findUnique({ where: { registrarId_idempotencyKey: { registrarId: 'NewRegistrar', idempotencyKey: key } } });

/** GET /status with NewRegistrar's own bearer token, as another client of the same key would: the HTTP status. */
function otherClientOfTheKey(): Promise<number> {
  const token = hd.registrars.find((r) => r.registrarId === 'NewRegistrar')!.token;
  const url = new URL(`${hdCfg.url}/status`);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'GET', headers: { Authorization: `Bearer ${token}` }, ca: hdCfg.tls?.ca, servername: 'localhost' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

const CREATE = 'mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Refus3d-pw", nameservers: [{ name: "ns1.example.net" }] }) { name transaction { resultCode } } }';

describe('HeadlessDomains answers 429 to a mutation', () => {
  it('RATE_LIMITED with retryAfter, logged as refused, nothing applied, and the same key is sent and applied once the limit allows', async () => {
    // The gateway has read /status (capabilities) and created once; another client of the key spends the rest of the window.
    const warm = await t.gql(A, CREATE, { k: randomUUID(), n: `warm-${randomUUID().slice(0, 8)}.hdtest` });
    expect(warm.errors).toBeUndefined();
    let spent = 0;
    while ((await otherClientOfTheKey()) !== 429) expect(++spent).toBeLessThanOrEqual(LIMIT);
    const before = hd.traffic('NewRegistrar');

    const key = randomUUID();
    const name = `refused-${randomUUID().slice(0, 8)}.hdtest`;
    const first = await t.gql(A, CREATE, { k: key, n: name });
    expect(first.errors).toHaveLength(1);
    const ext = first.errors![0]!.extensions!;
    expect(ext).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    expect(ext.retryAfter).toBeGreaterThan(0);
    expect(ext.retryAfter).toBeLessThanOrEqual(HOUR / 1000);
    expect(hd.traffic('NewRegistrar').rateLimited).toBe(before.rateLimited + 1); // the registry itself refused it
    expect(hd.registration(name)).toBeUndefined(); // and applied nothing

    expect(await logOf(key)).toEqual([expect.objectContaining({ command: 'domain:create', outcome: 'FAILED', applied: false, resultCode: 2502 })]);
    expect(await record(key)).toBeNull(); // the key is free: nothing to reconcile

    clock.advance(HOUR); // the registry's next window
    const again = await t.gql(A, CREATE, { k: key, n: name });
    expect(again.errors).toBeUndefined();
    expect(again.data.createDomain).toMatchObject({ name, transaction: { resultCode: 1000 } });
    expect(hd.registration(name)).toBeDefined();
    expect(hd.auditRows(hd.registrars.find((r) => r.registrarId === 'NewRegistrar')!.channelId).filter((a) => a.domain === name && a.command === 'domains.create')).toHaveLength(1); // applied once
    const log = await logOf(key);
    expect(log.map((e) => [e.command, e.outcome])).toEqual([
      ['domain:create', 'FAILED'],
      ['domain:create', 'SUCCEEDED'],
    ]); // sent again, with no reconciliation read in between
    expect((await record(key))?.state).toBe('SUCCEEDED');
  });
});

describe('REPP answers a mutation with one of its "not processed" statuses', () => {
  const reppCreate = 'mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, registrant: "ATSAA:KARL", contacts: [{ role: ADMIN, id: "ATSAA:KARL" }, { role: TECH, id: "ATSAA:KARL" }], nameservers: [{ name: "ns1.example.net" }, { name: "ns2.example.net" }], authInfo: "Keeldus-kood-1" }) { name transaction { resultCode } } }';
  const cases = [
    { status: 429, code: 'RATE_LIMITED', resultCode: 2502, retryAfter: 120 }, // "Too Many Requests"
    { status: 503, code: 'UPSTREAM_UNAVAILABLE', resultCode: 2400, retryAfter: 60 }, // "temporarily offline for maintenance"
  ];
  for (const c of cases) {
    it(`HTTP ${c.status}: ${c.code} (retryable, retryAfter), logged as refused, nothing applied; the same key is then sent and applied once`, async () => {
      const repp = t.gateway.sandboxes.sandboxes.get('sandbox-repp') as ReppSandbox;
      const key = randomUUID();
      const name = `keeldus-${c.status}-${randomUUID().slice(0, 8)}.ee`;
      const before = repp.applied('domain:create');
      repp.faults.next({ route: 'domain:create', action: 'status', status: c.status, retryAfterSeconds: c.retryAfter });
      const first = await t.gql(A, reppCreate, { k: key, n: name });
      expect(first.errors?.[0]?.extensions).toMatchObject({ code: c.code, retryable: true, retryAfter: c.retryAfter, upstreamCode: c.resultCode });
      expect(repp.applied('domain:create')).toBe(before);
      expect(repp.domain(name)).toBeUndefined();
      expect(await logOf(key)).toEqual([expect.objectContaining({ command: 'domain:create', outcome: 'FAILED', applied: false, resultCode: c.resultCode })]);
      expect(await record(key)).toBeNull();

      const again = await t.gql(A, reppCreate, { k: key, n: name });
      expect(again.errors).toBeUndefined();
      expect(again.data.createDomain).toMatchObject({ name, transaction: { resultCode: 1000 } });
      expect(repp.applied('domain:create')).toBe(before + 1);
      expect((await logOf(key)).map((e) => [e.command, e.outcome])).toEqual([
        ['domain:create', 'FAILED'],
        ['domain:create', 'SUCCEEDED'],
      ]);
    });
  }
});

describe('EPP answers a command 2502 "Session limit exceeded; server closing connection"', () => {
  it('refused before processing (RFC 5730 section 3): logged FAILED, nothing kept, and the same key is sent on a new session and applied once', async () => {
    const epp = t.gateway.sandboxes.sandboxes.get('sandbox-nomulus') as EppSandbox;
    const key = randomUUID();
    const name = `limit-${randomUUID().slice(0, 8)}.tld`;
    const before = epp.applied('domain:create');
    epp.faults.next({ command: 'domain:create', action: 'session-limit' });
    const first = await t.gql(A, CREATE, { k: key, n: name });
    expect(first.errors?.[0]?.extensions).toMatchObject({ upstreamCode: 2502, retryable: true });
    expect(epp.applied('domain:create')).toBe(before);
    expect(epp.domain(name)).toBeUndefined();
    expect(await logOf(key)).toEqual([expect.objectContaining({ command: 'domain:create', outcome: 'FAILED', applied: false, resultCode: 2502 })]);
    expect(await record(key)).toBeNull(); // not kept as the key's answer, nothing to reconcile

    const again = await t.gql(A, CREATE, { k: key, n: name });
    expect(again.errors).toBeUndefined();
    expect(again.data.createDomain).toMatchObject({ name, transaction: { resultCode: 1000 } });
    expect(epp.applied('domain:create')).toBe(before + 1);
    expect((await logOf(key)).map((e) => [e.command, e.outcome])).toEqual([
      ['domain:create', 'FAILED'],
      ['domain:create', 'SUCCEEDED'],
    ]); // no domain:info reconciliation read in between
  });
});

describe('Joker answers a mutation "too many requests" (HTTP 429, Error lines: not processed)', () => {
  it('RATE_LIMITED with retryAfter, logged as refused, nothing applied; the same key is then sent and applied once', async () => {
    const joker = t.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
    const jokerCreate = 'mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, registrant: "CJOK-1", contacts: [{ role: ADMIN, id: "CJOK-1" }, { role: TECH, id: "CJOK-1" }, { role: BILLING, id: "CJOK-1" }], nameservers: [{ name: "ns1.sandbox-dns.test" }], authInfo: "Liian-monta-1" }) { name } }';
    const key = randomUUID();
    const name = `many-${randomUUID().slice(0, 8)}.dmapi.test`;
    const before = joker.answered('domain-register');
    joker.tooManyRequests('domain-register', 30);
    const first = await t.gql(A, jokerCreate, { k: key, n: name });
    expect(first.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfter: 30, upstreamCode: 2502 });
    expect(joker.answered('domain-register')).toBe(before);
    expect(joker.domain(name)).toBeUndefined();
    const creates = async () => (await logOf(key)).filter((e) => e.command === 'domain:create');
    expect(await creates()).toEqual([expect.objectContaining({ outcome: 'FAILED', applied: false, resultCode: 2502 })]);
    expect(await record(key)).toBeNull();

    const again = await t.gql(A, jokerCreate, { k: key, n: name });
    expect(again.errors).toBeUndefined();
    expect(again.data.createDomain).toMatchObject({ name });
    expect(joker.answered('domain-register')).toBe(before + 1);
    expect((await creates()).map((e) => e.outcome)).toEqual(['FAILED', 'SUCCEEDED']);
  });
});
