/**
 * The Joker driver against the Joker sandbox over HTTPS: the session (one Auth-Sid reused, one
 * re-login when the session expired, then UPSTREAM_AUTHENTICATION_ERROR; logout on close), queued
 * requests answered PENDING (1001 with the Proc-ID) and their results delivered as poll messages
 * and deleted upstream when acknowledged, a NACK as its error, periods in months, renew by expyear.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { JokerDriver } from '../../../../src/backends/joker/index.js';
import { PortableBackend } from '../../../../src/backends/portable.js';
import { FakeClock } from '../../../../src/core/clock.js';
import type { CallContext } from '../../../../src/core/model/index.js';
import { JOKER_SANDBOX_ACCOUNTS, JokerSandbox } from '../../../../src/sandbox/joker/index.js';

const clock = new FakeClock('2026-03-01T12:00:00Z');
const sandbox = new JokerSandbox({ clock, domainDelayMs: 60_000, sessionIdleMs: 3_600_000 });
const [a] = JOKER_SANDBOX_ACCOUNTS;
const acme: CallContext = { registrarId: 'acme' };
let url = '';
let ca = '';
let port: PortableBackend;

function backend(password = a.apiKey, monthlyTlds = ['dmapi.test']): PortableBackend {
  return new PortableBackend(new JokerDriver({ name: 'jk', kind: 'joker', url, tls: { ca, servername: 'localhost' }, monthlyTlds, accounts: { acme: { uid: a.uid, password, transferContact: a.contact } } }, { clock }), { clock });
}
const failure = (p: Promise<unknown>) => p.then(() => Promise.reject(new Error('expected a failure')), (e: unknown) => e as { code: string; message: string; details: { upstreamCode?: number; field?: string } });
const domainInput = (name: string, months = 12) => ({
  name,
  period: { value: months, unit: 'm' as const },
  registrant: a.contact,
  contacts: (['admin', 'tech', 'billing'] as const).map((role) => ({ role, id: a.contact })),
  nameservers: [{ name: 'ns1.sandbox-dns.test', ipv4: [], ipv6: [] }],
  authInfo: 'unused',
});

beforeAll(async () => {
  ({ url, ca } = await sandbox.start());
});
afterAll(() => sandbox.stop());
beforeEach(() => {
  clock.set('2026-03-01T12:00:00Z');
  sandbox.reset();
  port = backend();
});
afterEach(() => port.close());

describe('Joker driver', () => {
  test('one login for many requests; an expired session is logged in again once; close logs out', async () => {
    await port.infoDomain(acme, 'alpha.joker.test');
    await port.checkDomains(acme, ['alpha.joker.test', 'free.joker.test']);
    expect(sandbox.answered('login')).toBe(1);
    sandbox.expireSessions();
    expect((await port.infoDomain(acme, 'alpha.joker.test')).data.name).toBe('alpha.joker.test');
    expect(sandbox.answered('login')).toBe(2);
    expect(sandbox.sessions()).toBe(1);
    await port.close();
    expect(sandbox.sessions()).toBe(0);
  });

  test('a session refused again right after a new login: UPSTREAM_AUTHENTICATION_ERROR after exactly one re-login', async () => {
    await port.infoDomain(acme, 'alpha.joker.test');
    sandbox.refuseSessions(true);
    try {
      const e = await failure(port.infoDomain(acme, 'alpha.joker.test'));
      expect(e.code).toBe('UPSTREAM_AUTHENTICATION_ERROR');
      expect(sandbox.answered('login')).toBe(2);
    } finally {
      sandbox.refuseSessions(false);
    }
  });

  test('a wrong API key is UPSTREAM_AUTHENTICATION_ERROR, the key masked', async () => {
    const bad = backend('not-the-key-123');
    const e = await failure(bad.infoDomain(acme, 'alpha.joker.test'));
    expect(e.code).toBe('UPSTREAM_AUTHENTICATION_ERROR');
    expect(JSON.stringify({ m: e.message, d: e.details })).not.toContain('not-the-key-123');
    await bad.close();
  });

  test("a login refused by the registry's rate limit is RATE_LIMITED with its Retry-After, not an authentication error; the next request logs in", async () => {
    sandbox.tooManyRequests('login', 7);
    const e = (await failure(port.infoDomain(acme, 'alpha.joker.test'))) as Awaited<ReturnType<typeof failure>> & { details: { retryAfter?: number } };
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.details.retryAfter).toBe(7);
    expect([sandbox.answered('login'), sandbox.answered('query-whois'), sandbox.answered('result-list')]).toEqual([0, 0, 0]); // the requests that needed the session were never sent
    expect((await port.infoDomain(acme, 'alpha.joker.test')).data.name).toBe('alpha.joker.test');
  });

  test("a Retry-After given as an HTTP date is measured on the backend's clock, not the machine's", async () => {
    sandbox.tooManyRequests('query-whois', 9, 'http-date'); // the date 9 s after the sandbox's (fake) now
    const e = (await failure(port.infoDomain(acme, 'alpha.joker.test'))) as Awaited<ReturnType<typeof failure>> & { details: { retryAfter?: number } };
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.details.retryAfter).toBe(9);
  });

  test('a queued register answers 1001 with the Proc-ID; the domain reads pendingCreate; the result is a poll message, deleted upstream on ack', async () => {
    const r = await port.createDomain(acme, domainInput('later.joker.test'));
    expect(r.code).toBe(1001);
    expect(r.trid.server).toMatch(/^\d+$/);
    expect((await port.infoDomain(acme, 'later.joker.test')).data.statuses).toEqual(['pendingCreate']);
    expect((await port.pollRequest(acme)).data).toEqual({ message: null, count: 0 });
    clock.advance(60_000);
    const q = (await port.pollRequest(acme)).data;
    expect(q.count).toBe(1);
    expect(q.message).toMatchObject({ id: r.trid.server, object: { kind: 'domain', name: 'later.joker.test' }, pendingActionResult: true, resultCode: 1000 });
    expect(q.message!.expiresAt!.toISOString()).toBe('2027-03-01T12:01:00.000Z');
    expect((await port.pollAck(acme, q.message!.id)).data.count).toBe(0);
    expect((await port.pollRequest(acme)).data.count).toBe(0);
    expect((await port.infoDomain(acme, 'later.joker.test')).data.statuses).toEqual(['ok']);
  });

  test('a refused result (NACK) is a poll message with pendingActionResult false and its Status-Code', async () => {
    await port.createDomain(acme, domainInput('twice.joker.test'));
    await port.createDomain(acme, domainInput('twice.joker.test')); // both accepted; the second cannot be applied
    clock.advance(60_000);
    const seen: Array<[boolean | null | undefined, number | null | undefined]> = [];
    for (let q = (await port.pollRequest(acme)).data; q.message; q = (await port.pollRequest(acme)).data) {
      seen.push([q.message.pendingActionResult, q.message.resultCode]);
      await port.pollAck(acme, q.message.id);
    }
    expect(seen).toEqual([
      [true, 1000],
      [false, 2302],
    ]);
  });

  test('periods go upstream in months: 18 months on a whole-year TLD is BAD_USER_INPUT before sending (and the registry refuses it too), on a monthly TLD accepted; beyond 120 months refused', async () => {
    const e = await failure(port.createDomain(acme, domainInput('odd.joker.test', 18)));
    expect([e.code, e.message]).toEqual(['BAD_USER_INPUT', expect.stringContaining('.joker.test takes whole years')]);
    expect(sandbox.answered('domain-register')).toBe(0);
    const lax = backend(a.apiKey, ['joker.test']); // an account configured wrongly for the TLD: the registry refuses
    const upstream = await failure(lax.createDomain(acme, domainInput('odd.joker.test', 18)));
    expect([upstream.code, upstream.details.upstreamCode]).toEqual(['PARAMETER_VALUE_POLICY_ERROR', 2306]);
    await lax.close();
    expect((await port.createDomain(acme, domainInput('odd.dmapi.test', 18))).code).toBe(1001);
    const big = await failure(port.createDomain(acme, { ...domainInput('big.joker.test'), period: { value: 11, unit: 'y' } }));
    expect(big.code).toBe('BAD_USER_INPUT');
  });

  test('renew by whole years goes as expyear: a resend cannot renew twice; the current expiry is checked first, by years or months', async () => {
    const before = (await port.infoDomain(acme, 'alpha.joker.test')).data.expiresAt!;
    const input = { name: 'alpha.joker.test', currentExpiry: before, period: { value: 2, unit: 'y' as const } };
    expect((await port.renewDomain(acme, input)).code).toBe(1001);
    expect((await port.renewDomain(acme, input)).code).toBe(1001); // accepted again: the registry refuses it when processing
    clock.advance(60_000);
    const after = new Date(sandbox.domain('alpha.joker.test')!.expires);
    expect(after.getUTCFullYear() - before.getUTCFullYear()).toBe(2);
    const monthly = backend(a.apiKey, ['joker.test']);
    const odd = await failure(monthly.renewDomain(acme, { ...input, period: { value: 5, unit: 'm' } })); // by period: the stale expiry is caught first
    expect([odd.code, odd.details.field, odd.message]).toEqual(['BAD_USER_INPUT', 'input.currentExpiry', expect.stringContaining("does not match the domain's actual expiry")]);
    // By years too: "expyear" names no current expiry, and a stale one of the same year would renew all the same.
    const sameYear = new Date(after.getTime() - 86_400_000);
    const stale = await failure(port.renewDomain(acme, { ...input, currentExpiry: sameYear, period: { value: 1, unit: 'y' } }));
    expect([stale.code, stale.details.field, stale.details.upstreamCode]).toEqual(['BAD_USER_INPUT', 'input.currentExpiry', undefined]);
    expect(new Date(sandbox.domain('alpha.joker.test')!.expires)).toEqual(after);
    await monthly.close();
  });

  test("a renewal answers the registry's expiry in whole seconds, as the domain reads afterwards: queued (its estimate, then the result's poll message) or done at once", async () => {
    // The registry's clock has milliseconds; its dates (query-whois "domain.expires") do not.
    clock.set('2026-03-01T12:00:00.345Z');
    sandbox.reset();
    const before = (await port.infoDomain(acme, 'alpha.joker.test')).data.expiresAt!;
    expect(before.getUTCMilliseconds()).toBe(0);
    const queued = await port.renewDomain(acme, { name: 'alpha.joker.test', currentExpiry: before, period: { value: 1, unit: 'y' } });
    expect(queued.code).toBe(1001);
    clock.advance(60_000);
    const after = (await port.infoDomain(acme, 'alpha.joker.test')).data.expiresAt!;
    expect(after.getUTCFullYear() - before.getUTCFullYear()).toBe(1);
    expect(queued.data.expiresAt.toISOString()).toBe(after.toISOString());
    const completed = (await port.pollRequest(acme)).data.message!;
    expect([completed.pendingActionResult, completed.expiresAt?.toISOString()]).toEqual([true, after.toISOString()]);

    // The current expiry given as a date alone (00:00 UTC of the expiry's day, as renewDomain and
    // the bulk CLI take it): the queued estimate is still the domain's expiry plus the period.
    const dateAlone = new Date(`${after.toISOString().slice(0, 10)}T00:00:00Z`);
    const queuedByDate = await port.renewDomain(acme, { name: 'alpha.joker.test', currentExpiry: dateAlone, period: { value: 1, unit: 'y' } });
    expect(queuedByDate.code).toBe(1001);
    clock.advance(60_000);
    const later = (await port.infoDomain(acme, 'alpha.joker.test')).data.expiresAt!;
    expect(later.getUTCFullYear() - after.getUTCFullYear()).toBe(1);
    expect(queuedByDate.data.expiresAt.toISOString()).toBe(later.toISOString());

    const quick = new JokerSandbox({ clock, domainDelayMs: 0 }); // processes each request before its result is asked for
    const q = await quick.start();
    const direct = new PortableBackend(new JokerDriver({ name: 'jk0', kind: 'joker', url: q.url, tls: { ca: q.ca, servername: 'localhost' }, accounts: { acme: { uid: a.uid, password: a.apiKey } } }, { clock }), { clock });
    try {
      const was = (await direct.infoDomain(acme, 'alpha.joker.test')).data.expiresAt!;
      const done = await direct.renewDomain(acme, { name: 'alpha.joker.test', currentExpiry: was, period: { value: 1, unit: 'y' } });
      expect(done.code).toBe(1000);
      const now = (await direct.infoDomain(acme, 'alpha.joker.test')).data.expiresAt!;
      expect(now.getUTCFullYear() - was.getUTCFullYear()).toBe(1);
      expect(done.data.expiresAt.toISOString()).toBe(now.toISOString());
    } finally {
      await direct.close();
      await quick.stop();
    }
  });

  test('register needs a registrant and admin, tech and billing contacts: BAD_USER_INPUT naming what is missing, nothing sent', async () => {
    const e = await failure(port.createDomain(acme, { ...domainInput('nc.joker.test'), contacts: [{ role: 'admin', id: a.contact }] }));
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.message).toContain('missing: tech, billing');
    expect(sandbox.answered('domain-register')).toBe(0);
  });

  test('name servers and DS records: the whole new set is computed from add/remove', async () => {
    const base = { name: 'alpha.joker.test', add: { statuses: [], contacts: [], nameservers: [] }, remove: { statuses: [], contacts: [], nameservers: [] } };
    const ds = { keyTag: 12345, algorithm: 13, digestType: 2, digest: 'AB'.repeat(32) };
    await port.updateDomain(acme, { ...base, remove: { ...base.remove, nameservers: [{ name: 'ns2.sandbox-dns.test', ipv4: [], ipv6: [] }] }, dnssec: { addDsData: [ds], removeDsData: [], addKeyData: [], removeKeyData: [] } });
    clock.advance(60_000);
    expect(sandbox.domain('alpha.joker.test')).toMatchObject({ ns: ['ns1.sandbox-dns.test'], ds: [`12345:13:2:${'AB'.repeat(32)}`] });
    await port.updateDomain(acme, { ...base, dnssec: { addDsData: [], removeDsData: [ds], addKeyData: [], removeKeyData: [] } });
    clock.advance(60_000);
    expect(sandbox.domain('alpha.joker.test')!.ds).toEqual([]);
    const hold = await failure(port.updateDomain(acme, { ...base, add: { ...base.add, statuses: ['clientHold'] } }));
    expect(hold.code).toBe('UNSUPPORTED_BY_BACKEND');
  });

  test('a queued redeem shows pendingRestore among the RGP statuses, as EPP has it (RFC 3915), not among the domain statuses', async () => {
    await port.deleteDomain(acme, 'alpha.joker.test');
    clock.advance(60_000);
    expect((await port.infoDomain(acme, 'alpha.joker.test')).data).toMatchObject({ statuses: ['pendingDelete'], rgpStatuses: ['redemptionPeriod'] });
    expect((await port.restoreDomain(acme, 'alpha.joker.test')).code).toBe(1001);
    expect((await port.infoDomain(acme, 'alpha.joker.test')).data).toMatchObject({ statuses: ['pendingDelete'], rgpStatuses: ['redemptionPeriod', 'pendingRestore'] });
  });

  test('a name server with more addresses than DMAPI keeps (one IPv4, one IPv6), or a domain\'s name server with glue: BAD_USER_INPUT naming the list that asked for it, nothing sent', async () => {
    const two = await failure(port.createHost(acme, { name: 'ns9.alpha.joker.test', ipv4: ['192.0.2.1', '192.0.2.2'], ipv6: [] }));
    expect([two.code, two.details.field]).toEqual(['BAD_USER_INPUT', 'input.ipv4']);
    const v6 = await failure(port.createHost(acme, { name: 'ns9.alpha.joker.test', ipv4: ['192.0.2.1'], ipv6: ['2001:db8::1', '2001:db8::2'] }));
    expect([v6.code, v6.details.field]).toEqual(['BAD_USER_INPUT', 'input.ipv6']);
    const alone = await failure(port.createHost(acme, { name: 'ns9.alpha.joker.test', ipv4: [], ipv6: ['2001:db8::1'] }));
    expect([alone.code, alone.details.field]).toEqual(['BAD_USER_INPUT', 'input.ipv6']);
    expect(sandbox.answered('ns-create')).toBe(0);
    const u = { name: 'ns1.sandbox-dns.test', addIpv4: ['192.0.2.99'], addIpv6: [], removeIpv4: [], removeIpv6: [], addStatuses: [], removeStatuses: [] };
    const more = await failure(port.updateHost(acme, u));
    expect([more.code, more.details.field]).toEqual(['BAD_USER_INPUT', 'input.addIpv4']);
    expect(sandbox.answered('ns-modify')).toBe(0);
    // A domain's name server with addresses (glue): the address list is named, on register and on update.
    const glue = await failure(port.createDomain(acme, { ...domainInput('glue.joker.test'), nameservers: [{ name: 'ns1.sandbox-dns.test', ipv4: [], ipv6: [] }, { name: 'ns1.glue.joker.test', ipv4: [], ipv6: ['2001:db8::1'] }] }));
    expect([glue.code, glue.details.field]).toEqual(['BAD_USER_INPUT', 'input.nameservers[1].ipv6']);
    const base = { name: 'alpha.joker.test', add: { statuses: [], contacts: [], nameservers: [{ name: 'ns1.alpha.joker.test', ipv4: ['192.0.2.9'], ipv6: [] }] }, remove: { statuses: [], contacts: [], nameservers: [] } };
    const addGlue = await failure(port.updateDomain(acme, base));
    expect([addGlue.code, addGlue.details.field]).toEqual(['BAD_USER_INPUT', 'input.add.nameservers[0].ipv4']);
    expect(sandbox.answered('domain-register') + sandbox.answered('domain-modify')).toBe(0);
  });

  test("a refusal naming what was sent quotes at most 32 characters of it (message and upstreamMessage), the rest of the registry's text kept", async () => {
    const long = `${'n'.repeat(60)}.${'m'.repeat(60)}.sandbox-dns.test`;
    const base = { name: 'alpha.joker.test', add: { statuses: [], contacts: [], nameservers: [{ name: long, ipv4: [], ipv6: [] }] }, remove: { statuses: [], contacts: [], nameservers: [] } };
    const e = await failure(port.updateDomain(acme, base));
    expect(e.code).toBe('OBJECT_NOT_FOUND');
    for (const text of [e.message, String((e.details as { upstreamMessage?: string }).upstreamMessage)]) {
      expect(text).not.toContain(long.slice(0, 33));
      expect(text).toContain(`not registered: name server ${long.slice(0, 32)}…`);
    }
    // An echo the registry already cut (at 40 characters, "nnnn...") is cut to 32 all the same.
    const name = `${'n'.repeat(60)}.joker.test`;
    const gone = await failure(port.renewDomain(acme, { name, currentExpiry: new Date('2027-03-01T00:00:00Z'), period: { value: 1, unit: 'y' } }));
    expect(gone.code).toBe('OBJECT_NOT_FOUND');
    for (const text of [gone.message, String((gone.details as { upstreamMessage?: string }).upstreamMessage)]) expect(text).not.toContain('n'.repeat(33));
  });

  test('balance from Account-Balance; the reseller domain list', async () => {
    expect((await port.balance(acme)).data).toEqual({ amount: '1000.00', currency: 'EUR' });
    expect((await port.listDomains(acme, { limit: 10, offset: 0 })).data).toEqual({ names: ['alpha.joker.test'], total: 1 });
  });
});
