/**
 * The DateTimeISO scalar remembers the instants of the strings it parsed (schema/common/date-time.ts):
 * variables coerce to the same dates as graphql-scalars gives, invalid strings fail with its own
 * message (and the forms taken) every time, and each value is a Date of its own. It also takes a
 * date alone, 2028-12-02, as that day's 00:00 UTC, marked as a date (for currentExpiry).
 */
import 'reflect-metadata';
import { graphql, GraphQLScalarType, Kind, type GraphQLSchema } from 'graphql';
import { GraphQLDateTimeISO } from 'graphql-scalars';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../../../schema/build.js';
import { DATE_TIME_FORMS } from '../../../schema/common/date-time.js';
import { isCalendarDate } from '../../../src/core/time.js';

let scalar: GraphQLScalarType;
let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildGatewaySchema();
  scalar = schema.getType('DateTimeISO') as GraphQLScalarType;
});

describe('DateTimeISO variables', () => {
  it('parse to what graphql-scalars gives, a new Date each time, also for a string parsed before', () => {
    const strings = [`2027-06-01T00:00:00.${'1'.repeat(100)}Z`, '2027-06-01T00:00:00.000Z', '2027-06-01T02:00:00+02:00', '2027-06-01T00:00:00Z', '2027-06-01T00:00:00.123456Z'];
    for (const s of [...strings, ...strings]) {
      const a = scalar.parseValue(s) as Date;
      const b = scalar.parseValue(s) as Date;
      expect(a).toBeInstanceOf(Date);
      expect(a.getTime()).toBe((GraphQLDateTimeISO.parseValue(s) as Date).getTime());
      expect(a).not.toBe(b);
    }
    const d = new Date('2027-01-01T00:00:00Z');
    expect((scalar.parseValue(d) as Date).getTime()).toBe(d.getTime());
  });

  it('refuse an invalid string with the scalar\'s own message and the forms taken, every time it comes', () => {
    for (const bad of ['2027-02-30T00:00:00Z', 'tomorrow', '2027-02-30', '2027-6-01', '2027-02-30T00:00:00Z']) {
      let expected = '';
      try {
        GraphQLDateTimeISO.parseValue(bad);
      } catch (err) {
        expected = (err as Error).message;
      }
      expect(expected).not.toBe('');
      expect(() => scalar.parseValue(bad)).toThrow(`${expected.replace(/\.$/, '')}: ${DATE_TIME_FORMS}`);
    }
    // A value that is no string says what was expected and what kind came, never spelling it (a 5,000-level object overflowed JSON.stringify).
    expect(() => scalar.parseValue(20270601)).toThrow(`expected an ISO 8601 date-time string (RFC 3339), not a number: ${DATE_TIME_FORMS}`);
    expect(() => scalar.parseValue({ a: { b: 'S3cr3t-1' } })).toThrow(`expected an ISO 8601 date-time string (RFC 3339), not an object: ${DATE_TIME_FORMS}`);
    expect(() => scalar.parseValue(['2028-12-02'])).toThrow(`expected an ISO 8601 date-time string (RFC 3339), not a list: ${DATE_TIME_FORMS}`);
    expect(() => scalar.parseLiteral({ kind: Kind.INT, value: '20270601' }, null)).toThrow(`expected an ISO 8601 date-time string (RFC 3339), not a number: ${DATE_TIME_FORMS}`);
  });

  it('take a date alone (RFC 3339 full-date) as 00:00 UTC of that day, marked as a date, in a variable and a literal', () => {
    for (const d of [scalar.parseValue('2028-12-02'), scalar.parseLiteral({ kind: Kind.STRING, value: '2028-12-02' }, null), scalar.parseValue('2028-02-29')]) {
      expect(d).toBeInstanceOf(Date);
      expect(isCalendarDate(d)).toBe(true);
    }
    expect((scalar.parseValue('2028-12-02') as Date).toISOString()).toBe('2028-12-02T00:00:00.000Z');
    expect(isCalendarDate(scalar.parseValue('2028-12-02T00:00:00Z'))).toBe(false);
    expect(() => scalar.parseLiteral({ kind: Kind.STRING, value: '02.12.2028' }, null)).toThrow(DATE_TIME_FORMS);
  });

  it('the SDL still calls it DateTimeISO with graphql-scalars\' description', () => {
    expect(scalar.name).toBe('DateTimeISO');
    expect(scalar.description).toBe(GraphQLDateTimeISO.description);
  });

  it('a variable that is not a date names its place', async () => {
    const res = await graphql({
      schema,
      source: 'mutation($d: [BulkRenewItemInput!]!) { bulkRenew(idempotencyKey: "k", domains: $d) { job { id } } }',
      variableValues: { d: [{ name: 'a.tld', currentExpiry: '2027-06-01T00:00:00Z' }, { name: 'b.tld', currentExpiry: '2027-06-01T00:00:00Z' }, { name: 'c.tld', currentExpiry: '2027-13-01T00:00:00Z' }] },
    });
    expect(res.errors?.[0]?.message).toMatch(/^Variable "\$d" got invalid value "2027-13-01T00:00:00Z" at "d\[2\]\.currentExpiry"; .*DateTime cannot represent an invalid date-time-string/);
  });
});
