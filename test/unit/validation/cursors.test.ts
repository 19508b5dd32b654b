import { describe, expect, it } from 'vitest';
import { checkCommandLogFilter, checkObjectNames, checkPageSize, MAX_BIGINT, parseRowId } from '../../../src/validation/cursors.js';
import { refusal } from './helpers.js';

describe('row ids and cursors (PostgreSQL bigint)', () => {
  it.each(['1', '42', MAX_BIGINT.toString()])('accepts %s', (id) => expect(parseRowId('after', id, 'cursor')).toBe(BigInt(id)));

  it.each(['0', '-1', '01', '1.5', '', ' 1', '9223372036854775808', '9999999999999999999', '18446744073709551616', '1'.repeat(1_000_000)])(
    'refuses %j naming the field, with a short message',
    (id) => {
      const err = refusal(() => parseRowId('after', id, 'poll message id'));
      expect(err.details.field).toBe('after');
      expect(err.message.length).toBeLessThan(140);
    },
  );

  it('checks page sizes', () => {
    expect(checkPageSize('first', 500)).toBe(500);
    expect(() => checkPageSize('first', 0)).toThrow('first');
    expect(() => checkPageSize('first', 501)).toThrow('first');
  });

  it('normalises poll object names and bounds the list', () => {
    expect(checkObjectNames('objects', ['Bücher.example'])).toEqual(['xn--bcher-kva.example']);
    expect(refusal(() => checkObjectNames('objects', ['ok.example', '☃.example'])).details.field).toBe('objects[1]');
    expect(refusal(() => checkObjectNames('objects', Array(501).fill('a.example'))).details.field).toBe('objects');
  });
});

describe('command log filter', () => {
  it('normalises names and keeps contact ids', () => {
    expect(checkCommandLogFilter('filter', { objectName: 'Bücher.example' }).objectName).toBe('xn--bcher-kva.example');
    expect(checkCommandLogFilter('filter', { objectName: 'sh8013' }).objectName).toBe('sh8013');
    expect(checkCommandLogFilter('filter', { operation: 'renewDomain', command: 'domain:transfer:request' })).toMatchObject({ operation: 'renewDomain' });
  });
  it('takes every operation an entry shows: _entities, a comma-joined list (spaces around commas dropped), an older entry\'s command', () => {
    expect(checkCommandLogFilter('filter', { operation: '_entities' }).operation).toBe('_entities');
    expect(checkCommandLogFilter('filter', { operation: 'domain, checkDomains' }).operation).toBe('domain,checkDomains');
    expect(checkCommandLogFilter('filter', { operation: 'domain:transfer:request' }).operation).toBe('domain:transfer:request');
  });
  it.each([
    [{ objectName: 'x'.repeat(1025) }, 'filter.objectName'],
    [{ operation: 'renew domain' }, 'filter.operation'],
    [{ operation: 'domain,,checkDomains' }, 'filter.operation'],
    [{ operation: 'domain:nope' }, 'filter.operation'],
    [{ command: 'x'.repeat(100_000) }, 'filter.command'],
    [{ idempotencyKey: 'has space' }, 'filter.idempotencyKey'],
    [{ from: new Date('2026-02-01'), to: new Date('2026-01-01') }, 'filter.to'],
  ])('refuses %#: %s', (f, field) => {
    const err = refusal(() => checkCommandLogFilter('filter', f));
    expect(err.details.field).toBe(field);
    expect(err.message.length).toBeLessThan(140);
  });
});
