/** Contacts profile (TLD "example"): contact flows and transfers, domains with contacts; nomulus: 2306. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import type { EppSandbox, SandboxAddress } from '../../../src/sandbox/epp/index.js';
import { validateEppMany } from '../../helpers/xsd.js';
import { RawEppClient, fx, fxWith, received, session, startSandbox } from './client.js';

const DAY = 86_400_000;
const clock = new FakeClock('2026-01-01T00:00:00Z');
let sandbox: EppSandbox;
let addr: SandboxAddress;
let the: RawEppClient;
let neu: RawEppClient;

beforeAll(async () => {
  ({ sandbox, addr } = await startSandbox({ profile: 'contacts', clock }));
  the = await session(addr, 'TheRegistrar', 'contacts');
  neu = await session(addr, 'NewRegistrar', 'contacts');
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

const create = () => neu.send(fx('contact/contact_create.xml'));
const contactInfo = (c: RawEppClient, withAuth: string | null) =>
  c.send(withAuth === null ? fxWith('contact/contact_info.xml', { '<contact:authInfo>': '', '<contact:pw>2fooBAR</contact:pw>': '', '</contact:authInfo>': '' }) : fxWith('contact/contact_info.xml', { '2fooBAR': withAuth }));

describe('contact check, create, info', () => {
  it('answers contact_check.xml as contact_check_response.xml', async () => {
    const r = await neu.send(fx('contact/contact_check.xml'));
    const cds = r.resData.chkData.cd.map((cd: { id: { '#text': string; '@avail': string }; reason?: string }) => [cd.id['#text'], cd.id['@avail'], cd.reason]);
    expect(cds).toEqual([
      ['sh8013', '1', undefined],
      ['sah8013', '0', 'In use'],
      ['8013sah', '1', undefined],
    ]);
  });

  it('creates contact_create.xml (then 2302) and shows it as contact_info_response.xml', async () => {
    const r = await create();
    expect(r.code).toBe(1000);
    expect(r.resData.creData).toEqual({ id: 'sh8013', crDate: '2026-01-01T00:00:00.000Z' });
    expect((await create()).code).toBe(2302);
    const info = await neu.send(fx('contact/contact_info.xml'));
    const c = info.resData.infData;
    expect(c.roid).toMatch(/^[0-9A-F]+-ROID$/);
    expect(c.status).toEqual([{ '@s': 'ok' }]);
    expect(c.postalInfo[0]).toMatchObject({ '@type': 'int', name: 'John Doe', org: 'Example Inc.', addr: [{ street: ['123 Example Dr.', 'Suite 100'], city: 'Dulles', sp: 'VA', pc: '20166-6503', cc: 'US' }] });
    expect(c.voice).toEqual({ '#text': '+1.7035555555', '@x': '1234' });
    expect([c.fax, c.email, c.clID, c.crID, c.authInfo.pw]).toEqual(['+1.7035555556', 'jdoe@example.com', 'NewRegistrar', 'NewRegistrar', '2fooBAR']);
    expect(c.disclose).toEqual({ '@flag': '1', voice: '', email: '' });
  });

  it('shows authInfo only to the sponsor or with the right authInfo (2202 otherwise)', async () => {
    await create();
    expect((await contactInfo(the, null)).resData.infData.authInfo).toBeUndefined();
    expect((await contactInfo(the, '2fooBAR')).resData.infData.authInfo.pw).toBe('2fooBAR');
    expect((await contactInfo(the, 'wrong-pw')).code).toBe(2202);
    expect((await neu.send(fxWith('contact/contact_info.xml', { sh8013: 'nobody1' }))).code).toBe(2303);
  });

  it('declines disclose flag="0" (2306) and non-ASCII int postal info (2005)', async () => {
    expect((await neu.send(fxWith('contact/contact_create.xml', { 'flag="1"': 'flag="0"' }))).code).toBe(2306);
    expect((await neu.send(fxWith('contact/contact_create.xml', { 'John Doe': 'Jöhn Døe' }))).code).toBe(2005);
    expect((await neu.send(fxWith('contact/contact_create.xml', { 'type="int"': 'type="loc"', 'John Doe': 'Jöhn Døe' }))).code).toBe(1000);
  });
});

describe('contact update and delete', () => {
  it('applies contact_update.xml', async () => {
    await create();
    expect((await the.send(fx('contact/contact_update.xml'))).code).toBe(2201);
    expect((await neu.send(fx('contact/contact_update.xml'))).code).toBe(1000);
    const c = (await neu.send(fx('contact/contact_info.xml'))).resData.infData;
    expect(c.status).toEqual([{ '@s': 'clientDeleteProhibited' }]);
    expect(c.postalInfo[0]).toMatchObject({ name: 'John Doe', addr: [{ street: ['124 Example Dr.', 'Suite 200'] }] });
    expect(c.postalInfo[0].org).toBeUndefined();
    expect([c.voice, c.fax, c.upID]).toEqual(['+1.7034444444', undefined, 'NewRegistrar']);
    expect((await neu.send(fx('contact/contact_delete.xml'))).code).toBe(2304);
  });

  it('deletes unlinked contacts; linked ones answer 2305', async () => {
    await create();
    expect((await the.send(fx('contact/contact_delete.xml'))).code).toBe(2201);
    expect((await neu.send(fx('contact/contact_delete.xml'))).code).toBe(1000);
    expect((await neu.send(fxWith('contact/contact_delete.xml', { sh8013: 'jd1234' }))).code).toBe(2305);
    const linked = await neu.send(fxWith('contact/contact_info.xml', { sh8013: 'jd1234', '2fooBAR': 'jd1234PW' }));
    expect(linked.resData.infData.status).toEqual([{ '@s': 'ok' }, { '@s': 'linked' }]);
  });
});

describe('contact transfer', () => {
  it('runs request -> poll -> approve like domains, without exDate', async () => {
    await create();
    const req = await the.send(fx('contact/contact_transfer_request.xml'));
    expect(req.code).toBe(1001);
    expect(req.resData.trnData).toEqual({
      id: 'sh8013',
      trStatus: 'pending',
      reID: 'TheRegistrar',
      reDate: '2026-01-01T00:00:00.000Z',
      acID: 'NewRegistrar',
      acDate: '2026-01-06T00:00:00.000Z',
    });
    const p = await neu.send(fx('poll/poll.xml'));
    expect([p.msgQ?.msg, p.resData.trnData.id]).toEqual(['Transfer requested.', 'sh8013']);
    const approve = fxWith('contact/contact_transfer_request.xml', { 'op="request"': 'op="approve"' });
    expect((await the.send(approve)).code).toBe(2201);
    expect((await neu.send(approve)).resData.trnData.trStatus).toBe('clientApproved');
    const won = await the.send(fx('poll/poll.xml'));
    expect([won.msgQ?.msg, won.resData.panData.id['@paResult'], won.resData.trnData.trStatus]).toEqual(['Transfer approved.', '1', 'clientApproved']);
    expect((await the.send(fxWith('contact/contact_info.xml', {}))).resData.infData.clID).toBe('TheRegistrar');
  });

  it('auto-approves after five days; reject and cancel work too', async () => {
    await create();
    await the.send(fx('contact/contact_transfer_request.xml'));
    clock.advance(5 * DAY);
    const q = await the.send(fxWith('contact/contact_transfer_request.xml', { 'op="request"': 'op="query"' }));
    expect(q.resData.trnData.trStatus).toBe('serverApproved');
    const back = fxWith('contact/contact_transfer_request.xml', {});
    expect((await neu.send(back)).code).toBe(1001);
    expect((await the.send(fxWith('contact/contact_transfer_request.xml', { 'op="request"': 'op="reject"' }))).resData.trnData.trStatus).toBe('clientRejected');
    expect((await neu.send(back)).code).toBe(1001);
    expect((await neu.send(fxWith('contact/contact_transfer_request.xml', { 'op="request"': 'op="cancel"' }))).resData.trnData.trStatus).toBe('clientCancelled');
    expect((await neu.send(fxWith('contact/contact_transfer_request.xml', { 'op="request"': 'op="cancel"' }))).code).toBe(2301);
  });
});

describe('domains with contacts', () => {
  const createDomain = (name: string, contacts: string) =>
    neu.send(`<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><create><domain:create xmlns:domain="urn:ietf:params:xml:ns:domain-1.0">
      <domain:name>${name}</domain:name><domain:period unit="y">1</domain:period>${contacts}
      <domain:authInfo><domain:pw>2fooBAR</domain:pw></domain:authInfo></domain:create></create><clTRID>C-1</clTRID></command></epp>`);
  const full = '<domain:registrant>jd1234</domain:registrant><domain:contact type="admin">jd1234</domain:contact><domain:contact type="tech">sah8013</domain:contact>';

  it('requires registrant, admin and tech (2003), existing contacts (2303), one per role (2306)', async () => {
    expect((await createDomain('a1.example', '')).code).toBe(2003);
    expect((await createDomain('a2.example', '<domain:registrant>jd1234</domain:registrant><domain:contact type="admin">jd1234</domain:contact>')).code).toBe(2003);
    expect((await createDomain('a3.example', full.replace('sah8013', 'nobody1'))).code).toBe(2303);
    expect((await createDomain('a4.example', `${full}<domain:contact type="admin">sah8013</domain:contact>`)).code).toBe(2306);
    expect((await createDomain('a5.example', full)).code).toBe(1000);
    const info = await neu.send(fxWith('domain/domain_info.xml', { 'example.tld': 'a5.example' }));
    expect(info.resData.infData.registrant).toBe('jd1234');
    expect(info.resData.infData.contact).toEqual([
      { '#text': 'jd1234', '@type': 'admin' },
      { '#text': 'sah8013', '@type': 'tech' },
    ]);
  });

  it('updates contacts and registrant (rfc/domain_update.xml)', async () => {
    await create(); // sh8013
    const upd = fxWith('domain/rfc/domain_update.xml', {
      '<domain:name>example.com': '<domain:name>example.example',
      'ns2.example.com': 'ns2.example.net',
      'ns1.example.com': 'ns1.example.net',
      mak21: 'jd1234',
      '<domain:contact type="tech">sh8013</domain:contact>\n          <domain:status s="clientUpdateProhibited"/>': '<domain:contact type="tech">sah8013</domain:contact>',
    });
    expect((await the.send(upd)).code).toBe(1000);
    const d = (await the.send(fxWith('domain/domain_info.xml', { 'example.tld': 'example.example' }))).resData.infData;
    expect(d.registrant).toBe('sh8013');
    expect(d.contact).toEqual([
      { '#text': 'sah8013', '@type': 'admin' },
      { '#text': 'jd1234', '@type': 'tech' },
    ]);
  });
});

describe('nomulus profile', () => {
  it('answers 2306 to every contact command', async () => {
    const nomulus = await startSandbox({ profile: 'nomulus' });
    try {
      const c = await session(nomulus.addr, 'NewRegistrar', 'nomulus');
      for (const f of ['contact_check', 'contact_create', 'contact_info', 'contact_update', 'contact_delete', 'contact_transfer_request']) {
        const r = await c.send(fx(`contact/${f}.xml`));
        expect([f, r.code, r.msg]).toEqual([f, 2306, 'Having contacts is prohibited by registry policy']);
      }
      c.close();
    } finally {
      await nomulus.sandbox.stop();
    }
  });
});

afterAll(async () => {
  const results = await validateEppMany(received);
  const bad = results.map((r, i) => ({ ...r, xml: received[i] })).filter((r) => !r.valid);
  expect(bad).toEqual([]);
});
