import { describe, expect, it } from 'vitest';
import { checkPeriod, checkPeriodUnit } from '../../../src/validation/values.js';
import { requireCreateSupport, requireUpdateSupport, toDomainCreate, toDomainUpdate, toHostCreate, toHostUpdate } from '../../../src/validation/inputs.js';
import { NO_CAPABILITIES } from '../../../src/core/capabilities.js';
import { UnsupportedByBackendError, ValidationError } from '../../../src/core/errors.js';
import { refusal } from './helpers.js';

describe('periods', () => {
  it('accepts 1-10 years and 1-120 months', () => {
    expect(checkPeriod('p', { value: 10, unit: 'y' })).toEqual({ value: 10, unit: 'y' });
    expect(checkPeriod('p', { value: 120, unit: 'm' })).toEqual({ value: 120, unit: 'm' });
  });
  it.each([
    [{ value: 0, unit: 'y' as const }, 'p.value'],
    [{ value: 11, unit: 'y' as const }, 'p.value'],
    [{ value: 1.5, unit: 'y' as const }, 'p.value'],
    [{ value: 121, unit: 'm' as const }, 'p.value'],
  ])('refuses %j', (p, field) => {
    expect(refusal(() => checkPeriod('p', p)).details.field).toBe(field);
  });
  it('refuses months where the registry takes years only', () => {
    const e = refusal(() => checkPeriodUnit('p', { value: 6, unit: 'm' }, ['y'], 'sandbox-nomulus'));
    expect(e.details).toMatchObject({ field: 'p.unit', backend: 'sandbox-nomulus' });
    expect(e.message).toBe('p.unit: registry "sandbox-nomulus" accepts YEARS only');
  });
});

describe('domain inputs', () => {
  const caps = { ...NO_CAPABILITIES, hostObjects: true, dnssec: true, dnssecDsData: true, periodUnits: ['y' as const] };
  const base = { name: 'example.tld', contacts: [], nameservers: [], authInfo: 'abc123XYZ' };

  it('refuses contacts or months on a backend without them, once its capabilities are known', () => {
    expect(() => requireCreateSupport(toDomainCreate({ ...base, registrant: 'jd1234' }), 'nomulus', caps)).toThrow(UnsupportedByBackendError);
    expect(refusal(() => requireCreateSupport(toDomainCreate({ ...base, period: { value: 6, unit: 'm' } }), 'x', caps)).details.field).toBe('input.period.unit');
    const update = toDomainUpdate({ name: 'example.tld', removeAllDnssec: false, registrant: 'jd1234' });
    expect(() => requireUpdateSupport(update, 'nomulus', caps)).toThrow(UnsupportedByBackendError);
  });
  it('refuses glue for a name server outside the domain, and glue no one can reach', () => {
    expect(refusal(() => toDomainCreate({ ...base, nameservers: [{ name: 'ns1.other.tld', ipv4: ['192.0.2.1'], ipv6: [] }] })).details.field).toBe('input.nameservers[0].ipv4');
    expect(refusal(() => toDomainCreate({ ...base, nameservers: [{ name: 'ns1.example.tld', ipv4: [], ipv6: ['fe80::1%eth0'] }] })).details.field).toBe('input.nameservers[0].ipv6[0]');
    expect(refusal(() => toDomainCreate({ ...base, nameservers: [{ name: 'ns1.example.tld', ipv4: ['127.0.0.1'], ipv6: [] }] })).details.field).toBe('input.nameservers[0].ipv4[0]');
  });
  it('names the nested field of a bad address and bounds the name servers', () => {
    expect(refusal(() => toDomainCreate({ ...base, nameservers: [{ name: 'ns1.example.tld', ipv4: ['192.0.2.1', 'nope'], ipv6: [] }] })).details.field).toBe('input.nameservers[0].ipv4[1]');
    const many = Array.from({ length: 14 }, (_, i) => ({ name: `ns${i}.other.tld`, ipv4: [], ipv6: [] }));
    expect(refusal(() => toDomainCreate({ ...base, nameservers: many })).details.field).toBe('input.nameservers');
  });
  it('refuses an update that changes nothing, and removeAllDnssec with records to remove', () => {
    expect(() => toDomainUpdate({ name: 'example.tld', removeAllDnssec: false })).toThrow(ValidationError);
    const ds = { keyTag: 1, algorithm: 13, digestType: 2, digest: 'A'.repeat(64) };
    const remove = { statuses: [], contacts: [], nameservers: [], dsData: [ds], keyData: [] };
    expect(refusal(() => toDomainUpdate({ name: 'example.tld', removeAllDnssec: true, remove })).details.field).toBe('input.removeAllDnssec');
  });
});

describe('host inputs (RFC 5732)', () => {
  it('accepts addresses in canonical form and removes any address', () => {
    expect(toHostCreate({ name: 'ns1.example.tld', ipv4: ['192.0.2.1'], ipv6: ['2001:DB8:0::53'] }).ipv6).toEqual(['2001:db8::53']);
    const u = toHostUpdate({ name: 'ns1.example.tld', addIpv4: [], addIpv6: [], removeIpv4: ['127.0.0.1'], removeIpv6: [], addStatuses: ['clientUpdateProhibited'], removeStatuses: [] });
    expect(u.removeIpv4).toEqual(['127.0.0.1']);
  });
  it.each([
    [{ ipv6: ['fe80::1%eth0'] }, 'input.ipv6[0]'],
    [{ ipv4: ['169.254.0.1'] }, 'input.ipv4[0]'],
    [{ name: '☃.example' }, 'input.name'],
  ])('refuses %j', (change, field) => {
    expect(refusal(() => toHostCreate({ name: 'ns1.example.tld', ipv4: [], ipv6: [], ...change })).details.field).toBe(field);
  });
  it('refuses an update that changes nothing, and a rename to the name the host has (however it is spelt)', () => {
    const none = { name: 'ns1.example.tld', addIpv4: [], addIpv6: [], removeIpv4: [], removeIpv6: [], addStatuses: [], removeStatuses: [] };
    expect(refusal(() => toHostUpdate(none)).details.field).toBe('input');
    expect(refusal(() => toHostUpdate({ ...none, newName: 'NS1.Example.TLD.' })).details.field).toBe('input.newName');
    expect(refusal(() => toHostUpdate({ ...none, addIpv4: ['192.0.2.1'], newName: 'ns1.example.tld' })).details.field).toBe('input.newName');
    expect(toHostUpdate({ ...none, newName: 'ns2.example.tld' }).newName).toBe('ns2.example.tld');
  });
  it('refuses statuses a client cannot set on a host', () => {
    const err = refusal(() => toHostUpdate({ name: 'ns1.example.tld', addIpv4: [], addIpv6: [], removeIpv4: [], removeIpv6: [], addStatuses: ['clientHold'], removeStatuses: [] }));
    expect(err.details.field).toBe('input.addStatuses[0]');
  });
});
