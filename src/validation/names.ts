import { domainToASCII } from 'node:url';
import { ValidationError } from '../core/errors.js';

const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Normalise and check a host or domain name: IDNs are converted to A-labels (UTS #46 via
 * node:url), then every label must follow the LDH rule (RFC 1035/5891): 1-63 octets, letters,
 * digits and hyphens, no hyphen at either end, "--" in positions 3-4 only for A-labels ("xn--"),
 * at most 253 octets in all, at least two labels.
 */
export function normalizeDomainName(field: string, raw: string): string {
  const trimmed = raw.trim().replace(/\.$/, '');
  if (trimmed.length === 0) throw new ValidationError(field, 'a domain name is required');
  const hasNonAscii = /[^\x00-\x7f]/.test(trimmed);
  const ascii = hasNonAscii ? domainToASCII(trimmed) : trimmed.toLowerCase();
  if (ascii === '') throw new ValidationError(field, `"${raw}" is not a valid internationalised domain name`);
  if (ascii.length > 253) throw new ValidationError(field, 'a domain name is at most 253 characters');
  const labels = ascii.split('.');
  if (labels.length < 2) throw new ValidationError(field, `"${raw}" needs at least two labels (name and TLD)`);
  for (const label of labels) {
    if (label.length === 0) throw new ValidationError(field, `"${raw}" has an empty label`);
    if (label.length > 63) throw new ValidationError(field, `label "${label}" is longer than 63 characters`);
    if (!LDH_LABEL.test(label)) {
      throw new ValidationError(field, `label "${label}" may hold only letters, digits and inner hyphens`);
    }
    if (label.slice(2, 4) === '--' && !label.startsWith('xn--')) {
      throw new ValidationError(field, `label "${label}" has "--" in positions 3-4 but is not an A-label`);
    }
    if (label.startsWith('xn--') && domainToASCII(label) !== label) {
      throw new ValidationError(field, `label "${label}" is not a valid A-label`);
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) {
    throw new ValidationError(field, 'the top-level label cannot be all digits');
  }
  return ascii;
}

/** EPP object identifiers (contact ids): RFC 5730 clIDType, 3-16 characters, no whitespace. */
export function checkObjectId(field: string, id: string): string {
  const v = id.trim();
  if (v.length < 3 || v.length > 16) throw new ValidationError(field, 'must be 3 to 16 characters');
  if (!/^[A-Za-z0-9_.:-]+$/.test(v)) throw new ValidationError(field, 'may hold letters, digits and _ . : - only');
  return v;
}

/** Authorisation information (EPP pwAuthInfo): 6-64 printable characters without leading/trailing space. */
export function checkAuthInfo(field: string, pw: string): string {
  if (pw.length < 6 || pw.length > 64) throw new ValidationError(field, 'must be 6 to 64 characters');
  if (/[\x00-\x1f\x7f]/.test(pw) || pw.trim() !== pw) {
    throw new ValidationError(field, 'must be printable with no leading or trailing spaces');
  }
  return pw;
}

/** Idempotency keys: 1-255 visible ASCII characters (UUIDs recommended). */
export function checkIdempotencyKey(field: string, key: string): string {
  if (key.length < 1 || key.length > 255) throw new ValidationError(field, 'must be 1 to 255 characters');
  if (!/^[\x21-\x7e]+$/.test(key)) throw new ValidationError(field, 'must be visible ASCII characters');
  return key;
}
