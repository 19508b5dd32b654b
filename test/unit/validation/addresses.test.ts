import { describe, expect, it } from 'vitest';
import { checkAddressesToRemove, checkHostAddress, checkHostAddresses, checkIpv4, checkIpv6 } from '../../../src/validation/addresses.js';
import { refusal } from './helpers.js';

describe('IP addresses', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    [' 198.51.100.7 ', '198.51.100.7'],
  ])('accepts IPv4 %j', (ip, out) => expect(checkIpv4('ip', ip)).toBe(out));

  it.each([
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1'], // RFC 5952 canonical form
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    ['2001:db8::192.0.2.1', '2001:db8::c000:201'],
    ['::', '::'],
  ])('accepts IPv6 %j as %j', (ip, out) => expect(checkIpv6('ip', ip)).toBe(out));

  it.each([
    ['256.1.1.1', 'IPv4'],
    ['01.2.3.4', 'IPv4'],
    ['0x7f.0.0.1', 'IPv4'],
    ['2001:db8::1', 'IPv4'],
  ])('refuses IPv4 %j', (ip, why) => {
    const err = refusal(() => checkIpv4('input.ipv4[0]', ip));
    expect(err.details.field).toBe('input.ipv4[0]');
    expect(err.message).toContain(why);
  });

  it.each([
    ['fe80::1%eth0', 'zone index'],
    ['fe80::1%25eth0', 'zone index'],
    ['192.0.2.1', 'IPv6'],
    ['2001:db8::zz', 'IPv6'],
    ['1:2:3:4:5:6:7:8:9', 'IPv6'],
    ['[2001:db8::1]', 'IPv6'],
  ])('refuses IPv6 %j', (ip, why) => {
    expect(refusal(() => checkIpv6('ip', ip)).message).toContain(why);
  });

  it('refuses a 1 MB address with a short message', () => {
    expect(refusal(() => checkIpv6('ip', `2001:db8::${'1'.repeat(1_000_000)}`)).message.length).toBeLessThan(80);
    expect(refusal(() => checkIpv4('ip', '1'.repeat(1_000_000))).message.length).toBeLessThan(80);
  });

  it.each([
    ['0.0.0.0', 4, 'unspecified'],
    ['127.0.0.1', 4, 'loopback'],
    ['169.254.1.1', 4, 'link-local'],
    ['224.0.0.1', 4, 'multicast'],
    ['255.255.255.255', 4, 'broadcast'],
    ['::', 6, 'unspecified'],
    ['::1', 6, 'loopback'],
    ['fe80::1', 6, 'link-local'],
    ['ff02::1', 6, 'multicast'],
    ['::ffff:192.0.2.1', 6, 'IPv4-mapped'],
    ['::192.0.2.1', 6, 'IPv4-compatible'],
    ['0:0:0:0:0:0:c000:201', 6, 'IPv4-compatible'],
  ] as const)('refuses %s as a host address (%s), quoting it as sent', (ip, v, range) => {
    const message = refusal(() => checkHostAddress('ip', ip, v)).message;
    expect(message).toContain(range);
    expect(message).toContain(`"${ip}"`);
  });

  it('keeps the IPv4-compatible ::192.0.2.1 the address it is (::c000:201), not the IPv4-mapped ::ffff:c000:201 ipaddr.js reads that spelling as', () => {
    expect(checkIpv6('ip', '::192.0.2.1')).toBe('::c000:201');
    expect(checkAddressesToRemove('ip', ['::192.0.2.1'], 6)).toEqual(['::c000:201']);
  });

  it('keeps private and documentation ranges for hosts (registry policy), and any address for removal', () => {
    expect(checkHostAddress('ip', '10.0.0.1', 4)).toBe('10.0.0.1');
    expect(checkHostAddress('ip', '2001:db8::53', 6)).toBe('2001:db8::53');
    expect(checkAddressesToRemove('ip', ['fe80::1'], 6)).toEqual(['fe80::1']);
  });

  it('names the position of a duplicate and bounds the list', () => {
    expect(refusal(() => checkHostAddresses('input.ipv6', ['2001:db8::1', '2001:DB8:0::1'], 6)).details.field).toBe('input.ipv6[1]');
    const many = Array.from({ length: 17 }, (_, i) => `192.0.2.${i + 1}`);
    expect(refusal(() => checkHostAddresses('input.ipv4', many, 4)).details.field).toBe('input.ipv4');
  });
});
