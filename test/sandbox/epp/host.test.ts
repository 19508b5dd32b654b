/** Host flows (nomulus profile, TLD "tld") driven by the Nomulus host fixtures. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EppSandbox, SandboxAddress } from '../../../src/sandbox/epp/index.js';
import { validateEppMany } from '../../helpers/xsd.js';
import { RawEppClient, fx, fxWith, received, session, startSandbox } from './client.js';

let sandbox: EppSandbox;
let addr: SandboxAddress;
let the: RawEppClient; // sponsors example.tld and so ns1/ns2.example.tld
let neu: RawEppClient;

beforeAll(async () => {
  ({ sandbox, addr } = await startSandbox({ profile: 'nomulus' }));
  the = await session(addr, 'TheRegistrar', 'nomulus');
  neu = await session(addr, 'NewRegistrar', 'nomulus');
});
afterAll(async () => {
  the.close();
  neu.close();
  await sandbox.stop();
});
beforeEach(() => sandbox.reset());

const createHost = (c: RawEppClient, name: string, addrs?: string) => c.send(fx('host/host_create.xml', { HOSTNAME: name, ...(addrs === undefined ? {} : { HOSTADDRS: addrs }) }));
const hostInfo = (c: RawEppClient, name: string) => c.send(fx('host/host_info.xml', { HOSTNAME: name }));

describe('host check and info', () => {
  it('checks host_check.xml', async () => {
    const r = await neu.send(fx('host/host_check.xml'));
    const cds = r.resData.chkData.cd.map((cd: { name: { '#text': string; '@avail': string } }) => [cd.name['#text'], cd.name['@avail']]);
    expect(cds).toEqual([
      ['ns1.example.tld', '0'],
      ['ns2.example.tld', '0'],
      ['ns3.example.tld', '1'],
    ]);
  });

  it('shows addresses, linked status and the superordinate domain\'s sponsor to anyone', async () => {
    const r = await hostInfo(neu, 'ns1.example.tld');
    expect(r.code).toBe(1000);
    const h = r.resData.infData;
    expect(h.status).toEqual([{ '@s': 'ok' }, { '@s': 'linked' }]);
    expect(h.addr).toEqual([
      { '#text': '192.0.2.2', '@ip': 'v4' },
      { '#text': '1080:0:0:0:8:800:200C:417A', '@ip': 'v6' },
    ]);
    expect([h.clID, h.crID]).toEqual(['TheRegistrar', 'TheRegistrar']);
    expect((await hostInfo(neu, 'ns9.example.tld')).code).toBe(2303);
    expect((await hostInfo(neu, 'NS1.example.tld')).code).toBe(2005);
  });
});

describe('host create', () => {
  it('creates subordinate hosts (with addresses) under the caller\'s own domain', async () => {
    const r = await createHost(the, 'ns3.example.tld');
    expect(r.code).toBe(1000);
    expect(r.resData.creData.name).toBe('ns3.example.tld');
    const d = await the.send(fx('domain/domain_info.xml'));
    expect(d.resData.infData.host).toEqual(['ns1.example.tld', 'ns2.example.tld', 'ns3.example.tld']);
    expect((await createHost(the, 'ns3.example.tld')).code).toBe(2302);
  });

  it('creates external hosts without addresses', async () => {
    expect((await createHost(neu, 'ns3.example.net', '')).code).toBe(1000);
    expect((await hostInfo(neu, 'ns3.example.net')).resData.infData).toMatchObject({ clID: 'NewRegistrar', status: [{ '@s': 'ok' }] });
  });

  it('applies Nomulus rules', async () => {
    expect((await createHost(neu, 'ns3.example.tld')).code).toBe(2201); // example.tld is TheRegistrar's
    expect((await createHost(the, 'ns3.example.tld', '')).code).toBe(2003);
    expect((await createHost(neu, 'ns3.example.net')).code).toBe(2004);
    expect((await createHost(neu, 'ns1.nosuch.tld')).code).toBe(2303);
    expect((await createHost(neu, 'example.net', '')).code).toBe(2306);
    expect((await createHost(neu, 'NS3.example.net', '')).code).toBe(2005);
    expect((await createHost(the, 'ns3.example.tld', '<host:addr ip="v4">1080::1</host:addr>')).code).toBe(2004);
    expect((await createHost(the, 'ns3.example.tld', '<host:addr ip="v4">999.1.1.1</host:addr>')).code).toBe(2005);
    expect(sandbox.applied('host:create')).toBe(0);
  });
});

describe('host update', () => {
  it('renames a subordinate host; domains follow the rename', async () => {
    const r = await the.send(fx('host/host_update.xml', { 'NEW-HOSTNAME': 'ns3.example.tld' }));
    expect(r.code).toBe(1000);
    const h = (await hostInfo(the, 'ns3.example.tld')).resData.infData;
    expect(h.status.map((s: { '@s': string }) => s['@s'])).toEqual(['clientUpdateProhibited', 'linked']);
    expect(h.addr.map((a: { '#text': string }) => a['#text'])).toEqual(['192.0.2.2', '1080:0:0:0:8:800:200C:417A', '192.0.2.29']);
    const d = await the.send(fx('domain/domain_info.xml'));
    expect(d.resData.infData.ns.hostObj[0]).toBe('ns3.example.tld');
    // clientUpdateProhibited is now set.
    expect((await the.send(fx('host/host_update.xml', { 'OLD-HOSTNAME': 'ns3.example.tld', 'NEW-HOSTNAME': 'ns4.example.tld' }))).code).toBe(2304);
  });

  it('applies Nomulus rules', async () => {
    expect((await neu.send(fx('host/host_update.xml'))).code).toBe(2201);
    expect((await the.send(fx('host/host_update.xml'))).code).toBe(2302); // ns2.example.tld exists
    const external = fx('host/host_update.xml', { 'OLD-HOSTNAME': 'ns1.example.net', 'NEW-HOSTNAME': 'ns5.example.net', 'ADD-HOSTADDRSORSTATUS': '', 'REM-HOSTADDRSORSTATUS': '' });
    expect((await the.send(external)).code).toBe(2304); // cannot rename an external host
    const toExternal = fx('host/host_update.xml', { 'NEW-HOSTNAME': 'ns5.example.net', 'ADD-HOSTADDRSORSTATUS': '', 'REM-HOSTADDRSORSTATUS': '' });
    expect((await the.send(toExternal)).code).toBe(2004); // must drop its addresses
    const both = fx('host/host_update.xml', { 'NEW-HOSTNAME': 'ns5.example.tld', 'REM-HOSTADDRSORSTATUS': '<host:addr ip="v4">192.0.2.29</host:addr>' });
    expect((await the.send(both)).code).toBe(2306);
    const server = fx('host/host_update.xml', { 'NEW-HOSTNAME': 'ns5.example.tld', 'ADD-HOSTADDRSORSTATUS': '<host:status s="serverUpdateProhibited"/>' });
    expect((await the.send(server)).code).toBe(2004);
    const allGone = fxWith(
      'host/host_update.xml',
      { '<host:status s="clientUpdateProhibited"/>': '' },
      { 'OLD-HOSTNAME': 'ns2.example.tld', 'NEW-HOSTNAME': 'ns2.example.tld', 'ADD-HOSTADDRSORSTATUS': '', 'REM-HOSTADDRSORSTATUS': '<host:addr ip="v4">192.0.2.29</host:addr>' },
    );
    expect((await the.send(allGone)).code).toBe(2304);
  });
});

describe('host delete', () => {
  it('deletes unlinked hosts; linked ones answer 2305', async () => {
    expect((await the.send(fx('host/host_delete.xml'))).code).toBe(2305);
    expect((await the.send(fx('host/host_delete.xml', { HOSTNAME: 'ns2.example.foo' }))).code).toBe(2201);
    const r = await neu.send(fx('host/host_delete.xml', { HOSTNAME: 'ns2.example.foo' }));
    expect(r.code).toBe(1000);
    expect((await hostInfo(neu, 'ns2.example.foo')).code).toBe(2303);
    expect(sandbox.applied('host:delete')).toBe(1);
  });

  it('lets a domain with subordinate hosts be deleted once they are gone', async () => {
    // Unlink ns1.example.tld from example.tld, delete both subordinates, then the domain.
    const unlink = fxWith('domain/domain_update.xml', {
      '<domain:hostObj>ns2.example.foo</domain:hostObj>': '<domain:hostObj>ns2.example.net</domain:hostObj>',
      '<domain:hostObj>ns1.example.foo</domain:hostObj>': '<domain:hostObj>ns1.example.tld</domain:hostObj>',
    });
    expect((await the.send(unlink)).code).toBe(1000);
    expect((await the.send(fx('host/host_delete.xml', { HOSTNAME: 'ns1.example.tld' }))).code).toBe(1000);
    expect((await the.send(fx('host/host_delete.xml', { HOSTNAME: 'ns2.example.tld' }))).code).toBe(1000);
    expect((await the.send(fx('domain/domain_delete.xml'))).code).toBe(1001);
  });
});

afterAll(async () => {
  const results = await validateEppMany(received);
  const bad = results.map((r, i) => ({ ...r, xml: received[i] })).filter((r) => !r.valid);
  expect(bad).toEqual([]);
});
