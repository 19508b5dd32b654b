import { describe, expect, it } from 'vitest';
import { checkCountryCode, checkEmail, checkPhone, toContactCreate, toContactUpdate } from '../../../src/validation/contact.js';
import { refusal } from './helpers.js';

const postal = { type: 'int', name: 'John Doe', org: null, street: ['123 Example Dr.'], city: 'Dulles', sp: 'VA', pc: '20166-6503', cc: 'us' };
const contact = { id: 'sh8013', postalInfo: [postal], email: 'jdoe@example.com', authInfo: '2fooBAR' };

describe('contact inputs (RFC 5733)', () => {
  it('accepts the RFC example, 255-character lines, 3 street lines and a "loc" form', () => {
    const c = toContactCreate({ ...contact, voice: '+1.7035555555x1234', fax: '+1.7035555556' });
    expect(c.postalInfo[0]!.cc).toBe('US');
    const long = 'x'.repeat(255);
    const loc = { ...postal, type: 'loc', name: 'Jörg Müller', street: [long, long, long], city: 'Zürich', org: long, sp: long, pc: '1'.repeat(16), cc: 'CH' };
    expect(toContactCreate({ ...contact, postalInfo: [postal, loc] }).postalInfo[1]!.street).toHaveLength(3);
  });

  it.each([
    ['name with NUL', { postalInfo: [{ ...postal, name: 'John\u0000Doe' }] }, 'input.postalInfo[0].name'],
    ['street with a lone surrogate', { postalInfo: [{ ...postal, street: ['ok', 'bad \ud800'] }] }, 'input.postalInfo[0].street[1]'],
    ['e-mail with NUL', { email: 'jdoe\u0000@example.com' }, 'input.email'],
    ['name over 255', { postalInfo: [{ ...postal, name: 'x'.repeat(256) }] }, 'input.postalInfo[0].name'],
    ['street line over 255', { postalInfo: [{ ...postal, street: ['x'.repeat(256)] }] }, 'input.postalInfo[0].street[0]'],
    ['four street lines', { postalInfo: [{ ...postal, street: ['a', 'b', 'c', 'd'] }] }, 'input.postalInfo[0].street'],
    ['city 1 MB', { postalInfo: [{ ...postal, city: 'x'.repeat(1_000_000) }] }, 'input.postalInfo[0].city'],
    ['org over 255', { postalInfo: [{ ...postal, org: 'x'.repeat(256) }] }, 'input.postalInfo[0].org'],
    ['sp over 255', { postalInfo: [{ ...postal, sp: 'x'.repeat(256) }] }, 'input.postalInfo[0].sp'],
    ['pc over 16', { postalInfo: [{ ...postal, pc: '1'.repeat(17) }] }, 'input.postalInfo[0].pc'],
    ['empty name', { postalInfo: [{ ...postal, name: '  ' }] }, 'input.postalInfo[0].name'],
    ['line break in a street', { postalInfo: [{ ...postal, street: ['a\nb'] }] }, 'input.postalInfo[0].street[0]'],
    ['non-ASCII "int"', { postalInfo: [{ ...postal, city: 'Zürich' }] }, 'input.postalInfo[0].city'],
    ['two "int" forms', { postalInfo: [postal, postal] }, 'input.postalInfo[1].type'],
    ['three-letter country', { postalInfo: [{ ...postal, cc: 'USA' }] }, 'input.postalInfo[0].cc'],
    ['short id', { id: 'ab' }, 'input.id'],
    ['short auth info', { authInfo: 'abc' }, 'input.authInfo'],
    ['voice without dot', { voice: '+17035555555' }, 'input.voice'],
    ['fax over 17', { fax: '+123.12345678901234' }, 'input.fax'],
  ])('refuses %s, naming %s', (_why, change, field) => {
    const err = refusal(() => toContactCreate({ ...contact, ...change }));
    expect(err.details.field).toBe(field);
    expect(err.message.length).toBeLessThan(200);
  });

  it('refuses statuses a client cannot set, naming the position and quoting a prefix only', () => {
    const base = { id: 'sh8013', addStatuses: [], removeStatuses: [] };
    expect(toContactUpdate({ ...base, addStatuses: ['clientDeleteProhibited'] }).addStatuses).toEqual(['clientDeleteProhibited']);
    const err = refusal(() => toContactUpdate({ ...base, removeStatuses: ['clientDeleteProhibited', `client${'x'.repeat(100_000)}`] }));
    expect(err.details.field).toBe('input.removeStatuses[1]');
    expect(err.message.length).toBeLessThan(200);
    expect(refusal(() => toContactUpdate({ ...base, addStatuses: ['clientHold'] })).details.field).toBe('input.addStatuses[0]');
  });
});

describe('contact values', () => {
  it.each(['jdoe@example.com', 'a.b+c@sub.example.co.uk', 'jörg@bücher.example'])('accepts e-mail %j', (e) => expect(checkEmail('email', e)).toBe(e));
  it.each(['', 'no-at.example', '@example.com', 'a@b', 'a b@example.com', `${'l'.repeat(65)}@example.com`, `a@${'d'.repeat(250)}.com`, `${'x'.repeat(2_000_000)}@example.com`])(
    'refuses e-mail %#',
    (e) => {
      const err = refusal(() => checkEmail('input.email', e));
      expect(err.details.field).toBe('input.email');
      expect(err.message.length).toBeLessThan(120);
    },
  );
  it('checks phones (e164Type) and country codes', () => {
    expect(checkPhone('voice', '+44.2079460000')).toBe('+44.2079460000');
    expect(checkPhone('voice', '+1.7035555555x1')).toBe('+1.7035555555x1');
    expect(() => checkPhone('voice', '+1.7035555555x')).toThrow('voice');
    expect(() => checkPhone('voice', '+1234.5')).toThrow('voice');
    expect(checkCountryCode('cc', ' de ')).toBe('DE');
    expect(() => checkCountryCode('cc', 'D1')).toThrow('two-letter');
    // Two letters are not enough: ISO 3166-1 must assign them (XK, Kosovo, as registries take it).
    for (const code of ['ZZ', 'UK', 'EU', 'YU', 'AA', 'zz']) expect(() => checkCountryCode('cc', code)).toThrow(/is not an assigned ISO 3166-1 country code/);
    // The hint about the United Kingdom only where it helps.
    expect(() => checkCountryCode('cc', 'UK')).toThrow('"UK" is not an assigned ISO 3166-1 country code (the United Kingdom is GB)');
    expect(() => checkCountryCode('cc', 'ZZ')).toThrow(/^cc: "ZZ" is not an assigned ISO 3166-1 country code$/);
    for (const code of ['GB', 'EE', 'XK', 'AQ', 'gb']) expect(checkCountryCode('cc', code)).toBe(code.toUpperCase());
  });

  it('refuses an empty auth code on update as a too-short one, naming input.authInfo (it was taken as none)', () => {
    const base = { id: 'sh8013', addStatuses: [], removeStatuses: [] };
    expect(refusal(() => toContactUpdate({ ...base, authInfo: '' })).details.field).toBe('input.authInfo');
    expect(toContactUpdate({ ...base, authInfo: null, email: 'ada@example.org' }).authInfo).toBeNull();
    // authInfo: null with nothing else is an update that changes nothing, refused naming input.
    expect(refusal(() => toContactUpdate({ ...base, authInfo: null })).details.field).toBe('input');
  });
});
