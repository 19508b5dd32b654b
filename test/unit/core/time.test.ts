/**
 * One period arithmetic and one date parser for the whole gateway (issue 8 items 6 and 7).
 * This file runs under TZ=Asia/Tokyo (set before any date is made; vitest runs each file in its
 * own process), where reading a zoneless date as local time moves it 9 hours back.
 */
process.env.TZ = 'Asia/Tokyo';

import { describe, expect, it } from 'vitest';
import { addPeriod, addPeriodInZone, daysInMonth, parseUpstreamDate, UpstreamDateError } from '../../../src/core/time.js';
import { addYears } from '../../../src/sandbox/epp/store.js';

const at = (iso: string) => new Date(iso);
const plus = (iso: string, value: number, unit: 'y' | 'm') => addPeriod(at(iso), { value, unit }).toISOString();

describe('addPeriod: the expiry a registry computes (same day of month, clamped to the month end, UTC)', () => {
  it.each([
    // leap days
    ['2028-02-29T00:00:00.000Z', 1, 'y', '2029-02-28T00:00:00.000Z'],
    ['2028-02-29T10:00:00.000Z', 4, 'y', '2032-02-29T10:00:00.000Z'],
    ['2028-02-29T10:00:00.000Z', 2, 'y', '2030-02-28T10:00:00.000Z'],
    ['2096-02-29T00:00:00.000Z', 4, 'y', '2100-02-28T00:00:00.000Z'], // 2100 is not a leap year
    ['2096-02-29T00:00:00.000Z', 8, 'y', '2104-02-29T00:00:00.000Z'],
    ['2027-02-28T00:00:00.000Z', 1, 'y', '2028-02-28T00:00:00.000Z'], // not moved to the 29th
    ['2028-02-29T00:00:00.000Z', 12, 'm', '2029-02-28T00:00:00.000Z'],
    // month ends
    ['2027-01-31T12:34:56.789Z', 1, 'm', '2027-02-28T12:34:56.789Z'],
    ['2028-01-31T00:00:00.000Z', 1, 'm', '2028-02-29T00:00:00.000Z'],
    ['2027-01-31T00:00:00.000Z', 2, 'm', '2027-03-31T00:00:00.000Z'], // no clamping carried forward
    ['2027-03-31T00:00:00.000Z', 1, 'm', '2027-04-30T00:00:00.000Z'],
    ['2027-08-31T00:00:00.000Z', 10, 'y', '2037-08-31T00:00:00.000Z'],
    ['2027-08-31T23:59:59.999Z', 6, 'm', '2028-02-29T23:59:59.999Z'],
    ['2027-12-31T00:00:00.000Z', 2, 'm', '2028-02-29T00:00:00.000Z'],
    // year boundaries, long and negative periods
    ['2027-11-30T00:00:00.000Z', 3, 'm', '2028-02-29T00:00:00.000Z'],
    ['2027-12-15T00:00:00.000Z', 120, 'm', '2037-12-15T00:00:00.000Z'],
    ['2027-03-31T00:00:00.000Z', -1, 'm', '2027-02-28T00:00:00.000Z'],
    ['2029-02-28T00:00:00.000Z', -1, 'y', '2028-02-28T00:00:00.000Z'],
  ] as const)('%s + %i%s = %s', (from, value, unit, expected) => {
    expect(plus(from, value, unit)).toBe(expected);
  });

  it('keeps the UTC day and time near midnight, whatever TZ the process runs in (here Asia/Tokyo)', () => {
    // In Tokyo, 2028-02-29T20:00Z is already March 1st locally: local arithmetic would give 03-01.
    expect(plus('2028-02-29T20:00:00.000Z', 1, 'y')).toBe('2029-02-28T20:00:00.000Z');
    expect(plus('2027-01-31T23:30:00.000Z', 1, 'm')).toBe('2027-02-28T23:30:00.000Z');
  });

  it('does not change its argument, and refuses what is not a date or a whole period', () => {
    const from = at('2028-02-29T00:00:00Z');
    addPeriod(from, { value: 1, unit: 'y' });
    expect(from.toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(() => addPeriod(new Date(Number.NaN), { value: 1, unit: 'y' })).toThrow(RangeError);
    expect(() => addPeriod(from, { value: 1.5, unit: 'y' })).toThrow(RangeError);
  });

  it('agrees with the sandbox registry’s own rule (an independent implementation) on every day of 2024-2031', () => {
    for (let t = Date.UTC(2024, 0, 1, 13); t < Date.UTC(2032, 0, 1); t += 86_400_000) {
      for (const years of [1, 2, 4, 10]) {
        expect(addPeriod(new Date(t), { value: years, unit: 'y' }).toISOString()).toBe(addYears(new Date(t), years).toISOString());
      }
    }
  });

  it('daysInMonth follows the Gregorian leap rule', () => {
    expect([2027, 2028, 2100, 2000].map((y) => daysInMonth(y, 1))).toEqual([28, 29, 28, 29]);
  });
});

describe('parseUpstreamDate: every upstream date, no zone = UTC, nothing = null', () => {
  const iso = (s: string | null | undefined) => parseUpstreamDate(s)?.toISOString() ?? null;

  it('reads a date without a zone as UTC, not as the process’s local time (TZ=Asia/Tokyo here)', () => {
    // The old parse (new Date) in this process: 9 hours early, the day before.
    expect(new Date('2027-11-30T00:00:00').toISOString()).toBe('2027-11-29T15:00:00.000Z');
    expect(iso('2027-11-30T00:00:00')).toBe('2027-11-30T00:00:00.000Z');
    expect(iso('2027-11-30T00:00:00.5')).toBe('2027-11-30T00:00:00.500Z');
    expect(iso('2027-11-30')).toBe('2027-11-30T00:00:00.000Z');
    expect(iso('2027-11-30 08:15')).toBe('2027-11-30T08:15:00.000Z');
  });

  it.each([
    ['2027-11-30T00:00:00Z', '2027-11-30T00:00:00.000Z'],
    ['2027-11-30T00:00:00.0Z', '2027-11-30T00:00:00.000Z'],
    ['2027-11-30T10:11:12.123456789Z', '2027-11-30T10:11:12.123Z'], // fraction kept to the millisecond
    ['2027-11-30t10:11:12,5z', '2027-11-30T10:11:12.500Z'],
    ['2027-11-30T02:00:00+02:00', '2027-11-30T00:00:00.000Z'],
    ['2027-11-30T00:00:00-05:30', '2027-11-30T05:30:00.000Z'],
    ['2027-11-30T09:00:00+0900', '2027-11-30T00:00:00.000Z'],
    ['2027-11-30T09:00:00+09', '2027-11-30T00:00:00.000Z'],
    ['2027-11-30Z', '2027-11-30T00:00:00.000Z'],
    ['2027-11-30+02:00', '2027-11-29T22:00:00.000Z'],
    ['2027-11-30T24:00:00Z', '2027-12-01T00:00:00.000Z'], // xsd end of day
    ['2016-12-31T23:59:60Z', '2017-01-01T00:00:00.000Z'], // leap second
    ['  2028-02-29T00:00:00Z\n', '2028-02-29T00:00:00.000Z'],
    ['0099-01-01T00:00:00Z', '0099-01-01T00:00:00.000Z'], // not 1999
  ])('%j -> %s', (text, expected) => {
    expect(iso(text)).toBe(expected);
  });

  it('a missing date is null, never the epoch', () => {
    expect([iso(undefined), iso(null), iso(''), iso('  \n ')]).toEqual([null, null, null, null]);
  });

  it.each([
    '2027-02-29T00:00:00Z', // not a leap year
    '2027-13-01',
    '2027-11-31',
    '2027-11-30T25:00:00Z',
    '2027-11-30T24:00:01Z',
    '2027-11-30T10:60:00Z',
    '2027-11-30T00:00:00+24:00',
    '1700000000',
    'Tue, 30 Nov 2027 00:00:00 GMT',
    'soon',
    '2027-11-30T00:00:00ZZ',
  ])('%j is refused with a clear upstream error, never an invalid Date', (text) => {
    expect(() => parseUpstreamDate(text, 'exDate')).toThrow(UpstreamDateError);
    expect(() => parseUpstreamDate(text, 'exDate')).toThrow(/bad exDate from upstream/);
  });

  it('quotes at most a short prefix of a long bad value', () => {
    const err = (() => {
      try {
        parseUpstreamDate('9'.repeat(100_000));
      } catch (e) {
        return e as UpstreamDateError;
      }
    })();
    expect(err).toBeInstanceOf(UpstreamDateError);
    expect(err!.message.length).toBeLessThan(100);
    expect((err as unknown as { code: string }).code).toBe('UPSTREAM_FAILURE');
  });

  it('gives the same instants under any TZ (the process’s zone switched at run time)', () => {
    const seen: string[] = [];
    try {
      for (const TZ of ['UTC', 'Asia/Tokyo', 'America/Los_Angeles', 'Pacific/Kiritimati']) {
        process.env.TZ = TZ; // Node applies a new TZ at once
        seen.push(new Date('2027-11-30T00:00:00').toISOString()); // the zone really changed (checked below)
        expect([iso('2027-11-30T00:00:00'), iso('2027-11-30'), plus('2028-02-29T23:00:00Z', 1, 'y')]).toEqual([
          '2027-11-30T00:00:00.000Z',
          '2027-11-30T00:00:00.000Z',
          '2029-02-28T23:00:00.000Z',
        ]);
      }
    } finally {
      process.env.TZ = 'Asia/Tokyo';
    }
    expect(new Set(seen).size).toBe(4);
  });
});

describe('addPeriodInZone: the expiry a registry computes in its own calendar (REPP: Europe/Tallinn)', () => {
  const inZone = (iso: string, value: number, unit: 'y' | 'm', zone = 'Europe/Tallinn') => addPeriodInZone(at(iso), { value, unit }, zone).toISOString();
  it.each([
    // local midnight stays local midnight across a daylight-saving change (EET +2, EEST +3)
    ['2032-01-03T22:00:00.000Z', 6, 'm', '2032-07-03T21:00:00.000Z'],
    ['2032-07-03T21:00:00.000Z', 6, 'm', '2033-01-03T22:00:00.000Z'],
    ['2032-01-03T22:00:00.000Z', 1, 'y', '2033-01-03T22:00:00.000Z'],
    // the local day is what is clamped: 2027-01-31 local is 2027-01-30T22:00Z
    ['2027-01-30T22:00:00.000Z', 1, 'm', '2027-02-27T22:00:00.000Z'],
    ['2028-02-28T22:00:00.000Z', 1, 'y', '2029-02-27T22:00:00.000Z'], // 2028-02-29 local
  ] as const)('%s + %i%s = %s', (from, value, unit, expected) => {
    expect(inZone(from, value, unit)).toBe(expected);
  });

  it('is addPeriod in UTC', () => {
    for (const [from, v, u] of [['2028-02-29T10:00:00.000Z', 1, 'y'], ['2027-01-31T12:34:56.789Z', 1, 'm'], ['2032-01-03T22:00:00.000Z', 6, 'm']] as const) expect(inZone(from, v, u, 'UTC')).toBe(plus(from, v, u));
  });

  it('refuses an unknown time zone', () => {
    expect(() => inZone('2032-01-03T22:00:00.000Z', 1, 'y', 'Mars/Olympus')).toThrow(RangeError);
  });
});
