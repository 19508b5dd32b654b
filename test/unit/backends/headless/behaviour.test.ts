/**
 * The HeadlessDomains backend's documented behaviours, through the port against the sandbox over
 * HTTP: pending backend apply visible then applied, cancellation that is not a hard delete, a
 * reset that leaves other registrations alone, a retried request answered from the registry's
 * idempotency record with the gateway's key in the audit row, 429 waited out then reported, and
 * the bearer token kept out of errors, events and the config file; a refusal's echo of a long value
 * the request sent cut to 32 characters.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, onTestFinished, test } from 'vitest';
import { setSandboxToken, type HeadlessAccountConfig, type HeadlessBackendConfig } from '../../../../src/backends/headless/config.js';
import { HeadlessDriver, readToken, validateHeadlessConfig } from '../../../../src/backends/headless/index.js';
import { errorFor, requestValues } from '../../../../src/backends/headless/errors.js';
import { PortableBackend, type PortCommandEvent } from '../../../../src/backends/portable.js';
import { FakeClock } from '../../../../src/core/clock.js';
import { GatewayError, UpstreamRateLimitedError } from '../../../../src/core/errors.js';
import { HeadlessSandbox } from '../../../../src/sandbox/headless/index.js';
import { expectQuotedAtMost32 } from '../../../helpers/quotes.js';

const clock = new FakeClock('2026-06-11T12:00:00Z');
const sandbox = new HeadlessSandbox({ clock, registrars: ['acme', 'rival'], applyDelayMs: 60_000, rateLimit: { limit: 40, windowMs: 30_000 } });
const events: PortCommandEvent[] = [];
const acme = { registrarId: 'acme' };
let url = '';
const accounts: Record<string, HeadlessAccountConfig> = {};
const cfg = (): HeadlessBackendConfig => ({ name: 'hd', kind: 'headless', url, accounts, rateLimitBudgetMs: 60_000, sandboxReset: true });
// A timer on the sandbox's clock: waiting out a 429 moves the fake time, so nothing sleeps for real.
const sleeps: number[] = [];
const timer = { now: () => clock.now().getTime(), sleep: async (ms: number) => void (sleeps.push(ms), clock.advance(ms)) };
let port: PortableBackend;

const name = (label: string) => `${label}.hdtest`;
const input = (n: string) => ({ name: n, period: { value: 1, unit: 'y' as const }, contacts: [], nameservers: [{ name: 'ns1.example.net', ipv4: [], ipv6: [] }], authInfo: 'Create-pw1' });

beforeAll(async () => {
  url = (await sandbox.start()).url;
  for (const r of sandbox.registrars) setSandboxToken((accounts[r.registrarId] = { channelId: r.channelId }), r.token);
  port = new PortableBackend(new HeadlessDriver(cfg(), { timer }), { clock, onCommand: (e) => void events.push(e) });
});
afterAll(async () => {
  await port.close();
  await sandbox.stop();
});
beforeEach(() => {
  sandbox.reset();
  clock.advance(30_000); // a fresh rate-limit window
  events.length = 0;
  sleeps.length = 0;
});

describe('HeadlessDomains behaviours', () => {
  test('name servers: the desired set at once, applied pending, then applied after the backend applies it', async () => {
    const n = name('ns-apply');
    await port.createDomain(acme, input(n));
    await port.updateDomain(acme, { name: n, add: { statuses: [], contacts: [], nameservers: [{ name: 'ns7.example.org', ipv4: [], ipv6: [] }] }, remove: { statuses: [], contacts: [], nameservers: [{ name: 'ns1.example.net', ipv4: [], ipv6: [] }] } });
    const pending = (await port.infoDomain(acme, n)).data;
    expect(pending.nameservers.map((x) => x.name)).toEqual(['ns7.example.org']);
    expect(pending.appliedNameservers!.map((x) => x.name)).toEqual(['ns1.example.net']);
    expect([pending.nameserverApplyStatus, pending.backendApplyStatus]).toEqual(['pending', 'pending']);
    clock.advance(60_000);
    const applied = (await port.infoDomain(acme, n)).data;
    expect(applied.appliedNameservers!.map((x) => x.name)).toEqual(['ns7.example.org']);
    expect(applied.nameserverApplyStatus).toBe('applied');
  });

  test('delete is a cancellation: the record stays, pending_cancel and then cancelled', async () => {
    const n = name('cancel-me');
    await port.createDomain(acme, input(n));
    expect((await port.deleteDomain(acme, n)).data).toEqual({ name: n, pending: true });
    expect((await port.infoDomain(acme, n)).data).toMatchObject({ lifecycleState: 'pending_cancel', statuses: ['pendingDelete'] });
    clock.advance(60_000);
    expect((await port.infoDomain(acme, n)).data).toMatchObject({ lifecycleState: 'cancelled', backendApplyStatus: 'applied' });
    expect((await port.checkDomains(acme, [n])).data[0].available).toBe(false);
  });

  test('sandboxReset re-creates the caller\'s fixtures and leaves other registrations alone', async () => {
    await port.createDomain(acme, input(name('mine')));
    const r = (await port.sandboxReset({ ...acme, idempotencyKey: 'reset-1' })).data;
    expect(r.fixtures.map((f) => f.role)).toEqual(['available', 'renewal', 'update', 'transfer', 'nameservers', 'delete']);
    expect(r.transferAuthInfo).toEqual(expect.any(String));
    await port.renewDomain(acme, { name: 'ote-acme-renew.hdtest', currentExpiry: (await port.infoDomain(acme, 'ote-acme-renew.hdtest')).data.expiresAt!, period: { value: 1, unit: 'y' } });
    await port.sandboxReset({ ...acme, idempotencyKey: 'reset-2' });
    expect((await port.infoDomain(acme, 'ote-acme-renew.hdtest')).data.expiresAt).toEqual(new Date(clock.now().getTime() + 365 * 86_400_000));
    expect((await port.infoDomain(acme, name('mine'))).data.sponsor).toBe('chn_acme');
    expect((await port.infoDomain(acme, 'rival-seed.hdtest')).data.sponsor).toBe('chn_rival');
    const production = new PortableBackend(new HeadlessDriver({ ...cfg(), sandboxReset: false }), { clock });
    await expect(production.sandboxReset({ ...acme, idempotencyKey: 'reset-3' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await production.close();
  });

  test('the gateway\'s idempotency key goes upstream: a resent create is answered from the registry\'s record, one audit row names the key', async () => {
    const n = name('twice');
    const ctx = { ...acme, idempotencyKey: 'gw-key-123' };
    const first = await port.createDomain(ctx, input(n));
    const again = await port.createDomain(ctx, input(n));
    expect(again.data).toEqual(first.data);
    expect(again.trid.server).toBe(first.trid.server);
    expect(again.message).toBe('answered from the registry idempotency record');
    const rows = sandbox.auditRows('chn_acme').filter((a) => a.command === 'domains.create');
    expect(rows.map((a) => [a.idempotency_key, a.command_id])).toEqual([['gw-key-123', first.trid.server]]);
  });

  /** Another client of acme's key (another gateway instance, a script) sends `n` requests in the current window. */
  async function spendElsewhere(n: number): Promise<void> {
    const token = sandbox.registrars.find((r) => r.registrarId === 'acme')!.token;
    for (let i = 0; i < n; i++) await (await fetch(`${url}/status`, { headers: { Authorization: `Bearer ${token}` } })).arrayBuffer();
  }

  test('429 (another client of the key spent the window): waited out for Retry-After within the budget; past the budget RATE_LIMITED with retryAfter, nothing applied', async () => {
    await port.checkDomains(acme, [name('warm')]); // GET /status read: the driver knows the limit
    await spendElsewhere(40);
    const r = await port.checkDomains(acme, [name('after-wait')]);
    expect(r.data[0].available).toBe(true);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(0);
    const strict = new PortableBackend(new HeadlessDriver({ ...cfg(), rateLimitBudgetMs: 100 }, { timer }), { clock });
    await strict.checkDomains(acme, [name('warm')]);
    await spendElsewhere(40);
    const e = await strict.createDomain({ ...acme, idempotencyKey: 'k-429' }, input(name('limited'))).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UpstreamRateLimitedError);
    expect((e as GatewayError).message).toContain('HTTP 429');
    expect((e as GatewayError).details.retryAfter).toBeGreaterThan(0);
    expect(sandbox.registration(name('limited'))).toBeUndefined();
    await strict.close();
  });

  test("the poller and requests each have their share of the key's rate limit: neither starves the other, and the registry answers no 429", async () => {
    // The sandbox allows 40 requests per 30 s window: 4 (one every 7.5 s) for the poller, 36 for requests.
    const d = new PortableBackend(new HeadlessDriver({ ...cfg(), rateLimitBudgetMs: 0 }, { timer }), { clock });
    const refusals: GatewayError[] = [];
    const refused = (x: unknown) => void refusals.push(x as GatewayError);
    // The poller asks as often as it likes: one GET /poll in this step of the window, the rest refused.
    let polls = 0;
    for (let i = 0; i < 10; i++) await d.pollRequest(acme).then(() => polls++, refused);
    expect(polls).toBe(1);
    // A checkDomains of 60 names (one request each): 35 answered (GET /status took one of the 36), the rest RATE_LIMITED.
    let checked = 0;
    for (let i = 0; i < 60; i++) await d.checkDomains(acme, [name(`share-${i}`)]).then(() => checked++, refused);
    expect(checked).toBe(35);
    // The poller is not starved: its next step in the same window is still there.
    clock.advance(7_500);
    await expect(d.pollRequest(acme)).resolves.toMatchObject({ code: expect.any(Number) });
    expect(refusals).toHaveLength(9 + 25);
    for (const e of refusals) {
      expect(e).toBeInstanceOf(UpstreamRateLimitedError);
      expect(e.details.retryAfter).toBeGreaterThan(0);
      expect(e.message).not.toContain('HTTP 429'); // refused by the gateway, never sent
    }
    expect(sleeps).toEqual([]);
    await d.close();
  });

  test('a refusal echoing a long host name or registrant e-mail the request sent quotes 32 characters of it (message and upstreamMessage)', async () => {
    const n = name('echoes');
    await port.createDomain(acme, input(n));
    const none = { statuses: [], contacts: [], nameservers: [] };
    // Values the gateway's own checks refuse before sending: here the port sends them, and the registry refuses them naming each whole.
    const host = `ns1.${'h'.repeat(60)}_x.example.net`;
    const email = `${'e'.repeat(70)}.example.net`;
    const refused = [
      [host, await port.updateDomain(acme, { name: n, add: { ...none, nameservers: [{ name: host, ipv4: [], ipv6: [] }] }, remove: none }).catch((e: unknown) => e)],
      [email, await port.updateDomain(acme, { name: n, add: none, remove: none, registrantInfo: { email } }).catch((e: unknown) => e)],
    ] as const;
    for (const [value, e] of refused) {
      expect(e).toBeInstanceOf(GatewayError);
      const err = e as GatewayError;
      expect(err.details.upstreamMessage).toMatch(/^invalid_request: /);
      for (const text of [err.message, err.details.upstreamMessage!]) expectQuotedAtMost32(text, value);
    }
  });

  test('an auth code a refusal echoes is masked whole, not cut as an echo (a cut copy would escape the mask)', () => {
    const code = `${'A'.repeat(40)}-secret-1`;
    const sent = requestValues({ path: '/domains/x.hdtest/transfer', body: { auth_code: code } });
    expect(sent.echoes).not.toContain(code);
    const e = errorFor(403, { error: { code: 'invalid_auth_code', message: `auth code ${code} does not match` } }, { backend: 'hd', secrets: sent.secrets, changesState: true, echoes: sent.echoes });
    expect(e.message).toBe('invalid_auth_code: auth code **** does not match');
  });

  test('the bearer token never appears in errors or command events, and never comes from the config file', async () => {
    const token = sandbox.registrars.find((r) => r.registrarId === 'acme')!.token;
    const e = await port.renewDomain(acme, { name: 'rival-seed.hdtest', currentExpiry: new Date(), period: { value: 1, unit: 'y' } }).catch((x: GatewayError) => x);
    expect(e).toBeInstanceOf(GatewayError);
    const err = e as GatewayError;
    expect(JSON.stringify([err.message, err.details, events])).not.toContain(token);
    expect(() => validateHeadlessConfig({ name: 'prod', kind: 'headless', url: 'https://x.test/api', accounts: { a: { token: 'x' } as never } })).toThrow(/never read from the config file/);
    const dir = mkdtempSync(join(tmpdir(), 'hd-token-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 't'), 'hdk_from_file\n', { mode: 0o600 });
    const prod: HeadlessBackendConfig = { name: 'prod-hd', kind: 'headless', url: 'https://x.test/api', accounts: { a: { tokenFile: join(dir, 't') }, b: {} } };
    expect(readToken(prod, 'a', {})).toBe('hdk_from_file');
    expect(readToken(prod, 'b', { GATEWAY_PROD_HD_B_TOKEN: 'hdk_from_env' })).toBe('hdk_from_env');
    expect(() => readToken(prod, 'b', {})).toThrow(/GATEWAY_PROD_HD_B_TOKEN/);
  });
});
