/**
 * Every incoming frame is validated against epp-all.xsd, as Nomulus validates every command with
 * its schemas: a violation answers 2001 "Command syntax error" (RFC 5730 section 3) with the
 * reason in <extValue>, and nothing is applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaViolation } from '../../../src/sandbox/epp/schema.js';
import type { EppSandbox, SandboxAddress } from '../../../src/sandbox/epp/index.js';
import { allFixtures } from '../../helpers/epp-fixtures.js';
import { validateEppMany } from '../../helpers/xsd.js';
import { RawEppClient, fx, fxWith, loginXml, received, session, startSandbox, URI } from './client.js';

let sandbox: EppSandbox;
let addr: SandboxAddress;
let neu: RawEppClient;
let the: RawEppClient;

beforeAll(async () => {
  ({ sandbox, addr } = await startSandbox({ profile: 'nomulus' }));
  neu = await session(addr, 'NewRegistrar', 'nomulus');
  the = await session(addr, 'TheRegistrar', 'nomulus');
});
afterAll(async () => {
  neu.close();
  the.close();
  await sandbox.stop();
});

const create = (name: string) => fx('domain/domain_create.xml', { DOMAIN: name });

describe('schema violations answer 2001 and change nothing', () => {
  it('an extra <domain:bogus/> in a create', async () => {
    const xml = create('bogus1.tld').replace('</domain:create>', '<domain:bogus/></domain:create>');
    const r = await neu.send(xml);
    expect([r.code, r.msg, r.clTRID]).toEqual([2001, 'Command syntax error', 'ABC-12345']);
    expect(r.reasons).toEqual(["Element 'domain:bogus': This element is not expected."]);
    expect(r.xml).toContain('<value><domain:bogus xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"/></value>');
    expect(sandbox.domain('bogus1.tld')).toBeUndefined();
  });

  it('authInfo before period in a create', async () => {
    const ok = create('order1.tld');
    const period = /<domain:period[^>]*>[^<]*<\/domain:period>/.exec(ok)![0];
    const auth = /<domain:authInfo>[\s\S]*?<\/domain:authInfo>/.exec(ok)![0];
    const swapped = ok.replace(period, '').replace(auth, `${auth}${period}`);
    const r = await neu.send(swapped);
    expect(r.code).toBe(2001);
    expect(r.reasons[0]).toMatch(/^Element 'domain:period': This element is not expected/);
    expect(sandbox.domain('order1.tld')).toBeUndefined();
    expect((await neu.send(ok)).code).toBe(1000); // the same command in schema order is applied
  });

  it('an empty <host:chg/>, and a <domain:chg/> placed before <domain:add>', async () => {
    const host = await the.send(
      `<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><update><host:update xmlns:host="${URI.host}">
        <host:name>ns1.example.tld</host:name><host:chg/></host:update></update><clTRID>CHG-1</clTRID></command></epp>`,
    );
    expect([host.code, host.clTRID]).toEqual([2001, 'CHG-1']);
    expect(host.reasons[0]).toMatch(/^Element 'host:chg': Missing child element\(s\)/);
    const domain = await the.send(
      `<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><update><domain:update xmlns:domain="${URI.domain}">
        <domain:name>example.tld</domain:name><domain:chg/><domain:add><domain:status s="clientHold"/></domain:add>
        </domain:update></update><clTRID>CHG-2</clTRID></command></epp>`,
    );
    expect(domain.code).toBe(2001);
    expect(sandbox.domain('example.tld')!.statuses).not.toContain('clientHold');
  });

  it('an empty <domain:chg/> on its own is valid (Nomulus sends it with every restore request)', async () => {
    sandbox.reset();
    const r = await the.send(fx('domain/domain_update_restore_request.xml', { DOMAIN: 'redeem.tld' }));
    expect(r.code).toBe(1000);
  });

  it('the reason never quotes what the client sent', async () => {
    const secret = 'Sup3r-Secret-Passw0rd-Far-Too-Long';
    const c = await RawEppClient.connect(addr);
    const login = await c.send(loginXml('NewRegistrar', secret, [URI.domain]));
    const period = await neu.send(create('unit1.tld').replace('unit="y"', 'unit="Sup3rSecret"'));
    c.close();
    expect([login.code, period.code]).toEqual([2001, 2001]);
    expect(login.reasons[0]).toMatch(/^Element 'epp:pw': \[facet 'maxLength'\]/);
    expect(period.reasons[0]).toMatch(/^Element 'domain:period', attribute 'unit': \[facet 'enumeration'\] The value is not an element of the set/);
    expect(login.xml + period.xml).not.toMatch(/Sup3r/);
  });

  it('not well-formed and non-EPP documents: 2001 with a reason', async () => {
    const broken = await neu.send('<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command>');
    expect([broken.code, broken.reasons.length]).toEqual([2001, 1]);
    const foreign = await neu.send('<foo/>');
    expect(foreign.code).toBe(2001);
    expect(foreign.reasons[0]).toMatch(/^Element 'foo': No matching global declaration/);
  });

  it('every answer, 2001 included, is itself valid EPP', async () => {
    const results = await validateEppMany(received);
    expect(results.flatMap((r, i) => (r.valid ? [] : [`${received[i]!.slice(0, 200)}: ${r.errors.join('; ')}`]))).toEqual([]);
  });
});

describe('what registries send and accept stays valid', () => {
  it('every Nomulus request fixture passes the sandbox schema check', () => {
    const requests = allFixtures().filter((f) => !/response|greeting/.test(f));
    expect(requests.length).toBeGreaterThan(25);
    const invalid = requests.flatMap((f) => {
      const v = schemaViolation(fx(f));
      return v ? [`${f}: ${v.reason}`] : [];
    });
    expect(invalid).toEqual([]);
  });

  it('a fixture with an unknown extension is schema-valid: the flow answers it, not the schema check', async () => {
    const r = await neu.send(fxWith('domain/domain_create_fee.xml', {}, { DOMAIN: 'fee1.tld' }));
    expect(r.code).not.toBe(2001);
  });
});
