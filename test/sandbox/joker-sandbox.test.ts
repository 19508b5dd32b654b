/**
 * The Joker sandbox as a DMAPI client meets it, over HTTPS with curl (an independent client, as the
 * document suggests a browser may be): plain-text replies with headers, sessions that expire when
 * idle, modifying requests answered with a Proc-ID and processed later, their results listed
 * until deleted, refusals with Status-Code and Error lines.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { JOKER_SANDBOX_ACCOUNTS, JokerSandbox } from '../../src/sandbox/joker/index.js';

const run = promisify(execFile);
const clock = new FakeClock('2026-06-01T10:00:00Z');
const sandbox = new JokerSandbox({ clock, domainDelayMs: 60_000, sessionIdleMs: 600_000 });
let url = '';
let caFile = '';
const [newReg, theReg] = JOKER_SANDBOX_ACCOUNTS;

/** One request with curl (to the sandbox above, or `to`); the reply's headers (name lower-cased, all values) and body lines. */
async function dmapi(name: string, vars: Record<string, string>, to = { url, caFile }): Promise<{ status: number; h: Record<string, string[]>; body: string[] }> {
  const args = ['-s', '--cacert', to.caFile || caFile, '-w', '\n%{http_code}', `${to.url || url}/request/${name}`];
  for (const [k, v] of Object.entries(vars)) args.push('--data-urlencode', `${k}=${v}`);
  const { stdout } = await run('curl', args);
  const lines = stdout.split('\n');
  const status = Number(lines.pop());
  const h: Record<string, string[]> = {};
  let i = 0;
  for (; i < lines.length && lines[i] !== ''; i++) {
    const [k, ...v] = lines[i].split(':');
    (h[k.toLowerCase()] ??= []).push(v.join(':').trim());
  }
  return { status, h, body: lines.slice(i + 1).filter(Boolean) };
}

async function login(a = newReg): Promise<string> {
  const r = await dmapi('login', { 'api-key': a.apiKey });
  return r.h['auth-sid'][0];
}

beforeAll(async () => {
  const a = await sandbox.start();
  url = a.url;
  caFile = join(mkdtempSync(join(tmpdir(), 'joker-sbx-')), 'ca.pem');
  writeFileSync(caFile, a.ca);
});
afterAll(async () => {
  await sandbox.stop();
  rmSync(dirname(caFile), { recursive: true, force: true });
});
beforeEach(() => {
  clock.set('2026-06-01T10:00:00Z');
  sandbox.reset();
});

describe('Joker sandbox (DMAPI over HTTPS, curl as the client)', () => {
  test('login by api-key or by username and password: Auth-Sid, UID, the TLDs; a wrong key: 401 with Status-Code and Error', async () => {
    const r = await dmapi('login', { 'api-key': newReg.apiKey });
    expect(r.status).toBe(200);
    expect(r.h['auth-sid'][0]).toMatch(/^[0-9a-f]{32}$/);
    expect(r.h.uid).toEqual([newReg.uid]);
    expect(r.body).toEqual(['joker.test', 'dmapi.test']);
    expect((await dmapi('login', { username: theReg.username, password: theReg.password })).h.uid).toEqual([theReg.uid]);
    const bad = await dmapi('login', { 'api-key': 'wrong-key' });
    expect(bad.status).toBe(401);
    expect(bad.h['status-code']).toEqual(['2200']);
    expect(bad.h.error).toEqual(['invalid credentials']);
  });

  test('a session expires after its idle time; logout ends it at once', async () => {
    const sid = await login();
    clock.advance(599_000);
    expect((await dmapi('query-profile', { 'auth-sid': sid })).status).toBe(200);
    clock.advance(599_000); // idle time counts from the last request
    expect((await dmapi('query-profile', { 'auth-sid': sid })).status).toBe(200);
    clock.advance(601_000);
    const expired = await dmapi('query-profile', { 'auth-sid': sid });
    expect([expired.status, expired.h['status-code'][0]]).toEqual([401, '2200']);
    const sid2 = await login();
    await dmapi('logout', { 'auth-sid': sid2 });
    expect((await dmapi('query-domain-list', { 'auth-sid': sid2 })).status).toBe(401);
  });

  test('a domain request answers a Proc-ID at once; result-list shows "?" until processed, then ack; result-delete hides it (showall lists it)', async () => {
    const sid = await login();
    const c = await dmapi('contact-create', { 'auth-sid': sid, tld: 'joker.test', name: 'Ann Test', email: 'ann@example.test', 'address-1': '1 Road', city: 'Town', 'postal-code': '123', country: 'EE', phone: '+372.5551234' });
    const handle = c.h.handle[0];
    expect(c.h['proc-id'][0]).toMatch(/^\d+$/);
    const reg = await dmapi('domain-register', { 'auth-sid': sid, domain: 'new.joker.test', period: '12', status: 'production', 'owner-c': handle, 'admin-c': handle, 'tech-c': handle, 'billing-c': handle, 'ns-list': 'ns1.sandbox-dns.test:ns2.sandbox-dns.test' });
    const proc = reg.h['proc-id'][0];
    expect(reg.h['account-balance'][0]).toBe('1000.00');
    const listed = async () => (await dmapi('result-list', { 'auth-sid': sid, procid: proc })).body;
    expect((await listed())[0].split(' ').slice(2)).toEqual([proc, 'domain-register', 'new.joker.test', '?', '-']);
    expect((await dmapi('query-whois', { 'auth-sid': sid, domain: 'new.joker.test' })).h['status-code']).toEqual(['2303']);
    clock.advance(60_000);
    expect((await listed())[0].split(' ')[5]).toBe('ack');
    const got = await dmapi('result-retrieve', { 'auth-sid': sid, 'proc-id': proc });
    expect(got.body).toContain('Result: ACK');
    expect(got.body.find((l) => l.startsWith('Expiration-Date:'))).toBe('Expiration-Date: 2027-06-01T10:01:00.000Z');
    expect((await dmapi('query-profile', { 'auth-sid': sid })).body).toContain('balance: 988.00');
    await dmapi('result-delete', { 'auth-sid': sid, 'proc-id': proc });
    expect(await listed()).toEqual([]);
    expect((await dmapi('result-list', { 'auth-sid': sid, procid: proc, showall: '1' })).body).toHaveLength(1);
    expect((await dmapi('result-retrieve', { 'auth-sid': sid, 'proc-id': proc })).body).toContain('Status: ack');
  });

  test('contacts and name servers must exist first: the refusal names each missing one, nothing is queued', async () => {
    const sid = await login();
    const r = await dmapi('domain-register', { 'auth-sid': sid, domain: 'x.joker.test', period: '12', status: 'production', 'owner-c': 'CJOK-1', 'admin-c': 'CJOK-404', 'tech-c': 'CJOK-1', 'billing-c': 'CJOK-2', 'ns-list': 'ns1.sandbox-dns.test:ns9.nowhere.test' });
    expect(r.h['status-code']).toEqual(['2303']);
    expect(r.h.error).toEqual(['not registered: admin-c contact CJOK-404', 'not registered: billing-c contact CJOK-2', 'not registered: name server ns9.nowhere.test']);
    expect(r.h['proc-id']).toBeUndefined();
    expect(sandbox.pendingJobs()).toBe(0);
  });

  test('periods are months: whole years on joker.test, any month count on dmapi.test; renew by expyear is not applied twice', async () => {
    const sid = await login();
    const base = { 'auth-sid': sid, status: 'production', 'owner-c': 'CJOK-1', 'admin-c': 'CJOK-1', 'tech-c': 'CJOK-1', 'billing-c': 'CJOK-1', 'ns-list': 'ns1.sandbox-dns.test' };
    expect((await dmapi('domain-register', { ...base, domain: 'm.joker.test', period: '18' })).h['status-code']).toEqual(['2306']);
    expect((await dmapi('domain-register', { ...base, domain: 'm.dmapi.test', period: '18' })).h['status-code']).toEqual(['0']);
    const year = new Date(sandbox.domain('alpha.joker.test')!.expires).getUTCFullYear();
    const first = await dmapi('domain-renew', { 'auth-sid': sid, domain: 'alpha.joker.test', expyear: String(year + 2) });
    const again = await dmapi('domain-renew', { 'auth-sid': sid, domain: 'alpha.joker.test', expyear: String(year + 2) });
    clock.advance(60_000);
    const status = async (p: string) => (await dmapi('result-list', { 'auth-sid': sid, procid: p })).body[0].split(' ')[5];
    expect([await status(first.h['proc-id'][0]), await status(again.h['proc-id'][0])]).toEqual(['ack', 'nack']);
    expect(new Date(sandbox.domain('alpha.joker.test')!.expires).getUTCFullYear()).toBe(year + 2);
    const nack = await dmapi('result-retrieve', { 'auth-sid': sid, 'proc-id': again.h['proc-id'][0] });
    expect(nack.body).toEqual(expect.arrayContaining(['Result: NACK', 'Status-Code: 2105']));
  });

  test('domain-delete within 3 days refunds exactly the registration fee (120 months: EUR 120.00), once: redeemed and deleted again refunds nothing', async () => {
    const sid = await login();
    const balance = async () => (await dmapi('query-profile', { 'auth-sid': sid })).body.find((l) => l.startsWith('balance:'));
    const reg = await dmapi('domain-register', { 'auth-sid': sid, domain: 'ten.joker.test', period: '120', status: 'production', 'owner-c': 'CJOK-1', 'admin-c': 'CJOK-1', 'tech-c': 'CJOK-1', 'billing-c': 'CJOK-1', 'ns-list': 'ns1.sandbox-dns.test' });
    expect(reg.h['status-code']).toEqual(['0']);
    clock.advance(60_000);
    expect(await balance()).toBe('balance: 880.00');
    await dmapi('domain-delete', { 'auth-sid': sid, domain: 'ten.joker.test' });
    clock.advance(60_000);
    expect(await balance()).toBe('balance: 1000.00');
    await dmapi('domain-redeem', { 'auth-sid': sid, domain: 'ten.joker.test' });
    clock.advance(60_000);
    expect(await balance()).toBe('balance: 950.00');
    await dmapi('domain-delete', { 'auth-sid': sid, domain: 'ten.joker.test' });
    clock.advance(60_000);
    expect(sandbox.domain('ten.joker.test')!.deleted).toBe(true);
    expect(await balance()).toBe('balance: 950.00');
  });

  test('transfer-in with a wrong Auth-ID is accepted, then refused (nack 2202); with the right one the domain moves', async () => {
    const sid = await login();
    const vars = { 'auth-sid': sid, domain: 'rival.joker.test', 'admin-c': 'CJOK-1', 'tech-c': 'CJOK-1', 'billing-c': 'CJOK-1' };
    const wrong = await dmapi('domain-transfer-in-reseller', { ...vars, 'transfer-auth-id': 'nope' });
    const right = await dmapi('domain-transfer-in-reseller', { ...vars, 'transfer-auth-id': 'Rival-Auth-2' });
    clock.advance(60_000);
    const lines = (await dmapi('result-list', { 'auth-sid': sid, rtype: 'domain-transfer-*' })).body.map((l) => l.split(' ')[5]);
    expect(lines).toEqual(['nack', 'ack']);
    expect((await dmapi('result-retrieve', { 'auth-sid': sid, 'proc-id': wrong.h['proc-id'][0] })).body).toContain('Status-Code: 2202');
    expect(right.h['status-code']).toEqual(['0']);
    expect(sandbox.domain('rival.joker.test')!.resellerUid).toBe(newReg.uid);
  });

  test('query-contact-list answers at most 10,000 handles unless "from" or "to" is given', async () => {
    const sid = await login();
    sandbox.addContacts(newReg.uid, 10_001); // with the seeded CJOK-1: 10,002
    expect((await dmapi('query-contact-list', { 'auth-sid': sid })).body).toHaveLength(10_000);
    expect((await dmapi('query-contact-list', { 'auth-sid': sid, from: '1' })).body).toHaveLength(10_002);
    const tail = await dmapi('query-contact-list', { 'auth-sid': sid, from: '10001' });
    expect(tail.body).toHaveLength(2);
    expect((await dmapi('query-contact-list', { 'auth-sid': sid, from: '2', to: '3' })).body).toHaveLength(2);
  });

  test('a transfer-in sets autorenew unless told autorenew=0 (the document: "If not set explicitly, defaults to 1")', async () => {
    const sid = await login();
    const vars = { 'auth-sid': sid, 'admin-c': 'CJOK-1', 'tech-c': 'CJOK-1', 'billing-c': 'CJOK-1' };
    await dmapi('domain-transfer-in-reseller', { ...vars, domain: 'rival.joker.test', 'transfer-auth-id': 'Rival-Auth-2' });
    await dmapi('domain-transfer-in-reseller', { ...vars, domain: 'spare.joker.test', 'transfer-auth-id': 'Spare-Auth-3', autorenew: '0' });
    clock.advance(60_000);
    expect([sandbox.domain('rival.joker.test')!.autorenew, sandbox.domain('spare.joker.test')!.autorenew]).toEqual([true, false]);
  });

  test('faults: failAfterApply answers 500 with Status-Code 2400 and no Error line, the request processed; statusOnlyResult keeps only the status of the result', async () => {
    const sid = await login();
    const year = new Date(sandbox.domain('alpha.joker.test')!.expires).getUTCFullYear();
    sandbox.failAfterApply('domain-renew');
    const failed = await dmapi('domain-renew', { 'auth-sid': sid, domain: 'alpha.joker.test', expyear: String(year + 1) });
    expect([failed.status, failed.h['status-code'], failed.h.error]).toEqual([500, ['2400'], undefined]);
    clock.advance(60_000);
    expect(new Date(sandbox.domain('alpha.joker.test')!.expires).getUTCFullYear()).toBe(year + 1);
    sandbox.statusOnlyResult('domain-transfer-in-reseller');
    const t = await dmapi('domain-transfer-in-reseller', { 'auth-sid': sid, domain: 'rival.joker.test', 'transfer-auth-id': 'nope', 'admin-c': 'CJOK-1', 'tech-c': 'CJOK-1', 'billing-c': 'CJOK-1' });
    clock.advance(60_000);
    const got = await dmapi('result-retrieve', { 'auth-sid': sid, 'proc-id': t.h['proc-id'][0] });
    expect(got.body).toContain('Status: nack');
    expect(got.body.filter((l) => /^(Status-Code|Status-Text|Result|Error):/.test(l))).toEqual([]);
  });

  test('list queries: query-domain-list with showstatus, query-ns-list with full=1 (tab separated, "-" for no address)', async () => {
    const sid = await login();
    await dmapi('domain-lock', { 'auth-sid': sid, domain: 'alpha.joker.test' });
    clock.advance(60_000);
    const d = await dmapi('query-domain-list', { 'auth-sid': sid, showstatus: '1' });
    expect(d.body).toEqual([expect.stringMatching(/^alpha\.joker\.test \d{4}-\d\d-\d\d production,lock$/)]);
    const ns = await dmapi('query-ns-list', { 'auth-sid': sid, full: '1' });
    expect(ns.h.separator).toEqual(['TAB']);
    expect(ns.body).toEqual(['ns1.sandbox-dns.test\t192.0.2.53\t-', 'ns2.sandbox-dns.test\t198.51.100.53\t2001:db8::53']);
  });
});

describe('Joker sandbox serving .de', () => {
  const de = new JokerSandbox({ clock, domainDelayMs: 0, tlds: ['joker.test', 'de'] });
  const to = { url: '', caFile: '' };
  beforeAll(async () => {
    const a = await de.start();
    to.url = a.url;
    to.caFile = join(dirname(caFile), 'de-ca.pem');
    writeFileSync(to.caFile, a.ca);
  });
  afterAll(() => de.stop());

  test('domain-modify DNSSEC entries are protocol:alg:flags:pubkey-base64 under de (the document), tag:alg:digest-type:digest elsewhere', async () => {
    const sid = (await dmapi('login', { 'api-key': newReg.apiKey }, to)).h['auth-sid'][0];
    const reg = await dmapi('domain-register', { 'auth-sid': sid, domain: 'key.de', period: '12', status: 'production', 'owner-c': 'CJOK-1', 'admin-c': 'CJOK-1', 'tech-c': 'CJOK-1', 'billing-c': 'CJOK-1', 'ns-list': 'ns1.sandbox-dns.test' }, to);
    expect(reg.h['status-code']).toEqual(['0']);
    const ds = `12345:13:2:${'A'.repeat(64)}`;
    const key = `3:13:257:${'mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ=='}`;
    const modify = (domain: string, entry: string) => dmapi('domain-modify', { 'auth-sid': sid, domain, dnssec: '1', 'ds-1': entry }, to);
    const dsOnDe = await modify('key.de', ds);
    expect([dsOnDe.h['status-code'], dsOnDe.h.error?.[0]]).toEqual([['2005'], expect.stringContaining('protocol:alg:flags:pubkey-base64')]);
    expect((await modify('key.de', key)).h['status-code']).toEqual(['0']);
    expect((await modify('alpha.joker.test', key)).h['status-code']).toEqual(['2005']);
    expect((await modify('alpha.joker.test', ds)).h['status-code']).toEqual(['0']);
    expect([de.domain('key.de')!.ds, de.domain('alpha.joker.test')!.ds]).toEqual([[key], [ds]]);
  });
});
