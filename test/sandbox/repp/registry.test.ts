/**
 * The REPP sandbox's registry behaviour beyond the document's examples, over raw HTTP (no adapter
 * code): registrant confirmations and their notifications, transfers that copy contacts and notify
 * the losing registrar, billing, expiry dates, object lifetimes (410 after deletion), the zones
 * served, and reset.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { ReppSandbox } from '../../../src/sandbox/repp/index.js';

const clock = new FakeClock('2026-01-01T10:00:00Z');
const sandbox = new ReppSandbox({ clock, registrantReplyMs: 3_600_000 });
let base: string;

const auth = { new: 'test:test123', the: 'theregistrar:password2' } as const;
interface Answer {
  status: number;
  code: number;
  message: string;
  /** The JSON data, read freely by the assertions. */
  data: any;
}

async function call(who: keyof typeof auth, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Basic ${Buffer.from(auth[who]).toString('base64')}`, 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, ...((await res.json()) as { code: number; message: string; data: unknown }) };
}

const texts = (registrar: string) => sandbox.notifications(registrar).map((n) => n.text);

beforeAll(async () => {
  base = (await sandbox.start()).url;
});
afterAll(() => sandbox.stop());
beforeEach(() => {
  clock.set('2026-01-01T10:00:00Z');
  sandbox.reset();
});

describe('registrant confirmations', () => {
  it('an unverified registrant change waits for the registrant, who confirms when the time comes; the sponsor is told', async () => {
    expect((await call('new', 'PUT', '/repp/v1/domains/kass.ee', { domain: { registrant: { code: 'ATSAA:LIZ' } } })).code).toBe(1000);
    expect(sandbox.domain('kass.ee')).toMatchObject({ registrant: 'ATSAA:KARL', statuses: ['pendingUpdate'] });
    expect((await call('new', 'PUT', '/repp/v1/domains/kass.ee/statuses/clientHold')).code).toBe(2304); // pending: no other change
    clock.advance(3_600_000);
    expect(sandbox.domain('kass.ee')).toMatchObject({ registrant: 'ATSAA:LIZ', statuses: [] });
    expect(texts('NewRegistrar')).toContain('Registrant confirmed domain update: kass.ee');
  });
  it('a rejected change keeps the registrant; a verified one applies at once, without asking', async () => {
    await call('new', 'PUT', '/repp/v1/domains/koer.ee', { domain: { registrant: { code: 'ATSAA:LIZ' } } });
    sandbox.registrantReplies('koer.ee', false);
    expect(sandbox.domain('koer.ee')).toMatchObject({ registrant: 'ATSAA:KARL', statuses: [] });
    expect(texts('NewRegistrar').filter((t) => t === 'Registrant rejected domain update: koer.ee')).toHaveLength(2); // the seed's and this one
    await call('new', 'PUT', '/repp/v1/domains/koer.ee', { domain: { registrant: { code: 'ATSAA:LIZ', verified: true }, transfer_code: 'uus-kood-1' } });
    expect(sandbox.domain('koer.ee')).toMatchObject({ registrant: 'ATSAA:LIZ', transferCode: 'uus-kood-1', statuses: [] });
  });
  it('the registrant is required, also for a transfer-code change alone (2003 without it); the current registrant with a new code changes the code and asks nothing', async () => {
    const alone = await call('new', 'PUT', '/repp/v1/domains/koer.ee', { domain: { transfer_code: 'uus-kood-2' } });
    expect([alone.status, alone.code, alone.message]).toEqual([400, 2003, 'Required parameter missing: domain[registrant]']);
    expect(sandbox.domain('koer.ee')!.transferCode).not.toBe('uus-kood-2');
    expect((await call('new', 'PUT', '/repp/v1/domains/koer.ee', { domain: { registrant: {}, transfer_code: 'uus-kood-2' } })).code).toBe(2003);
    expect((await call('new', 'PUT', '/repp/v1/domains/koer.ee', { domain: { registrant: { code: 'ATSAA:KARL' }, transfer_code: 'uus-kood-2' } })).code).toBe(1000);
    expect(sandbox.domain('koer.ee')).toMatchObject({ registrant: 'ATSAA:KARL', transferCode: 'uus-kood-2', statuses: [] });
  });
  it('an unverified deletion waits for confirmation; then the domain is gone (410) and can be registered again', async () => {
    await call('new', 'DELETE', '/repp/v1/domains/kanakotlet.ee', { domain: { delete: { verified: false } } });
    expect(sandbox.domain('kanakotlet.ee')!.statuses).toEqual(['pendingDeleteConfirmation']);
    sandbox.registrantReplies('kanakotlet.ee', true);
    expect(texts('NewRegistrar')).toContain('Registrant confirmed domain deletion: kanakotlet.ee');
    expect(await call('new', 'GET', '/repp/v1/domains/kanakotlet.ee')).toMatchObject({ status: 410, code: 2303 });
    expect((await call('new', 'POST', '/repp/v1/domains', { domain: { name: 'kanakotlet.ee', registrant: 'ATSAA:KARL', period: 1, period_unit: 'y' } })).code).toBe(1000);
    expect((await call('new', 'GET', '/repp/v1/domains/kanakotlet.ee')).status).toBe(200);
  });
});

describe('transfers', () => {
  it("move the domain at once with a new code, copy its contacts to the gaining registrar, tell the losing one", async () => {
    expect((await call('new', 'POST', '/repp/v1/domains/kotlet.ee/transfer', { transfer: { transfer_code: '6699fb661ee3a2006a3d1e5833d7c5abv' } })).code).toBe(1000);
    const d = sandbox.domain('kotlet.ee')!;
    expect(d.registrar).toBe('NewRegistrar');
    expect(d.transferCode).toMatch(/^[0-9a-f]{32}$/);
    expect([d.registrant, ...d.admin, ...d.tech].every((c) => /^ATSAA:[0-9A-F]{8}$/.test(c))).toBe(true);
    expect(texts('TheRegistrar')).toEqual([
      'Transfer of domain kotlet.ee has been approved. It was associated with registrant 1111111:0FEEDC3C and contacts 1111111:65B7EB55, 1111111:8E3736F2.',
    ]);
    const info = await call('new', 'GET', '/repp/v1/domains/kotlet.ee');
    expect(info.data.domain.transfer_code).toBe(d.transferCode);
    expect((await call('the', 'GET', '/repp/v1/domains/kotlet.ee')).data.domain.transfer_code).toBeUndefined(); // only the sponsor sees it
  });
  it('refuse a wrong code (2202), the sponsor itself (2002), a server-locked domain (2304)', async () => {
    expect((await call('new', 'POST', '/repp/v1/domains/666.ee/transfer', { transfer: { transfer_code: 'wrong' } })).code).toBe(2202);
    expect((await call('the', 'POST', '/repp/v1/domains/666.ee/transfer', { transfer: { transfer_code: 'd79d865fdf589a1cd52ae95fde4e5d30' } })).code).toBe(2002);
    expect((await call('new', 'POST', '/repp/v1/domains/lukus.ee/transfer', { transfer: { transfer_code: 'f00dfeedf00dfeedf00dfeedf00dfeed' } })).code).toBe(2304);
    expect((await call('new', 'GET', '/repp/v1/domains/666.ee/transfer_info')).code).toBe(2202); // no Auth-Code
  });
});

describe('billing and expiry', () => {
  it('a registration is charged 6.0 a year and expires at local midnight after its last day', async () => {
    await call('new', 'POST', '/repp/v1/domains', { domain: { name: 'mari2.pri.ee', registrant: 'ATSAA:KARL', period: 2, period_unit: 'y' } });
    expect(sandbox.domain('mari2.pri.ee')!.expireTime).toBe('2028-01-02T00:00:00.000+02:00');
    const b = await call('new', 'GET', '/repp/v1/accounts/balance?detailed=true&from=2026-01-01');
    expect(b.data).toEqual({ balance: '408.0', currency: 'EUR', transactions: [{ created_at: '2026-01-01T12:00:00.000+02:00', description: 'Create mari2.pri.ee', type: 'debit', sum: '-12.0', balance: '408.0' }] });
  });
  it('bulk renew takes only the renew_period values the document lists (3m, 6m, 9m, 1y ... 10y): 12m, 24m, 01y, 11y, 1m are 2004, 1 year is 2005; nothing renewed', async () => {
    const before = sandbox.domain('kass.ee')!.expireTime;
    for (const renew_period of ['12m', '24m', '01y', '11y', '1m', '0y']) {
      const r = await call('new', 'POST', '/repp/v1/domains/renew/bulk', { domains: ['kass.ee'], renew_period });
      expect([renew_period, r.status, r.code, r.message]).toEqual([renew_period, 400, 2004, 'Parameter value range error: renew_period must be one of 3m, 6m, 9m, 1y ... 10y']);
    }
    expect((await call('new', 'POST', '/repp/v1/domains/renew/bulk', { domains: ['kass.ee'], renew_period: '1 year' })).code).toBe(2005);
    expect(sandbox.domain('kass.ee')!.expireTime).toBe(before);
    expect((await call('new', 'POST', '/repp/v1/domains/renew/bulk', { domains: ['kass.ee'], renew_period: '2y' })).data.updated_domains).toEqual(['kass.ee']);
  });
  it('bulk renew is all or nothing: refused (2104) when the balance does not cover every domain', async () => {
    const names = ['kass.ee', 'koer.ee', 'biz.ee', 'domeener.ee', 'domainer.ee', 'only.ee', 'these.ee', 'domains.ee', 'kanakotlet.ee', 'mari.pri.ee'];
    expect((await call('new', 'POST', '/repp/v1/domains/renew/bulk', { domains: names, renew_period: '10y' })).code).toBe(2306); // more than 10 years ahead
    const r = await call('new', 'POST', '/repp/v1/domains/renew/bulk', { domains: names, renew_period: '8y' });
    expect(r).toMatchObject({ status: 400, code: 2104 }); // 10 x 48.0 > 420.0
    expect(sandbox.balanceCents('NewRegistrar')).toBe(42000);
    expect((await call('new', 'POST', '/repp/v1/domains/renew/bulk', { domains: names, renew_period: '6m' })).data.updated_domains).toEqual(names);
    expect(sandbox.balanceCents('NewRegistrar')).toBe(42000 - 10 * 300);
  });
});

describe('poll messages', () => {
  it('marking read is idempotent (a retry whose first answer was lost answers the same) and a read message can still be fetched; it leaves the unread list', async () => {
    const markRead = () => call('new', 'PUT', '/repp/v1/registrar/notifications/1398', { notification: { read: true } });
    const first = await markRead();
    expect(first).toMatchObject({ status: 200, code: 1000, data: { notification_id: 1398, read: true } });
    const retry = await markRead();
    expect([retry.status, retry.code, retry.data]).toEqual([first.status, first.code, first.data]);
    expect(await call('new', 'GET', '/repp/v1/registrar/notifications/1398')).toMatchObject({ status: 200, code: 1000, data: { id: 1398, text: 'Contact ATSAA:57C8A9CB has been updated by registrant' } });
    expect((await call('new', 'GET', '/repp/v1/registrar/notifications/all_notifications')).data.map((n: { id: number }) => n.id)).toEqual([1399]);
    expect(await call('the', 'GET', '/repp/v1/registrar/notifications/1398')).toMatchObject({ status: 404, code: 2303 }); // another registrar's
    expect(await call('the', 'PUT', '/repp/v1/registrar/notifications/1398', { notification: { read: true } })).toMatchObject({ status: 404, code: 2303 });
  });
});

describe('the registry', () => {
  it('serves .ee, com.ee and pri.ee names one label deep', async () => {
    const create = (name: string) => call('new', 'POST', '/repp/v1/domains', { domain: { name, registrant: 'ATSAA:KARL', period: 1, period_unit: 'y' } });
    expect((await create('firma2.com.ee')).code).toBe(1000);
    expect((await create('a.b.ee')).code).toBe(2306);
    expect((await create('example.com')).code).toBe(2306);
    expect((await create('kass.ee')).code).toBe(2302);
  });
  it("hides other registrars' domains from changes (404) and their contacts from reads (404)", async () => {
    expect((await call('new', 'PUT', '/repp/v1/domains/666.ee/statuses/clientHold')).status).toBe(404);
    expect((await call('new', 'GET', '/repp/v1/contacts/1111111:65B7EB55')).status).toBe(404);
    expect((await call('new', 'GET', '/repp/v1/domains/666.ee')).status).toBe(200); // info is public, without the transfer code
  });
  it('lets a non-sponsor delete with the Auth-Code header, and refuses without it (2202)', async () => {
    expect((await call('new', 'DELETE', '/repp/v1/domains/domain1.ee', { domain: { delete: { verified: true } } })).code).toBe(2202);
    expect((await call('new', 'DELETE', '/repp/v1/domains/domain1.ee', { domain: { delete: { verified: true } } }, { 'Auth-Code': 'a45e543ddabee202f95eebae5a7c917c' })).code).toBe(1000);
  });
  it('refuses a bad JSON body (2001) and a missing parameter (2003), before any change', async () => {
    const res = await fetch(`${base}/repp/v1/contacts`, { method: 'POST', headers: { Authorization: `Basic ${Buffer.from(auth.new).toString('base64')}`, 'Content-Type': 'application/json' }, body: '{"contact":' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Answer).code).toBe(2001);
    expect((await call('new', 'POST', '/repp/v1/domains/kass.ee/nameservers', {})).code).toBe(2003);
    expect((await call('new', 'POST', '/repp/v1/domains/kass.ee/nameservers', { nameservers: [{ hostname: 'ns1.kass.ee' }, { hostname: 'ns2.example.net' }] })).code).toBe(2003); // glue
    expect(sandbox.domain('kass.ee')!.nameservers).toEqual([]);
  });
  it('names the period unit field as the document does (domain[period_unit], renews[period_unit]) when it is not y or m (2005)', async () => {
    const create = await call('new', 'POST', '/repp/v1/domains', { domain: { name: 'nadal.ee', registrant: 'ATSAA:KARL', period: 1, period_unit: 'w' } });
    expect(create).toMatchObject({ status: 400, code: 2005, message: 'Parameter value syntax error: domain[period_unit] must be y or m' });
    const renew = await call('new', 'POST', '/repp/v1/domains/kass.ee/renew', { renews: { period: 1, period_unit: 'd', exp_date: '2027-01-01' } });
    expect(renew).toMatchObject({ status: 400, code: 2005, message: 'Parameter value syntax error: renews[period_unit] must be y or m' });
    expect(sandbox.domain('nadal.ee')).toBeUndefined();
  });
  it('reset restores the seed, balances and notifications', async () => {
    await call('new', 'DELETE', '/repp/v1/domains/kass.ee', { domain: { delete: { verified: true } } });
    await call('the', 'PUT', '/repp/v1/registrar/notifications/1399', { notification: { read: true } });
    await call('new', 'PUT', '/repp/v1/registrar/notifications/1399', { notification: { read: true } });
    sandbox.reset();
    expect(sandbox.domain('kass.ee')).toBeDefined();
    expect(texts('NewRegistrar')).toHaveLength(2);
    expect(sandbox.applied('domain:delete')).toBe(0);
  });
});
