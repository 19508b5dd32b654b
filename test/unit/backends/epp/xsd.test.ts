/**
 * Every command the adapter emits validates against shared/epp/xsd/epp-all.xsd, and a built
 * command matches the Nomulus request fixture for the same input (same elements, attributes, text).
 */
import { describe, expect, test } from 'vitest';
import * as domainCheck from '../../../../src/backends/epp/commands/domain-check.js';
import * as domainCreate from '../../../../src/backends/epp/commands/domain-create.js';
import * as domainDelete from '../../../../src/backends/epp/commands/domain-delete.js';
import * as domainInfo from '../../../../src/backends/epp/commands/domain-info.js';
import * as domainRenew from '../../../../src/backends/epp/commands/domain-renew.js';
import * as domainRestore from '../../../../src/backends/epp/commands/domain-restore.js';
import * as domainTransfer from '../../../../src/backends/epp/commands/domain-transfer.js';
import * as domainUpdate from '../../../../src/backends/epp/commands/domain-update.js';
import * as contactCheck from '../../../../src/backends/epp/commands/contact-check.js';
import * as contactCreate from '../../../../src/backends/epp/commands/contact-create.js';
import * as contactDelete from '../../../../src/backends/epp/commands/contact-delete.js';
import * as contactInfo from '../../../../src/backends/epp/commands/contact-info.js';
import * as hello from '../../../../src/backends/epp/commands/hello.js';
import * as hostCheck from '../../../../src/backends/epp/commands/host-check.js';
import * as hostCreate from '../../../../src/backends/epp/commands/host-create.js';
import * as hostDelete from '../../../../src/backends/epp/commands/host-delete.js';
import * as hostInfo from '../../../../src/backends/epp/commands/host-info.js';
import * as hostUpdate from '../../../../src/backends/epp/commands/host-update.js';
import * as login from '../../../../src/backends/epp/commands/login.js';
import * as logout from '../../../../src/backends/epp/commands/logout.js';
import * as poll from '../../../../src/backends/epp/commands/poll.js';
import { NS } from '../../../../src/backends/epp/xml/namespaces.js';
import { parseXml } from '../../../../src/backends/epp/xml/parse.js';
import type { XmlElement } from '../../../../src/backends/epp/xml/tree.js';
import { fixture } from '../../../helpers/epp-fixtures.js';
import { validateEppMany } from '../../../helpers/xsd.js';
import { builtCommands } from './commands.js';

describe('every emitted command validates against epp-all.xsd', async () => {
  const built = builtCommands();
  const names = Object.keys(built);
  const results = await validateEppMany(names.map((n) => built[n]!));
  test.each(names.map((n, i) => [n, i] as const))('%s', (_name, i) => {
    expect(results[i]!.errors).toEqual([]);
    expect(results[i]!.valid).toBe(true);
  });

  test('the validator does reject a broken command', async () => {
    const bad = built['domain delete']!.replace('domain:name', 'domain:nom').replace('/domain:name', '/domain:nom');
    const [r] = await validateEppMany([bad]);
    expect(r!.valid).toBe(false);
  });
});

/** Element tree as a comparable value: namespace, local name, attributes, trimmed text. */
type Shape = { el: string; attrs?: Record<string, string>; text?: string; children?: Shape[] };
function shape(e: XmlElement, opts: { structureOnly?: boolean; drop?: string[] } = {}): Shape {
  const s: Shape = { el: `{${e.ns}}${e.name}` };
  if (!opts.structureOnly) {
    const attrs = Object.fromEntries(Object.entries(e.attrs).filter(([k]) => !k.startsWith('{')));
    if (Object.keys(attrs).length > 0) s.attrs = attrs;
    if (e.text.trim()) s.text = e.text.trim();
  }
  const kids = e.children.filter((c) => !(opts.drop ?? []).includes(c.name)).map((c) => shape(c, opts));
  if (kids.length > 0) s.children = kids;
  return s;
}
const C = 'ABC-12345';
// DomainCreateInput.dnssec has no maxSigLife; the builder still passes one through when given.
const DS_WITH_MAXSIGLIFE = { dsData: [{ keyTag: 12345, algorithm: 3, digestType: 1, digest: '49FD46E6C4B45C55D4AC' }], keyData: [], maxSigLife: 604800 };

/** [fixture, built command, structure only?, elements to drop from the fixture] */
const PAIRS: Array<[string, () => string, boolean?, string[]?]> = [
  ['session/hello.xml', () => hello.build()],
  ['session/login_valid.xml', () => login.build({ clientId: 'NewRegistrar', password: 'foo-BAR2', objURIs: [NS.host, NS.domain], extURIs: [] }, C)],
  ['session/login_set_new_password.xml', () => login.build({ clientId: 'NewRegistrar', password: 'foo-BAR2', newPassword: 'newPw1', objURIs: [NS.host, NS.domain], extURIs: [] }, C)],
  ['session/rfc/login.xml', () => login.build({ clientId: 'NewRegistrar', password: 'foo-BAR2', newPassword: 'bar-FOO2', objURIs: ['urn:ietf:params:xml:ns:obj1', 'urn:ietf:params:xml:ns:obj2', 'urn:ietf:params:xml:ns:obj3'], extURIs: ['http://custom/obj1ext-1.0'] }, C)],
  ['session/logout.xml', () => logout.build(C)],
  ['poll/poll.xml', () => poll.buildRequest(C)],
  ['poll/poll_ack.xml', () => poll.buildAck('3-2011', 'ABC-12346')],
  ['domain/domain_check.xml', () => domainCheck.build(['example.com', 'example.net', 'example.org'], C)],
  ['domain/domain_info.xml', () => domainInfo.build('example.tld', null, C)],
  ['domain/domain_create.xml', () => domainCreate.build({ name: 'example.tld', period: { value: 2, unit: 'y' }, contacts: [], nameservers: [{ name: 'ns1.example.net', ipv4: [], ipv6: [] }, { name: 'ns2.example.net', ipv4: [], ipv6: [] }], authInfo: '2fooBAR' }, { hostObjects: true }, C)],
  ['domain/rfc/domain_create.xml', () => domainCreate.build({ name: 'example.com', period: { value: 2, unit: 'y' }, registrant: 'jd1234', contacts: [{ role: 'admin', id: 'sh8013' }, { role: 'tech', id: 'sh8013' }], nameservers: [{ name: 'ns1.example.net', ipv4: [], ipv6: [] }, { name: 'ns2.example.net', ipv4: [], ipv6: [] }], authInfo: '2fooBAR' }, { hostObjects: true }, C)],
  ['domain/domain_create_dsdata.xml', () => domainCreate.build({ name: 'example.tld', period: { value: 2, unit: 'y' }, contacts: [], nameservers: [{ name: 'ns1.example.net', ipv4: [], ipv6: [] }, { name: 'ns2.example.net', ipv4: [], ipv6: [] }], authInfo: '2fooBAR', dnssec: DS_WITH_MAXSIGLIFE }, { hostObjects: true }, C)],
  ['domain/domain_renew.xml', () => domainRenew.build({ name: 'example.tld', currentExpiry: new Date('2000-04-03T22:00:00Z'), period: { value: 3, unit: 'y' } }, C)],
  ['domain/domain_update.xml', () => domainUpdate.build({ name: 'example.tld', add: { statuses: ['clientHold'], contacts: [], nameservers: [{ name: 'ns2.example.foo', ipv4: [], ipv6: [] }] }, remove: { statuses: [], contacts: [], nameservers: [{ name: 'ns1.example.foo', ipv4: [], ipv6: [] }] }, authInfo: '2BARfoo' }, { hostObjects: true }, C), true],
  ['domain/rfc/domain_update.xml', () => domainUpdate.build({ name: 'example.com', add: { statuses: ['clientHold'], contacts: [{ role: 'tech', id: 'mak21' }], nameservers: [{ name: 'ns2.example.com', ipv4: [], ipv6: [] }] }, remove: { statuses: ['clientUpdateProhibited'], contacts: [{ role: 'tech', id: 'sh8013' }], nameservers: [{ name: 'ns1.example.com', ipv4: [], ipv6: [] }] }, registrant: 'sh8013', authInfo: '2BARfoo' }, { hostObjects: true }, C), true],
  ['domain/domain_update_dsdata_add.xml', () => domainUpdate.build({ name: 'example.tld', add: { statuses: [], contacts: [], nameservers: [] }, remove: { statuses: [], contacts: [], nameservers: [] }, dnssec: { addDsData: [{ keyTag: 12346, algorithm: 3, digestType: 1, digest: 'A94A8FE5CCB19BA61C4C0873D391E987982FBBD3' }], removeDsData: [], addKeyData: [], removeKeyData: [] } }, { hostObjects: true }, C)],
  ['domain/domain_update_restore_request.xml', () => domainRestore.build('example.tld', C)],
  ['domain/domain_delete.xml', () => domainDelete.build('example.tld', C)],
  ['domain/domain_transfer_request.xml', () => domainTransfer.build('request', 'example.tld', { authInfo: 'fooBAR', period: { value: 1, unit: 'y' } }, C)],
  ['domain/domain_transfer_query.xml', () => domainTransfer.build('query', 'example.tld', {}, C)],
  ['domain/domain_transfer_approve.xml', () => domainTransfer.build('approve', 'example.tld', {}, C)],
  ['domain/domain_transfer_reject.xml', () => domainTransfer.build('reject', 'example.tld', {}, C)],
  ['domain/domain_transfer_cancel.xml', () => domainTransfer.build('cancel', 'example.tld', {}, C)],
  ['contact/contact_check.xml', () => contactCheck.build(['sh8013', 'sah8013', '8013sah'], C)],
  ['contact/contact_info.xml', () => contactInfo.build('sh8013', '2fooBAR', C)],
  ['contact/contact_create.xml', () => contactCreate.build({ id: 'sh8013', postalInfo: [{ type: 'int', name: 'John Doe', org: 'Example Inc.', street: ['123 Example Dr.', 'Suite 100'], city: 'Dulles', sp: 'VA', pc: '20166-6503', cc: 'US' }], voice: '+1.7035555555x1234', fax: '+1.7035555556', email: 'jdoe@example.com', authInfo: '2fooBAR', disclosure: { flag: true, fields: ['email', 'voice'] } }, C)],
  ['contact/contact_delete.xml', () => contactDelete.build('sh8013', C)],
  ['host/host_check.xml', () => hostCheck.build(['ns1.example.tld', 'ns2.example.tld', 'ns3.example.tld'], C)],
  ['host/host_info.xml', () => hostInfo.build('ns1.example.tld', C)],
  ['host/host_create.xml', () => hostCreate.build({ name: 'ns1.example.tld', ipv4: ['192.0.2.2'], ipv6: ['1080:0:0:0:8:800:200C:417A'] }, C)],
  ['host/host_update.xml', () => hostUpdate.build({ name: 'ns1.example.tld', addIpv4: ['192.0.2.29'], addIpv6: [], removeIpv4: [], removeIpv6: [], addStatuses: ['clientUpdateProhibited'], removeStatuses: ['clientDeleteProhibited'], newName: 'ns2.example.tld' }, C)],
  ['host/host_delete.xml', () => hostDelete.build('ns1.example.tld', C)],
];

describe('built commands match the Nomulus request fixtures', () => {
  test.each(PAIRS)('%s', (rel, build, structureOnly, drop) => {
    const want = shape(parseXml(fixture(rel)), { structureOnly, drop });
    const got = shape(parseXml(build()), { structureOnly });
    expect(got).toEqual(want);
  });
});
