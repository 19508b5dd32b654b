/** Domain flows in the nomulus profile (TLD "tld"), driven by the Nomulus request fixtures. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import type { EppSandbox, SandboxAddress } from '../../../src/sandbox/epp/index.js';
import { validateEppMany } from '../../helpers/xsd.js';
import { RawEppClient, day, fx, fxWith, received, session, startSandbox, type Node, type Resp } from './client.js';

const DAY = 86_400_000;
const clock = new FakeClock('2026-01-01T00:00:00Z');
let sandbox: EppSandbox;
let addr: SandboxAddress;
let the: RawEppClient; // TheRegistrar: sponsors example.tld, locked.tld, redeem.tld
let neu: RawEppClient; // NewRegistrar: sponsors fakesite.tld, test.tld

beforeAll(async () => {
  ({ sandbox, addr } = await startSandbox({ profile: 'nomulus', clock }));
  the = await session(addr, 'TheRegistrar', 'nomulus');
  neu = await session(addr, 'NewRegistrar', 'nomulus');
});
afterAll(async () => {
  the.close();
  neu.close();
  await sandbox.stop();
});
beforeEach(() => {
  clock.set('2026-01-01T00:00:00Z');
  sandbox.reset();
});

/** The extension element (secDNS or rgp infData share the local name) that has this child. */
const ext = (r: Resp, childName: string): Node => [r.extension.infData].flat().find((e: Node) => e && childName in e);

const info = (c: RawEppClient, name: string) => c.send(fxWith('domain/domain_info.xml', { 'example.tld': name }));

describe('domain check', () => {
  it('reports availability with "In use" for existing names', async () => {
    const r = await neu.send(fxWith('domain/domain_check.xml', { 'example.com': 'example.tld', 'example.net': 'new1.tld', 'example.org': 'redeem.tld' }));
    expect(r.code).toBe(1000);
    const cds = r.resData.chkData.cd.map((cd: { name: { '#text': string; '@avail': string }; reason?: string }) => [cd.name['#text'], cd.name['@avail'], cd.reason]);
    expect(cds).toEqual([
      ['example.tld', '0', 'In use'],
      ['new1.tld', '1', undefined],
      ['redeem.tld', '0', 'In use'],
    ]);
  });

  it('rejects names under unknown TLDs (2004) and bad names (2005/2306)', async () => {
    expect((await neu.send(fx('domain/domain_check.xml'))).code).toBe(2004);
    expect((await neu.send(fxWith('domain/domain_check.xml', { 'example.com': 'a.b.tld' }))).code).toBe(2005);
    expect((await neu.send(fxWith('domain/domain_check.xml', { 'example.com': '-ab.tld' }))).code).toBe(2306);
    expect((await neu.send(fxWith('domain/domain_check.xml', { 'example.com': 'AB.tld' }))).code).toBe(2306);
    expect((await neu.send(fxWith('domain/domain_check_fee_v12.xml', {}))).code).toBe(2002); // fee/launch not offered
  });
});

describe('domain info', () => {
  it('gives the sponsor everything, as in domain_info_response.xml', async () => {
    const r = await the.send(fx('domain/domain_info.xml'));
    expect(r.code).toBe(1000);
    const d = r.resData.infData;
    expect(d.name).toBe('example.tld');
    expect(d.roid).toMatch(/^[0-9A-F]+-TLD$/);
    expect(d.status).toEqual([{ '@s': 'ok' }]);
    expect(d.ns.hostObj).toEqual(['ns1.example.tld', 'ns1.example.net', 'ns1.example.foo']);
    expect(d.host).toEqual(['ns1.example.tld', 'ns2.example.tld']);
    expect([d.clID, d.crID, d.authInfo.pw]).toEqual(['TheRegistrar', 'TheRegistrar', 'fooBAR']);
    expect(d.exDate).toBe(new Date(clock.now().getTime() + 330 * DAY).toISOString());
  });

  it('gives others name, roid and sponsor only, unless they present the authInfo', async () => {
    const r = await neu.send(fx('domain/domain_info.xml'));
    expect(Object.keys(r.resData.infData).filter((k) => !k.startsWith('@'))).toEqual(['name', 'roid', 'clID']);
    const withAuth = await neu.send(fx('domain/domain_info.xml').replace('</domain:name>', '</domain:name><domain:authInfo><domain:pw>fooBAR</domain:pw></domain:authInfo>'));
    expect(withAuth.resData.infData.authInfo.pw).toBe('fooBAR');
    const wrong = await neu.send(fx('domain/domain_info.xml').replace('</domain:name>', '</domain:name><domain:authInfo><domain:pw>nope-nope</domain:pw></domain:authInfo>'));
    expect(wrong.code).toBe(2202);
  });

  it('honours hosts="none" and answers 2303 for unknown names', async () => {
    const r = await the.send(fxWith('domain/domain_info.xml', { 'hosts="all"': 'hosts="none"' }));
    expect(r.resData.infData.ns).toBeUndefined();
    expect(r.resData.infData.host).toBeUndefined();
    const missing = await the.send(fxWith('domain/domain_info.xml', { 'example.tld': 'nosuch.tld' }));
    expect([missing.code, missing.msg]).toEqual([2303, "The domain with given ID (nosuch.tld) doesn't exist."]);
  });
});

describe('domain create', () => {
  it('creates domain_create.xml for two years and refuses a second create (2302)', async () => {
    const r = await neu.send(fx('domain/domain_create.xml', { DOMAIN: 'brandnew.tld' }));
    expect(r.code).toBe(1000);
    expect(r.resData.creData).toMatchObject({ name: 'brandnew.tld', crDate: '2026-01-01T00:00:00.000Z', exDate: '2028-01-01T00:00:00.000Z' });
    expect(sandbox.applied('domain:create')).toBe(1);
    expect((await neu.send(fx('domain/domain_create.xml', { DOMAIN: 'brandnew.tld' }))).code).toBe(2302);
    expect(sandbox.applied('domain:create')).toBe(1);
    const i = await neu.send(fxWith('domain/domain_info.xml', { 'example.tld': 'brandnew.tld' }));
    expect(i.resData.infData.authInfo.pw).toBe('2fooBAR');
    expect(ext(i, 'rgpStatus').rgpStatus).toEqual([{ '@s': 'addPeriod' }]);
  });

  it('applies Nomulus parameter rules', async () => {
    const create = (name: string, replace: Record<string, string> = {}) => neu.send(fxWith('domain/domain_create.xml', replace, { DOMAIN: name }));
    expect((await create('x.example')).code).toBe(2004);
    expect((await create('a.b.tld')).code).toBe(2005);
    expect((await create('ab--cd.tld')).code).toBe(2306);
    expect((await create('ok1.tld', { 'unit="y">2': 'unit="y">11' })).code).toBe(2004);
    expect((await create('ok2.tld', { 'unit="y">2': 'unit="m">2' })).code).toBe(2306);
    expect((await create('ok3.tld', { 'ns1.example.net': 'ns9.nowhere.net' })).code).toBe(2303);
    const attr = await create('ok4.tld', { '<domain:hostObj>ns1.example.net</domain:hostObj>': '<domain:hostAttr><domain:hostName>ns9.nowhere.net</domain:hostName></domain:hostAttr>', '<domain:hostObj>ns2.example.net</domain:hostObj>': '' });
    expect(attr.code).toBe(2102);
    const contacts = await neu.send(fxWith('domain/rfc/domain_create.xml', { 'example.com': 'ok5.tld' }));
    expect([contacts.code, contacts.msg]).toEqual([2306, 'Having a registrant is prohibited by registry policy']);
    const noRegistrant = await neu.send(fxWith('domain/rfc/domain_create.xml', { 'example.com': 'ok6.tld', '<domain:registrant>jd1234</domain:registrant>': '' }));
    expect([noRegistrant.code, noRegistrant.msg]).toEqual([2306, 'Having contacts is prohibited by registry policy']);
    expect(sandbox.applied('domain:create')).toBe(0);
  });

  it('takes secDNS dsData; maxSigLife is unimplemented like in Nomulus (2102)', async () => {
    expect((await neu.send(fx('domain/domain_create_dsdata.xml'))).code).toBe(2302); // example.tld exists
    const dsdata = (name: string) => fxWith('domain/domain_create_dsdata.xml', { 'example.tld': name });
    expect((await neu.send(dsdata('secure.tld'))).code).toBe(2102);
    const r = await neu.send(fxWith('domain/domain_create_dsdata.xml', { 'example.tld': 'secure.tld', '<secDNS:maxSigLife>604800</secDNS:maxSigLife>': '' }));
    expect(r.code).toBe(1000);
    const i = await neu.send(fxWith('domain/domain_info.xml', { 'example.tld': 'secure.tld' }));
    expect(ext(i, 'dsData').dsData).toEqual([{ keyTag: '12345', alg: '3', digestType: '1', digest: '49FD46E6C4B45C55D4AC' }]);
  });
});

describe('domain renew', () => {
  const renew = async (c: RawEppClient, name: string, years: number, curExp?: string) => {
    const cur = curExp ?? day((await info(c, name)).resData.infData.exDate ?? '2000-01-01');
    return c.send(fxWith('domain/domain_renew.xml', { '2000-04-03': cur }, { DOMAIN: name, YEARS: String(years) }));
  };

  it('extends the expiry by the period when curExpDate matches', async () => {
    const before = (await info(neu, 'fakesite.tld')).resData.infData.exDate as string;
    const r = await renew(neu, 'fakesite.tld', 2);
    expect(r.code).toBe(1000);
    const after = new Date(before);
    after.setUTCFullYear(after.getUTCFullYear() + 2);
    expect(r.resData.renData).toEqual({ name: 'fakesite.tld', exDate: after.toISOString() });
    expect(sandbox.applied('domain:renew')).toBe(1);
    // A blind resend with the old curExpDate cannot renew twice.
    expect((await renew(neu, 'fakesite.tld', 2, day(before))).code).toBe(2004);
  });

  it('enforces curExpDate (2004), ten years (2004), sponsorship (2201) and renew prohibitions (2304)', async () => {
    expect((await renew(neu, 'fakesite.tld', 1, '2000-04-03')).code).toBe(2004);
    expect((await renew(neu, 'fakesite.tld', 10)).code).toBe(2004);
    const exp = day((await info(the, 'example.tld')).resData.infData.exDate);
    expect((await renew(neu, 'example.tld', 1, exp)).code).toBe(2201);
    expect((await renew(the, 'locked.tld', 1)).code).toBe(2304);
    expect((await renew(neu, 'nosuch.tld', 1, '2026-01-01')).code).toBe(2303);
  });
});

describe('domain update', () => {
  it('applies domain_update.xml: nameservers, clientHold and authInfo', async () => {
    const r = await the.send(fx('domain/domain_update.xml'));
    expect(r.code).toBe(1000);
    const d = (await info(the, 'example.tld')).resData.infData;
    expect(d.status).toEqual([{ '@s': 'clientHold' }]);
    expect(d.ns.hostObj).toEqual(['ns1.example.tld', 'ns1.example.net', 'ns2.example.foo']);
    expect([d.authInfo.pw, d.upID, d.upDate]).toEqual(['2BARfoo', 'TheRegistrar', '2026-01-01T00:00:00.000Z']);
  });

  it('rejects non-sponsors, server statuses, add+remove of one value, contacts, and missing hosts', async () => {
    expect((await neu.send(fx('domain/domain_update.xml'))).code).toBe(2201);
    expect((await the.send(fxWith('domain/domain_update.xml', { clientHold: 'serverHold' }))).code).toBe(2004);
    const both = fxWith('domain/domain_update.xml', { '<domain:hostObj>ns1.example.foo</domain:hostObj>': '<domain:hostObj>ns2.example.foo</domain:hostObj>' });
    expect((await the.send(both)).code).toBe(2306);
    const rfc = fxWith('domain/rfc/domain_update.xml', { '<domain:name>example.com': '<domain:name>example.tld' });
    expect((await the.send(rfc)).code).toBe(2303); // ns2.example.com does not exist
    const rfcHosts = fxWith('domain/rfc/domain_update.xml', { 'ns2.example.com': 'ns2.example.net', 'ns1.example.com': 'ns1.example.net', 'example.com': 'example.tld' });
    expect((await the.send(rfcHosts)).code).toBe(2306);
    expect(sandbox.applied('domain:update')).toBe(0);
  });

  it('honours clientUpdateProhibited unless the update removes it', async () => {
    const upd = (rem: string) =>
      the.send(`<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><update><domain:update xmlns:domain="urn:ietf:params:xml:ns:domain-1.0">
        <domain:name>locked.tld</domain:name><domain:add><domain:status s="clientHold"/></domain:add>${rem}</domain:update></update></command></epp>`);
    expect((await upd('')).code).toBe(2304);
    expect((await upd('<domain:rem><domain:status s="clientUpdateProhibited"/></domain:rem>')).code).toBe(1000);
  });

  it('adds and removes DS records with secDNS:update', async () => {
    const add = fx('domain/domain_update_dsdata_add.xml', { KEY_TAG: '12346', ALG: '3', DIGEST_TYPE: '1', DIGEST: 'A94A8FE5CCB19BA61C4C0873D391E987982FBBD3' });
    expect((await the.send(add)).code).toBe(1000);
    expect(ext(await info(the, 'example.tld'), 'dsData').dsData).toHaveLength(1);
    const remAll = (v: string) => fxWith('domain/domain_update_dsdata_add.xml', { '<secDNS:add>': `<secDNS:rem><secDNS:all>${v}</secDNS:all></secDNS:rem><secDNS:add>` }, { KEY_TAG: '1', ALG: '8', DIGEST_TYPE: '2', DIGEST: 'AB' });
    expect((await the.send(remAll('false'))).code).toBe(2306);
    expect((await the.send(remAll('true'))).code).toBe(1000);
    expect(ext(await info(the, 'example.tld'), 'dsData').dsData).toEqual([{ keyTag: '1', alg: '8', digestType: '2', digest: 'AB' }]);
    const chg = `<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><update><domain:update xmlns:domain="urn:ietf:params:xml:ns:domain-1.0">
      <domain:name>example.tld</domain:name></domain:update></update><extension><secDNS:update xmlns:secDNS="urn:ietf:params:xml:ns:secDNS-1.1">
      <secDNS:chg><secDNS:maxSigLife>600</secDNS:maxSigLife></secDNS:chg></secDNS:update></extension></command></epp>`;
    expect((await the.send(chg)).code).toBe(2102);
  });
});

describe('domain delete and restore', () => {
  it('deletes within the add grace period at once (1000)', async () => {
    expect((await neu.send(fx('domain/domain_create.xml', { DOMAIN: 'shortlived.tld' }))).code).toBe(1000);
    const r = await neu.send(fxWith('domain/domain_delete.xml', { 'example.tld': 'shortlived.tld' }));
    expect(r.code).toBe(1000);
    expect((await info(neu, 'shortlived.tld')).code).toBe(2303);
  });

  it('puts older domains into pendingDelete/redemptionPeriod (1001) and restores them', async () => {
    const del = await neu.send(fxWith('domain/domain_delete.xml', { 'example.tld': 'test.tld' }));
    expect([del.code, del.msg]).toEqual([1001, 'Command completed successfully; action pending']);
    const pending = await info(neu, 'test.tld');
    expect(pending.resData.infData.status).toEqual([{ '@s': 'pendingDelete' }, { '@s': 'inactive' }]);
    expect(ext(pending, 'rgpStatus').rgpStatus).toEqual([{ '@s': 'redemptionPeriod' }]);
    expect((await neu.send(fxWith('domain/domain_renew.xml', {}, { DOMAIN: 'test.tld', YEARS: '1' }))).code).toBe(2304);
    clock.advance(10 * DAY);
    const restored = await neu.send(fx('domain/domain_update_restore_request.xml', { DOMAIN: 'test.tld' }));
    expect(restored.code).toBe(1000);
    expect(sandbox.applied('domain:restore')).toBe(1);
    const d = (await info(neu, 'test.tld')).resData.infData;
    expect(d.status).toEqual([{ '@s': 'inactive' }]);
    expect(d.exDate).toBe('2027-01-11T00:00:00.000Z');
  });

  it('refuses restore outside the redemption period (2304) or with other changes (2002)', async () => {
    expect((await neu.send(fx('domain/domain_update_restore_request.xml', { DOMAIN: 'fakesite.tld' }))).code).toBe(2304);
    const withChanges = fxWith('domain/domain_update_restore_request.xml', { '<domain:chg/>': '<domain:add><domain:status s="clientHold"/></domain:add>' }, { DOMAIN: 'redeem.tld' });
    expect((await the.send(withChanges)).code).toBe(2002);
    expect((await neu.send(fx('domain/domain_update_restore_request.xml', { DOMAIN: 'redeem.tld' }))).code).toBe(2201);
    expect((await the.send(fx('domain/domain_update_restore_request.xml', { DOMAIN: 'redeem.tld' }))).code).toBe(1000);
  });

  it('purges after redemption and pending delete, with a "Domain deleted." poll message', async () => {
    clock.advance(27 * DAY + 1); // redeem.tld was deleted 3 days before the seed time
    expect((await the.send(fx('domain/domain_update_restore_request.xml', { DOMAIN: 'redeem.tld' }))).code).toBe(2304);
    expect(ext(await info(the, 'redeem.tld'), 'rgpStatus').rgpStatus).toEqual([{ '@s': 'pendingDelete' }]);
    clock.advance(5 * DAY);
    expect((await info(the, 'redeem.tld')).code).toBe(2303);
    // locked.tld auto-renewed meanwhile; its message is older, so it comes first.
    expect(sandbox.pollQueue('TheRegistrar').map((m) => m.msg)).toEqual(['Domain was auto-renewed.', 'Domain deleted.']);
    const first = await the.send(fx('poll/poll.xml'));
    expect((await the.send(fx('poll/poll_ack.xml', { MSGID: first.msgQ!.id }))).msgQ?.count).toBe(1);
    const p = await the.send(fx('poll/poll.xml'));
    expect([p.code, p.msgQ?.msg, p.msgQ?.qDate]).toEqual([1301, 'Domain deleted.', '2026-02-02T00:00:00.000Z']);
    expect(p.resData.panData.name).toEqual({ '#text': 'redeem.tld', '@paResult': '1' });
    expect((await neu.send(fx('domain/domain_create.xml', { DOMAIN: 'redeem.tld' }))).code).toBe(1000);
  });

  it('refuses deletes by non-sponsors (2201), of locked domains (2304) and with subordinate hosts (2305)', async () => {
    expect((await neu.send(fx('domain/domain_delete.xml'))).code).toBe(2201);
    expect((await the.send(fx('domain/domain_delete.xml'))).code).toBe(2305);
    expect((await the.send(fxWith('domain/domain_delete.xml', { 'example.tld': 'locked.tld' }))).code).toBe(2304);
    expect(sandbox.applied('domain:delete')).toBe(0);
  });
});

describe('auto-renew', () => {
  it('renews at expiry and tells the sponsor', async () => {
    clock.advance(31 * DAY); // locked.tld expires 30 days after the seed time
    const p = await the.send(fx('poll/poll.xml'));
    expect([p.code, p.msgQ?.msg]).toEqual([1301, 'Domain was auto-renewed.']);
    expect(p.resData.renData.name).toBe('locked.tld');
    const d = sandbox.domain('locked.tld')!;
    expect(d.expiresAt.toISOString()).toBe('2027-01-31T00:00:00.000Z');
    expect(p.resData.renData.exDate).toBe('2027-01-31T00:00:00.000Z');
  });
});

afterAll(async () => {
  const results = await validateEppMany(received);
  const bad = results.map((r, i) => ({ ...r, xml: received[i] })).filter((r) => !r.valid);
  expect(bad).toEqual([]);
});
