import { isIPv4, isIPv6 } from 'node:net';
import { ValidationError } from '../core/errors.js';
import type { DsData, KeyData, Period } from '../core/model/index.js';

export function checkIpv4(field: string, ip: string): string {
  const v = ip.trim();
  if (!isIPv4(v)) throw new ValidationError(field, `"${ip}" is not an IPv4 address`);
  return v;
}

export function checkIpv6(field: string, ip: string): string {
  const v = ip.trim();
  if (!isIPv6(v)) throw new ValidationError(field, `"${ip}" is not an IPv6 address`);
  return v.toLowerCase();
}

const MAX_YEARS = 10;

/** Registration periods: 1-10 years or 1-120 months (RFC 5731 periodType). */
export function checkPeriod(field: string, p: { value: number; unit: 'y' | 'm' }, units: Array<'y' | 'm'>): Period {
  if (!Number.isInteger(p.value)) throw new ValidationError(`${field}.value`, 'must be a whole number');
  if (!units.includes(p.unit)) throw new ValidationError(`${field}.unit`, `this registry accepts ${units.join(', ')} only`);
  const max = p.unit === 'y' ? MAX_YEARS : MAX_YEARS * 12;
  if (p.value < 1 || p.value > max) {
    throw new ValidationError(`${field}.value`, `must be between 1 and ${max} ${p.unit === 'y' ? 'years' : 'months'}`);
  }
  return { value: p.value, unit: p.unit };
}

/** Digest lengths in hex characters by DS digest type (RFC 4034, 4509, 6605). */
const DIGEST_HEX_LENGTH: Record<number, number> = { 1: 40, 2: 64, 4: 96 };
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function checkByte(field: string, v: number, min = 0, max = 255): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new ValidationError(field, `must be an integer from ${min} to ${max}`);
  return v;
}

export function checkKeyData(field: string, k: KeyData): KeyData {
  const flags = checkByte(`${field}.flags`, k.flags, 0, 65535);
  if (flags !== 256 && flags !== 257) throw new ValidationError(`${field}.flags`, 'must be 256 (ZSK) or 257 (KSK)');
  if (k.protocol !== 3) throw new ValidationError(`${field}.protocol`, 'must be 3 (RFC 4034)');
  const publicKey = k.publicKey.replace(/\s+/g, '');
  if (publicKey.length === 0 || !BASE64.test(publicKey)) throw new ValidationError(`${field}.publicKey`, 'must be base64');
  return { flags, protocol: 3, algorithm: checkByte(`${field}.algorithm`, k.algorithm, 1, 255), publicKey };
}

export function checkDsData(field: string, d: DsData): DsData {
  const digestType = checkByte(`${field}.digestType`, d.digestType, 1, 255);
  const digest = d.digest.trim().toUpperCase();
  if (!/^[0-9A-F]+$/.test(digest) || digest.length % 2 !== 0) {
    throw new ValidationError(`${field}.digest`, 'must be an even number of hex digits');
  }
  const expected = DIGEST_HEX_LENGTH[digestType];
  if (expected !== undefined && digest.length !== expected) {
    throw new ValidationError(`${field}.digest`, `digest type ${digestType} needs ${expected} hex digits, got ${digest.length}`);
  }
  return {
    keyTag: checkByte(`${field}.keyTag`, d.keyTag, 0, 65535),
    algorithm: checkByte(`${field}.algorithm`, d.algorithm, 1, 255),
    digestType,
    digest,
    keyData: d.keyData ? checkKeyData(`${field}.keyData`, d.keyData) : null,
  };
}

export function checkEmail(field: string, email: string): string {
  const v = email.trim();
  if (v.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) throw new ValidationError(field, `"${email}" is not an e-mail address`);
  return v;
}

/** E.164 phone in EPP form: +CC.NUMBER (RFC 5733). */
export function checkPhone(field: string, phone: string): string {
  const v = phone.trim();
  if (!/^\+[0-9]{1,3}\.[0-9]{1,14}(?:x[0-9]+)?$/.test(v)) throw new ValidationError(field, 'must look like +1.7035555555');
  return v;
}

export function checkCountryCode(field: string, cc: string): string {
  const v = cc.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(v)) throw new ValidationError(field, 'must be a two-letter ISO 3166 country code');
  return v;
}

export function checkUnique<T>(field: string, items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) throw new ValidationError(`${field}[${i}]`, `"${k}" appears twice`);
    seen.add(k);
  });
  return items;
}
