import { describe, expect, it } from 'vitest';
import { itemKey } from '../../../src/bulk/store.js';
import { checkAuthInfo, checkClientIdempotencyKey, checkIdempotencyKey, checkObjectId, checkRegistryName, DERIVED_KEY_PREFIX, normalizeDomainName } from '../../../src/validation/names.js';
import { fieldOf, refusal } from './helpers.js';

describe('domain names', () => {
  it('lower-cases and strips a trailing dot', () => {
    expect(normalizeDomainName('name', 'Example.EXAMPLE.')).toBe('example.example');
    expect(normalizeDomainName('name', ' example.example ')).toBe('example.example');
  });

  it.each([
    ['bücher.example', 'xn--bcher-kva.example'],
    ['BÜCHER.example', 'xn--bcher-kva.example'],
    ['ÄÖÜ.tld', 'xn--4ca0bs.tld'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['XN--BCHER-KVA.EXAMPLE', 'xn--bcher-kva.example'],
    ['faß.de', 'xn--fa-hia.de'], // nontransitional: ß stays ß (IDNA2008), not "ss"
    ['ẞ.example', 'xn--zca.example'], // UTS #46 15.1 maps capital sharp s to ß (node:url's ICU still says "ss")
    ['اب١.example', 'xn--mgbc5o.example'],
    ['ＡＢＣ.example', 'abc.example'], // UTS #46 maps full-width letters
    ['日本語.jp', 'xn--wgv71a119e.jp'],
    ['ns1.xn--bcher-kva.example', 'ns1.xn--bcher-kva.example'],
    [`${'a'.repeat(63)}.example`, `${'a'.repeat(63)}.example`],
    ['123.example', '123.example'],
    ['a--b.example', 'a--b.example'], // "--" elsewhere than positions 3-4
    ['0.example', '0.example'],
    [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(53)}.example`, `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(53)}.example`], // 253 characters
  ])('accepts %j as %j', (input, ascii) => {
    expect(normalizeDomainName('name', input)).toBe(ascii);
  });

  it.each([
    ['', 'required'],
    ['.', 'required'],
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
    ['bad host', 'label 1 may hold only letters, digits and inner hyphens'], // the space, not the one label (found by a fresh user)
    // IDNA2008 (RFC 5892) disallows symbols and emoji, which UTS #46 alone would map and accept.
    ['☃.example', 'U+2603'],
    ['xn--n3h.example', 'U+2603'],
    ['😀.example', 'U+1F600'],
    ['a\u200db.example', 'RFC 5892'], // ZWJ outside its CONTEXTJ context
    ['xn--a.example', 'internationalised'], // not a decodable A-label
    ['a\u0000b.example', 'U+0000'],
    ['a\ud800b.example', 'lone surrogate'],
    ['a\nb.example', 'U+000A'],
  ])('refuses %j (%s), naming the field', (name, why) => {
    const err = refusal(() => normalizeDomainName('input.name', name));
    expect(err.message).toContain(why);
    expect(err.details.field).toBe('input.name');
  });

  it('names a disallowed character that does not print (a C1 control decoded from an A-label) by its code point, never the character itself', () => {
    const name = `xn--${'a'.repeat(50)}-bbbbb.example`; // decodes to a label with U+0098 in it
    const err = refusal(() => normalizeDomainName('name', name));
    expect(err.message).toContain('U+0098');
    expect(err.message).not.toMatch(/[\p{C}]/u);
    expect(err.message.match(/U\+0098/g)).toHaveLength(1); // not `U+0098 "(U+0098)"`
    expect(refusal(() => normalizeDomainName('name', '☃.example')).message).toContain("'☃' (U+2603) is disallowed"); // a printing one stays quoted, its code point once, unquoted
  });

  it('spells a field given as a function only to refuse a name (a bulk job names each of 10,000 items so)', () => {
    let asked = 0;
    const field = () => (asked++, 'domains[7].name');
    expect(normalizeDomainName(field, 'fine.example')).toBe('fine.example');
    expect(normalizeDomainName(field, 'Fine.Example.')).toBe('fine.example');
    expect(asked).toBe(0);
    expect(refusal(() => normalizeDomainName(field, 'ab--cd.example')).details.field).toBe('domains[7].name');
    expect(refusal(() => normalizeDomainName(field, 'example.123')).details.field).toBe('domains[7].name');
    expect(refusal(() => normalizeDomainName(field, `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(54)}.example`)).message).toContain('253');
  });

  it('quotes the name as sent, at most 32 characters, and names a label by its position, never quoting it lower-cased', () => {
    const cases: Array<[string, string]> = [
      [`${'A'.repeat(40)}א.example`, 'label 1 breaks rule #5'],
      [`x.9${'B'.repeat(30)}א.example`, 'label 2 breaks rule #1'],
      [`א${'C'.repeat(30)}.example`, 'label 1 breaks rule #2'],
      [`Ab.${'D'.repeat(64)}.example`, 'label 2 is longer than 63 characters'],
      [`E.${'E'.repeat(2)}--${'E'.repeat(30)}.example`, 'label 2 has "--" in positions 3-4'],
    ];
    for (const [name, why] of cases) {
      const err = refusal(() => normalizeDomainName('name', name));
      expect(err.message).toContain(why);
      expect(err.message).toContain(JSON.stringify(name.slice(0, 32)));
      for (const ch of 'abcde') expect(err.message).not.toMatch(new RegExp(`${ch}{3}`));
      expect(Math.max(...(err.message.match(/[A-E]+/g) ?? []).map((m) => m.length))).toBeLessThanOrEqual(32);
    }
  });

  it('refuses a 1.9 MB name at once, with a short message', () => {
    const huge = `${'a'.repeat(1_900_000)}.example`;
    const err = refusal(() => normalizeDomainName('name', huge));
    expect(err.message.length).toBeLessThan(120);
    const invalid = `${'☃'.repeat(900)}.example`; // under the input bound, refused by IDNA
    expect(refusal(() => normalizeDomainName('name', invalid)).message.length).toBeLessThan(400);
  });
});

describe('identifiers and secrets', () => {
  it('checks contact ids (RFC 5730 clIDType, 3-16)', () => {
    expect(checkObjectId('id', ' sh8013 ')).toBe('sh8013');
    expect(checkObjectId('id', 'abc')).toBe('abc');
    expect(checkObjectId('id', 'a'.repeat(16))).toBe('a'.repeat(16));
    expect(() => checkObjectId('id', 'ab')).toThrow('3 to 16');
    expect(() => checkObjectId('id', 'a'.repeat(17))).toThrow('3 to 16');
    expect(() => checkObjectId('id', 'a b c')).toThrow('letters');
    expect(refusal(() => checkObjectId('id', 'x'.repeat(2_000_000))).message.length).toBeLessThan(80);
  });

  it('checks auth info without ever echoing it', () => {
    expect(checkAuthInfo('authInfo', '2fooBAR')).toBe('2fooBAR');
    expect(checkAuthInfo('authInfo', 'x'.repeat(64))).toHaveLength(64);
    for (const bad of ['short', 'x'.repeat(65), ' secret-with-space', 'secret\u0000nul', 'secret\ud800x', 'tab\there', 'S3cret-'.repeat(300_000)]) {
      const err = refusal(() => checkAuthInfo('authInfo', bad));
      expect(err.details.field).toBe('authInfo');
      expect(err.message).not.toContain(bad.slice(0, 6).trim());
      expect(err.message.length).toBeLessThan(80);
    }
  });

  it('checks idempotency keys', () => {
    expect(checkIdempotencyKey('idempotencyKey', '0b8a4a3e-6f1c-4c3e-9a6e-2d1f0e9c8b7a')).toBeTruthy();
    expect(fieldOf(() => checkIdempotencyKey('idempotencyKey', ''))).toBe('idempotencyKey');
    expect(() => checkIdempotencyKey('idempotencyKey', 'has space')).toThrow('visible ASCII');
    expect(() => checkIdempotencyKey('idempotencyKey', 'k'.repeat(256))).toThrow('1 to 255');
  });

  it('keeps client idempotency keys out of the namespace of the keys derived for bulk items', () => {
    const derived = itemKey('job-1', 7);
    expect(derived.startsWith(DERIVED_KEY_PREFIX)).toBe(true);
    expect(checkIdempotencyKey('idempotencyKey', derived)).toBe(derived); // the gateway's own use
    for (const k of [derived, 'bulk:', 'Bulk:x', 'BULK:abc:0']) {
      expect(fieldOf(() => checkClientIdempotencyKey('idempotencyKey', k))).toBe('idempotencyKey');
      expect(() => checkClientIdempotencyKey('idempotencyKey', k)).toThrow('reserved');
    }
    for (const k of ['bulk-1', 'my-bulk:1', 'bulk', '0b8a4a3e-6f1c-4c3e-9a6e-2d1f0e9c8b7a']) expect(checkClientIdempotencyKey('idempotencyKey', k)).toBe(k);
    expect(() => checkClientIdempotencyKey('idempotencyKey', '')).toThrow('1 to 255');
  });

  it('checks registry names without echoing more than a prefix', () => {
    expect(checkRegistryName('registry', 'sandbox-nomulus')).toBe('sandbox-nomulus');
    expect(fieldOf(() => checkRegistryName('input.registry', ''))).toBe('input.registry');
    expect(refusal(() => checkRegistryName('registry', 'r'.repeat(1_000_000))).message.length).toBeLessThan(80);
    expect(() => checkRegistryName('registry', 'a\u0000b')).toThrow('U+0000');
  });
});
