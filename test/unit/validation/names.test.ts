import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import { checkAuthInfo, checkIdempotencyKey, checkObjectId, normalizeDomainName } from '../../../src/validation/names.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).details.field;
  }
  throw new Error('expected a ValidationError');
}

describe('domain names', () => {
  it('lower-cases and strips a trailing dot', () => {
    expect(normalizeDomainName('name', 'Example.EXAMPLE.')).toBe('example.example');
  });

  it('converts IDNs to A-labels', () => {
    expect(normalizeDomainName('name', 'bücher.example')).toBe('xn--bcher-kva.example');
    expect(normalizeDomainName('name', 'ÄÖÜ.tld')).toBe('xn--4ca0bs.tld');
    expect(normalizeDomainName('name', 'xn--bcher-kva.example')).toBe('xn--bcher-kva.example');
  });

  it.each([
    ['', 'required'],
    ['nodot', 'two labels'],
    ['-lead.example', 'inner hyphens'],
    ['trail-.example', 'inner hyphens'],
    ['under_score.example', 'inner hyphens'],
    ['a..example', 'empty label'],
    [`${'a'.repeat(64)}.example`, 'longer than 63'],
    [`${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.eeeee.example`, '253'],
    ['ab--cd.example', 'not an A-label'],
    ['xn--zzzzzz-.example', 'inner hyphens'],
    ['example.123', 'all digits'],
    ['spa ce.example', 'inner hyphens'],
  ])('rejects %j (%s) naming the field', (name, why) => {
    expect(() => normalizeDomainName('input.name', name)).toThrow(why);
    expect(fieldOf(() => normalizeDomainName('input.name', name))).toBe('input.name');
  });
});

describe('identifiers and secrets', () => {
  it('checks contact ids', () => {
    expect(checkObjectId('id', ' sh8013 ')).toBe('sh8013');
    expect(() => checkObjectId('id', 'ab')).toThrow('3 to 16');
    expect(() => checkObjectId('id', 'a b c')).toThrow('letters');
  });

  it('checks auth info without echoing it', () => {
    expect(checkAuthInfo('authInfo', '2fooBAR')).toBe('2fooBAR');
    expect(() => checkAuthInfo('authInfo', 'short')).toThrow('6 to 64');
    try {
      checkAuthInfo('authInfo', ' secret-with-space');
    } catch (err) {
      expect((err as Error).message).not.toContain('secret-with-space');
    }
  });

  it('checks idempotency keys', () => {
    expect(checkIdempotencyKey('idempotencyKey', '0b8a4a3e-6f1c-4c3e-9a6e-2d1f0e9c8b7a')).toBeTruthy();
    expect(fieldOf(() => checkIdempotencyKey('idempotencyKey', ''))).toBe('idempotencyKey');
    expect(() => checkIdempotencyKey('idempotencyKey', 'has space')).toThrow('visible ASCII');
  });
});
