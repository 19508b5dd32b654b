/**
 * DNSSEC data (RFC 5910 secDNS-1.1: dsData and keyData), checked against RFC 4034 and the IANA
 * registries "DNS Security Algorithm Numbers" and "Delegation Signer (DS) Resource Record (RR)
 * Type Digest Algorithms" (as of 2026).
 */
import { ValidationError, quoted } from '../core/errors.js';
import type { DsData, KeyData } from '../core/model/index.js';
import { checkUnique } from './values.js';

/**
 * Assigned DS digest types and their digest length in hex digits: 1 SHA-1 (RFC 3658, 20 bytes),
 * 2 SHA-256 (RFC 4509, 32), 3 GOST R 34.11-94 (RFC 5933, 32), 4 SHA-384 (RFC 6605, 48),
 * 5 GOST R 34.11-2012 (RFC 9558, 32), 6 SM3 (RFC 9563, 32). 0 is reserved; 7-255 unassigned.
 */
export const DIGEST_HEX_LENGTH: Readonly<Record<number, number>> = { 1: 40, 2: 64, 3: 64, 4: 96, 5: 64, 6: 64 };

/**
 * Assigned algorithm numbers usable for zone signing, the only ones a DS or DNSKEY of a
 * delegation can name: 1 RSAMD5, 3 DSA, 5 RSASHA1, 6 DSA-NSEC3-SHA1, 7 RSASHA1-NSEC3-SHA1,
 * 8 RSASHA256, 10 RSASHA512, 12 ECC-GOST, 13 ECDSAP256SHA256, 14 ECDSAP384SHA384, 15 ED25519,
 * 16 ED448, 17 SM2SM3, 23 ECC-GOST12, 253 PRIVATEDNS, 254 PRIVATEOID. 0, 4, 9, 11 are reserved,
 * 2 (DH) and 252 (INDIRECT) sign no zone, the rest are unassigned.
 */
export const ZONE_SIGNING_ALGORITHMS: ReadonlySet<number> = new Set([1, 3, 5, 6, 7, 8, 10, 12, 13, 14, 15, 16, 17, 23, 253, 254]);

/**
 * The largest DNSKEY public key accepted, in bytes (decoded). The largest keys of assigned
 * algorithms are RSA keys, at most 4,096 bits (RFC 3110 section 2; RFC 5702 section 2): 516
 * bytes with exponent and its length. 4,096 bytes leaves room for larger private-algorithm (253,
 * 254) keys such as post-quantum ones, and stays far below what would swell a command.
 */
export const MAX_PUBLIC_KEY_BYTES = 4096;

/** DS records or keys in one list (RFC 5910 sets no maximum; registries keep a handful). */
export const MAX_DNSSEC_RECORDS = 16;

/**
 * xs:base64Binary's lexical space (XML Schema Part 2 section 3.2.16, the type of RFC 5910's
 * secDNS:pubKey): the bits a final group's padding leaves over must be zero, so before "==" only
 * [AQgw] and before "=" only [AEIMQUYcgkosw048]. "AwEAAc==" decodes with Node's lenient decoder
 * but a registry's schema validation refuses it (Nomulus: "not a valid value of the atomic type").
 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$/;

function checkInt(field: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new ValidationError(field, `must be an integer from ${min} to ${max}`);
  return v;
}

function checkAlgorithm(field: string, v: number): number {
  checkInt(field, v, 0, 255);
  if (!ZONE_SIGNING_ALGORITHMS.has(v)) {
    throw new ValidationError(field, `${v} is not an assigned zone-signing DNSSEC algorithm (IANA DNS Security Algorithm Numbers)`);
  }
  return v;
}

/**
 * RFC 5910 keyData / RFC 4034 section 2.1 DNSKEY: flags 256 (zone key) or 257 (zone key, secure
 * entry point), protocol 3, an assigned zone-signing algorithm, a base64 public key of 1 to
 * MAX_PUBLIC_KEY_BYTES bytes (whitespace between base64 groups is dropped).
 */
export function checkKeyData(field: string, k: KeyData): KeyData {
  const flags = checkInt(`${field}.flags`, k.flags, 0, 65535);
  if (flags !== 256 && flags !== 257) throw new ValidationError(`${field}.flags`, 'must be 256 (ZSK) or 257 (KSK)');
  if (k.protocol !== 3) throw new ValidationError(`${field}.protocol`, 'must be 3 (RFC 4034)');
  const algorithm = checkAlgorithm(`${field}.algorithm`, k.algorithm);
  const maxChars = Math.ceil(MAX_PUBLIC_KEY_BYTES / 3) * 4;
  if (k.publicKey.length > 2 * maxChars) throw new ValidationError(`${field}.publicKey`, `must be at most ${MAX_PUBLIC_KEY_BYTES} bytes`);
  const publicKey = k.publicKey.replace(/\s+/g, '');
  if (publicKey.length === 0 || !BASE64.test(publicKey)) throw new ValidationError(`${field}.publicKey`, 'must be base64 (RFC 4648 section 4, the padding bits zero: XML Schema base64Binary)');
  if (publicKey.length > maxChars) throw new ValidationError(`${field}.publicKey`, `must be at most ${MAX_PUBLIC_KEY_BYTES} bytes`);
  return { flags, protocol: 3, algorithm, publicKey };
}

/**
 * RFC 5910 dsData / RFC 4034 section 5.1 DS: key tag 0-65535, an assigned zone-signing
 * algorithm, an assigned digest type and a hex digest of exactly that type's length (upper-cased;
 * whitespace dropped), with optional key data (checkKeyData).
 */
export function checkDsData(field: string, d: DsData): DsData {
  const keyTag = checkInt(`${field}.keyTag`, d.keyTag, 0, 65535);
  const algorithm = checkAlgorithm(`${field}.algorithm`, d.algorithm);
  const digestType = checkInt(`${field}.digestType`, d.digestType, 0, 255);
  const expected = DIGEST_HEX_LENGTH[digestType];
  if (expected === undefined) {
    throw new ValidationError(`${field}.digestType`, `${digestType} is not an assigned DS digest type (1 SHA-1, 2 SHA-256, 3 GOST, 4 SHA-384, 5 GOST 2012, 6 SM3)`);
  }
  if (d.digest.length > 4 * expected) throw new ValidationError(`${field}.digest`, `digest type ${digestType} needs ${expected} hex digits, got ${d.digest.length} characters`);
  const digest = d.digest.replace(/\s+/g, '').toUpperCase();
  if (!/^[0-9A-F]*$/.test(digest)) throw new ValidationError(`${field}.digest`, `${quoted(d.digest)} is not hexadecimal`);
  if (digest.length !== expected) throw new ValidationError(`${field}.digest`, `digest type ${digestType} needs ${expected} hex digits, got ${digest.length}`);
  return { keyTag, algorithm, digestType, digest, keyData: d.keyData ? checkKeyData(`${field}.keyData`, d.keyData) : null };
}

/**
 * One command's DS and key lists (`field` is their parent: "input.dnssec", "input.add"): each
 * at most MAX_DNSSEC_RECORDS, each record checked, none twice, and not both kinds at once (RFC
 * 5910 section 4: a server offers the DS data interface or the key data interface).
 */
export function checkDnssecLists(field: string, ds: DsData[], keys: KeyData[]): { dsData: DsData[]; keyData: KeyData[] } {
  if (ds.length > MAX_DNSSEC_RECORDS) throw new ValidationError(`${field}.dsData`, `at most ${MAX_DNSSEC_RECORDS} DS records`);
  if (keys.length > MAX_DNSSEC_RECORDS) throw new ValidationError(`${field}.keyData`, `at most ${MAX_DNSSEC_RECORDS} keys`);
  const dsData = checkUnique(`${field}.dsData`, ds.map((d, i) => checkDsData(`${field}.dsData[${i}]`, d)), (d) => `${d.keyTag}/${d.algorithm}/${d.digestType}/${d.digest}`);
  const keyData = checkUnique(`${field}.keyData`, keys.map((k, i) => checkKeyData(`${field}.keyData[${i}]`, k)), (k) => `${k.flags}/${k.algorithm}/${k.publicKey}`);
  if (dsData.length > 0 && keyData.length > 0) {
    throw new ValidationError(field, 'give either DS data or key data, not both (RFC 5910 section 4 interfaces)');
  }
  return { dsData, keyData };
}
