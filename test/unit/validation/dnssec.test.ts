import { describe, expect, it } from 'vitest';
import { checkDnssecLists, checkDsData, checkKeyData, MAX_PUBLIC_KEY_BYTES } from '../../../src/validation/dnssec.js';
import { refusal } from './helpers.js';

const SHA1 = 'A'.repeat(40);
const SHA256 = '49FD46E6C4B45C55D4AC49FD46E6C4B45C55D4AC49FD46E6C4B45C55D4AC1234';
const SHA384 = 'B'.repeat(96);
const KEY = 'AwEAAQ==';

describe('DS data (RFC 4034 5.1, IANA registries)', () => {
  it.each([
    [1, SHA1],
    [2, SHA256.toLowerCase()],
    [4, SHA384],
    [5, SHA256],
    [6, SHA256],
  ])('accepts digest type %i with its length, upper-cased', (digestType, digest) => {
    const ds = checkDsData('ds', { keyTag: 12345, algorithm: 13, digestType, digest });
    expect(ds.digest).toBe(digest.toUpperCase());
  });

  it('accepts key tags 0 and 65535, algorithms 8, 15, 253, and whitespace in the digest', () => {
    expect(checkDsData('ds', { keyTag: 0, algorithm: 8, digestType: 2, digest: SHA256 }).keyTag).toBe(0);
    expect(checkDsData('ds', { keyTag: 65535, algorithm: 15, digestType: 2, digest: `${SHA256.slice(0, 32)} ${SHA256.slice(32)}` }).digest).toBe(SHA256);
    expect(checkDsData('ds', { keyTag: 1, algorithm: 253, digestType: 2, digest: SHA256 }).algorithm).toBe(253);
  });

  it.each([
    [{ keyTag: 70000, algorithm: 13, digestType: 2, digest: SHA256 }, 'ds.keyTag', '0 to 65535'],
    [{ keyTag: -1, algorithm: 13, digestType: 2, digest: SHA256 }, 'ds.keyTag', '0 to 65535'],
    [{ keyTag: 1, algorithm: 0, digestType: 2, digest: SHA256 }, 'ds.algorithm', 'not an assigned'],
    [{ keyTag: 1, algorithm: 2, digestType: 2, digest: SHA256 }, 'ds.algorithm', 'not an assigned'],
    [{ keyTag: 1, algorithm: 99, digestType: 2, digest: SHA256 }, 'ds.algorithm', 'not an assigned'],
    [{ keyTag: 1, algorithm: 13, digestType: 99, digest: SHA256 }, 'ds.digestType', 'not an assigned'],
    [{ keyTag: 1, algorithm: 13, digestType: 0, digest: SHA256 }, 'ds.digestType', 'not an assigned'],
    [{ keyTag: 1, algorithm: 13, digestType: 2, digest: 'ABCD' }, 'ds.digest', 'needs 64 hex digits'],
    [{ keyTag: 1, algorithm: 13, digestType: 1, digest: SHA256 }, 'ds.digest', 'needs 40 hex digits'],
    [{ keyTag: 1, algorithm: 13, digestType: 4, digest: SHA256 }, 'ds.digest', 'needs 96 hex digits'],
    [{ keyTag: 1, algorithm: 13, digestType: 1, digest: 'XYZ1' }, 'ds.digest', 'hexadecimal'],
    [{ keyTag: 1, algorithm: 13, digestType: 2, digest: 'A'.repeat(1_000_000) }, 'ds.digest', 'needs 64 hex digits'],
  ])('refuses %j at %s', (ds, field, why) => {
    const err = refusal(() => checkDsData('ds', ds));
    expect(err.details.field).toBe(field);
    expect(err.message).toContain(why);
    expect(err.message.length).toBeLessThan(200);
  });
});

describe('key data (RFC 4034 2.1)', () => {
  it('accepts a KSK, a ZSK, and a 4,096-byte key with line breaks', () => {
    expect(checkKeyData('k', { flags: 257, protocol: 3, algorithm: 13, publicKey: KEY }).flags).toBe(257);
    expect(checkKeyData('k', { flags: 256, protocol: 3, algorithm: 8, publicKey: KEY }).flags).toBe(256);
    const big = Buffer.alloc(MAX_PUBLIC_KEY_BYTES, 7).toString('base64');
    const wrapped = big.match(/.{1,64}/g)!.join('\n');
    expect(checkKeyData('k', { flags: 257, protocol: 3, algorithm: 8, publicKey: wrapped }).publicKey).toBe(big);
  });

  it.each([
    [{ flags: 1, protocol: 3, algorithm: 13, publicKey: KEY }, 'k.flags'],
    [{ flags: 256, protocol: 2, algorithm: 13, publicKey: KEY }, 'k.protocol'],
    [{ flags: 256, protocol: 3, algorithm: 99, publicKey: KEY }, 'k.algorithm'],
    [{ flags: 256, protocol: 3, algorithm: 13, publicKey: 'not base64!' }, 'k.publicKey'],
    [{ flags: 256, protocol: 3, algorithm: 13, publicKey: '' }, 'k.publicKey'],
    // Decodable leniently, but not xs:base64Binary: the padding bits are not zero.
    [{ flags: 256, protocol: 3, algorithm: 13, publicKey: 'AwEAAc==' }, 'k.publicKey'],
    [{ flags: 256, protocol: 3, algorithm: 13, publicKey: 'AwEAAQB=' }, 'k.publicKey'],
    [{ flags: 256, protocol: 3, algorithm: 13, publicKey: Buffer.alloc(MAX_PUBLIC_KEY_BYTES + 3).toString('base64') }, 'k.publicKey'],
    [{ flags: 256, protocol: 3, algorithm: 13, publicKey: 'A'.repeat(1_000_000) }, 'k.publicKey'],
  ])('refuses %#: %s', (k, field) => {
    const err = refusal(() => checkKeyData('k', k));
    expect(err.details.field).toBe(field);
    expect(err.message.length).toBeLessThan(120);
  });
});

describe('DNSSEC lists', () => {
  const ds = { keyTag: 1, algorithm: 13, digestType: 2, digest: SHA256 };
  const key = { flags: 257, protocol: 3, algorithm: 13, publicKey: KEY };
  it('refuses duplicates, mixed interfaces and long lists', () => {
    expect(refusal(() => checkDnssecLists('input.dnssec', [ds, { ...ds, digest: SHA256.toLowerCase() }], [])).details.field).toBe('input.dnssec.dsData[1]');
    expect(refusal(() => checkDnssecLists('input.dnssec', [ds], [key])).details.field).toBe('input.dnssec');
    const many = Array.from({ length: 17 }, (_, i) => ({ ...ds, keyTag: i }));
    expect(refusal(() => checkDnssecLists('input.dnssec', many, [])).details.field).toBe('input.dnssec.dsData');
  });
});
