/** Realistic built commands (every builder) shared by the XSD and structure tests. */
import * as contactCheck from '../../../../src/backends/epp/commands/contact-check.js';
import * as contactCreate from '../../../../src/backends/epp/commands/contact-create.js';
import * as contactDelete from '../../../../src/backends/epp/commands/contact-delete.js';
import * as contactInfo from '../../../../src/backends/epp/commands/contact-info.js';
import * as contactUpdate from '../../../../src/backends/epp/commands/contact-update.js';
import * as domainCheck from '../../../../src/backends/epp/commands/domain-check.js';
import * as domainCreate from '../../../../src/backends/epp/commands/domain-create.js';
import * as domainDelete from '../../../../src/backends/epp/commands/domain-delete.js';
import * as domainInfo from '../../../../src/backends/epp/commands/domain-info.js';
import * as domainRenew from '../../../../src/backends/epp/commands/domain-renew.js';
import * as domainRestore from '../../../../src/backends/epp/commands/domain-restore.js';
import * as domainTransfer from '../../../../src/backends/epp/commands/domain-transfer.js';
import * as domainUpdate from '../../../../src/backends/epp/commands/domain-update.js';
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
import type { DsData, KeyData, PostalInfo } from '../../../../src/core/model/index.js';

const T = 'GWa1b2c3-lx2k9q-1';
const KEY: KeyData = {
  flags: 257,
  protocol: 3,
  algorithm: 13,
  publicKey: 'mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==',
};
const DS: DsData = { keyTag: 2371, algorithm: 13, digestType: 2, digest: '1F987CC6583E92DF0890718C42E6F1C0A75BE0FA8D8E0A5C3D3DE5C8D9E7A0F1', keyData: null };
const POSTAL_INT: PostalInfo = { type: 'int', name: 'John Doe', org: 'Example Inc.', street: ['123 Example Dr.', 'Suite 100'], city: 'Dulles', sp: 'VA', pc: '20166-6503', cc: 'US' };
const POSTAL_LOC: PostalInfo = { type: 'loc', name: 'Jöhn Dœ', org: null, street: ['Hauptstraße 1'], city: 'Zürich', sp: null, pc: '8001', cc: 'CH' };

/** name -> emitted frame. Covers every builder with realistic inputs. */
export function builtCommands(): Record<string, string> {
  return {
    hello: hello.build(),
    login: login.build({ clientId: 'NewRegistrar', password: 'foo-BAR2', objURIs: [NS.host, NS.domain, NS.contact], extURIs: [NS.secDNS, NS.rgp] }, T),
    'login (new password, no extensions)': login.build({ clientId: 'NewRegistrar', password: 'foo-BAR2', newPassword: 'bar-FOO2', objURIs: [NS.domain], extURIs: [] }, T),
    logout: logout.build(T),
    'poll req': poll.buildRequest(T),
    'poll ack': poll.buildAck('12-2000', T),
    'domain check (IDN)': domainCheck.build(['example.tld', 'bücher.tld', 'xn--mnchen-3ya.tld'], T),
    'domain info': domainInfo.build('example.tld', null, T),
    'domain info with authInfo': domainInfo.build('xn--bcher-kva.tld', '2fooBAR', T),
    'domain create (host objects, contacts, DS data with key data)': domainCreate.build(
      {
        name: 'bücher.example',
        period: { value: 2, unit: 'y' },
        registrant: 'jd1234',
        contacts: [
          { role: 'admin', id: 'sh8013' },
          { role: 'tech', id: 'sh8013' },
          { role: 'billing', id: 'bill1' },
        ],
        nameservers: [
          { name: 'ns1.example.net', ipv4: [], ipv6: [] },
          { name: 'ns2.xn--bcher-kva.example', ipv4: [], ipv6: [] },
        ],
        authInfo: '2fooBAR<&>',
        dnssec: { dsData: [{ ...DS, keyData: KEY }], keyData: [] },
      },
      { hostObjects: true },
      T,
    ),
    'domain create (host attributes v4/v6, key data only, months)': domainCreate.build(
      {
        name: 'example.tld',
        period: { value: 12, unit: 'm' },
        contacts: [],
        nameservers: [
          { name: 'ns1.example.tld', ipv4: ['192.0.2.1'], ipv6: ['2001:db8::1'] },
          { name: 'ns.other.net', ipv4: [], ipv6: [] },
        ],
        authInfo: 'secret1',
        dnssec: { dsData: [], keyData: [KEY] },
      },
      { hostObjects: false },
      T,
    ),
    'domain renew': domainRenew.build({ name: 'example.tld', currentExpiry: new Date('2027-04-03T22:00:00Z'), period: { value: 1, unit: 'y' } }, T),
    'domain update (everything)': domainUpdate.build(
      {
        name: 'example.tld',
        add: { statuses: ['clientHold', 'clientTransferProhibited'], contacts: [{ role: 'tech', id: 'mak21' }], nameservers: [{ name: 'ns2.example.tld', ipv4: [], ipv6: [] }] },
        remove: { statuses: ['clientUpdateProhibited'], contacts: [{ role: 'tech', id: 'sh8013' }], nameservers: [{ name: 'ns1.example.tld', ipv4: [], ipv6: [] }] },
        registrant: 'sh8013',
        authInfo: '2BARfoo',
        dnssec: { addDsData: [DS], removeDsData: [{ ...DS, keyTag: 1 }], addKeyData: [], removeKeyData: [], maxSigLife: 604800 },
      },
      { hostObjects: true },
      T,
    ),
    'domain update (remove all DNSSEC, add key data)': domainUpdate.build(
      {
        name: 'example.tld',
        add: { statuses: [], contacts: [], nameservers: [] },
        remove: { statuses: [], contacts: [], nameservers: [] },
        dnssec: { addDsData: [], removeDsData: [], addKeyData: [KEY], removeKeyData: [], removeAll: true },
      },
      { hostObjects: true },
      T,
    ),
    'domain update (host attributes)': domainUpdate.build(
      {
        name: 'example.tld',
        add: { statuses: [], contacts: [], nameservers: [{ name: 'ns3.example.tld', ipv4: ['198.51.100.3'], ipv6: ['2001:db8::3'] }] },
        remove: { statuses: [], contacts: [], nameservers: [{ name: 'ns1.example.tld', ipv4: [], ipv6: [] }] },
      },
      { hostObjects: false },
      T,
    ),
    'domain delete': domainDelete.build('example.tld', T),
    'domain restore': domainRestore.build('example.tld', T),
    'domain transfer request': domainTransfer.build('request', 'example.tld', { authInfo: 'fooBAR', period: { value: 1, unit: 'y' } }, T),
    'domain transfer request (no period)': domainTransfer.build('request', 'example.tld', { authInfo: 'fooBAR' }, T),
    'domain transfer query': domainTransfer.build('query', 'example.tld', {}, T),
    'domain transfer query with authInfo': domainTransfer.build('query', 'example.tld', { authInfo: 'fooBAR' }, T),
    'domain transfer approve': domainTransfer.build('approve', 'example.tld', {}, T),
    'domain transfer reject': domainTransfer.build('reject', 'example.tld', {}, T),
    'domain transfer cancel': domainTransfer.build('cancel', 'example.tld', {}, T),
    'contact check': contactCheck.build(['sh8013', 'sah8013'], T),
    'contact info': contactInfo.build('sh8013', '2fooBAR', T),
    'contact create (int + loc, voice with extension)': contactCreate.build(
      { id: 'sh8013', postalInfo: [POSTAL_INT, POSTAL_LOC], voice: '+1.7035555555x1234', fax: '+1.7035555556', email: 'jdoe@example.com', authInfo: '2fooBAR', disclosure: { flag: false, fields: ['name:int', 'name:loc', 'org:int', 'addr:loc', 'voice', 'fax', 'email'] } },
      T,
    ),
    'contact create (minimal)': contactCreate.build({ id: 'min1', postalInfo: [{ type: 'int', name: 'A B', street: [], city: 'X', cc: 'DE' }], email: 'a@b.de', authInfo: 'pw12345' }, T),
    'contact update': contactUpdate.build(
      { id: 'sh8013', addStatuses: ['clientDeleteProhibited'], removeStatuses: ['clientUpdateProhibited'], postalInfo: [POSTAL_INT], voice: '+1.7034444444', fax: '', email: 'new@example.com', authInfo: '2fooBAR', disclosure: { flag: true, fields: ['email', 'addr:int'] } },
      T,
    ),
    'contact delete': contactDelete.build('sh8013', T),
    'host check': hostCheck.build(['ns1.example.tld', 'ns1.bücher.tld'], T),
    'host info': hostInfo.build('ns1.example.tld', T),
    'host create (v4 + v6)': hostCreate.build({ name: 'ns1.example.tld', ipv4: ['192.0.2.2', '192.0.2.29'], ipv6: ['1080:0:0:0:8:800:200C:417A'] }, T),
    'host create (external, no addresses)': hostCreate.build({ name: 'ns1.example.net', ipv4: [], ipv6: [] }, T),
    'host update': hostUpdate.build(
      { name: 'ns1.example.tld', addIpv4: ['192.0.2.22'], addIpv6: ['2001:db8::22'], removeIpv4: ['192.0.2.2'], removeIpv6: [], addStatuses: ['clientUpdateProhibited'], removeStatuses: ['clientDeleteProhibited'], newName: 'ns2.example.tld' },
      T,
    ),
    'host delete': hostDelete.build('ns1.example.tld', T),
  };
}
