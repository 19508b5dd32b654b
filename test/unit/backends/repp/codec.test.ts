/**
 * Every response example of the REPP document (test/fixtures/repp/examples.json) is parsed by the
 * adapter's codec into the neutral model, with assertions on the values: instants with their
 * +02:00/+03:00 offsets, statuses from the document's map, name servers with their ipv4/ipv6
 * lists, DNSSEC keys, registry-assigned contact codes. Error examples go through the error mapping.
 * A response example without a case here fails the last test.
 */
import { describe, expect, it } from 'vitest';
import { AssociationProhibitsError } from '../../../../src/core/errors.js';
import * as balance from '../../../../src/backends/repp/codec/balance.js';
import * as bulk from '../../../../src/backends/repp/codec/bulk.js';
import * as contacts from '../../../../src/backends/repp/codec/contacts.js';
import * as parts from '../../../../src/backends/repp/codec/domain-parts.js';
import * as domains from '../../../../src/backends/repp/codec/domains.js';
import * as notifications from '../../../../src/backends/repp/codec/notifications.js';
import * as transfers from '../../../../src/backends/repp/codec/transfers.js';
import { errorFor } from '../../../../src/backends/repp/errors.js';
import { REPP_EXAMPLES, example, exampleJson } from '../../../helpers/repp-examples.js';

const d = (s: string) => new Date(s);
const parsed = new Set<number>();
/** The example's response n: its whole body, its data; marks it as covered. */
function resp(id: string, n = 0) {
  const r = example(id).responses[n];
  parsed.add(r.line);
  const body = exampleJson(r.text);
  return { body, data: body.data, message: body.message as string };
}
const RECEIVED = d('2026-03-01T12:00:00Z');

describe('Billing', () => {
  it('balance, plain and detailed: amounts as the registry writes them, transactions newest first at their instants', () => {
    expect(balance.parse(resp('billing-1', 0).data)).toEqual({ money: { amount: '420.0', currency: 'EUR' }, transactions: [] });
    expect(balance.parse(resp('billing-1', 1).data)).toEqual({
      money: { amount: '420.0', currency: 'EUR' },
      transactions: [
        { at: d('2021-02-26T15:12:46.045Z'), description: 'Create abadiitas.ee', type: 'debit', amount: '-6.0', balance: '420.0' },
        { at: d('2021-02-11T09:32:49.158Z'), description: 'Invoice no. 131096', type: 'credit', amount: '100.0', balance: '426.0' },
      ],
    });
  });
});

describe('Poll messages', () => {
  const koer = { id: '1399', count: null, queuedAt: RECEIVED, text: 'Registrant rejected domain update: koer.ee', object: { kind: 'domain', name: 'koer.ee' }, pendingActionResult: false };
  it('all unread: the messages (one object in the example) and the total from the message text', () => {
    const r = resp('poll-messages-1');
    const list = notifications.parseList(r.data, r.message, RECEIVED);
    expect(list.total).toBe(500);
    expect(list.messages).toEqual([{ ...koer, raw: JSON.stringify(r.data) }]);
  });
  it('latest unread, one by id (a contact message), mark read', () => {
    expect(notifications.parseLatest(resp('poll-messages-2').data, RECEIVED)).toMatchObject(koer);
    expect(notifications.parseMarkRead(resp('poll-messages-3').data)).toEqual({ id: '1398', read: true });
    expect(notifications.parseMessage(resp('poll-messages-4').data, RECEIVED)).toMatchObject({
      id: '1398',
      text: 'Contact ATSAA:57C8A9CB has been updated by registrant',
      object: { kind: 'contact', name: 'ATSAA:57C8A9CB' },
    });
    expect(notifications.parseLatest({}, RECEIVED)).toBeNull();
  });
});

describe('Contacts', () => {
  it('list: codes and the total', () => {
    expect(contacts.parseList(resp('contacts-1').data)).toEqual({ ids: ['ATSAA:15554596', 'ATSAA:5767A313', 'ATSAA:634CF14B'], contacts: [], count: 3 });
  });
  it('info: code, name, ident, statuses from the map with their notes, sponsor, auth info', () => {
    expect(contacts.parseInfo(resp('contacts-2').data)).toEqual({
      contact: {
        id: '1111111:8E561326',
        roid: null,
        statuses: ['ok', 'linked'],
        postalInfo: [{ type: 'int', name: 'John Doe', street: [], city: '', cc: '' }],
        voice: '+xxx',
        fax: null,
        email: 'xxx@xxx.ee',
        sponsor: 'Registrar',
        createdAt: null,
        authInfo: 'ed33c67bedb32b1567b131',
      },
      ident: { code: '12345678901', type: 'priv', countryCode: 'EE' },
      statusNotes: { ok: 'ok status description', linked: null },
      domains: [],
    });
  });
  it('delete: 1000, or 2305 mapped to ASSOCIATION_PROHIBITS_OPERATION with the upstream code and message', () => {
    expect(resp('contacts-3', 0).body).toMatchObject({ code: 1000, data: {} });
    const body = resp('contacts-3', 1).body as { code: number; message: string };
    const e = errorFor(400, body, { secrets: [], changesState: true });
    expect(e).toBeInstanceOf(AssociationProhibitsError);
    expect(e.details).toMatchObject({ upstreamCode: 2305, upstreamMessage: 'Object association prohibits operation [domains]' });
  });
  it('create and update: the code the registry assigned; check: availability', () => {
    expect(contacts.parseCode(resp('contacts-4').data)).toEqual({ id: 'ATSAA:84F23FD1' });
    expect(contacts.parseCode(resp('contacts-5').data)).toEqual({ id: 'ATSAA:84F23FD1' });
    expect(contacts.parseCheck(resp('contacts-6').data)).toEqual({ name: 'PUDERJAKAPSAS', available: true, reason: null });
  });
});

describe('Domains', () => {
  it('list: names, the new_domain list and the total', () => {
    expect(domains.parseList(resp('domains-1', 0).data)).toEqual({ names: ['kass.ee', 'koer.ee'], domains: [], newDomains: ['www.ee'], count: 69 });
  });
  it('list with details: registrant as object or code, contacts by role, statuses, instants at +02:00 and +03:00', () => {
    const { data } = resp('domains-1', 1);
    const list = domains.parseList(data);
    expect(list.names).toEqual(['kass.ee', 'koer.ee']);
    expect(list.newDomains).toEqual(['wwww.ee']);
    const [kass, koer] = list.domains;
    expect(kass.domain).toMatchObject({
      name: 'kass.ee',
      registrant: 'ATSAA:KARL',
      contacts: [{ role: 'admin', id: 'ATSAA:KARL' }, { role: 'tech', id: 'ATSAA:KARL' }],
      statuses: ['inactive'],
      createdAt: d('2021-01-29T09:15:52.753Z'),
      expiresAt: d('2022-01-29T22:00:00.000Z'),
      sponsor: 'Kreative Digital OÜ',
      authInfo: '2f81ec671b69a2aa5d6375631e259ae7', // the example repeats transfer_code; the last one counts
    });
    expect(koer.domain).toMatchObject({ name: 'koer.ee', registrant: 'ATSAA:KARL', contacts: [{ role: 'admin', id: 'ATSAA:KARL' }, { role: 'tech', id: 'ATSAA:KARL' }] });
    const www = domains.parseDomain((data as { new_domain: unknown[] }).new_domain[0], 'data.new_domain[0]');
    expect(www.domain).toMatchObject({
      name: 'wwww.ee',
      registrant: '1111111:0FEEDC3C',
      statuses: ['ok', 'pendingDelete', 'serverHold'],
      createdAt: d('2022-06-15T13:04:07.042Z'), // +03:00 (summer)
      updatedAt: d('2022-06-20T11:02:10.339Z'),
      expiresAt: d('2022-12-15T22:00:00.000Z'), // +02:00 (winter)
      nameservers: [
        { name: 'ns1.oberbrunner.net', ipv4: ['219.175.134.244'], ipv6: ['647B:275:536E:1C6B:8D51:5E15:D6F5:184A'] },
        { name: 'ns2.kunze.org', ipv4: ['134.156.204.100'], ipv6: ['A724:680A:9437:E459:A20D:5C53:DF42:CD5F'] },
      ],
      dnssec: { dsData: [], keyData: [{ flags: 257, protocol: 3, algorithm: 8, publicKey: 'e087a47db0e31dbb162e4bb62da7a34322be3ff66fdcf65268225c4db3b37d79' }] },
      authInfo: 'a39f33a5c6a5aa3ac44e625c9eaa7476',
    });
    expect(www).toMatchObject({ outzoneAt: d('2022-06-20T11:02:10.304Z'), deleteDate: '2022-07-21', forceDeleteDate: null, dispute: false, registrarWebsite: 'https://regitrar.ee' });
  });
  it('info: the whole domain in the neutral model', () => {
    expect(domains.parseInfo(resp('domains-2').data)).toEqual({
      domain: {
        name: 'biz.ee',
        roid: null,
        statuses: ['inactive'],
        rgpStatuses: [],
        registrant: 'ATSAA:749AA80F',
        contacts: [{ role: 'admin', id: 'ATSAA:C7A52A30' }, { role: 'tech', id: 'ATSAA:CC53EF9C' }],
        nameservers: [],
        subordinateHosts: [],
        dnssec: { dsData: [], keyData: [] },
        sponsor: 'Kreative Digital OÜ',
        createdAt: d('2021-01-15T10:07:20.079Z'),
        updatedAt: d('2021-01-21T14:41:59.707Z'),
        expiresAt: d('2023-01-15T22:00:00.000Z'),
        authInfo: '2f81ec671b69a2aa5d6375631e259ae7',
      },
      registrarWebsite: 'https://kreative.ee',
      statusNotes: { inactive: null },
      outzoneAt: null,
      deleteDate: null,
      forceDeleteDate: null,
      dispute: false,
    });
  });
  it('changes answer the domain name', () => {
    for (const [id, name] of [['domains-3', 'kasskoer.ee'], ['domains-4', 'kasskoer.ee'], ['domains-6', 'kasskoer.ee'], ['domains-7', 'kasskoer.ee'], ['domains-8', 'kasskoer.ee'], ['domains-9', 'kanakotlet.ee'], ['nameservers-2', 'kotlet.ee'], ['nameservers-3', '666.ee'], ['dnssec-2', '666.ee'], ['dnssec-3', '666.ee']]) {
      expect(domains.parseName(resp(id).data)).toEqual({ name });
    }
  });
  it("a domain's contacts by role", () => {
    expect(parts.parseContacts(resp('domains-5').data)).toEqual([
      { role: 'admin', id: '1111111:65B7EB55' },
      { role: 'tech', id: '1111111:0FEEDC3C' },
      { role: 'tech', id: '1111111:65B7EB55' },
    ]);
  });
});

describe('Nameservers, DNSSEC, statuses', () => {
  it('name servers with their ipv4 and ipv6 lists', () => {
    expect(parts.parseNameservers(resp('nameservers-1').data)).toEqual([
      { name: 'ns1.domeener.ee', ipv4: ['192.168.1.1'], ipv6: ['fe80::aede:48ff:fe00:1122'] },
      { name: 'ns2.domeener.ee', ipv4: ['192.168.1.2'], ipv6: ['fe80::aede:48ff:fe00:1123'] },
    ]);
  });
  it('DNSSEC keys as key data', () => {
    expect(parts.parseDnssec(resp('dnssec-1').data)).toEqual([{ flags: 257, protocol: 3, algorithm: 13, publicKey: 'pubkeyhere' }]);
  });
  it('clientHold set and cleared', () => {
    expect(parts.parseHold(resp('statuses-1').data)).toEqual({ name: 'biz.ee', status: 'clientHold' });
    expect(parts.parseHold(resp('statuses-2').data)).toEqual({ name: null, status: null });
  });
});

describe('Transfers', () => {
  it('transfer info: registrant, admin and tech contacts with flat ident fields and a status list', () => {
    const info = transfers.parseInfo(resp('transfers-1').data);
    const atsaa = {
      contact: {
        id: 'ATSAA:E36957D7',
        roid: null,
        statuses: ['ok', 'linked'],
        postalInfo: [{ type: 'int', name: 'xxx', street: [], city: '', pc: null, cc: '' }],
        voice: '+372.xxx',
        email: 'xxx',
        sponsor: '',
      },
      ident: { code: 'xxx', type: 'priv', countryCode: 'EE' },
      statusNotes: { ok: null, linked: null },
      domains: [],
    };
    expect(info).toEqual({ name: 'kotlet.ee', registrant: atsaa, admin: [atsaa], tech: [atsaa] });
  });
  it('transfer', () => {
    expect(transfers.parseTransfer(resp('transfers-2').data)).toEqual({ name: '666.ee', type: 'domain_transfer' });
  });
});

describe('Bulk actions', () => {
  it('bulk transfer, tech contact replace, name server change, renew', () => {
    expect(bulk.parseTransfer(resp('bulk-actions-1').data)).toEqual({ transferred: ['domain1.ee', 'domain2.ee'], failed: [] });
    expect(bulk.parseAffected(resp('bulk-actions-2').data)).toEqual({ affected: [], skipped: [] });
    for (const id of ['bulk-actions-3', 'bulk-actions-4']) {
      expect(bulk.parseNameserverChange(resp(id).data)).toEqual({
        nameserver: { name: 'ns1.ams1.domainer.ee', ipv4: ['192.168.1.1'], ipv6: ['2620:119:35::36'] },
        affected: ['only.ee', 'these.ee', 'domains.ee'],
        skipped: [],
      });
    }
    expect(bulk.parseRenew(resp('bulk-actions-5').data)).toEqual({ renewed: ['kotlet.ee', 'kasskoer.ee'] });
  });
});

describe('the document', () => {
  it('every response example is parsed above', () => {
    const all = new Set(REPP_EXAMPLES.flatMap((e) => e.responses.map((r) => r.line)));
    expect(all.size).toBe(37); // 38 responses, one shared by the two bulk name-server requests
    expect([...all].filter((line) => !parsed.has(line))).toEqual([]);
  });
});
