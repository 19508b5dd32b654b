/**
 * REPP's calendar (REPP document: exp_date is a day in Europe/Tallinn; the registry keeps an
 * expiry at local midnight): the new expiry of a renewal the registry's answer does not state
 * (bulk renew; a single renew whose read-back failed) is local midnight of the day the current
 * expiry falls on there, plus the period, across daylight-saving changes; and a time zone the
 * runtime does not know is refused at start, not after a renewal was sent.
 */
import { describe, expect, it } from 'vitest';
import { reppRenewedExpiry } from '../../../../src/backends/repp/codec/read.js';
import { validateReppConfig, type ReppBackendConfig } from '../../../../src/backends/repp/config.js';
import { ConfigError } from '../../../../src/config-error.js';

const renewed = (from: string, value: number, unit: 'y' | 'm') => reppRenewedExpiry(new Date(from), { value, unit }).toISOString();

describe('reppRenewedExpiry', () => {
  it.each([
    ['2032-01-03T22:00:00.000Z', 6, 'm', '2032-07-03T21:00:00.000Z'], // the registry's own expiry (winter midnight) -> summer midnight
    ['2032-01-04T00:00:00.000Z', 6, 'm', '2032-07-03T21:00:00.000Z'], // a currentExpiry given as UTC midnight names the same Tallinn day
    ['2032-01-04T21:59:59.000Z', 6, 'm', '2032-07-03T21:00:00.000Z'], // the last second of that day
    ['2032-07-03T21:00:00.000Z', 1, 'y', '2033-07-03T21:00:00.000Z'],
    ['2028-02-28T22:00:00.000Z', 1, 'y', '2029-02-27T22:00:00.000Z'], // 2028-02-29 in Tallinn -> 2029-02-28
  ] as const)('%s + %i%s = %s', (from, value, unit, expected) => {
    expect(renewed(from, value, unit)).toBe(expected);
  });
});

describe('config timeZone', () => {
  const backend = (timeZone: string): ReppBackendConfig => ({ name: 'ee', kind: 'repp', url: 'https://repp.example', accounts: { R: { username: 'u', password: 'p' } }, timeZone }) as ReppBackendConfig;
  it.each(['Europe/Talinn', '', 'Mars/Olympus'])('%j is refused at start naming the backend and timeZone', (zone) => {
    expect(() => validateReppConfig(backend(zone))).toThrow(ConfigError);
    expect(() => validateReppConfig(backend(zone))).toThrow('config: backend "ee" timeZone must be an IANA time zone name');
  });
  it('a zone the runtime knows is taken', () => {
    expect(() => validateReppConfig(backend('Europe/Tallinn'))).not.toThrow();
    expect(() => validateReppConfig(backend('UTC'))).not.toThrow();
  });
});
