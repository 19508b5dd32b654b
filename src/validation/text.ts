/**
 * Rules every string argument follows, whatever its kind. Each kind's own rule (names, contacts,
 * DNSSEC...) checks its bound first, so no check walks more than a few hundred characters of a
 * value however long it was sent.
 */
import { ValidationError } from '../core/errors.js';

/**
 * The longest string any argument may be: above every kind's own limit (the longest is a DNSKEY
 * public key, 4,096 bytes = 5,464 base64 characters, plus line breaks), so it only stops what no
 * kind accepts before anything walks it.
 */
export const MAX_ARGUMENT_CHARS = 8192;

/** The longest list any argument may be: a bulk job's 20,000 domains (bulk.maxItems); checkDomains takes 5,000 names (limits.maxBatch); every other kind has its own, smaller, bound. */
export const MAX_LIST_ITEMS = 20_000;

/**
 * Characters no argument may hold: what XML 1.0 cannot carry (C0 controls other than TAB, LF and
 * CR, U+FFFE, U+FFFF, and lone surrogates, which are no characters at all) — every argument ends
 * in an EPP (XML) command or in PostgreSQL, which refuses U+0000 (22P05) — plus DEL and the C1
 * controls, which XML 1.0 section 2.2 discourages and RFC 5198 leaves out of network text.
 */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|\p{Cs}/u;

/** Same, and also TAB, LF and CR: for one-line values (XML Schema normalizedString and token). */
const FORBIDDEN_IN_LINE = /[\u0000-\u001F\u007F-\u009F\uFFFE\uFFFF]|\p{Cs}/u;

function describe(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (cp >= 0xd800 && cp <= 0xdfff) return `a lone surrogate (U+${cp.toString(16).toUpperCase()})`;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Whether `value` holds no character that checkCharacters refuses (the test alone, for hot paths that name the field only on refusal). */
export function hasOnlyAllowedCharacters(value: string, oneLine = false): boolean {
  return !(oneLine ? FORBIDDEN_IN_LINE : FORBIDDEN).test(value);
}

/** Refuses characters no argument may hold (see FORBIDDEN); `oneLine` also refuses TAB, LF, CR. */
export function checkCharacters(field: string, value: string, oneLine = false): string {
  const m = (oneLine ? FORBIDDEN_IN_LINE : FORBIDDEN).exec(value);
  if (m) throw new ValidationError(field, `contains ${describe(m[0])}, which is not allowed`);
  return value;
}

/**
 * Length in characters (Unicode code points, as XML Schema's length facets count them), refused
 * before counting when the UTF-16 length alone is over twice the bound.
 */
export function checkLength(field: string, value: string, min: number, max: number, what = 'characters'): string {
  const n = value.length > 2 * max ? value.length : Array.from(value).length;
  if (n < min || n > max) {
    throw new ValidationError(field, min === max ? `must be ${max} ${what}` : min === 0 ? `must be at most ${max} ${what}` : `must be ${min} to ${max} ${what}`);
  }
  return value;
}

/**
 * One line of text, as RFC 5733's postalLineType / optPostalLineType (XML Schema normalizedString
 * with minLength 1 / 0 and maxLength 255): trimmed, no control characters, `min`-`max` characters.
 */
export function checkLine(field: string, value: string, min: number, max: number): string {
  if (value.length > 4 * max) checkLength(field, value, min, max);
  const v = checkCharacters(field, value, true).trim();
  if (min > 0 && v === '') throw new ValidationError(field, 'is required');
  return checkLength(field, v, min, max);
}
