/**
 * The DMAPI reply parser on the document's examples (shared/upstream/004_3d0c9974b3057d3e.txt):
 * the login reply ("Auth-SID" header, then the reseller's TLDs), the standard headers, the
 * list formats (result-list, query-domain-list with showstatus, query-ns-list with full=1,
 * query-contact-list with extended-format and its Columns header) and "key: value" bodies.
 */
import { describe, expect, test } from 'vitest';
import { keyValues, parseReply, records, rows } from '../../../../src/backends/joker/reply.js';
import { maskResult, nackCode } from '../../../../src/backends/joker/driver/result-text.js';

describe('DMAPI reply parser', () => {
  test('login: Auth-SID and UID headers, then the TLDs the reseller may register, one per line', () => {
    const r = parseReply('Auth-SID: 2a1f4b7c9d\nUID: 1234\nTracking-Id: 100001\nStatus-Code: 0\nStatus-Text: Command completed successfully\n\ncom\nnet\norg\n');
    expect(r.authSid).toBe('2a1f4b7c9d');
    expect(r.headers.get('uid')).toEqual(['1234']);
    expect(r.trackingId).toBe('100001');
    expect(r.statusCode).toBe(0);
    expect(rows(r).map((x) => x[0])).toEqual(['com', 'net', 'org']);
  });

  test('standard headers: Status-Code, Status-Text, Result, Proc-ID, Account-Balance; names case-insensitive; CRLF accepted', () => {
    const r = parseReply('tracking-id: 77\r\nSTATUS-CODE: 0\r\nStatus-Text: OK\r\nResult: ack\r\nProc-ID: 5501\r\nAccount-Balance: 1234.50\r\n\r\n');
    expect(r).toMatchObject({ trackingId: '77', statusCode: 0, statusText: 'OK', result: 'ACK', procId: '5501', accountBalance: '1234.50', errors: [], warnings: [] });
    expect(r.body).toBe('');
  });

  test('a refusal: a non-zero Status-Code and every Error and Warning line, in order', () => {
    const r = parseReply('Status-Code: 2303\nStatus-Text: Object does not exist\nError: domain not found: nosuch.joker.test\nError: request not processed\nWarning: ignored field "fax"\n\n');
    expect(r.statusCode).toBe(2303);
    expect(r.errors).toEqual(['domain not found: nosuch.joker.test', 'request not processed']);
    expect(r.warnings).toEqual(['ignored field "fax"']);
  });

  test('a reply without a blank line is headers only (logout)', () => {
    expect(parseReply('Status-Code: 0\nStatus-Text: OK').body).toBe('');
  });

  test('result-list: the document\'s columns when the reply names none, space separated', () => {
    const r = parseReply('Status-Code: 0\n\n20261201101500 400001 5501 domain-register one.joker.test ack -\n20261201101600 400002 5502 domain-renew two.joker.test ? my-cltrid\n');
    const cols = ['timestamp', 'svtrid', 'proc-id', 'request-type', 'request-object', 'status', 'cltrid'];
    expect(records(r, cols)).toEqual([
      { timestamp: '20261201101500', svtrid: '400001', 'proc-id': '5501', 'request-type': 'domain-register', 'request-object': 'one.joker.test', status: 'ack', cltrid: '-' },
      { timestamp: '20261201101600', svtrid: '400002', 'proc-id': '5502', 'request-type': 'domain-renew', 'request-object': 'two.joker.test', status: '?', cltrid: 'my-cltrid' },
    ]);
  });

  test('query-domain-list with showstatus: name, expiration, comma-separated statuses ("lock,autorenew")', () => {
    const r = parseReply('Status-Code: 0\nColumns: domain,expiration,status\n\nexample.joker.test 2027-12-01 lock,autorenew\nother.joker.test 2028-01-15 production\n');
    expect(records(r)).toEqual([
      { domain: 'example.joker.test', expiration: '2027-12-01', status: 'lock,autorenew' },
      { domain: 'other.joker.test', expiration: '2028-01-15', status: 'production' },
    ]);
  });

  test('query-ns-list with full=1: tab separated, "-" where an address is absent (the document\'s IPv6-only line)', () => {
    const r = parseReply('Status-Code: 0\nSeparator: TAB\nColumns: host,ipv4,ipv6\n\nns1.example.joker.test\t-\tFE80:0000:0000:0000:0202:B3FF:FE1E:8329\nns2.example.joker.test\t192.0.2.1\t-\n');
    expect(r.separator).toBe('\t');
    expect(records(r)).toEqual([
      { host: 'ns1.example.joker.test', ipv4: '-', ipv6: 'FE80:0000:0000:0000:0202:B3FF:FE1E:8329' },
      { host: 'ns2.example.joker.test', ipv4: '192.0.2.1', ipv6: '-' },
    ]);
  });

  test('query-contact-list with extended-format: tabs keep names with spaces in one column', () => {
    const r = parseReply('Status-Code: 0\nSeparator: TAB\nColumns: handle,name,organization\n\nCCOM-1\tMari Maasikas\tMaasikas OÜ\nCCOM-2\tJohn Doe\t\n');
    expect(records(r)).toEqual([
      { handle: 'CCOM-1', name: 'Mari Maasikas', organization: 'Maasikas OÜ' },
      { handle: 'CCOM-2', name: 'John Doe', organization: '' },
    ]);
  });

  test('Separator SPACE splits on single spaces; count-only\'s "Records: N" is a key-value body', () => {
    expect(rows(parseReply('Separator: SPACE\n\na  b\n'))).toEqual([['a', '', 'b']]);
    expect(keyValues(parseReply('Status-Code: 0\n\nRecords: 3\n')).get('records')).toEqual(['3']);
  });

  test('domain-get-property and query-whois: "key: value" lines, repeated keys kept in order, values may hold colons', () => {
    expect(keyValues(parseReply('Status-Code: 0\n\nautorenew: 0\n')).get('autorenew')).toEqual(['0']);
    const kv = keyValues(parseReply('Status-Code: 0\n\ndomain.name: one.joker.test\ndomain.nservers.nserver.handle: ns1.one.joker.test\ndomain.nservers.nserver.handle: ns2.one.joker.test\ndomain.ds: 12345:13:2:AB:CD\n'));
    expect(kv.get('domain.nservers.nserver.handle')).toEqual(['ns1.one.joker.test', 'ns2.one.joker.test']);
    expect(kv.get('domain.ds')).toEqual(['12345:13:2:AB:CD']);
  });

  test('a result as stored: the Auth-ID line masked, also where the result repeats the code; a NACK without a Status-Code is 2308', () => {
    const m = maskResult('Proc-ID: 5001\nRequest-Type: domain-transfer-get-auth-id\nStatus: ack\nResult: ACK\nAuth-ID: Zq9-Secret-77\nWarning: new code Zq9-Secret-77 replaces the old one');
    expect(m.text).toBe('Proc-ID: 5001\nRequest-Type: domain-transfer-get-auth-id\nStatus: ack\nResult: ACK\nAuth-ID: ****\nWarning: new code **** replaces the old one');
    expect(m.secrets).toEqual(['Zq9-Secret-77']);
    expect(nackCode(parseReply('Proc-ID: 5002\nStatus: nack\n'))).toBe(2308);
    expect(nackCode(parseReply('Status-Code: 2202\nResult: NACK\n'))).toBe(2202);
  });
});
