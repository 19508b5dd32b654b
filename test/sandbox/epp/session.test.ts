/** Sessions over real TLS: greeting, hello, login/logout rules, framing, XSD validity of every frame. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EppSandbox, SandboxAddress } from '../../../src/sandbox/epp/index.js';
import { validateEppMany } from '../../helpers/xsd.js';
import { PASSWORDS, RawEppClient, URI, frame, fx, loginXml, parseGreeting, readResponse, received, session, startSandbox } from './client.js';

let sandbox: EppSandbox;
let addr: SandboxAddress;

beforeAll(async () => {
  ({ sandbox, addr } = await startSandbox({ profile: 'nomulus' }));
});
afterAll(async () => {
  await sandbox.stop();
});
beforeEach(() => sandbox.reset());

describe('greeting', () => {
  it('is sent on connect and on hello, offering domain and host only in the nomulus profile', async () => {
    const c = await RawEppClient.connect(addr);
    const g = parseGreeting(c.greeting);
    expect(g.svID).toBe('Nomulus Registry');
    expect(g.svcMenu.objURI).toEqual([URI.host, URI.domain]);
    expect(g.svcMenu.svcExtension.extURI).toEqual([URI.rgp, URI.secDNS]);
    c.write(frame(fx('session/hello.xml')));
    const again = parseGreeting(await c.next());
    expect(again.svcMenu.objURI).toEqual([URI.host, URI.domain]);
    c.close();
  });

  it('offers contact objects in the contacts profile', async () => {
    const other = await startSandbox({ profile: 'contacts' });
    try {
      const c = await RawEppClient.connect(other.addr);
      expect(parseGreeting(c.greeting).svcMenu.objURI).toEqual([URI.domain, URI.contact, URI.host]);
      c.close();
    } finally {
      await other.sandbox.stop();
    }
  });
});

describe('login and logout', () => {
  it('accepts the Nomulus login fixture and logs out with 1500, closing the connection', async () => {
    const c = await RawEppClient.connect(addr);
    const r = await c.send(fx('session/login_valid.xml'));
    expect([r.code, r.clTRID]).toEqual([1000, 'ABC-12345']);
    expect(r.svTRID).toMatch(/^SBX-/);
    const out = await c.send(fx('session/logout.xml'));
    expect([out.code, out.msg]).toEqual([1500, 'Command completed successfully; ending session']);
    await c.closed;
  });

  it('answers 2002 to commands before login and to a second login', async () => {
    const c = await RawEppClient.connect(addr);
    expect((await c.send(fx('domain/domain_info.xml'))).code).toBe(2002);
    expect((await c.send(fx('poll/poll.xml'))).code).toBe(2002);
    expect((await c.send(fx('session/logout.xml'))).code).toBe(2002);
    expect((await c.send(fx('session/login_valid.xml'))).code).toBe(1000);
    expect((await c.send(fx('session/login_valid.xml'))).code).toBe(2002);
    c.close();
  });

  it('rejects bad credentials (2200), unknown services (2307/2103), and closes after three failures (2501)', async () => {
    const c = await RawEppClient.connect(addr);
    expect((await c.send(loginXml('NewRegistrar', 'wrong-pw', [URI.domain]))).code).toBe(2200);
    expect((await c.send(loginXml('NoSuchRegistrar', 'whatever', [URI.domain]))).code).toBe(2200);
    expect((await c.send(loginXml('NewRegistrar', PASSWORDS.NewRegistrar!, [URI.contact]))).code).toBe(2307);
    expect((await c.send(loginXml('NewRegistrar', PASSWORDS.NewRegistrar!, [URI.domain], ['urn:ietf:params:xml:ns:fee-0.6']))).code).toBe(2103);
    const third = await c.send(loginXml('TheRegistrar', 'wrong-pw', [URI.domain]));
    expect(third.code).toBe(2501);
    await c.closed;
  });

  it('changes the password with newPW; reset() restores it', async () => {
    const c = await RawEppClient.connect(addr);
    expect((await c.send(fx('session/login_set_new_password.xml'))).code).toBe(1000);
    c.close();
    const c2 = await RawEppClient.connect(addr);
    expect((await c2.send(fx('session/login_valid.xml'))).code).toBe(2200);
    sandbox.reset();
    expect((await c2.send(fx('session/login_valid.xml'))).code).toBe(1000);
    c2.close();
  });

  it('requires extensions to be declared at login (2002)', async () => {
    const c = await RawEppClient.connect(addr);
    expect((await c.send(loginXml('NewRegistrar', PASSWORDS.NewRegistrar!, [URI.domain], []))).code).toBe(1000);
    const r = await c.send(fx('domain/domain_create_dsdata.xml'));
    expect([r.code, r.msg]).toEqual([2002, 'Service extension(s) must be declared at login.']);
    c.close();
  });
});

describe('configuration', () => {
  it('serves the configured TLDs, seeds under the first, and can start empty', async () => {
    const multi = await startSandbox({ profile: 'nomulus', tlds: ['.dev', 'co.dev'], seed: false });
    try {
      const c = await session(multi.addr, 'NewRegistrar', 'nomulus');
      const check = (names: string) => c.send(fx('domain/domain_check.xml').replace('example.com', names).replace('example.net', 'b.dev').replace('example.org', 'c.co.dev'));
      const r = await check('example.dev');
      expect(r.code).toBe(1000);
      expect(r.resData.chkData.cd.map((cd: { name: { '@avail': string } }) => cd.name['@avail'])).toEqual(['1', '1', '1']);
      expect((await check('example.tld')).code).toBe(2004);
      expect(multi.sandbox.tlds).toEqual(['dev', 'co.dev']);
      c.close();
    } finally {
      await multi.sandbox.stop();
    }
    expect(sandbox.domain('example.tld')?.sponsor).toBe('TheRegistrar');
  });
});

describe('framing and syntax', () => {
  it('reassembles a frame split across writes and answers several frames sent in one chunk', async () => {
    const c = await session(addr, 'NewRegistrar', 'nomulus');
    const f = frame(fx('domain/domain_check.xml'));
    c.write(f.subarray(0, 3));
    await new Promise((r) => setTimeout(r, 20));
    c.write(f.subarray(3, 50));
    await new Promise((r) => setTimeout(r, 20));
    c.write(f.subarray(50));
    expect(readResponse(await c.next()).code).toBe(2004); // example.com: no such TLD here
    c.write(Buffer.concat([frame(fx('session/hello.xml')), frame(fx('poll/poll.xml')), frame(fx('domain/domain_info.xml'))]));
    expect(parseGreeting(await c.next()).svID).toBe('Nomulus Registry');
    expect(readResponse(await c.next()).code).toBe(1300);
    expect(readResponse(await c.next()).code).toBe(1000);
    c.close();
  });

  it('answers 2500 and closes on an oversize or malformed length header', async () => {
    const small = await startSandbox({ profile: 'nomulus', maxFrameBytes: 2048 });
    try {
      const c = await RawEppClient.connect(small.addr);
      c.write(frame(`<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><hello/></epp>${' '.repeat(4096)}`));
      expect(readResponse(await c.next()).code).toBe(2500);
      await c.closed;
      const d = await RawEppClient.connect(small.addr);
      d.write(Buffer.from([0, 0, 0, 2]));
      expect(readResponse(await d.next()).code).toBe(2500);
      await d.closed;
    } finally {
      await small.sandbox.stop();
    }
  });

  it('answers 2001 to malformed XML, non-EPP documents and unknown object services (schema), echoing a valid clTRID', async () => {
    const c = await session(addr, 'NewRegistrar', 'nomulus');
    expect((await c.send('<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command>')).code).toBe(2001);
    expect((await c.send('<foo/>')).code).toBe(2001);
    expect((await c.send('<!DOCTYPE epp [<!ENTITY x "y">]><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><hello/></epp>')).code).toBe(2001);
    const unknownObj = await c.send(
      '<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><info><x:info xmlns:x="urn:example:obj"/></info><clTRID>T-1</clTRID></command></epp>',
    );
    // epp-1.0.xsd's strict wildcard admits only objects whose schema the registry has (as Nomulus validates).
    expect([unknownObj.code, unknownObj.clTRID]).toEqual([2001, 'T-1']);
    c.close();
  });

  it('resolves namespace prefixes: default namespaces and arbitrary prefixes work alike', async () => {
    const c = await session(addr, 'TheRegistrar', 'nomulus');
    const def = await c.send(
      `<e:epp xmlns:e="urn:ietf:params:xml:ns:epp-1.0"><e:command><e:info><info xmlns="${URI.domain}"><name>example.tld</name></info></e:info><e:clTRID>P-1</e:clTRID></e:command></e:epp>`,
    );
    expect(def.code).toBe(1000);
    expect(def.resData.infData.clID).toBe('TheRegistrar');
    const wrongNs = await c.send(
      `<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><info><d:info xmlns:d="${URI.host}"><d:name>example.tld</d:name></d:info></info></command></epp>`,
    );
    expect(wrongNs.code).toBe(2303); // a host info, not a domain info
    expect(wrongNs.clTRID).toBeUndefined();
    c.close();
  });
});

afterAll(async () => {
  const results = await validateEppMany(received);
  const bad = results.map((r, i) => ({ ...r, xml: received[i] })).filter((r) => !r.valid);
  expect(bad).toEqual([]);
  expect(received.length).toBeGreaterThan(20);
});
