import { describe, expect, it } from 'vitest';
import { checkDsData, checkIpv4, checkIpv6, checkKeyData, checkPeriod } from '../../../src/validation/values.js';
import { toDomainCreate, toDomainUpdate } from '../../../src/validation/inputs.js';
import { NO_CAPABILITIES } from '../../../src/core/capabilities.js';
import { UnsupportedByBackendError, ValidationError } from '../../../src/core/errors.js';

const SHA256 = '49FD46E6C4B45C55D4AC49FD46E6C4B45C55D4AC49FD46E6C4B45C55D4AC1234';

describe('addresses', () => {
  it('accepts and normalises', () => {
    expect(checkIpv4('ip', '192.0.2.1')).toBe('192.0.2.1');
    expect(checkIpv6('ip', '2001:DB8::1')).toBe('2001:db8::1');
  });
  it('rejects', () => {
    expect(() => checkIpv4('input.ipv4[0]', '256.1.1.1')).toThrow('input.ipv4[0]');
    expect(() => checkIpv4('ip', '2001:db8::1')).toThrow('IPv4');
    expect(() => checkIpv6('ip', '192.0.2.1')).toThrow('IPv6');
  });
});

describe('periods', () => {
  it('accepts 1-10 years and months where allowed', () => {
    expect(checkPeriod('p', { value: 10, unit: 'y' }, ['y'])).toEqual({ value: 10, unit: 'y' });
    expect(checkPeriod('p', { value: 120, unit: 'm' }, ['y', 'm'])).toEqual({ value: 120, unit: 'm' });
  });
  it.each([
    [{ value: 0, unit: 'y' as const }, 'p.value'],
    [{ value: 11, unit: 'y' as const }, 'p.value'],
    [{ value: 1.5, unit: 'y' as const }, 'p.value'],
    [{ value: 6, unit: 'm' as const }, 'p.unit'],
  ])('rejects %j', (p, field) => {
    expect(() => checkPeriod('p', p, ['y'])).toThrow(field);
  });
});

describe('DNSSEC', () => {
  it('accepts DS data and upper-cases the digest', () => {
    const ds = checkDsData('ds', { keyTag: 12345, algorithm: 13, digestType: 2, digest: SHA256.toLowerCase() });
    expect(ds.digest).toBe(SHA256);
  });
  it.each([
    [{ keyTag: 70000, algorithm: 13, digestType: 2, digest: SHA256 }, 'ds.keyTag'],
    [{ keyTag: 1, algorithm: 0, digestType: 2, digest: SHA256 }, 'ds.algorithm'],
    [{ keyTag: 1, algorithm: 13, digestType: 2, digest: 'ABCD' }, 'needs 64 hex digits'],
    [{ keyTag: 1, algorithm: 13, digestType: 1, digest: 'XYZ1' }, 'hex digits'],
  ])('rejects %j', (ds, why) => {
    expect(() => checkDsData('ds', ds)).toThrow(why);
  });
  it('checks key data', () => {
    expect(checkKeyData('k', { flags: 257, protocol: 3, algorithm: 13, publicKey: 'AwEAAa==' }).flags).toBe(257);
    expect(() => checkKeyData('k', { flags: 1, protocol: 3, algorithm: 13, publicKey: 'AwEAAa==' })).toThrow('k.flags');
    expect(() => checkKeyData('k', { flags: 256, protocol: 2, algorithm: 13, publicKey: 'AwEAAa==' })).toThrow('k.protocol');
    expect(() => checkKeyData('k', { flags: 256, protocol: 3, algorithm: 13, publicKey: 'not base64!' })).toThrow('k.publicKey');
  });
});

describe('domain inputs against capabilities', () => {
  const caps = { ...NO_CAPABILITIES, hostObjects: true, dnssec: true, dnssecDsData: true };
  const base = { name: 'example.tld', contacts: [], nameservers: [], authInfo: 'abc123XYZ' };

  it('refuses contacts on a backend without contact objects, before sending', () => {
    expect(() => toDomainCreate({ ...base, registrant: 'jd1234' }, 'nomulus', caps)).toThrow(UnsupportedByBackendError);
  });
  it('refuses glue for a name server outside the domain', () => {
    expect(() => toDomainCreate({ ...base, nameservers: [{ name: 'ns1.other.tld', ipv4: ['192.0.2.1'], ipv6: [] }] }, 'x', caps)).toThrow(
      'input.nameservers[0].ipv4',
    );
  });
  it('names the nested field of a bad address', () => {
    expect(() => toDomainCreate({ ...base, nameservers: [{ name: 'ns1.example.tld', ipv4: ['192.0.2.1', 'nope'], ipv6: [] }] }, 'x', caps)).toThrow(
      'input.nameservers[0].ipv4[1]',
    );
  });
  it('rejects an update that changes nothing', () => {
    expect(() => toDomainUpdate({ name: 'example.tld', removeAllDnssec: false }, 'x', caps)).toThrow(ValidationError);
  });
});
