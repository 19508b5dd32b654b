/** XML codec: namespace resolution, builder escaping, redaction, framing, clTRIDs, result mapping. */
import { describe, expect, test } from 'vitest';
import * as domainCreate from '../../../../src/backends/epp/commands/domain-create.js';
import * as domainInfo from '../../../../src/backends/epp/commands/domain-info.js';
import * as domainRenew from '../../../../src/backends/epp/commands/domain-renew.js';
import * as domainTransfer from '../../../../src/backends/epp/commands/domain-transfer.js';
import * as domainUpdate from '../../../../src/backends/epp/commands/domain-update.js';
import * as hostCreate from '../../../../src/backends/epp/commands/host-create.js';
import * as login from '../../../../src/backends/epp/commands/login.js';
import { errorFor, ensureSuccess } from '../../../../src/backends/epp/result.js';
import { FrameDecoder, FramingError, encodeFrame } from '../../../../src/backends/epp/session/framing.js';
import { ClTridGenerator } from '../../../../src/backends/epp/session/trid.js';
import { el, leaf, toXml } from '../../../../src/backends/epp/xml/build.js';
import { parseFrame, parseResponse } from '../../../../src/backends/epp/xml/envelope.js';
import { NS } from '../../../../src/backends/epp/xml/namespaces.js';
import { parseXml, parseXmlWithFastXmlParser } from '../../../../src/backends/epp/xml/parse.js';
import { allFixtures, fixture } from '../../../helpers/epp-fixtures.js';
import { MASK, maskSecrets, redact } from '../../../../src/backends/epp/xml/redact.js';
import { EppProtocolError, type XmlElement } from '../../../../src/backends/epp/xml/tree.js';
import { FakeClock } from '../../../../src/core/clock.js';
import {
  AssociationProhibitsError,
  AuthorizationError,
  CommandSyntaxError,
  ObjectExistsError,
  ObjectNotFoundError,
  ParameterPolicyError,
  StatusProhibitsError,
  UpstreamFailureError,
  ValidationError,
} from '../../../../src/core/errors.js';

const TRID = '<trID><clTRID>ABC-1</clTRID><svTRID>SV-1</svTRID></trID>';

describe('namespace-aware parsing', () => {
  test('any prefix and default namespaces resolve to the same elements', () => {
    const xml = `<?xml version="1.0"?>
      <e:epp xmlns:e="${NS.epp}"><e:response><e:result code="1000"><e:msg>ok</e:msg></e:result>
        <e:resData><infData xmlns="${NS.domain}"><name>xn--bcher-kva.example</name><roid>D1-EX</roid>
          <status s="clientHold">held</status><status s="serverUpdateProhibited"/>
          <registrant>reg1</registrant><contact type="admin">adm1</contact><contact type="tech">tec1</contact>
          <ns><hostAttr><hostName>ns1.xn--bcher-kva.example</hostName><hostAddr ip="v4">192.0.2.1</hostAddr><hostAddr ip="v6">2001:db8::1</hostAddr><hostAddr>192.0.2.2</hostAddr></hostAttr>
              <hostAttr><hostName>ns.other.net</hostName></hostAttr></ns>
          <clID>TheRegistrar</clID><exDate>2030-01-01T00:00:00Z</exDate></infData></e:resData>
        <e:extension>
          <s:infData xmlns:s="${NS.secDNS}"><s:maxSigLife>3600</s:maxSigLife><s:keyData><s:flags>257</s:flags><s:protocol>3</s:protocol><s:alg>13</s:alg><s:pubKey>AQID</s:pubKey></s:keyData></s:infData>
          <r:infData xmlns:r="${NS.rgp}"><r:rgpStatus s="addPeriod"/><r:rgpStatus s="autoRenewPeriod"/></r:infData>
        </e:extension>
        <e:trID><e:clTRID>ABC-1</e:clTRID><e:svTRID>SV-1</e:svTRID></e:trID></e:response></e:epp>`;
    const d = domainInfo.parse(parseResponse(xml));
    expect(d).toMatchObject({
      name: 'xn--bcher-kva.example',
      statuses: ['clientHold', 'serverUpdateProhibited'],
      rgpStatuses: ['addPeriod', 'autoRenewPeriod'],
      registrant: 'reg1',
      contacts: [
        { role: 'admin', id: 'adm1' },
        { role: 'tech', id: 'tec1' },
      ],
      nameservers: [
        { name: 'ns1.xn--bcher-kva.example', ipv4: ['192.0.2.1', '192.0.2.2'], ipv6: ['2001:db8::1'] },
        { name: 'ns.other.net', ipv4: [], ipv6: [] },
      ],
      subordinateHosts: [],
      dnssec: { maxSigLife: 3600, dsData: [], keyData: [{ flags: 257, protocol: 3, algorithm: 13, publicKey: 'AQID' }] },
      sponsor: 'TheRegistrar',
      authInfo: null,
      createdAt: null,
    });
  });

  test('a prefix bound to another namespace is not mistaken for domain:', () => {
    const xml = `<epp xmlns="${NS.epp}"><response><result code="1000"><msg>ok</msg></result><resData>
      <domain:infData xmlns:domain="urn:example:not-domain"><domain:name>x</domain:name></domain:infData></resData>${TRID}</response></epp>`;
    expect(() => domainInfo.parse(parseResponse(xml))).toThrow(EppProtocolError);
  });

  test('a prefix may be redeclared on a child element', () => {
    const xml = `<x:epp xmlns:x="${NS.epp}"><x:response><x:result code="1000"><x:msg>ok</x:msg></x:result>
      <x:resData><x:renData xmlns:x="${NS.domain}"><x:name>a.tld</x:name><x:exDate>2031-02-03T04:05:06Z</x:exDate></x:renData></x:resData>
      <x:trID><x:svTRID>SV-9</x:svTRID></x:trID></x:response></x:epp>`;
    expect(domainRenew.parse(parseResponse(xml))).toEqual({ name: 'a.tld', expiresAt: new Date('2031-02-03T04:05:06Z') });
  });

  test('attributes: by local name when unprefixed, {uri}local when prefixed (xml: built in); xmlns declarations are not attributes', () => {
    const root = parseXml(`<?xml version="1.0"?>\n<q:a xmlns:q="urn:q" xmlns="urn:d" code="7" xml:lang="en" q:s="x"><b/></q:a>\n`);
    expect(root).toMatchObject({ ns: 'urn:q', name: 'a', attrs: { code: '7', '{http://www.w3.org/XML/1998/namespace}lang': 'en', '{urn:q}s': 'x' } });
    expect(Object.keys(root.attrs)).toHaveLength(3);
    expect(root.children.map((c) => [c.ns, c.name])).toEqual([['urn:d', 'b']]);
  });

  test('saxes and fast-xml-parser read every Nomulus fixture (requests and responses) to the same tree', () => {
    // saxes normalises white space in attribute values as XML 1.0 (3.3.3) says; fast-xml-parser keeps it as written.
    const normalised = (e: XmlElement): XmlElement => ({
      ...e,
      attrs: Object.fromEntries(Object.entries(e.attrs).map(([k, v]) => [k, v.replace(/[\t\n\r]/g, ' ')])),
      children: e.children.map(normalised),
    });
    const all = allFixtures();
    expect(all.length).toBeGreaterThan(80);
    for (const rel of all) expect(parseXml(fixture(rel)), rel).toEqual(normalised(parseXmlWithFastXmlParser(fixture(rel))));
  });

  test('entities, numeric character references and CDATA are decoded', () => {
    const root = parseXml(`<a xmlns="urn:x"><b>A &amp; B &#x263A; &#65;</b><c><![CDATA[<raw>&]]></c></a>`);
    expect(root.children.map((c) => c.text)).toEqual(['A & B \u263A A', '<raw>&']);
  });

  test('HTML named entities decode; entities a DOCTYPE declares hold for that document only (one decoder serves every document)', () => {
    expect(parseXml(`<a xmlns="urn:x">&copy; 5&euro;&nbsp;</a>`).text).toBe('\u00a9 5\u20ac\u00a0');
    const declared = parseXml(`<!DOCTYPE a [<!ENTITY who "Registrar">]><a xmlns="urn:x">&who;</a>`);
    expect(declared.text).toBe('Registrar');
    expect(parseXml(`<a xmlns="urn:x">&who;</a>`).text).toBe('&who;');
  });

  test('malformed XML, undeclared prefixes, non-EPP documents are protocol errors', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(EppProtocolError);
    expect(() => parseXml('<p:a/>')).toThrow(/undeclared namespace prefix/);
    expect(() => parseXml('<a xmlns="urn:x" p:b="1"/>')).toThrow(/undeclared namespace prefix "p"/);
    // Well-formedness beyond matching tags: one document element, unique attributes, no text outside.
    expect(() => parseXml('<a/><b/>')).toThrow(EppProtocolError);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(EppProtocolError);
    expect(() => parseXml('<a/>text')).toThrow(EppProtocolError);
    expect(() => parseXml('')).toThrow(EppProtocolError);
    expect(() => parseXml('<a><b></b>')).toThrow(EppProtocolError);
    expect(() => parseFrame('<epp xmlns="urn:other"><response/></epp>')).toThrow(EppProtocolError);
    expect(() => parseResponse(`<epp xmlns="${NS.epp}"><response>${TRID}</response></epp>`)).toThrow(/no <result>/);
    expect(new EppProtocolError('x')).toBeInstanceOf(UpstreamFailureError);
  });
});

describe('builder', () => {
  test('values are escaped and round-trip through the parser', () => {
    const nasty = `a<b>&"c'</epp>]]>`;
    const xml = toXml(el('epp', { xmlns: NS.epp, note: nasty }, leaf('x', nasty)));
    const root = parseXml(xml);
    expect(root.attrs['note']).toBe(nasty);
    expect(root.children[0]!.text).toBe(nasty);
  });

  test('characters XML cannot carry are refused before sending', () => {
    expect(() => login.build({ clientId: 'a\u0000b', password: 'x', objURIs: [], extURIs: [] }, 'C-1')).toThrow(ValidationError);
  });

  test('IDN U-labels become A-labels; trailing dots go', () => {
    const xml = hostCreate.build({ name: 'NS1.Bücher.example.', ipv4: [], ipv6: [] }, 'C-1');
    expect(parseXml(xml).children[0]!.children[0]!.children[0]!.children[0]!.text).toBe('ns1.xn--bcher-kva.example');
  });

  test('input checks: period range, addresses, transfer authInfo, DNSSEC interfaces, empty update', () => {
    const base = { name: 'a.tld', contacts: [], nameservers: [], authInfo: 'pw123456' };
    expect(() => domainCreate.build({ ...base, period: { value: 100, unit: 'y' } }, { hostObjects: true }, 'C-1')).toThrow(ValidationError);
    expect(() => hostCreate.build({ name: 'ns.a.tld', ipv4: ['2001:db8::1'], ipv6: [] }, 'C-1')).toThrow(/not an IPv4/);
    expect(() => domainTransfer.build('request', 'a.tld', {}, 'C-1')).toThrow(/authInfo/);
    const k = { flags: 257, protocol: 3, algorithm: 13, publicKey: 'AQID' };
    const ds = { keyTag: 1, algorithm: 13, digestType: 2, digest: 'AA' };
    expect(() =>
      domainCreate.build({ ...base, period: { value: 1, unit: 'y' }, dnssec: { dsData: [ds], keyData: [k] } }, { hostObjects: true }, 'C-1'),
    ).toThrow(/either DS data or key data/);
    const none = { statuses: [], contacts: [], nameservers: [] };
    expect(() => domainUpdate.build({ name: 'a.tld', add: none, remove: none }, { hostObjects: true }, 'C-1')).toThrow(/nothing to update/);
  });

  test('renew sends the date part of the current expiry', () => {
    const xml = domainRenew.build({ name: 'a.tld', currentExpiry: new Date('2027-03-04T23:59:59Z'), period: { value: 1, unit: 'y' } }, 'C-1');
    const renew = parseXml(xml).children[0]!.children[0]!.children[0]!;
    expect(renew.children.map((c) => [c.name, c.text])).toEqual([
      ['name', 'a.tld'],
      ['curExpDate', '2027-03-04'],
      ['period', '1'],
    ]);
  });
});

describe('redact', () => {
  test('masks login pw/newPW and authInfo content, whatever the prefix', () => {
    const xml = `<epp xmlns="${NS.epp}"><command><login><clID>NewRegistrar</clID><pw>loginPw99</pw><newPW>newPw99</newPW></login>
      <x:authInfo xmlns:x="${NS.domain}"><x:pw roid="R-1">domPw99</x:pw></x:authInfo>
      <contact:authInfo xmlns:contact="${NS.contact}"><contact:ext><o:tok xmlns:o="urn:o">extTok99</o:tok></contact:ext></contact:authInfo>
      <clTRID>ABC-1</clTRID></command></epp>`;
    const out = redact(xml);
    for (const s of ['loginPw99', 'newPw99', 'domPw99', 'extTok99']) expect(out).not.toContain(s);
    expect(out).toContain('NewRegistrar');
    expect(out).toContain('ABC-1');
    expect(out.split(MASK).length - 1).toBe(4);
  });

  test('an unparseable frame is not echoed', () => {
    const out = redact('<epp><pw>leakMe99</epp');
    expect(out).not.toContain('leakMe99');
    expect(out).toMatch(/unparseable/);
  });

  test('maskSecrets replaces every occurrence', () => {
    expect(maskSecrets('pw s3cret and s3cret', ['s3cret', null, undefined, ''])).toBe(`pw ${MASK} and ${MASK}`);
  });
});

describe('framing (RFC 5734)', () => {
  test('the length counts its own 4 bytes', () => {
    const f = encodeFrame('<epp/>é');
    expect(f.readUInt32BE(0)).toBe(4 + Buffer.byteLength('<epp/>é'));
  });

  test('several frames in one chunk, and a frame split byte by byte', () => {
    const a = encodeFrame('<one/>');
    const b = encodeFrame('<twö/>');
    const c = encodeFrame('<three/>');
    const dec = new FrameDecoder();
    expect(dec.push(Buffer.concat([a, b, c.subarray(0, 3)]))).toEqual(['<one/>', '<twö/>']);
    const got: string[] = [];
    for (const byte of c.subarray(3)) got.push(...dec.push(Buffer.from([byte])));
    expect(got).toEqual(['<three/>']);
    expect(dec.pending).toBe(0);
  });

  test('a large frame in many chunks, the next frame starting inside the last chunk', () => {
    const big = `<epp>${'<x>é</x>'.repeat(200_000)}</epp>`;
    const wire = Buffer.concat([encodeFrame(big), encodeFrame('<next/>')]);
    const dec = new FrameDecoder();
    const got: string[] = [];
    for (let i = 0; i < wire.length; i += 16_381) got.push(...dec.push(wire.subarray(i, i + 16_381)));
    expect(got).toEqual([big, '<next/>']);
    expect(dec.pending).toBe(0);
  });

  test('a bad length is a framing error', () => {
    const dec = new FrameDecoder(1024);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(2);
    expect(() => dec.push(head)).toThrow(FramingError);
    head.writeUInt32BE(4096);
    expect(() => new FrameDecoder(1024).push(head)).toThrow(FramingError);
  });
});

describe('clTRID', () => {
  test('unique, prefixed, within EPP limits even with a frozen clock', () => {
    const gen = new ClTridGenerator('GW-test', new FakeClock());
    const ids = Array.from({ length: 1000 }, () => gen.next());
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) {
      expect(id.startsWith('GWtest-')).toBe(true);
      expect(id.length).toBeGreaterThanOrEqual(3);
      expect(id.length).toBeLessThanOrEqual(64);
    }
    expect(new ClTridGenerator().next()).toMatch(/^GW[0-9a-f]{6}-/);
  });
});

describe('result codes', () => {
  const resp = (code: number, msg = 'm', extra = '') =>
    parseResponse(`<epp xmlns="${NS.epp}"><response><result code="${code}"><msg>${msg}</msg>${extra}</result>${TRID}</response></epp>`);
  test.each([
    [2002, 'UPSTREAM_REJECTED_INPUT', CommandSyntaxError],
    [2201, 'AUTHORIZATION_ERROR', AuthorizationError],
    [2202, 'AUTHORIZATION_ERROR', AuthorizationError],
    [2302, 'OBJECT_EXISTS', ObjectExistsError],
    [2303, 'OBJECT_NOT_FOUND', ObjectNotFoundError],
    [2304, 'STATUS_PROHIBITS_OPERATION', StatusProhibitsError],
    [2305, 'ASSOCIATION_PROHIBITS_OPERATION', AssociationProhibitsError],
    [2306, 'PARAMETER_VALUE_POLICY_ERROR', ParameterPolicyError],
    [2400, 'UPSTREAM_FAILURE', UpstreamFailureError],
  ] as const)('%i -> %s', (code, gqlCode, cls) => {
    const e = errorFor(resp(code, 'Upstream says no'), 'b1');
    expect(e).toBeInstanceOf(cls);
    expect(e).toMatchObject({ code: gqlCode, details: { upstreamCode: code, upstreamMessage: 'Upstream says no', backend: 'b1' } });
  });

  test('extValue reasons are kept; success codes pass', () => {
    const r = resp(2005, 'Parameter value syntax error', '<extValue><value><domain:name xmlns:domain="urn:ietf:params:xml:ns:domain-1.0">-bad</domain:name></value><reason>Bad label</reason></extValue>');
    expect(errorFor(r).message).toBe('Parameter value syntax error (Bad label)');
    for (const c of [1000, 1001, 1300, 1301, 1500]) expect(ensureSuccess(resp(c)).code).toBe(c);
  });

  test('echoes of what the command sent are cut to 32 characters in <msg> and <reason>; its authInfo is masked whole, never cut', () => {
    const name = `${'e'.repeat(60)}.tld`;
    const pw = `Secret-${'p'.repeat(40)}`;
    const sent = domainInfo.build(name, pw, 'ABC-1');
    const r = resp(2202, `Authorization for ${name} failed`, `<extValue><value><domain:name xmlns:domain="urn:ietf:params:xml:ns:domain-1.0">${name}</domain:name></value><reason>${pw} is not the code of ${name}</reason></extValue>`);
    const e = errorFor(r, 'b1', [pw], sent);
    const cut = `${'e'.repeat(32)}…`;
    expect(e.message).toBe(`Authorization for ${cut} failed (${MASK} is not the code of ${cut})`);
    expect(e.details.upstreamMessage).toBe(e.message);
  });
});
