/**
 * Every RESPONSE fixture from Nomulus (shared/epp/fixtures) is parsed by the adapter's parse
 * function for its command, with assertions on the values. A fixture without a case here fails.
 */
import { describe, expect, test } from 'vitest';
import { ObjectNotFoundError, RegistryError } from '../../../../src/core/errors.js';
import * as contactCheck from '../../../../src/backends/epp/commands/contact-check.js';
import * as contactCreate from '../../../../src/backends/epp/commands/contact-create.js';
import * as contactInfo from '../../../../src/backends/epp/commands/contact-info.js';
import * as domainCheck from '../../../../src/backends/epp/commands/domain-check.js';
import * as domainCreate from '../../../../src/backends/epp/commands/domain-create.js';
import * as domainDelete from '../../../../src/backends/epp/commands/domain-delete.js';
import * as domainInfo from '../../../../src/backends/epp/commands/domain-info.js';
import * as domainRenew from '../../../../src/backends/epp/commands/domain-renew.js';
import * as domainTransfer from '../../../../src/backends/epp/commands/domain-transfer.js';
import * as hello from '../../../../src/backends/epp/commands/hello.js';
import * as hostCheck from '../../../../src/backends/epp/commands/host-check.js';
import * as hostCreate from '../../../../src/backends/epp/commands/host-create.js';
import * as hostInfo from '../../../../src/backends/epp/commands/host-info.js';
import * as logout from '../../../../src/backends/epp/commands/logout.js';
import * as poll from '../../../../src/backends/epp/commands/poll.js';
import { ensureSuccess } from '../../../../src/backends/epp/result.js';
import { parseResponse, type EppResponse } from '../../../../src/backends/epp/xml/envelope.js';
import { parseXml } from '../../../../src/backends/epp/xml/parse.js';
import { allFixtures, fixture, placeholders } from '../../../helpers/epp-fixtures.js';

const d = (s: string) => new Date(s);
const ok = (xml: string): EppResponse => ensureSuccess(parseResponse(xml));
const trid = (r: EppResponse, cl: string | null = 'ABC-12345', sv = 'server-trid') => {
  expect(r.clTRID).toBe(cl);
  expect(r.svTRID).toBe(sv);
};

const DOMAIN_INFO_COMMON = {
  name: 'example.tld',
  roid: '2FF-TLD',
  subordinateHosts: ['ns1.example.tld', 'ns2.example.tld'],
  sponsor: 'NewRegistrar',
  createdBy: 'TheRegistrar',
  createdAt: d('1999-04-03T22:00:00Z'),
  updatedBy: 'NewRegistrar',
  updatedAt: d('1999-12-03T09:00:00Z'),
  expiresAt: d('2005-04-03T22:00:00Z'),
  transferredAt: d('2000-04-08T09:00:00Z'),
  authInfo: '2fooBAR',
  registrant: null,
  contacts: [],
};

const checkFee = (xml: string) => {
  const r = ok(xml);
  expect(domainCheck.parse(r)).toEqual([
    { name: 'example1.tld', available: false, reason: 'In use' },
    { name: 'example2.tld', available: true, reason: null },
    { name: 'example3.tld', available: true, reason: null },
  ]);
  trid(r);
};

const pollTransfer = (xml: string, status: string, qDate: string, msg: string) => {
  const q = poll.parseRequest(ok(xml));
  expect(q.count).toBe(1);
  expect(q.message).toMatchObject({
    id: '11-2002',
    count: 1,
    queuedAt: d(qDate),
    text: msg,
    object: { kind: 'domain', name: 'fakesite.example' },
    transfer: {
      name: 'fakesite.example',
      status,
      gainingRegistrar: 'TheRegistrar',
      requestedAt: d('2001-01-01T00:00:00Z'),
      losingRegistrar: 'NewRegistrar',
      actionAt: d('2001-01-06T00:00:00Z'),
      expiresAt: d('2003-06-01T00:04:00Z'),
    },
    expiresAt: d('2003-06-01T00:04:00Z'),
  });
  return q;
};

const CASES: Record<string, () => void> = {
  'contact/contact_check_response.xml': () => {
    const r = ok(fixture('contact/contact_check_response.xml'));
    expect(contactCheck.parse(r)).toEqual([
      { name: 'sh8013', available: true, reason: null },
      { name: 'sah8013', available: false, reason: 'In use' },
      { name: '8013sah', available: true, reason: null },
    ]);
    trid(r);
  },
  'contact/contact_create_response.xml': () => {
    expect(contactCreate.parse(ok(fixture('contact/contact_create_response.xml')))).toEqual({
      id: 'sh8013',
      createdAt: d('1999-04-03T22:00:00Z'),
    });
  },
  'contact/contact_info_response.xml': () => {
    expect(contactInfo.parse(ok(fixture('contact/contact_info_response.xml')))).toEqual({
      id: 'sh8013',
      roid: 'SH8013-REP',
      statuses: ['clientDeleteProhibited'],
      postalInfo: [
        {
          type: 'int',
          name: 'John Doe',
          org: 'Example Inc.',
          street: ['123 Example Dr.', 'Suite 100'],
          city: 'Dulles',
          sp: 'VA',
          pc: '20166-6503',
          cc: 'US',
        },
      ],
      voice: '+1.7035555555x1234',
      fax: '+1.7035555556',
      email: 'jdoe@example.com',
      sponsor: 'TheRegistrar',
      createdBy: 'NewRegistrar',
      createdAt: d('1999-04-03T22:00:00Z'),
      updatedBy: 'NewRegistrar',
      updatedAt: d('1999-12-03T09:00:00Z'),
      transferredAt: d('2000-04-08T09:00:00Z'),
      authInfo: '2fooBAR',
      disclosure: { flag: true, fields: ['voice', 'email'] },
    });
  },
  // The gateway sends no contact:transfer (the API has no contact transfer): only the envelope is read.
  'contact/contact_transfer_request_response.xml': () => {
    const r = ok(fixture('contact/contact_transfer_request_response.xml'));
    expect(r.code).toBe(1001);
    trid(r);
  },
  'domain/domain_check_fee_response_stdv1.xml': () => checkFee(fixture('domain/domain_check_fee_response_stdv1.xml')),
  'domain/domain_check_fee_response_v06.xml': () => checkFee(fixture('domain/domain_check_fee_response_v06.xml')),
  'domain/domain_check_fee_response_v12.xml': () => checkFee(fixture('domain/domain_check_fee_response_v12.xml')),
  'domain/domain_create_response.xml': () => {
    const r = ok(fixture('domain/domain_create_response.xml'));
    expect(domainCreate.parse(r)).toEqual({
      name: placeholders['DOMAIN'],
      createdAt: d('1999-04-03T22:00:00Z'),
      expiresAt: d('2001-04-03T22:00:00Z'),
    });
    trid(r);
  },
  'domain/domain_create_response_fee.xml': () => {
    for (const v of ['fee-0.6', 'fee-0.11', 'fee-0.12', 'epp:fee-1.0']) {
      expect(domainCreate.parse(ok(fixture('domain/domain_create_response_fee.xml', { FEE_VERSION: v })))).toEqual({
        name: 'example.tld',
        createdAt: d('1999-04-03T22:00:00Z'),
        expiresAt: d('2001-04-03T22:00:00Z'),
      });
    }
  },
  'domain/domain_delete_response_pending.xml': () => {
    const r = ok(fixture('domain/domain_delete_response_pending.xml'));
    expect(r.code).toBe(1001);
    expect(r.message).toBe('Command completed successfully; action pending');
    expect(domainDelete.parse(r, 'example.tld')).toEqual({ name: 'example.tld', pending: true });
  },
  'domain/domain_info_response.xml': () => {
    expect(domainInfo.parse(ok(fixture('domain/domain_info_response.xml')))).toEqual({
      ...DOMAIN_INFO_COMMON,
      statuses: ['ok'],
      rgpStatuses: [],
      nameservers: [
        { name: 'ns1.example.tld', ipv4: [], ipv6: [] },
        { name: 'ns1.example.net', ipv4: [], ipv6: [] },
      ],
      dnssec: { dsData: [], keyData: [], maxSigLife: null },
    });
  },
  'domain/domain_info_response_dsdata.xml': () => {
    const dom = domainInfo.parse(ok(fixture('domain/domain_info_response_dsdata.xml')));
    expect(dom).toEqual({
      ...DOMAIN_INFO_COMMON,
      statuses: ['ok'],
      rgpStatuses: [],
      nameservers: [
        { name: 'ns1.example.tld', ipv4: [], ipv6: [] },
        { name: 'ns2.example.tld', ipv4: [], ipv6: [] },
      ],
      dnssec: {
        maxSigLife: null,
        keyData: [],
        dsData: [{ keyTag: 12345, algorithm: 3, digestType: 1, digest: '49FD46E6C4B45C55D4AC', keyData: null }],
      },
    });
  },
  'domain/domain_info_response_redemptionperiod.xml': () => {
    const dom = domainInfo.parse(ok(fixture('domain/domain_info_response_redemptionperiod.xml')));
    expect(dom.statuses).toEqual(['pendingDelete']);
    expect(dom.rgpStatuses).toEqual(['redemptionPeriod']);
    expect(dom.name).toBe('example.tld');
    expect(dom.expiresAt).toEqual(d('2005-04-03T22:00:00Z'));
  },
  'domain/domain_renew_response.xml': () => {
    expect(domainRenew.parse(ok(fixture('domain/domain_renew_response.xml')))).toEqual({
      name: 'example.tld',
      expiresAt: d('2003-06-01T00:04:00Z'),
    });
  },
  'domain/domain_transfer_approve_response.xml': () => {
    expect(domainTransfer.parse(ok(fixture('domain/domain_transfer_approve_response.xml')))).toEqual({
      name: 'example.tld',
      status: 'clientApproved',
      gainingRegistrar: 'NewRegistrar',
      requestedAt: d('2000-06-06T22:00:00Z'),
      losingRegistrar: 'TheRegistrar',
      actionAt: d('2000-06-09T22:00:00Z'),
      expiresAt: d('2002-09-08T22:00:00Z'),
    });
  },
  'domain/domain_transfer_query_response.xml': () => {
    expect(domainTransfer.parse(ok(fixture('domain/domain_transfer_query_response.xml')))).toEqual({
      name: 'example.tld',
      status: 'pending',
      gainingRegistrar: 'NewRegistrar',
      requestedAt: d('2000-06-06T22:00:00Z'),
      losingRegistrar: 'TheRegistrar',
      actionAt: d('2000-06-11T22:00:00Z'),
      expiresAt: d('2002-09-08T22:00:00Z'),
    });
  },
  'domain/domain_transfer_request_response.xml': () => {
    const r = ok(fixture('domain/domain_transfer_request_response.xml'));
    expect(r.code).toBe(1001);
    expect(domainTransfer.parse(r)).toEqual({
      name: 'example.tld',
      status: 'pending',
      gainingRegistrar: 'NewRegistrar',
      requestedAt: d('2000-06-09T22:00:00Z'),
      losingRegistrar: 'TheRegistrar',
      actionAt: d('2000-06-14T22:00:00Z'),
      expiresAt: d('2002-09-08T22:00:00Z'),
    });
  },
  'domain/rfc/domain_check_response.xml': () => {
    expect(domainCheck.parse(ok(fixture('domain/rfc/domain_check_response.xml')))).toEqual([
      { name: 'example.com', available: true, reason: null },
      { name: 'example.net', available: false, reason: 'In use' },
      { name: 'example.org', available: true, reason: null },
    ]);
  },
  'domain/rfc/domain_info_response.xml': () => {
    const dom = domainInfo.parse(ok(fixture('domain/rfc/domain_info_response.xml')));
    expect(dom).toMatchObject({
      name: 'example.com',
      roid: 'EXAMPLE1-REP',
      statuses: ['ok'],
      registrant: 'jd1234',
      contacts: [
        { role: 'admin', id: 'sh8013' },
        { role: 'tech', id: 'sh8013' },
      ],
      nameservers: [
        { name: 'ns1.example.com', ipv4: [], ipv6: [] },
        { name: 'ns1.example.net', ipv4: [], ipv6: [] },
      ],
      subordinateHosts: ['ns1.example.com', 'ns2.example.com'],
      sponsor: 'NewRegistrar',
      authInfo: '2fooBAR',
    });
  },
  'domain/rfc/restore_request_response.xml': () => {
    const r = ok(fixture('domain/rfc/restore_request_response.xml'));
    // A success; its rgp:upData is not read (the restore's port result is null; the domain is read after).
    expect(r.code).toBe(1000);
    trid(r);
  },
  'host/host_check_response.xml': () => {
    expect(hostCheck.parse(ok(fixture('host/host_check_response.xml')))).toEqual([
      { name: 'ns1.example.tld', available: true, reason: null },
      { name: 'ns2.example.tld', available: false, reason: 'In use' },
      { name: 'ns3.example.tld', available: true, reason: null },
    ]);
  },
  'host/host_create_response.xml': () => {
    expect(hostCreate.parse(ok(fixture('host/host_create_response.xml')))).toEqual({
      name: 'ns1.example.tld',
      createdAt: d('1999-04-03T22:00:00Z'),
    });
  },
  'host/host_delete_response.xml': () => {
    const r = ok(fixture('host/host_delete_response.xml'));
    expect(r.code).toBe(1000);
    expect(r.message).toBe('Command completed successfully');
    trid(r);
  },
  'host/host_info_response.xml': () => {
    expect(hostInfo.parse(ok(fixture('host/host_info_response.xml')))).toEqual({
      name: 'ns1.example.tld',
      roid: 'NS1_EXAMPLE1-REP',
      statuses: ['clientUpdateProhibited'],
      ipv4: ['192.0.2.2', '192.0.2.29'],
      ipv6: ['1080:0:0:0:8:800:200C:417A'],
      sponsor: 'TheRegistrar',
      createdBy: 'NewRegistrar',
      createdAt: d('1999-04-03T22:00:00Z'),
      updatedBy: 'NewRegistrar',
      updatedAt: d('1999-12-03T09:00:00Z'),
      transferredAt: d('2000-04-08T09:00:00Z'),
    });
  },
  'poll/poll_ack_response.xml': () => {
    const r = ok(fixture('poll/poll_ack_response.xml'));
    expect(r.msgQ?.id).toBe('3-2011');
    expect(poll.parseAck(r)).toEqual({ count: 4 });
    trid(r, 'ABC-12346');
  },
  'poll/poll_ack_response_empty.xml': () => {
    const r = ok(fixture('poll/poll_ack_response_empty.xml'));
    expect(r.code).toBe(1300);
    expect(poll.parseAck(r)).toEqual({ count: 0 });
  },
  'poll/poll_message_domain_pending_action_immediate_delete.xml': () => {
    const q = poll.parseRequest(ok(fixture('poll/poll_message_domain_pending_action_immediate_delete.xml')));
    expect(q).toMatchObject({
      count: 1,
      message: {
        id: '5-2011',
        queuedAt: d('2011-01-02T01:01:01Z'),
        text: 'Domain test.example was deleted by registry administrator with final deletion effective: 2011-01-02T00:56:01.007Z',
        object: { kind: 'domain', name: 'test.example' },
        pendingActionResult: true,
        transfer: null,
      },
    });
  },
  'poll/poll_response_autorenew.xml': () => {
    expect(poll.parseRequest(ok(fixture('poll/poll_response_autorenew.xml')))).toMatchObject({
      count: 1,
      message: {
        id: '5-2011',
        count: 1,
        queuedAt: d('2011-01-01T01:01:01Z'),
        text: 'Domain was auto-renewed.',
        object: { kind: 'domain', name: 'test.example' },
        expiresAt: d('2012-01-01T01:01:01Z'),
        transfer: null,
        pendingActionResult: null,
      },
    });
  },
  'poll/poll_response_contact_transfer.xml': () => {
    expect(poll.parseRequest(ok(fixture('poll/poll_response_contact_transfer.xml'))).message).toMatchObject({
      id: '3-2010',
      text: 'Transfer requested.',
      object: { kind: 'contact', name: 'sh8013' },
      transfer: {
        name: 'sh8013',
        status: 'pending',
        gainingRegistrar: 'TheRegistrar',
        requestedAt: d('2010-12-28T01:01:01Z'),
        losingRegistrar: 'NewRegistrar',
        actionAt: d('2011-01-02T01:01:01Z'),
        expiresAt: null,
      },
    });
  },
  'poll/poll_response_domain_pending_notification.xml': () => {
    expect(poll.parseRequest(ok(fixture('poll/poll_response_domain_pending_notification.xml'))).message).toMatchObject({
      id: '5-2011',
      text: 'Domain deleted.',
      object: { kind: 'domain', name: 'test.example' },
      pendingActionResult: true,
    });
  },
  'poll/poll_response_domain_transfer.xml': () => {
    expect(poll.parseRequest(ok(fixture('poll/poll_response_domain_transfer.xml'))).message).toMatchObject({
      id: '5-2011',
      queuedAt: d('2011-01-01T01:01:01Z'),
      text: 'Transfer approved.',
      object: { kind: 'domain', name: 'test.example' },
      transfer: {
        status: 'serverApproved',
        gainingRegistrar: 'NewRegistrar',
        losingRegistrar: 'TheRegistrar',
        requestedAt: d('2010-12-28T01:01:01Z'),
        actionAt: d('2011-01-01T01:01:01Z'),
        expiresAt: d('2012-01-02T01:01:01Z'),
      },
    });
  },
  'poll/poll_response_domain_transfer_request.xml': () =>
    void pollTransfer(fixture('poll/poll_response_domain_transfer_request.xml'), 'pending', '2001-01-01T00:00:00Z', 'Transfer requested.'),
  'poll/poll_response_domain_transfer_server_approve_loser.xml': () =>
    void pollTransfer(
      fixture('poll/poll_response_domain_transfer_server_approve_loser.xml'),
      'serverApproved',
      '2001-01-06T00:00:00Z',
      'Transfer approved.',
    ),
  'poll/poll_response_domain_transfer_server_approve_winner.xml': () => {
    const q = pollTransfer(
      fixture('poll/poll_response_domain_transfer_server_approve_winner.xml'),
      'serverApproved',
      '2001-01-06T00:00:00Z',
      'Transfer approved.',
    );
    expect(q.message?.pendingActionResult).toBe(true);
  },
  'poll/poll_response_empty.xml': () => {
    const r = ok(fixture('poll/poll_response_empty.xml'));
    expect(r.code).toBe(1300);
    expect(poll.parseRequest(r)).toEqual({ message: null, count: 0 });
  },
  'poll/poll_response_host_delete.xml': () => {
    expect(poll.parseRequest(ok(fixture('poll/poll_response_host_delete.xml')))).toMatchObject({
      count: 1,
      message: { id: '5-2011', text: 'Deleted host ns1.test.example', object: null, transfer: null },
    });
  },
  'poll/poll_response_server_hold.xml': () => {
    expect(poll.parseRequest(ok(fixture('poll/poll_response_server_hold.xml'))).message).toMatchObject({
      id: '12-2000',
      queuedAt: d('2000-06-02T13:00:00Z'),
      text: 'The registry administrator has added the status(es) [serverHold].',
      object: { kind: 'domain', name: 'example.tld' },
      pendingActionResult: true,
    });
  },
  'poll/poll_response_unrenew.xml': () => {
    expect(poll.parseRequest(ok(fixture('poll/poll_response_unrenew.xml'))).message).toMatchObject({
      id: '17-2001',
      queuedAt: d('2001-06-07T00:00:00Z'),
      text: 'Domain example.tld was unrenewed by 3 years; now expires at 2003-06-01T00:02:00.000Z.',
      object: null,
    });
  },
  'poll/rfc/poll_response_mixed.xml': () => {
    const r = ok(fixture('poll/rfc/poll_response_mixed.xml'));
    const q = poll.parseRequest(r, 'raw-frame');
    expect(q).toMatchObject({ count: 4, message: { id: '12346', count: 4, text: 'Credit balance low.', raw: 'raw-frame' } });
    trid(r, 'ABC-12346');
  },
  'session/generic_success_response.xml': () => {
    const r = ok(fixture('session/generic_success_response.xml'));
    expect(r).toMatchObject({ code: 1000, message: 'Command completed successfully', msgQ: null, resData: [], extension: [] });
    trid(r);
  },
  'session/greeting.xml': () => {
    const g = hello.parse(fixture('session/greeting.xml'));
    expect(g).toMatchObject({
      svID: 'Nomulus Registry',
      svDate: d('2000-06-02T00:00:00Z'),
      versions: ['1.0'],
      langs: ['en'],
      objURIs: ['urn:ietf:params:xml:ns:host-1.0', 'urn:ietf:params:xml:ns:domain-1.0'],
    });
    expect(g.extURIs).toContain('urn:ietf:params:xml:ns:secDNS-1.1');
    expect(g.extURIs).toHaveLength(7);
    expect(hello.capabilitiesFrom(g)).toEqual({
      contacts: false,
      hostObjects: true,
      dnssec: true,
      dnssecDsData: true,
      restore: true,
      transferActions: true,
      transferPeriod: true,
      poll: true,
      balance: false,
      listDomains: false,
      contactIdsAssigned: false,
      contactIdent: false,
      bulk: false,
      periodUnits: ['y', 'm'],
    });
  },
  'session/logout_response.xml': () => {
    const r = ok(fixture('session/logout_response.xml'));
    expect(r.code).toBe(1500);
    expect(logout.parse(r)).toEqual({ ended: true });
  },
  'session/response_error.xml': () => {
    const r = parseResponse(fixture('session/response_error.xml'));
    expect(r.code).toBe(2303);
    trid(r);
    const err = (() => {
      try {
        ensureSuccess(r, 'nomulus');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ObjectNotFoundError);
    expect(err).toMatchObject({
      code: 'OBJECT_NOT_FOUND',
      details: { upstreamCode: 2303, upstreamMessage: placeholders['MSG'], backend: 'nomulus' },
    });
  },
  'session/response_error_no_cltrid.xml': () => {
    const r = parseResponse(fixture('session/response_error_no_cltrid.xml', { CODE: '2201', MSG: 'not yours' }));
    trid(r, null);
    expect(() => ensureSuccess(r)).toThrow(RegistryError);
    expect(() => ensureSuccess(r)).toThrow(expect.objectContaining({ code: 'AUTHORIZATION_ERROR', details: expect.objectContaining({ upstreamCode: 2201 }) }));
  },
  'session/rfc/greeting.xml': () => {
    const g = hello.parse(fixture('session/rfc/greeting.xml'));
    expect(g).toMatchObject({
      svID: 'Example EPP server epp.example.com',
      svDate: d('2000-06-08T22:00:00Z'),
      langs: ['en', 'fr'],
      objURIs: ['urn:ietf:params:xml:ns:obj1', 'urn:ietf:params:xml:ns:obj2', 'urn:ietf:params:xml:ns:obj3'],
      extURIs: ['http://custom/obj1ext-1.0'],
    });
    expect(hello.capabilitiesFrom(g)).toMatchObject({ contacts: false, hostObjects: false, dnssec: false, restore: false });
  },
};

/** Fixtures whose body is a server frame (response or greeting). */
function serverFrames(): string[] {
  return allFixtures().filter((rel) => {
    const body = parseXml(fixture(rel)).children[0];
    return body?.name === 'response' || body?.name === 'greeting';
  });
}

describe('Nomulus response fixtures', () => {
  test.each(Object.keys(CASES))('%s', (rel) => {
    CASES[rel]!();
  });

  test('every response/greeting fixture has a parse case', () => {
    const frames = serverFrames();
    expect(frames.length).toBeGreaterThan(40);
    expect(frames.filter((f) => !(f in CASES))).toEqual([]);
    expect(Object.keys(CASES).filter((f) => !frames.includes(f))).toEqual([]);
  });
});
